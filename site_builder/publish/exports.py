"""Open-data exports: rubric.json, results.json, results.csv (UTF-8 with BOM for Excel), results.xlsx,
objections.json and objections.csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from site_builder.common.formats import csv_row, number, spreadsheet_text
from site_builder.domain import objections
from site_builder.domain.models import Result, Rubric, YearData
from site_builder.domain.scoring import fmt


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


OBJECTIONS_CSV_HEADER = (
    "序号",
    "受理日期",
    "逾期受理",
    "机构编号",
    "机构名称",
    "异议事项",
    "处理结果",
    "办结日期",
    "答复意见",
    "更正序号",
)


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
    """Like results.csv: UTF-8 with a BOM so that Excel shows the Chinese; CRLF lines; text that a
    spreadsheet would take for a formula starts with an apostrophe."""
    names = {i.id: i.name for i in data.roster.institutions}
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(OBJECTIONS_CSV_HEADER)
    for o in data.objections:
        out.writerow(
            csv_row(
                [
                    o.number,
                    o.received_on.isoformat(),
                    "是" if o.late else "否",
                    o.institution,
                    names[o.institution],
                    o.subject,
                    o.outcome_label,
                    _date(o.decided_on) or "",
                    o.reply or "",
                    "" if o.correction is None else o.correction,
                ]
            )
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def csv_columns(rubric: Rubric) -> tuple[str, ...]:
    """results.csv: the fields of results.json (id, name, tier, county, code, active, assessed, total,
    base, bonus, sections, grade, result, vetoed, veto_items, rank) in that order, headed in Chinese
    like results.xlsx; one column per scored section of the rubric."""
    return (
        "机构编号",
        "机构名称",
        "层级",
        "县（市、区）",
        "统一社会信用代码",
        "开展评价",
        "参加考核",
        "总分",
        "基础分",
        "加分",
        *section_headers(rubric),
        "等级",
        "考核结果",
        "取消评价资格",
        "否决项",
        "名次",
    )


def section_headers(rubric: Rubric) -> list[str]:
    """第1部分 … for each scored section of the rubric, in form order."""
    return [f"第{k}部分" for k in rubric.section_keys]


def results_csv(rubric: Rubric, results: list[Result]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(csv_columns(rubric))
    for r in results:
        inst = r.institution
        out.writerow(
            csv_row(
                [
                    inst.id,
                    inst.name,
                    inst.tier,
                    inst.county or "",
                    inst.code or "",
                    _bool(inst.active),
                    _bool(r.assessed),
                    fmt(r.total),
                    fmt(r.base),
                    fmt(r.bonus),
                    *(fmt(r.sections.get(int(k))) for k in rubric.section_keys),
                    r.grade or "",
                    r.outcome,
                    _bool(r.vetoed),
                    spreadsheet_text("、".join(r.veto_items)),
                    "" if r.rank is None else r.rank,
                ]
            )
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


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
    write_row(
        ws,
        0,
        [
            "机构编号",
            "机构名称",
            "层级",
            "县（市、区）",
            "开展评价",
            "总分",
            "基础分",
            "加分",
            *section_headers(data.rubric),
            "考核结果",
            "否决项",
            "名次",
        ],
    )
    for n, r in enumerate(results, start=1):
        inst = r.institution
        write_row(
            ws,
            n,
            [
                inst.id,
                inst.name,
                inst.tier,
                inst.county,
                "是" if inst.active else "否",
                number(r.total),
                number(r.base),
                number(r.bonus),
                *(number(r.sections.get(int(k))) for k in data.rubric.section_keys),
                r.outcome,
                "、".join(r.veto_items) or None,
                r.rank,
            ],
        )
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


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _dump(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
