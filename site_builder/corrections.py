"""Published results stay published: the record of what `build --publish` wrote, and corrections.

`scores/<year>/published.json` holds, per institution, every indicator's published score (veto
items as 1 found / 0 not found). `scores/<year>/corrections.yaml` lists the changes made since,
each with its date, reason and approver. A later build starts from the record, applies the
corrections not yet included in it, and must arrive exactly at the score sheets: a change with no
correction, or a correction that disagrees with the sheet, is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from site_builder.errors import Problems
from site_builder.models import Change, Correction, Roster, Rubric, Sheet, YearData
from site_builder.scoring import fmt
from site_builder.yamlio import is_number, to_decimal

CORRECTION_KEYS = ("date", "institution", "changes", "reason", "approved_by")
RECORD_FILE = "published.json"
CORRECTIONS_FILE = "corrections.yaml"


def sheet_values(rubric: Rubric, sheet: Sheet) -> dict[str, Decimal]:
    """What a sheet publishes: every scored indicator's score, and 1/0 for each veto item."""
    values = {it.indicator: it.score for it in sheet.items}
    found = {v.indicator for v in sheet.veto}
    for item in rubric.veto_items:
        values[item.id] = Decimal(1 if item.id in found else 0)
    return values


def parse_corrections(data: Any, rel: str, rubric: Rubric, roster: Roster, problems: Problems) -> list[Correction]:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(rel, "corrections.yaml 须为列表，每条更正含 date、institution、changes、reason、approved_by")
        return []
    out = []
    for n, raw in enumerate(data, start=1):
        where = f"第 {n} 条更正"
        if not isinstance(raw, dict):
            problems.add(rel, f"{where}须为映射，含 {'、'.join(CORRECTION_KEYS)}")
            continue
        inst = str(raw.get("institution"))
        before = len(problems.items)
        for key in raw:
            if key not in CORRECTION_KEYS:
                problems.add(rel, f"{where}有未知字段 {key}；允许：{'、'.join(CORRECTION_KEYS)}", institution=inst)
        date = raw.get("date")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            problems.add(rel, f"{where}的 date 须为日期，格式 YYYY-MM-DD", institution=inst)
        if roster.get(inst) is None:
            problems.add(rel, f"{where}的机构 {inst} 不在名单中", institution=inst)
        for key, label in (("reason", "更正原因，如 复核结果"), ("approved_by", "审批单位")):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problems.add(rel, f"{where}缺少 {key}（{label}）", institution=inst)
        changes = []
        raw_changes = raw.get("changes")
        if not isinstance(raw_changes, list) or not raw_changes:
            problems.add(rel, f"{where}须有 changes 列表，如 [{{indicator: 1-02, old: 0, new: 1}}]", institution=inst)
            raw_changes = []
        for ch in raw_changes:
            ind = str(ch.get("indicator")) if isinstance(ch, dict) else None
            indicator = rubric.by_id.get(ind) if ind else None
            if indicator is None:
                problems.add(rel, f"{where}的指标 {ind} 不在评估表中", institution=inst, indicator=ind)
                continue
            if not all(is_number(ch.get(k)) for k in ("old", "new")):
                problems.add(rel, f"{where}须写明 old（原分值）和 new（新分值）两个数字"
                                  + ("；否决项用 1 表示存在、0 表示未发现" if indicator.is_veto else ""),
                             institution=inst, indicator=ind)
                continue
            changes.append(Change(ind, to_decimal(ch["old"]), to_decimal(ch["new"])))
        if len(problems.items) == before:
            out.append(Correction(n, date, inst, tuple(changes), raw["reason"].strip(), raw["approved_by"].strip()))
    dates = [c.date for c in out]
    if dates != sorted(dates):
        problems.add(rel, "更正记录须按日期先后排列，新的更正加在末尾")
    return out


def parse_record(path: Path, rel: str, problems: Problems) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.add(rel, f"发布记录无法读取：{exc}；它由 build --publish 写出，请从版本库恢复")
        return None
    if not isinstance(record, dict) or not isinstance(record.get("institutions"), dict) \
            or not isinstance(record.get("corrections_included"), int):
        problems.add(rel, "发布记录格式不对；它由 build --publish 写出，请从版本库恢复")
        return None
    return record


def check_against_record(data: YearData, record: dict, record_rel: str, corrections_rel: str,
                         problems: Problems) -> None:
    """The sheets must equal the published record with the later corrections applied."""
    expected: dict[str, dict[str, Decimal]] = {
        inst: {ind: to_decimal(v) for ind, v in values.items()} for inst, values in record["institutions"].items()
    }
    corrected: dict[tuple[str, str], Correction] = {}
    for c in data.corrections[record["corrections_included"]:]:
        values = expected.setdefault(c.institution, {})
        for ch in c.changes:
            current = values.get(ch.indicator)
            if current != ch.old:
                problems.add(corrections_rel, f"第 {c.number} 条更正写原分值为 {fmt(ch.old)}，但更正前的分值为 "
                                              f"{fmt(current) if current is not None else '（无）'}",
                             institution=c.institution, indicator=ch.indicator)
            values[ch.indicator] = ch.new
            corrected[(c.institution, ch.indicator)] = c
    sheets = {s.institution: s for s in data.sheets}
    for inst in sorted(set(expected) | set(sheets), key=lambda i: (data.roster.get(i).order if data.roster.get(i) else 0, i)):
        sheet = sheets.get(inst)
        if sheet is None:
            problems.add(record_rel, "结果已发布，但评分表不见了；请恢复评分表", institution=inst)
            continue
        if inst not in expected:
            problems.add(sheet.path, "结果发布后新增了评分表；已发布年度的变动须经更正登记", institution=inst)
            continue
        actual = sheet_values(data.rubric, sheet)
        want = expected[inst]
        unrecorded, disagree = [], []
        for ind in sorted(set(want) | set(actual), key=_order(data.rubric)):
            if want.get(ind) == actual.get(ind):
                continue
            c = corrected.get((inst, ind))
            if c is not None:
                disagree.append((c, ind, want.get(ind), actual.get(ind)))
            else:
                unrecorded.append(f"{ind}（已发布 {_v(want.get(ind))}，现为 {_v(actual.get(ind))}）")
        for c, ind, new, now in disagree:
            problems.add(corrections_rel, f"第 {c.number} 条更正的新分值 {_v(new)} 与评分表的 {_v(now)} 不一致",
                         institution=inst, indicator=ind)
        if unrecorded:
            problems.add(sheet.path, f"已发布的分值被改动，但没有更正记录：{'、'.join(unrecorded)}；"
                                     f"请在 {corrections_rel} 中登记更正（日期、指标、原分值、新分值、原因、审批单位）",
                         institution=inst)


def _v(value: Decimal | None) -> str:
    return "（无）" if value is None else fmt(value)


def _order(rubric: Rubric):
    index = {ind.id: n for n, ind in enumerate(rubric.indicators)}
    return lambda ind: index.get(ind, len(index))


def record_for(data: YearData) -> str:
    """published.json for the current sheets: what `build --publish` writes back into the data."""
    doc = {
        "year": data.year,
        "published_on": data.status.published_on.isoformat() if data.status.published_on else None,
        "corrections_included": len(data.corrections),
        "institutions": {
            s.institution: {ind: _json_number(v) for ind, v in sheet_values(data.rubric, s).items()}
            for s in data.sheets
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
