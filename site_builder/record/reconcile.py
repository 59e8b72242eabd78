"""The year's data checked against its ledger: published corrections and objections unchanged (none
edited, removed or reordered), new corrections dated after the publications, and the published
state, with the new corrections applied, equal to the current data. Whatever else changed is
reported where it is written, with the correction it would need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from site_builder.domain import corrections, objections
from site_builder.domain.corrections import (
    CORRECTIONS_FILE,
    ROSTER_FIELDS,
    SCORED_FIELDS,
    fact_kind,
    fact_label,
    goes_with,
    norm,
)
from site_builder.domain.dates import out_of_order
from site_builder.domain.facts import Fact, FactKey, show
from site_builder.domain.models import Correction, Objection, YearData
from site_builder.errors import Problems
from site_builder.record.chain import read_ledger
from site_builder.record.ledger import LEDGER_FILE, Ledger, ObjectionRecord
from site_builder.record.legacy import parse_record
from site_builder.record.state import published_state


def read_year_ledgers(
    years: list[YearData], scores: Path, rel: Callable[[Path], str], problems: Problems
) -> dict[int, Ledger]:
    """Every year's ledger (an empty one where nothing was published yet), checked against its data."""
    out: dict[int, Ledger] = {}
    for data in years:
        year_dir = scores / str(data.year)
        path = year_dir / LEDGER_FILE
        if path.is_file():
            found = read_ledger(path, rel(path), data.year, problems)
            if found is None:
                continue
            ledger = found
        else:
            ledger = Ledger(data.year, rel=rel(path))
            record_path = year_dir / corrections.RECORD_FILE
            if record_path.is_file():  # published before the ledger
                record = parse_record(record_path, rel(record_path), problems)
                if record is not None:
                    corrections.check_against_record(
                        data, record, rel(record_path), rel(year_dir / CORRECTIONS_FILE), problems
                    )
        check_year(data, ledger, rel(year_dir / CORRECTIONS_FILE), problems)
        objections_path = year_dir / objections.OBJECTIONS_FILE
        check_objections(data, ledger, objections_path, rel(objections_path), problems)
        out[data.year] = ledger
    return out


def _day(text: str) -> dt.date | None:
    """A ledger's date (ISO text; its shape is checked where the ledger is read)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def check_year(data: YearData, ledger: Ledger | None, corrections_rel: str, problems: Problems) -> None:
    """Published corrections unchanged; new ones dated after the publications and leading from the
    published state to the current data; nothing else changed."""
    entries = ledger.entries if ledger else []
    published_on = data.status.published_on
    first = entries[0]["date"] if entries else published_on.isoformat() if published_on else None
    last = entries[-1]["date"] if entries else None
    included = ledger.included if ledger else []
    by_digest = {c.digest: c for c in data.corrections}
    for rec in included:
        n = rec["number"]
        now = data.corrections[n - 1] if n <= len(data.corrections) else None
        if now is not None and now.digest == rec["sha256"]:
            continue
        moved = by_digest.get(rec["sha256"])
        if moved is not None:
            problems.add(
                corrections_rel,
                f"已发布的第 {n} 条更正（{rec['date']}）被移到了第 {moved.number} 条；"
                "已发布的更正不能调换顺序，新的更正只能加在末尾",
            )
        elif now is None:
            problems.add(
                corrections_rel,
                f"已发布的第 {n} 条更正（{rec['date']}）被删除了；已发布的更正不能删除，"
                "请从版本库恢复；要撤销它，另加一条更正",
            )
        else:
            problems.add(
                corrections_rel,
                f"已发布的第 {n} 条更正（{rec['date']}）被改动了；已发布的更正不能修改"
                "（日期、改动、原因、审批单位都不能改），请从版本库恢复；要改正它，另加一条更正",
                institution=now.institution,
            )
    new = data.corrections[len(included) :]
    for c in new:
        day = c.date.isoformat()  # (ISO dates: their text sorts as they do)
        if first and out_of_order("published_on", _day(first), "correction", c.date):
            problems.add(
                corrections_rel,
                f"第 {c.number} 条更正的日期 {day} 早于首次发布日期 {first}；"
                "发布之前的改动直接改评分数据即可，不是更正",
                institution=c.institution,
            )
        elif last and out_of_order("publication", _day(last), "correction", c.date):
            problems.add(
                corrections_rel,
                f"第 {c.number} 条更正的日期 {day} 早于上一次发布（第 "
                f"{len(entries)} 次，{last}）；新的更正须晚于已发布的内容",
                institution=c.institution,
            )
    if ledger is None or not ledger.entries:
        return
    _check_state(data, ledger, new, corrections_rel, problems)


def _check_state(
    data: YearData, ledger: Ledger, new: tuple[Correction, ...], corrections_rel: str, problems: Problems
) -> None:
    expected = dict(ledger.facts)
    corrected: dict[FactKey, Correction] = {}
    free: set[FactKey] = set()
    for c in new:
        for ch in c.changes:
            current = expected.get(ch.key)
            if current != ch.old:
                what = "分值" if ch.field in SCORED_FIELDS else "值"
                problems.add(
                    corrections_rel,
                    f"第 {c.number} 条更正写{ch.label if ch.field not in SCORED_FIELDS else ''}"
                    f"原{what}为 {show(ch.field, ch.old)}，但更正前的{what}为 {show(ch.field, current)}",
                    institution=c.institution,
                    indicator=ch.indicator,
                )
            expected[ch.key] = ch.new
            corrected[ch.key] = c
            if ch.field in SCORED_FIELDS:
                free |= goes_with(ch.key)
    actual = published_state(data)
    year_dir = data.status.path.rsplit("/", 1)[0]
    groups: dict[tuple[str, str | None, str], list[FactKey]] = {}
    order = {inst.id: inst.order for inst in data.roster.institutions}
    ind_order = {ind.id: n for n, ind in enumerate(data.rubric.indicators)}
    keys = expected.keys() | actual.keys()

    def sort_key(k: FactKey) -> tuple[bool, int, str, int, str, str]:
        inst, ind = k.institution, k.indicator
        return (
            inst is not None,
            order.get(inst, 10**9) if inst is not None else 10**9,
            inst or "",
            ind_order.get(ind, -1) if ind is not None else -1,
            k.field,
            k.text,  # last: keys alike in all the rest (grade bands, removed indicators) in one order
        )

    changed = [k for k in keys if expected.get(k) != actual.get(k)]
    # a changed score's reason (a changed veto finding's evidence) goes with it: reported once
    free |= {r for k in changed if k.field in SCORED_FIELDS for r in goes_with(k)}
    for key in sorted(changed, key=sort_key):
        want, now = expected.get(key), actual.get(key)
        if key in free:
            continue
        kind, inst, ind, f, label = fact_kind(key), key.institution, key.indicator, key.field, fact_label(key)
        fix = corrected.get(key)
        if fix is not None:
            noun = "新分值" if f in SCORED_FIELDS else f"{label}新值"
            src = "评分表" if inst and f not in ROSTER_FIELDS else "数据"
            problems.add(
                corrections_rel,
                f"第 {fix.number} 条更正的{noun} {show(f, want)} 与{src}的 {show(f, now)} 不一致",
                institution=inst,
                indicator=ind,
            )
            continue
        if inst is not None and f == "assessed_on":
            if want is None:
                sheet = data.sheet(inst)
                where = sheet.path if sheet else f"{year_dir}/{inst}.yaml"
                problems.add(where, "结果发布后新增了评分表；已发布年度的变动须经更正登记", institution=inst)
            else:
                problems.add(f"{year_dir}/{inst}.yaml", "结果已发布，但评分表不见了；请恢复评分表", institution=inst)
            continue
        if inst is not None and f == "name" and (want is None or now is None):
            problems.add(
                data.roster.path,
                f"名单在发布后{'新增' if want is None else '删去'}了机构 {inst}；已发布的名单不能增删机构，请恢复名单",
                institution=inst,
            )
            continue
        assessed = FactKey.of_institution(inst, "assessed_on") if inst is not None else None
        if assessed is not None and (assessed not in expected or assessed not in actual) and kind != "roster":
            continue  # reported once above, as a sheet added or removed
        if kind == "rubric":
            where = data.rubric.path
        elif inst is None:
            where = data.status.path
        elif kind == "roster":
            where = data.roster.path
        else:
            sheet = data.sheet(inst)
            where = sheet.path if sheet else f"{year_dir}/{inst}.yaml"
        group = "score" if kind in ("score", "veto") else kind
        groups.setdefault((where, inst, group), []).append(key)
    for (where, inst, group), gkeys in groups.items():
        problems.add(where, _unrecorded(group, gkeys, expected, actual, corrections_rel), institution=inst)


def _unrecorded(
    group: str, keys: list[FactKey], expected: dict[FactKey, Fact], actual: dict[FactKey, Fact], corrections_rel: str
) -> str:
    items = []
    for key in keys:
        shown = "score" if key.field == "veto" else key.field  # a veto finding as the 1/0 a correction writes
        items.append(
            f"{fact_label(key)}（已发布 {show(shown, expected.get(key))}，现为 {show(shown, actual.get(key))}）"
        )
    listed = "、".join(items)
    if group == "score":
        return (
            f"已发布的分值被改动，但没有更正记录：{listed}；"
            f"请在 {corrections_rel} 中登记更正（日期、指标、原分值、新分值、原因、审批单位）"
        )
    first = keys[0]
    loc = f"indicator: {first.indicator}, " if first.indicator else ""
    if group == "rubric" and first.grade is not None:
        loc = f"grade: {first.grade}, "
    example = f"{{{loc}field: {first.field}, old: {_yaml(expected.get(first))}, new: {_yaml(actual.get(first))}}}"
    what = {"text": "文字或日期", "roster": "名单信息", "rubric": "评估表"}[group]
    scope = "" if first.institution else "（不写 institution）"
    return (
        f"已发布的{what}被改动，但没有更正记录：{listed}；请在 {corrections_rel} 中登记 kind: {group} 的更正"
        f"{scope}，如 {example}"
    )


def _yaml(value: Fact) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 40 else text[:38] + "…"


def _recorded_fields(o: Objection, rec: ObjectionRecord) -> list[str]:
    """Which of an objection's fixed fields differ from the record (the subject, when neither of the
    others does: the record holds only its hash)."""
    changed = [
        label
        for label, now, then in (
            ("受理日期 received_on", norm(o.received_on), rec["received_on"]),
            ("机构 institution", norm(o.institution), rec["institution"]),
        )
        if now != then
    ]
    return changed or ["异议事项 subject"]


def check_objections(data: YearData, ledger: Ledger, path: Path, rel: str, problems: Problems) -> None:
    """Published objections are append-only like corrections: none removed, reordered or edited. Only
    a pending one may change, and only by getting its decision (outcome, decided_on, reply,
    correction): its received_on, institution and subject stay as published."""
    recorded = ledger.objections
    restore = f"请从版本库恢复（git checkout -- {rel}）"
    if recorded is None:
        # a ledger written before objections were recorded one by one: at least the file must stay
        if any(rel in e["inputs"] for e in ledger.entries) and not path.is_file():
            problems.add(
                rel, f"异议记录已随结果发布（发布记录含 {rel}），但文件不见了；已发布的异议不能删除，{restore}"
            )
        return
    if not recorded:
        return
    if path.is_file() and any(p.file == rel for p in problems.items):
        return  # the file has problems of its own, reported by its reader: fix those first
    now = {o.number: o for o in data.objections}
    by_fixed = {o.fixed_digest: o for o in data.objections}
    for rec in recorded:
        n = rec["number"]
        what = f"已发布的第 {n} 条异议（{rec['received_on']} 受理，机构 {rec['institution']}）"
        o = now.get(n)
        if o is not None and o.fixed_digest == rec["fixed_sha256"]:
            if rec["outcome"] != "pending" and o.digest != rec["sha256"]:
                problems.add(
                    rel,
                    f"{what}已办结，其处理结果、办结日期、答复意见和更正序号被改动了；已办结的异议不能修改，"
                    f"{restore}；对处理结果的新异议请另加一条异议记在末尾，结果因此改变的另加一条更正",
                    institution=rec["institution"],
                )
            continue
        moved = by_fixed.get(rec["fixed_sha256"])
        if moved is not None:
            problems.add(
                rel,
                f"{what}被移到了第 {moved.number} 条；已发布的异议不能调换顺序，新的异议只能加在末尾；{restore}",
                institution=rec["institution"],
            )
        elif o is None:
            problems.add(
                rel,
                f"{what}被删除了；已发布的异议不能删除，{restore}；新的异议只能加在末尾",
                institution=rec["institution"],
            )
        else:
            problems.add(
                rel,
                f"{what}的{'、'.join(_recorded_fields(o, rec))}被改动了；已发布异议的受理日期、机构和异议事项不能修改"
                f"（尚未办结的异议只能补填处理结果），{restore}；如有新的异议，请另加一条异议记在末尾",
                institution=rec["institution"],
            )
