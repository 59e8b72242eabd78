"""The publication ledger: `scores/<year>/ledger.json`, an append-only, hash-chained record of
every publication of a year, committed with the data and published as `<year>/data/ledger.json`.

Each entry (one `build --publish` that published something new) holds:

- `n`, `date` (the first publication: the status's `published_on`; later ones: the date of the
  newest correction they include), `previous` (SHA-256 of the whole previous entry, null for the
  first), `corrections` (the corrections it newly includes, each with the SHA-256 of its text),
  `inputs` (SHA-256 of the year's data files: rubric, roster, status, sheets, corrections, objections),
  `state_sha256` (SHA-256 of everything published, see `published_state`), `hash`;
- `files`: the SHA-256 of every file of the year in SHA256SUMS (`<year>/…`, the ledger itself
  excepted). `hash` covers every field but `files` and itself: every page of the year shows the
  first 12 hex digits of the last entry's hash (the ledger head), so the pages cannot be part of it.
  The next entry's `previous` covers the whole entry, files included.

The document also holds `published`: everything published as of the last entry (scores, veto
findings, reasons, evidence, names and roster status, the rubric's rules, maxima and grade bands,
the announcement's dates), one key per fact. A build starts from it, applies the corrections made
since, and must arrive exactly at the current data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from site_builder.common import urls
from site_builder.common.yamlio import is_number
from site_builder.domain import corrections, objections
from site_builder.domain.corrections import CORRECTIONS_FILE, FIELD_LABELS, Correction, norm, show
from site_builder.domain.models import Rule, SiteInput, YearData
from site_builder.errors import Problems
from site_builder.read.datafile import load_json

LEDGER_FILE = "ledger.json"
FORMAT = 1
ENTRY_KEYS = ("n", "date", "previous", "corrections", "inputs", "state_sha256", "hash", "files")
OPTIONAL_ENTRY_KEYS = ("objections",)
"""`objections`: every objection published by the entry (number, received_on, institution, outcome,
the SHA-256 of the entry as written and of its fixed fields); only where the year has objections."""
OBJECTION_RECORD_KEYS = ("number", "received_on", "institution", "outcome", "sha256", "fixed_sha256")
HEAD_LEN = 12
HEAD_MARK = re.compile(r'data-ledger-head="([0-9a-f]{12})"')


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def entry_hash(entry: dict) -> str:
    """The entry's own hash: every field but `files` (see the module doc) and `hash`."""
    return sha({k: v for k, v in entry.items() if k not in ("hash", "files")})


@dataclass
class Ledger:
    year: int
    entries: list[dict] = field(default_factory=list)
    published: dict[str, Any] = field(default_factory=dict)  # the state as of the last entry
    rel: str = ""
    new_entry: bool = False  # the last entry is being made by this build (its files are filled in)

    @property
    def head(self) -> str | None:
        """The ledger head shown on every page: the first 12 hex digits of the last entry's hash."""
        return self.entries[-1]["hash"][:HEAD_LEN] if self.entries else None

    @property
    def included(self) -> list[dict]:
        """Every correction the published entries include, in order."""
        return [c for e in self.entries for c in e["corrections"]]

    def to_json(self) -> bytes:
        doc = {"format": FORMAT, "year": self.year, "entries": self.entries, "published": self.published}
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


# --- what a year publishes ---------------------------------------------------------------------


def _rule(rule: Rule) -> dict:
    d: dict = {"kind": rule.kind}
    if rule.per is not None:
        d["per"] = rule.per
    if rule.values:
        d["values"] = list(rule.values)
    if rule.parts:
        d["parts"] = [{"max": p.max, **_rule(p)} for p in rule.parts]
    return d


def published_state(data: YearData) -> dict[str, Any]:
    """Everything a year publishes, one key per fact, each value in `corrections.norm` form."""
    s: dict[str, Any] = {}
    r = data.rubric
    s["rubric/title"] = r.title
    for g in r.grades:
        s[f"rubric/grade/{g.grade}/min"] = norm(g.min)
        s[f"rubric/grade/{g.grade}/label"] = g.label
    for ind in r.indicators:
        s[f"rubric/{ind.id}/max"] = norm(ind.max)
        s[f"rubric/{ind.id}/text"] = ind.text
        s[f"rubric/{ind.id}/rule"] = ind.rule_text
        s[f"rubric/{ind.id}/scoring"] = norm(_rule(ind.rule)) if ind.rule else None
        s[f"rubric/{ind.id}/applies"] = ind.applies
    st = data.status
    for key in ("approved_by", "approved_on", "published_on", "objection_deadline"):
        s[f"status/{key}"] = norm(getattr(st, key))
    for inst in data.roster.institutions:
        for key in ("name", "tier", "county", "active", "code"):
            s[f"{inst.id}/{key}"] = norm(getattr(inst, key))
    for sheet in data.sheets:
        i = sheet.institution
        s[f"{i}/assessed_on"] = norm(sheet.assessed_on)
        s[f"{i}/senior_levels"] = sheet.senior_levels
        s[f"{i}/online_exam"] = sheet.online_exam
        for it in sheet.items:
            s[f"{i}/{it.indicator}/score"] = norm(it.score)
            if it.reason is not None:
                s[f"{i}/{it.indicator}/reason"] = it.reason
            if it.self_score is not None:
                s[f"{i}/{it.indicator}/self"] = norm(it.self_score)
            if getattr(it, "self_reason", None) is not None:  # 自评扣分原因, where sheets carry it
                s[f"{i}/{it.indicator}/self_reason"] = it.self_reason
        found = {v.indicator: v.evidence for v in sheet.veto}
        for item in r.veto_items:
            s[f"{i}/{item.id}/veto"] = "1" if item.id in found else "0"
            if item.id in found:
                s[f"{i}/{item.id}/evidence"] = found[item.id]
    return s


def _describe(key: str) -> tuple[str, str | None, str | None, str, str]:
    """(kind, institution, indicator, field, label) of a published fact's key."""
    parts = key.split("/")
    if parts[0] == "rubric":
        if parts[1] == "grade":
            return "rubric", None, None, parts[3], f"等级 {parts[2]} {FIELD_LABELS.get(parts[3], parts[3])}"
        if len(parts) == 2:
            return "rubric", None, None, parts[1], FIELD_LABELS.get(parts[1], parts[1])
        return "rubric", None, parts[1], parts[2], f"指标 {parts[1]} {FIELD_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "status":
        return "text", None, None, parts[1], FIELD_LABELS.get(parts[1], parts[1])
    if len(parts) == 2:
        f = parts[1]
        kind = (
            "roster" if f in ("name", "tier", "county", "active", "code") else "text" if f == "assessed_on" else "score"
        )
        return kind, parts[0], None, f, FIELD_LABELS.get(f, f)
    inst, ind, f = parts
    kind = {"score": "score", "self": "score", "veto": "veto"}.get(f, "text")
    return kind, inst, ind, f, ind if f in ("score", "veto") else f"{ind} {FIELD_LABELS.get(f, f)}"


# --- reading and checking ----------------------------------------------------------------------


def read_ledger(path: Path, rel: str, year: int, problems: Problems) -> Ledger | None:
    """Read a ledger; report (never raise) a file of the wrong shape or a broken chain."""
    restore = "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- " + rel + "）"
    doc, problem = load_json(path)
    if problem:
        problems.add(rel, f"发布记录无法读取：{problem}；{restore}")
        return None
    shape = _shape_problem(doc, year)
    if shape:
        problems.add(rel, f"发布记录格式不对：{shape}；{restore}")
        return None
    ledger = Ledger(year, doc["entries"], doc["published"], rel)
    before = len(problems.items)
    previous = None
    for n, e in enumerate(ledger.entries, start=1):
        if e["n"] != n:
            problems.add(rel, f"第 {n} 个发布条目的序号为 {e['n']}；发布条目只能依次追加；{restore}")
        want_prev = sha(previous) if previous is not None else None
        if e["previous"] != want_prev:
            problems.add(
                rel,
                f"第 {n} 次发布的 previous 与第 {n - 1} 次发布的校验值不符：发布记录的链条断了"
                f"（前面的条目被改动、删除或调换过）；{restore}",
            )
        if e["hash"] != entry_hash(e):
            problems.add(rel, f"第 {n} 次发布的内容与它的校验值 {e['hash'][:HEAD_LEN]} 不符：该条目被改动过；{restore}")
        if previous is not None and e["date"] < previous["date"]:
            problems.add(rel, f"第 {n} 次发布的日期 {e['date']} 早于第 {n - 1} 次的 {previous['date']}；{restore}")
        previous = e
    numbers = [c["number"] for c in ledger.included]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.add(rel, f"发布记录所含更正的序号不连续：{numbers}；{restore}")
    if ledger.entries and sha(ledger.published) != ledger.entries[-1]["state_sha256"]:
        problems.add(rel, "发布记录中的已发布内容（published）与最后一次发布的校验值不符：它被改动过；" + restore)
    return ledger if len(problems.items) == before else None


def _shape_problem(doc: Any, year: int) -> str | None:
    if not isinstance(doc, dict) or set(doc) != {"format", "year", "entries", "published"}:
        return "须为含 format、year、entries、published 的对象"
    if doc["format"] != FORMAT:
        return f"format 须为 {FORMAT}"
    if doc["year"] != year:
        return f"year 为 {doc['year']}，但文件在 {year} 年的目录中"
    if not isinstance(doc["entries"], list) or not isinstance(doc["published"], dict):
        return "entries 须为列表，published 须为对象"
    for n, e in enumerate(doc["entries"], start=1):
        if not isinstance(e, dict) or not set(ENTRY_KEYS) <= set(e) <= set(ENTRY_KEYS + OPTIONAL_ENTRY_KEYS):
            return f"第 {n} 个发布条目须含且只含 {'、'.join(ENTRY_KEYS)}（可另含 objections）"
        if "objections" in e and (
            not isinstance(e["objections"], list)
            or not all(
                isinstance(o, dict)
                and set(o) == set(OBJECTION_RECORD_KEYS)
                and isinstance(o["number"], int)
                and not isinstance(o["number"], bool)
                and all(isinstance(o[k], str) for k in OBJECTION_RECORD_KEYS if k != "number")
                for o in e["objections"]
            )
        ):
            return f"第 {n} 个发布条目的 objections 须为列表，每项含且只含 {'、'.join(OBJECTION_RECORD_KEYS)}"
        if (
            not isinstance(e["n"], int)
            or isinstance(e["n"], bool)
            or not isinstance(e["date"], str)
            or not all(isinstance(e[k], str) for k in ("hash", "state_sha256"))
            or not (e["previous"] is None or isinstance(e["previous"], str))
        ):
            return f"第 {n} 个发布条目的 n 须为整数，date、hash、state_sha256 须为文字"
        if not isinstance(e["corrections"], list) or not all(
            isinstance(c, dict)
            and isinstance(c.get("number"), int)
            and isinstance(c.get("sha256"), str)
            and isinstance(c.get("date"), str)
            for c in e["corrections"]
        ):
            return f"第 {n} 个发布条目的 corrections 须为列表，每项含 number、date、sha256"
        for k in ("inputs", "files"):
            if not isinstance(e[k], dict) or not all(isinstance(v, str) for v in e[k].values()):
                return f"第 {n} 个发布条目的 {k} 须为 {{文件: SHA-256}}"
    if not all(v is None or isinstance(v, (str, bool)) for v in doc["published"].values()):
        return "published 的每个值须为文字、true/false 或 null"
    return None


def check_year(data: YearData, ledger: Ledger | None, corrections_rel: str, problems: Problems) -> None:
    """Published corrections unchanged; new ones dated after the publications and leading from the
    published state to the current data; nothing else changed."""
    first = ledger.entries[0]["date"] if ledger and ledger.entries else norm(data.status.published_on)
    last = ledger.entries[-1]["date"] if ledger and ledger.entries else None
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
        day = norm(c.date)
        if first and day < first:
            problems.add(
                corrections_rel,
                f"第 {c.number} 条更正的日期 {day} 早于首次发布日期 {first}；"
                "发布之前的改动直接改评分数据即可，不是更正",
                institution=c.institution,
            )
        elif last and day < last:
            problems.add(
                corrections_rel,
                f"第 {c.number} 条更正的日期 {day} 早于上一次发布（第 "
                f"{len(ledger.entries)} 次，{last}）；新的更正须晚于已发布的内容",
                institution=c.institution,
            )
    if ledger is None or not ledger.entries:
        return
    _check_state(data, ledger, new, corrections_rel, problems)


def _check_state(
    data: YearData, ledger: Ledger, new: tuple[Correction, ...], corrections_rel: str, problems: Problems
) -> None:
    expected = dict(ledger.published)
    corrected: dict[str, Correction] = {}
    free: set[str] = set()
    for c in new:
        for ch in c.changes:
            current = expected.get(ch.key)
            if current != ch.old:
                what = "分值" if ch.field in ("score", "veto") else "值"
                problems.add(
                    corrections_rel,
                    f"第 {c.number} 条更正写{ch.label if ch.field not in ('score', 'veto') else ''}"
                    f"原{what}为 {show(ch.field, ch.old)}，但更正前的{what}为 {show(ch.field, current)}",
                    institution=c.institution,
                    indicator=ch.indicator,
                )
            expected[ch.key] = ch.new
            corrected[ch.key] = c
            if ch.field in ("score", "veto"):
                free |= _row(ch.key)
    actual = published_state(data)
    year_dir = data.status.path.rsplit("/", 1)[0]
    groups: dict[tuple, list[str]] = {}
    order = {inst.id: inst.order for inst in data.roster.institutions}
    ind_order = {ind.id: n for n, ind in enumerate(data.rubric.indicators)}
    keys = set(expected) | set(actual)

    def sort_key(k: str):
        kind, inst, ind, f, _ = _describe(k)
        return (inst is not None, order.get(inst, 10**9), inst or "", ind_order.get(ind, -1), f)

    # a changed score's reason (a changed veto finding's evidence) goes with it: reported once
    free |= {r for k in keys if k.endswith(("/score", "/veto")) and expected.get(k) != actual.get(k) for r in _row(k)}
    for key in sorted(keys, key=sort_key):
        want, now = expected.get(key), actual.get(key)
        if want == now or key in free:
            continue
        kind, inst, ind, f, label = _describe(key)
        c = corrected.get(key)
        if c is not None:
            noun = "新分值" if f in ("score", "veto") else f"{label}新值"
            src = "评分表" if inst and f not in ("name", "tier", "county", "active", "code") else "数据"
            problems.add(
                corrections_rel,
                f"第 {c.number} 条更正的{noun} {show(f, want)} 与{src}的 {show(f, now)} 不一致",
                institution=inst,
                indicator=ind,
            )
            continue
        if inst is not None and f == "assessed_on":
            sheet = data.sheet(inst)
            if want is None:
                problems.add(sheet.path, "结果发布后新增了评分表；已发布年度的变动须经更正登记", institution=inst)
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
        if (
            inst is not None
            and ((inst + "/assessed_on") not in expected or (inst + "/assessed_on") not in actual)
            and kind != "roster"
        ):
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


def _row(key: str) -> set[str]:
    """What goes with a score or veto finding: the reason and self-assessment, or the evidence."""
    stem = key.rsplit("/", 1)[0]
    if key.endswith("/score"):
        return {stem + "/reason", stem + "/self", stem + "/self_reason"}
    return {stem + "/evidence"}


def _unrecorded(group: str, keys: list[str], expected: dict, actual: dict, corrections_rel: str) -> str:
    items = []
    for key in keys:
        _, _, _, f, label = _describe(key)
        shown = "score" if f == "veto" else f  # a veto finding as the 1/0 a correction writes
        items.append(f"{label}（已发布 {show(shown, expected.get(key))}，现为 {show(shown, actual.get(key))}）")
    listed = "、".join(items)
    if group == "score":
        return (
            f"已发布的分值被改动，但没有更正记录：{listed}；"
            f"请在 {corrections_rel} 中登记更正（日期、指标、原分值、新分值、原因、审批单位）"
        )
    _, inst, ind, f, _ = _describe(keys[0])
    loc = f"indicator: {ind}, " if ind else ""
    if group == "rubric" and "/grade/" in keys[0]:
        loc = f"grade: {keys[0].split('/')[2]}, "
    example = f"{{{loc}field: {f}, old: {_yaml(expected.get(keys[0]))}, new: {_yaml(actual.get(keys[0]))}}}"
    what = {"text": "文字或日期", "roster": "名单信息", "rubric": "评估表"}[group]
    scope = "" if inst else "（不写 institution）"
    return (
        f"已发布的{what}被改动，但没有更正记录：{listed}；请在 {corrections_rel} 中登记 kind: {group} 的更正"
        f"{scope}，如 {example}"
    )


def _yaml(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 40 else text[:38] + "…"


def read_year_ledgers(
    years: list[YearData], scores: Path, rel: Callable[[Path], str], problems: Problems
) -> dict[int, Ledger]:
    """Every year's ledger (an empty one where nothing was published yet), checked against its data."""
    out = {}
    for data in years:
        path = scores / str(data.year) / LEDGER_FILE
        ledger = Ledger(data.year, rel=rel(path))
        if path.is_file():
            ledger = read_ledger(path, rel(path), data.year, problems)
            if ledger is None:
                continue
        elif (scores / str(data.year) / corrections.RECORD_FILE).is_file():  # published before the ledger
            record_path = scores / str(data.year) / corrections.RECORD_FILE
            record = parse_record(record_path, rel(record_path), problems)
            if record is not None:
                corrections.check_against_record(
                    data, record, rel(record_path), rel(scores / str(data.year) / CORRECTIONS_FILE), problems
                )
        check_year(data, ledger, rel(scores / str(data.year) / CORRECTIONS_FILE), problems)
        objections_path = scores / str(data.year) / objections.OBJECTIONS_FILE
        check_objections(data, ledger, objections_path, rel(objections_path), problems)
        out[data.year] = ledger
    return out


def _objection_record(o) -> dict:
    return {
        "number": o.number,
        "received_on": norm(o.received_on),
        "institution": o.institution,
        "outcome": o.outcome,
        "sha256": o.digest,
        "fixed_sha256": o.fixed_digest,
    }


def check_objections(data: YearData, ledger: Ledger, path: Path, rel: str, problems: Problems) -> None:
    """Published objections are append-only like corrections: none removed, reordered or edited. Only
    a pending one may change, and only by getting its decision (outcome, decided_on, reply,
    correction): its received_on, institution and subject stay as published."""
    recorded = next((e["objections"] for e in reversed(ledger.entries) if "objections" in e), None)
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
            changed = [
                label
                for key, label in (("received_on", "受理日期 received_on"), ("institution", "机构 institution"))
                if norm(getattr(o, key)) != rec[key]
            ] or ["异议事项 subject"]
            problems.add(
                rel,
                f"{what}的{'、'.join(changed)}被改动了；已发布异议的受理日期、机构和异议事项不能修改"
                f"（尚未办结的异议只能补填处理结果），{restore}；如有新的异议，请另加一条异议记在末尾",
                institution=rec["institution"],
            )


# --- the previous publication -------------------------------------------------------------------


def check_previous(previous: Path, ledgers: dict[int, Ledger], problems: Problems, rel: Callable[[Path], str]) -> None:
    """Refuse to go on when the previous publication (a site folder) shows more publications than
    the repo's ledgers hold, or others: the record was lost or rewritten."""
    if not previous.is_dir():
        return
    for year_dir in sorted(p for p in previous.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        year = int(year_dir.name)
        mine = ledgers.get(year)
        have = mine.entries if mine else []
        repo_rel = mine.rel if mine else f"scores/{year}/{LEDGER_FILE}"
        published = year_dir / "data" / LEDGER_FILE
        shown = rel(published)
        restore = f"已发布的记录不能丢失或改写；请从版本库恢复 {repo_rel}（git checkout -- {repo_rel}）"
        if not published.is_file():
            page = year_dir / "index.html"
            head = None
            if page.is_file():
                m = HEAD_MARK.search(page.read_text(encoding="utf-8", errors="replace"))
                head = m.group(1) if m else None
            if head and not any(e["hash"].startswith(head) for e in have):
                problems.add(
                    repo_rel,
                    f"上一次发布的网站（{rel(page)}）显示发布记录校验码 {head}，但发布记录中没有这一次发布；{restore}",
                )
            continue
        try:
            doc = json.loads(published.read_bytes().decode("utf-8-sig"))
            entries = doc["entries"]
            hashes = [e["hash"] for e in entries]
            assert all(isinstance(h, str) for h in hashes)
        except (OSError, ValueError, KeyError, TypeError, AssertionError, RecursionError):
            problems.add(shown, "上一次发布的网站中的发布记录无法读取；请用 --previous 指定一份完好的已发布网站副本")
            continue
        if not hashes:
            continue
        if not have:
            problems.add(repo_rel, f"发布记录不见了，但上一次发布的网站（{shown}）已有 {len(hashes)} 次发布；{restore}")
        elif len(have) < len(hashes):
            problems.add(
                repo_rel,
                f"发布记录只有 {len(have)} 次发布，少于上一次发布的网站（{shown}）所示的 {len(hashes)} 次；{restore}",
            )
        else:
            for n, (mine_e, theirs) in enumerate(zip(have, entries), start=1):
                if mine_e != theirs:
                    problems.add(
                        repo_rel,
                        f"发布记录的第 {n} 次发布（校验码 {mine_e['hash'][:HEAD_LEN]}）与上一次发布的网站"
                        f"（{shown}，校验码 {str(theirs.get('hash'))[:HEAD_LEN]}）不同；{restore}",
                    )
                    break


# --- publishing ----------------------------------------------------------------------------------


def input_hashes(data: YearData, scores: Path, rubric_dir: Path, root_rel: Callable[[Path], str]) -> dict[str, str]:
    year_dir = scores / str(data.year)
    files = [rubric_dir / f"{data.year}.yaml"] + [
        year_dir / n for n in ("roster.yaml", "status.yaml", CORRECTIONS_FILE, *objections.LEDGER_FILES)
    ]
    out = {root_rel(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    out.update({s.path: s.digest for s in data.sheets})
    return dict(sorted(out.items()))


def propose(site: SiteInput, inputs: dict[int, dict[str, str]], force: set[int] = frozenset()) -> SiteInput:
    """The ledgers as this publication leaves them: a new entry for each year whose published
    content or corrections changed (or whose files did: `force`); its files are filled in later."""
    ledgers = {}
    for rep in site.reports:
        data = rep.data
        old = site.ledgers.get(data.year) or Ledger(data.year)
        state = published_state(data)
        new_corrections = data.corrections[len(old.included) :]
        records = [_objection_record(o) for o in data.objections]
        recorded = next((e["objections"] for e in reversed(old.entries) if "objections" in e), [])
        if (
            old.entries
            and not new_corrections
            and sha(state) == old.entries[-1]["state_sha256"]
            and records == recorded
            and data.year not in force
        ):
            ledgers[data.year] = replace(old, new_entry=False)
            continue
        last = old.entries[-1] if old.entries else None
        if last is None:
            date = norm(data.status.published_on or data.status.approved_on)
        else:
            date = max([last["date"]] + [norm(c.date) for c in new_corrections])
        entry = {
            "n": len(old.entries) + 1,
            "date": date,
            "previous": sha(last) if last else None,
            "corrections": [
                {
                    "number": c.number,
                    "date": norm(c.date),
                    "kind": c.kind,
                    "institution": c.institution,
                    "sha256": c.digest,
                }
                for c in new_corrections
            ],
            "inputs": inputs[data.year],
            "state_sha256": sha(state),
            "files": {},
        }
        if records:
            entry["objections"] = records
        entry["hash"] = entry_hash(entry)
        ledgers[data.year] = replace(old, entries=old.entries + [entry], published=state, new_entry=True)
    return replace(site, ledgers=ledgers)


def _year_files(written: dict[str, str], year: int) -> dict[str, str]:
    return {p: h for p, h in sorted(written.items()) if p.startswith(f"{year}/")}


def stale_years(site: SiteInput, written: dict[str, str]) -> list[int]:
    """Publishing: the years whose last entry, left by an earlier publication, records other files
    than those just written (new templates or code, the data unchanged). Each needs a new entry
    (`propose(..., force=...)`), and the pages its head: the site is written again."""
    stale = []
    for rep in site.reports:
        year = rep.data.year
        ledger = site.ledgers.get(year) or Ledger(year)
        if not ledger.new_entry and ledger.entries[-1]["files"] != _year_files(written, year):
            stale.append(year)
    return stale


def output_files(site: SiteInput, written: dict[str, str], publish_mode: bool) -> dict[str, bytes]:
    """`<year>/data/ledger.json` for every year. Publishing, the new entries get the files just
    written (none of the years is `stale_years`)."""
    out = {}
    for rep in site.reports:
        year = rep.data.year
        ledger = site.ledgers.get(year) or Ledger(year)
        if publish_mode and ledger.new_entry:
            ledger.entries[-1]["files"] = _year_files(written, year)
        out[urls.data_file(year, LEDGER_FILE)] = ledger.to_json()
    return out


def record_paths(site: SiteInput, scores: Path) -> dict[Path, bytes | None]:
    """Where `build --publish` writes each year's ledger (absolute paths), before their bytes are
    known: they record the files the build writes (see `record_files`)."""
    return {(scores / str(year) / LEDGER_FILE).resolve(): None for year in sorted(site.ledgers)}


def record_files(site: SiteInput, scores: Path) -> dict[Path, bytes]:
    """What `build --publish` writes back into the data: each year's ledger (path → bytes)."""
    return {
        (scores / str(year) / LEDGER_FILE).resolve(): ledger.to_json() for year, ledger in sorted(site.ledgers.items())
    }


def head(site: SiteInput, year: int) -> str:
    ledger = site.ledgers.get(year)
    return (ledger.head if ledger else None) or ""


# --- the record of publications made before the ledger (published.json) ---------------------


def parse_record(path: Path, rel: str, problems: Problems) -> dict | None:
    record, problem = load_json(path, parse_float=Decimal)
    if problem:
        problems.add(rel, f"发布记录无法读取：{problem}；它由 build --publish 写出，请从版本库恢复")
        return None
    ok = (
        isinstance(record, dict)
        and isinstance(record.get("institutions"), dict)
        and isinstance(record.get("corrections_included"), int)
        and not isinstance(record.get("corrections_included"), bool)
        and record["corrections_included"] >= 0
        and all(
            isinstance(v, dict) and all(isinstance(k, str) and is_number(x) for k, x in v.items())
            for v in record["institutions"].values()
        )
    )
    if not ok:
        problems.add(
            rel,
            '发布记录格式不对：须为 {"corrections_included": 整数, "institutions": '
            "{机构编号: {指标: 分值}}}；它由 build --publish 写出，请从版本库恢复",
        )
        return None
    return record
