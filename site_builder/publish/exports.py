"""Open-data exports: rubric.json, results.json, results.csv (UTF-8 with BOM for Excel), results.xlsx,
objections.json and objections.csv. The CSVs' columns (and results.xlsx's 考核结果 sheet's) are `tables`'."""

from __future__ import annotations

import datetime as dt
import json

from site_builder.common.formats import number
from site_builder.domain import objections
from site_builder.domain.models import Result, Rubric, YearData
from site_builder.publish import tables


def rubric_json(rubric: Rubric) -> str:
    indicators = [
        {
            "id": i.id,
            "section": i.section,
            "section_name": next(s.name for s in rubric.sections if s.number == i.section),
            "group": i.group,
            "group_inferred": i.group_inferred,
            "text": i.text,
            "standard": i.text,  # the form prints one text per row, under 评估标准
            "rule": i.rule_text,
            "scoring": i.rule.as_dict(number) if i.rule else None,
            "allowed_scores": [number(v) for v in i.allowed],
            "max": number(i.max),
            "applies": i.applies,
            "veto": i.is_veto,
            "notes": list(i.notes),
        }
        for i in rubric.indicators
    ]
    doc = {
        "year": rubric.year,
        "title": rubric.title,
        "base_max": number(rubric.base_max),
        "bonus_max": number(rubric.bonus_max),
        "total_max": number(rubric.total_max),
        "grades": [{"grade": g.grade, "min": number(g.min), "label": g.label} for g in rubric.grades],
        "indicators": indicators,
    }
    return _dump(doc)


def result_record(result: Result, rubric: Rubric) -> dict:
    """One institution in results.json; `sections` has a key per scored section of the rubric."""
    inst = result.institution
    return {
        "id": inst.id,
        "name": inst.name,
        "tier": inst.tier,
        "county": inst.county,
        "code": inst.code,
        "active": inst.active,
        "assessed": result.assessed,
        "total": number(result.total),
        "base": number(result.base),
        "bonus": number(result.bonus),
        "sections": {k: number(result.sections.get(int(k))) for k in rubric.section_keys} if result.assessed else None,
        "grade": result.grade,
        "result": result.outcome,
        "vetoed": result.vetoed,
        "veto_items": list(result.veto_items),
        "rank": result.rank,
    }


def results_json(data: YearData, results: list[Result]) -> str:
    doc = {
        "year": data.year,
        "status": data.status.status,
        "phase": objections.phase_label(data),  # 公示中 | 异议处理中 | 最终结果 | null (not yet published)
        "approved_by": data.status.approved_by,
        "approved_on": _date(data.status.approved_on),
        "published_on": _date(data.status.published_on),
        "objection_deadline": _date(data.status.objection_deadline),
        "final_on": _date(data.status.final_on),
        "institutions": [result_record(r, data.rubric) for r in results],
    }
    return _dump(doc)


def objections_json(data: YearData) -> str:
    phase = objections.phase_of(data)
    names = {i.id: i.name for i in data.roster.institutions}
    counts = objections.Counts.of(data.objections)
    doc = {
        "year": data.year,
        "phase": phase.label if phase else None,
        "phase_code": phase.code if phase else None,
        "published_on": _date(data.status.published_on),
        "objection_deadline": _date(data.status.objection_deadline),
        "final_on": _date(data.status.final_on),
        "counts": {
            "received": counts.received,
            "upheld": counts.upheld,
            "rejected": counts.rejected,
            "pending": counts.pending,
            "late": counts.late,
        },
        "objections": [
            {
                "number": o.number,
                "received_on": _date(o.received_on),
                "late": o.late,
                "institution": o.institution,
                "institution_name": names[o.institution],
                "subject": o.subject,
                "outcome": o.outcome,
                "outcome_label": o.outcome_label,
                "decided_on": _date(o.decided_on),
                "reply": o.reply,
                "correction": o.correction,
            }
            for o in data.objections
        ],
    }
    return _dump(doc)


def objections_csv(data: YearData) -> bytes:
    """Like results.csv: UTF-8 with a BOM so that Excel shows the Chinese; CRLF lines; the columns of
    `tables.objections_columns`."""
    names = {i.id: i.name for i in data.roster.institutions}
    return tables.write_csv(tables.objections_columns(names), data.objections)


def results_csv(rubric: Rubric, results: list[Result]) -> bytes:
    """results.csv: the columns of `tables.results_columns`, the same as results.xlsx's 考核结果 sheet."""
    return tables.write_csv(tables.results_columns(rubric), results)


EXCEL_MAX_ROWS = 1_048_576
LONG_SHEET_MAX_INSTITUTIONS = 200
"""The per-indicator sheet is written up to this many assessed institutions (a city's publication).
A provincial roll-up would need millions of rows, beyond what a reader can open in Excel and the
slowest part of the build; there each institution's page carries its per-indicator table."""


def results_xlsx(data: YearData, results: list[Result]) -> bytes:
    """The results and every indicator's score as a workbook, for readers who work in Excel.

    Written with XlsxWriter, text always as text. The per-indicator rows go on as many 指标得分 sheets
    as Excel's row limit needs.
    """
    from site_builder.sheets.xlsx import add_sheet, new_workbook, workbook_bytes, write_row

    wb = new_workbook(_when(data))
    ws = add_sheet(wb, "考核结果")
    ws.freeze_panes(1, 0)
    for n, row in enumerate(tables.xlsx_rows(tables.results_columns(data.rubric), results)):
        write_row(ws, n, row)
    if sum(r.assessed for r in results) > LONG_SHEET_MAX_INSTITUTIONS:
        note = add_sheet(wb, "说明")
        write_row(
            note,
            0,
            [
                f"参加考核的机构超过 {LONG_SHEET_MAX_INSTITUTIONS} 个，本工作簿不含各指标得分明细；"
                "各机构的指标得分见其考核结果页面。"
            ],
        )
        return workbook_bytes(wb)
    header = ["机构编号", "机构名称", "指标", "满分", "得分", "扣分原因", "自评分"]
    long, rows, part = None, 0, 0
    maxima = {ind.id: number(ind.max) for ind in data.rubric.indicators}
    for r in results:
        if not r.assessed or r.sheet is None:
            continue
        inst_id, name = r.institution.id, r.institution.name
        found = {v.indicator: v.evidence for v in r.sheet.veto}
        batch: list[list[str | int | float | None]] = []
        for ind in data.rubric.indicators:
            if ind.is_veto:
                evidence = found.get(ind.id)
                batch.append([inst_id, name, ind.id, None, "存在" if evidence else "未发现", evidence, None])
                continue
            item = r.sheet.item(ind.id)
            if item is None:
                batch.append([inst_id, name, ind.id, maxima[ind.id], "不适用", None, None])
            else:
                batch.append(
                    [
                        inst_id,
                        name,
                        ind.id,
                        maxima[ind.id],
                        number(item.score),
                        item.reason,
                        None if item.self_score is None else number(item.self_score),
                    ]
                )
        if long is None or rows + len(batch) >= EXCEL_MAX_ROWS:
            part += 1
            long = add_sheet(wb, "指标得分" if part == 1 else f"指标得分{part}")
            long.freeze_panes(1, 0)
            write_row(long, 0, header)
            rows = 1
        for row in batch:
            write_row(long, rows, row)
            rows += 1
    return workbook_bytes(wb)


def _when(data: YearData) -> dt.date:
    return data.status.published_on or data.status.approved_on or dt.date(data.year, 12, 31)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _dump(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
