"""Corrections after publication: `scores/<year>/corrections.yaml`, each entry one published 更正.

An entry has a date, a kind, what it changes (old → new), the reason and the approver. The kinds:

- `score` (the default for a non-veto indicator): `{indicator, old, new}` (a score), or
  `{indicator, field: self, …}` (the self-assessment score), or `{field: senior_levels | online_exam, …}`;
- `veto` (the default for a veto indicator): `{indicator, old, new}` with 1 = found, 0 = not found;
- `text`: `{indicator, field: reason | evidence | self_reason, …}`, `{field: assessed_on, …}`, or
  without an institution the status fields shown in the announcement (`approved_by`,
  `approved_on`, `published_on`, `objection_deadline`);
- `roster`: `{field: name | tier | county | active | code, …}` of the entry's institution;
- `rubric` (no institution): `{grade: A, field: min | label, …}`, `{indicator, field: max | text |
  rule | scoring | applies, …}` or `{field: title, …}`.

A score correction also covers the reason and the self-assessment (score, reason) of the same
indicator, a veto correction the evidence (they go together: full marks have no reason). Every
change names one published fact by its key (`facts.FactKey`; see `record.state.published_state`);
the ledger checks that the changes lead from what was published to the current data, and that
published corrections are never edited, removed or reordered.

Also here, for data published before the ledger existed: the old record `published.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

from site_builder.common.yamlio import is_number, to_decimal
from site_builder.domain.facts import INSTITUTION, RUBRIC, STATUS, Fact, FactKey, show
from site_builder.domain.models import FLAG_LABELS, Correction, FactChange, Roster, Rubric, Sheet, YearData
from site_builder.domain.scoring import fmt
from site_builder.errors import Problems

CORRECTION_KEYS = ("date", "kind", "institution", "changes", "reason", "approved_by")
CHANGE_KEYS = ("indicator", "grade", "field", "old", "new")
RECORD_FILE = "published.json"
CORRECTIONS_FILE = "corrections.yaml"
KINDS = ("score", "veto", "text", "roster", "rubric")

# kind -> scope -> fields. Scopes: "item" (institution + indicator), "institution", "year" (no
# institution), "indicator" (a rubric indicator), "grade" (a rubric grade band).
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "score": {"item": ("score", "self"), "institution": ("senior_levels", "online_exam")},
    "veto": {"item": ("veto",)},
    "text": {
        "item": ("reason", "evidence", "self_reason"),
        "institution": ("assessed_on",),
        "year": ("approved_by", "approved_on", "published_on", "objection_deadline"),
    },
    "roster": {"institution": ("name", "tier", "county", "active", "code")},
    "rubric": {
        "indicator": ("max", "text", "rule", "scoring", "applies"),
        "grade": ("min", "label"),
        "year": ("title",),
    },
}
FIELD_LABELS = {
    "score": "得分",
    "self": "自评分",
    "self_reason": "自评扣分原因",
    "veto": "否决项",
    "reason": "扣分原因",
    "evidence": "事实依据",
    "assessed_on": "评估日期",
    **FLAG_LABELS,
    "name": "机构名称",
    "tier": "层级",
    "county": "所在县（市、区）",
    "active": "开展评价",
    "code": "统一社会信用代码",
    "min": "分数下限",
    "label": "名称",
    "max": "满分",
    "text": "评估标准",
    "rule": "评估要求",
    "scoring": "评分规则",
    "applies": "适用范围",
    "title": "评估表标题",
    "approved_by": "审定单位",
    "approved_on": "审定日期",
    "published_on": "公示日期",
    "objection_deadline": "异议截止日期",
}
NUMBER_FIELDS = {"score", "self", "veto", "max", "min"}
DATE_FIELDS = {"assessed_on", "approved_on", "published_on", "objection_deadline"}
BOOL_FIELDS = {"senior_levels", "online_exam", "active"}
NULLABLE_FIELDS = {"self", "self_reason", "reason", "evidence", "county", "code", "text", "rule", "max"}


ROSTER_FIELDS = FIELDS["roster"]["institution"]  # an institution's roster entry
STATUS_FIELDS = FIELDS["text"]["year"]  # what the announcement shows of the status
SCORED_FIELDS = ("score", "veto")
"""The fields a reader reads as points (a veto finding as 1/0): shown by the indicator alone."""


def fact_label(key: FactKey) -> str:
    """What a reader is told a fact is: 1-02, 1-02 扣分原因, 机构名称, 等级 A 分数下限, 指标 1-02 满分."""
    name = FIELD_LABELS.get(key.field, key.field)
    if key.part == RUBRIC and key.grade is not None:
        return f"等级 {key.grade} {name}"
    if key.part == RUBRIC and key.indicator is not None:
        return f"指标 {key.indicator} {name}"
    if key.part == INSTITUTION and key.indicator is not None:
        return key.indicator if key.field in SCORED_FIELDS else f"{key.indicator} {name}"
    return name


def fact_kind(key: FactKey) -> str:
    """The kind of correction that changes a fact (`KINDS`): rubric, text, roster, score or veto."""
    if key.part == RUBRIC:
        return "rubric"
    if key.part == STATUS:
        return "text"
    if key.indicator is None:
        return "roster" if key.field in ROSTER_FIELDS else "text" if key.field == "assessed_on" else "score"
    return {"score": "score", "self": "score", "veto": "veto"}.get(key.field, "text")


def goes_with(key: FactKey) -> frozenset[FactKey]:
    """What a correction of an item's score (veto finding) covers besides it: the item's reason and
    self-assessment (its evidence). They go together: full marks have no reason."""
    if key.institution is None or key.indicator is None:
        return frozenset()
    fields = ("reason", "self", "self_reason") if key.field == "score" else ("evidence",)
    return frozenset(FactKey.of_institution(key.institution, f, key.indicator) for f in fields)


def norm(value: Any) -> Fact:
    """A published value in one canonical form (what the ledger stores and compares):
    numbers as exact decimal strings, dates as ISO strings, mappings as sorted JSON."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_number(value):
        return fmt(to_decimal(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, bool)) or value is None else norm(value)


def correction_digest(raw: dict[str, Any]) -> str:
    """The hash of one corrections.yaml entry as written (dates, numbers in canonical form)."""
    body = json.dumps(_plain(raw), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def sheet_values(rubric: Rubric, sheet: Sheet) -> dict[str, Decimal]:
    """What a sheet publishes: every scored indicator's score, and 1/0 for each veto item."""
    values = {it.indicator: it.score for it in sheet.items}
    found = {v.indicator for v in sheet.veto}
    for item in rubric.veto_items:
        values[item.id] = Decimal(1 if item.id in found else 0)
    return values


def _value_problem(field: str, value: Any) -> str | None:
    """Why a correction's old/new value cannot be a value of this field (None: it can)."""
    if value is None:
        return None if field in NULLABLE_FIELDS else "不能为空"
    if field in NUMBER_FIELDS:
        if not is_number(value):
            return "须为数字"
        if field == "veto" and to_decimal(value) not in (0, 1):
            return "否决项用 1 表示存在、0 表示未发现"
        return None
    if field in DATE_FIELDS:
        return (
            None if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else "须为日期，格式 YYYY-MM-DD"
        )
    if field in BOOL_FIELDS:
        return None if isinstance(value, bool) else "须为 true 或 false"
    if field == "scoring":
        return None if isinstance(value, dict) else "须为评分规则映射，如 {kind: deduct, per: 0.25}"
    return None if isinstance(value, str) else "须为文字"


def _locate(kind: str, inst: str | None, ch: dict[str, Any], rubric: Rubric) -> FactKey | str:
    """The published fact one change names, or why it cannot be located."""
    raw_ind, grade, field = ch.get("indicator"), ch.get("grade"), ch.get("field")
    ind = None if raw_ind is None else str(raw_ind)
    if kind in ("score", "veto") and field is None and ind is not None:
        field = kind
    if field is None:
        allowed = "、".join(f for scope in FIELDS[kind].values() for f in scope)
        return f"{kind} 类更正的每项须写明 field（可选：{allowed}）"
    field = str(field)
    if kind == "rubric":
        scope = "grade" if grade is not None else "indicator" if ind is not None else "year"
    elif inst is None:
        scope = "year"
    else:
        scope = "item" if ind is not None else "institution"
    if field not in FIELDS[kind].get(scope, ()):
        options = "；".join(f"{_SCOPE_LABELS[s]}：{'、'.join(fs)}" for s, fs in FIELDS[kind].items())
        return f"{kind} 类更正不能改 {field}（{_SCOPE_LABELS[scope]}）；可改的有 {options}"
    if ind is not None:
        indicator = rubric.by_id.get(ind)
        if indicator is None:
            return f"指标 {ind} 不在评估表中"
        if kind in ("score", "veto") and indicator.is_veto != (field == "veto"):
            return (
                f"指标 {ind} 是否决项，应写 kind: veto"
                if indicator.is_veto
                else f"指标 {ind} 不是否决项，应写 kind: score"
            )
        if field == "evidence" and not indicator.is_veto or field in ("reason", "self_reason") and indicator.is_veto:
            return f"指标 {ind} {'是' if indicator.is_veto else '不是'}否决项，field 应为 {'evidence' if indicator.is_veto else 'reason'}"
    if scope in ("item", "institution") and inst is not None:
        return FactKey.of_institution(inst, field, ind if scope == "item" else None)
    if scope == "grade":
        return FactKey.of_rubric(field, grade=str(grade))
    if scope == "indicator":
        return FactKey.of_rubric(field, indicator=ind)
    return FactKey.of_rubric(field) if kind == "rubric" else FactKey.of_status(field)


_SCOPE_LABELS = {
    "item": "机构的某项指标",
    "institution": "机构",
    "year": "全年度",
    "indicator": "评估表的指标",
    "grade": "评估表的等级",
}


def parse_corrections(data: Any, rel: str, rubric: Rubric, roster: Roster, problems: Problems) -> list[Correction]:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(rel, "corrections.yaml 须为列表，每条更正含 date、institution、changes、reason、approved_by")
        return []
    out: list[Correction] = []
    for n, raw in enumerate(data, start=1):
        where = f"第 {n} 条更正"
        if not isinstance(raw, dict):
            problems.add(rel, f"{where}须为映射，含 {'、'.join(CORRECTION_KEYS)}")
            continue
        inst = None if raw.get("institution") is None else str(raw.get("institution"))
        before = len(problems.items)
        for key in raw:
            if key not in CORRECTION_KEYS:
                problems.add(rel, f"{where}有未知字段 {key}；允许：{'、'.join(CORRECTION_KEYS)}", institution=inst)
        kind = raw.get("kind")
        if kind is not None and kind not in KINDS:
            problems.add(
                rel,
                f"{where}的 kind 为 {kind}；可选：{'、'.join(KINDS)}（不写时按指标为 score 或 veto）",
                institution=inst,
            )
            continue
        date = raw.get("date")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            problems.add(rel, f"{where}的 date 须为日期，格式 YYYY-MM-DD", institution=inst)
        if kind == "rubric" and inst is not None:
            problems.add(rel, f"{where}是评估表的更正（kind: rubric），不写 institution", institution=inst)
        elif inst is None and kind != "text" and kind != "rubric":
            problems.add(rel, f"{where}缺少 institution（机构编号）")
        elif inst is not None and roster.get(inst) is None:
            problems.add(rel, f"{where}的机构 {inst} 不在名单中", institution=inst)
        for key, label in (("reason", "更正原因，如 复核结果"), ("approved_by", "审批单位")):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problems.add(rel, f"{where}缺少 {key}（{label}）", institution=inst)
        changes: list[FactChange] = []
        raw_changes = raw.get("changes")
        if not isinstance(raw_changes, list) or not raw_changes:
            problems.add(rel, f"{where}须有 changes 列表，如 [{{indicator: 1-02, old: 0, new: 1}}]", institution=inst)
            raw_changes = []
        keys: set[FactKey] = set()
        for ch in raw_changes:
            ind = str(ch.get("indicator")) if isinstance(ch, dict) and ch.get("indicator") is not None else None
            if not isinstance(ch, dict) or any(k not in CHANGE_KEYS for k in ch) or "old" not in ch or "new" not in ch:
                problems.add(
                    rel,
                    f"{where}的每项改动须为映射，含 old（原值）和 new（新值），"
                    f"可有 {'、'.join(k for k in CHANGE_KEYS if k not in ('old', 'new'))}",
                    institution=inst,
                    indicator=ind,
                )
                continue
            ch_kind = kind
            if ch_kind is None:
                indicator = rubric.by_id.get(ind) if ind else None
                ch_kind = "veto" if indicator is not None and indicator.is_veto else "score"
            located = _locate(ch_kind, inst, ch, rubric)
            if isinstance(located, str):
                problems.add(rel, f"{where}：{located}", institution=inst, indicator=ind)
                continue
            key, field, label = located, located.field, fact_label(located)
            if field in SCORED_FIELDS and not all(is_number(ch.get(k)) for k in ("old", "new")):
                problems.add(
                    rel,
                    f"{where}须写明 old（原分值）和 new（新分值）两个数字"
                    + ("；否决项用 1 表示存在、0 表示未发现" if field == "veto" else ""),
                    institution=inst,
                    indicator=ind,
                )
                continue
            bad = [f"{k} {why}" for k in ("old", "new") if (why := _value_problem(field, ch[k]))]
            if bad:
                problems.add(rel, f"{where}的{FIELD_LABELS[field]}：{'；'.join(bad)}", institution=inst, indicator=ind)
                continue
            old, new = norm(ch["old"]), norm(ch["new"])
            if old == new:
                problems.add(
                    rel,
                    f"{where}的{label}原值与新值相同（{show(field, old)}），不是更正；请删去这一项",
                    institution=inst,
                    indicator=ind,
                )
                continue
            if key in keys:
                problems.add(rel, f"{where}把{label}改了两次；一条更正中每项只写一次", institution=inst, indicator=ind)
                continue
            keys.add(key)
            changes.append(FactChange(key, old, new, ch_kind, label, ind))
        if len(problems.items) == before and isinstance(date, dt.date):  # (a date: checked above)
            kinds = {c.kind for c in changes}
            out.append(
                Correction(
                    n,
                    date,
                    inst,
                    tuple(changes),
                    raw["reason"].strip(),
                    raw["approved_by"].strip(),
                    kind if kind else kinds.pop() if len(kinds) == 1 else "score",
                    correction_digest(raw),
                )
            )
    dates = [c.date for c in out]
    if dates != sorted(dates):
        problems.add(rel, "更正记录须按日期先后排列，新的更正加在末尾")
    return out


class OldRecord(TypedDict):
    """published.json, the record of what was published before the ledger (its shape checked by
    `site_builder.record.legacy`): each institution's published scores (a veto item 1/0), and how many
    corrections it included."""

    corrections_included: int
    institutions: dict[str, dict[str, int | Decimal]]


def check_against_record(
    data: YearData, record: OldRecord, record_rel: str, corrections_rel: str, problems: Problems
) -> None:
    """The sheets must equal the old record with the later score corrections applied."""
    expected: dict[str, dict[str, Decimal]] = {
        inst: {ind: to_decimal(v) for ind, v in values.items()} for inst, values in record["institutions"].items()
    }
    corrected: dict[tuple[str, str], Correction] = {}
    for c in data.corrections[record["corrections_included"] :]:
        for ch in c.changes:
            inst, ind = ch.key.institution, ch.key.indicator  # an item's score or veto finding has both
            if ch.field not in SCORED_FIELDS or inst is None or ind is None:
                continue
            values = expected.setdefault(inst, {})
            current = values.get(ind)
            if current is None or fmt(current) != ch.old:
                problems.add(
                    corrections_rel,
                    f"第 {c.number} 条更正写原分值为 {ch.old}，但更正前的分值为 "
                    f"{fmt(current) if current is not None else '（无）'}",
                    institution=c.institution,
                    indicator=ch.indicator,
                )
            values[ind] = Decimal(str(ch.new))  # a number's text: checked when the corrections were read
            corrected[(inst, ind)] = c
    sheets = {s.institution: s for s in data.sheets}

    def roster_order(inst: str) -> tuple[int, str]:
        listed = data.roster.get(inst)
        return (listed.order if listed else 0, inst)

    for inst in sorted(set(expected) | set(sheets), key=roster_order):
        sheet = sheets.get(inst)
        if sheet is None:
            problems.add(record_rel, "结果已发布，但评分表不见了；请恢复评分表", institution=inst)
            continue
        if inst not in expected:
            problems.add(sheet.path, "结果发布后新增了评分表；已发布年度的变动须经更正登记", institution=inst)
            continue
        actual = sheet_values(data.rubric, sheet)
        want = expected[inst]
        unrecorded: list[str] = []
        for ind in sorted(set(want) | set(actual), key=_order(data.rubric)):
            if want.get(ind) == actual.get(ind):
                continue
            fix = corrected.get((inst, ind))
            if fix is not None:
                problems.add(
                    corrections_rel,
                    f"第 {fix.number} 条更正的新分值 {_v(want.get(ind))} 与评分表的 {_v(actual.get(ind))} 不一致",
                    institution=inst,
                    indicator=ind,
                )
            else:
                unrecorded.append(f"{ind}（已发布 {_v(want.get(ind))}，现为 {_v(actual.get(ind))}）")
        if unrecorded:
            problems.add(
                sheet.path,
                f"已发布的分值被改动，但没有更正记录：{'、'.join(unrecorded)}；"
                f"请在 {corrections_rel} 中登记更正（日期、指标、原分值、新分值、原因、审批单位）",
                institution=inst,
            )


def _v(value: Decimal | None) -> str:
    return "（无）" if value is None else fmt(value)


def _order(rubric: Rubric) -> Callable[[str], int]:
    index = {ind.id: n for n, ind in enumerate(rubric.indicators)}
    return lambda ind: index.get(ind, len(index))
