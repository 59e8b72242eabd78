"""The open-data tables: each CSV's columns, defined once, and `datapackage.json` made from them.

A `Column` is a column's name (the CSV header and the Table Schema field name), its Chinese title and
description, its Table Schema type, and how its value is read from a row. The CSV writer, the
results workbook's 考核结果 sheet and the data package's Table Schema all take the same tuple, so a
column added to a table is in the CSV, the workbook and the schema at once.

Cells: booleans are 是/否 everywhere (declared as the schema's trueValues / falseValues), numbers
are plain numbers, ids are text (typed `string`; nothing is appended to keep a spreadsheet from
reading 6-06 as a date: the schema says what the column is, and results.xlsx stores ids as text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from site_builder.common.formats import csv_text, number
from site_builder.domain.models import Rubric
from site_builder.domain.scoring import fmt

TRUE, FALSE = "是", "否"
FieldType = Literal["string", "number", "integer", "boolean", "date"]


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header and the schema's field name
    type: FieldType
    value: Callable[[Any], Any]  # the raw value of a row: str, int, Decimal, bool, date or None
    description: str = ""
    title: str = ""  # the schema's title; the name where empty

    def field(self) -> dict[str, Any]:
        """The column as a Table Schema field."""
        out: dict[str, Any] = {"name": self.name, "title": self.title or self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.type == "boolean":
            out["trueValues"] = [TRUE]
            out["falseValues"] = [FALSE]
        if self.type == "date":
            out["format"] = "default"  # ISO 8601: 2024-01-15
        return out


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: 是/否, points as pages write them, dates in ISO form, '' for nothing;
    text that a spreadsheet would take for a formula starts with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_text(value)


def xlsx_cell(value: Any) -> str | int | float | None:
    """A value as a workbook cell: 是/否, numbers as numbers, text as text, nothing as a blank."""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return None
    return value


def csv_rows(columns: Sequence[Column], rows: Sequence[Any]) -> list[list[Any]]:
    """The header and every row, as CSV cells."""
    return [[c.name for c in columns], *([csv_cell(c.value(row)) for c in columns] for row in rows)]


def write_csv(columns: Sequence[Column], rows: Sequence[Any]) -> bytes:
    """Every open-data CSV: UTF-8 with a BOM (Excel shows the Chinese), CRLF lines, one header row."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(csv_rows(columns, rows))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_rows(columns: Sequence[Column], rows: Sequence[Any]) -> list[list[str | int | float | None]]:
    return [[c.name for c in columns], *([xlsx_cell(c.value(row)) for c in columns] for row in rows)]


# --- results.csv and results.xlsx's 考核结果 sheet ------------------------------------------------


def section_headers(rubric: Rubric) -> list[str]:
    """第1部分 … for each scored section of the rubric, in form order."""
    return [f"第{k}部分" for k in rubric.section_keys]


def _section(key: str) -> Column:
    return Column(
        f"第{key}部分",
        "number",
        lambda r: r.sections.get(int(key)),
        f"评估表第{key}部分的得分（results.json 的 sections.{key}）；未参加考核的为空",
        f"第{key}部分得分",
    )


def results_columns(rubric: Rubric) -> tuple[Column, ...]:
    """The fields of results.json (id, name, tier, county, code, active, assessed, total, base, bonus,
    sections, grade, result, vetoed, veto_items, rank) in that order, headed in Chinese; one column
    per scored section of the rubric."""
    return (
        Column("机构编号", "string", lambda r: r.institution.id, "机构在名单中的编号（results.json 的 id）"),
        Column("机构名称", "string", lambda r: r.institution.name, "机构全称（name）"),
        Column("层级", "string", lambda r: r.institution.tier, "机构层级（tier）"),
        Column("县（市、区）", "string", lambda r: r.institution.county, "所在县（市、区）（county）"),
        Column("统一社会信用代码", "string", lambda r: r.institution.code, "统一社会信用代码（code）"),
        Column("开展评价", "boolean", lambda r: r.institution.active, "本年度是否开展评价（active）"),
        Column("参加考核", "boolean", lambda r: r.assessed, "是否参加本年度考核（assessed）"),
        Column("总分", "number", lambda r: r.total, "总分＝基础分＋加分（total）；未参加考核的为空"),
        Column("基础分", "number", lambda r: r.base, "基础分（base）"),
        Column("加分", "number", lambda r: r.bonus, "加分（bonus）"),
        *(_section(k) for k in rubric.section_keys),
        Column("等级", "string", lambda r: r.grade, "考核等级（grade），如 A；取消评价资格或未参加考核的为空"),
        Column("考核结果", "string", lambda r: r.outcome, "考核结果（result），如 A级、取消评价资格"),
        Column("取消评价资格", "boolean", lambda r: r.vetoed, "是否因否决项取消评价资格（vetoed）"),
        Column("否决项", "string", lambda r: "、".join(r.veto_items), "存在的否决项指标编号，以“、”分隔（veto_items）"),
        Column("名次", "integer", lambda r: r.rank, "名次（rank）；未参加考核或取消评价资格的为空"),
    )


# --- objections.csv -------------------------------------------------------------------------------


def objections_columns(names: dict[str, str]) -> tuple[Column, ...]:
    """objections.csv: the objections of objections.json; `names` gives each institution's name."""
    return (
        Column("序号", "integer", lambda x: x.number, "异议序号（number）"),
        Column("受理日期", "date", lambda x: x.received_on, "受理日期（received_on）"),
        Column("逾期受理", "boolean", lambda x: x.late, "是否在公示期满后受理（late）"),
        Column("机构编号", "string", lambda x: x.institution, "异议涉及的机构编号（institution）"),
        Column("机构名称", "string", lambda x: names[x.institution], "机构全称（institution_name）"),
        Column("异议事项", "string", lambda x: x.subject, "异议事项（subject）"),
        Column("处理结果", "string", lambda x: x.outcome_label, "处理结果（outcome_label）"),
        Column("办结日期", "date", lambda x: x.decided_on, "办结日期（decided_on）；未办结的为空"),
        Column("答复意见", "string", lambda x: x.reply, "答复意见（reply）"),
        Column("更正序号", "integer", lambda x: x.correction, "异议成立后所作更正的序号（correction）"),
    )


# --- indicators.csv -------------------------------------------------------------------------------

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("指标编号", "string", lambda s: s.id, "评估表指标编号，如 1-01（indicators.json 的 id）"),
    Column("所属部分", "integer", lambda s: s.section, "指标所属的评估表部分（section）"),
    Column("满分", "number", lambda s: s.max, "指标满分（max）"),
    Column("参评机构数", "integer", lambda s: s.assessed, "按该指标评分的机构数（assessed）"),
    Column("平均得分", "number", lambda s: s.mean, "平均得分，保留两位小数（mean）"),
    Column("得满分机构数", "integer", lambda s: s.full, "得满分的机构数（full）"),
    Column("扣分机构数", "integer", lambda s: s.deducted, "被扣分的机构数（deducted）"),
    Column(
        "扣分机构占比", "number", lambda s: s.deducted_share, "扣分机构数÷参评机构数，保留三位小数（deducted_share）"
    ),
)
"""indicators.csv: the columns of indicators.json, in the same order, with Chinese headers."""


# --- datapackage.json -----------------------------------------------------------------------------

CSV_TABLES: tuple[tuple[str, str, str], ...] = (
    ("results", "results.csv", "考核结果"),
    ("objections", "objections.csv", "异议处理情况"),
    ("indicators", "indicators.csv", "各指标得分统计"),
)
"""(resource name, file, title) of each CSV in `<year>/data/`, in the order the package lists them."""

PRIMARY_KEYS = {"results": "机构编号", "objections": "序号", "indicators": "指标编号"}


def table_columns(rubric: Rubric) -> dict[str, tuple[Column, ...]]:
    """Each CSV's columns, by resource name (the objections' names are not needed for the schema)."""
    return {
        "results": results_columns(rubric),
        "objections": objections_columns({}),
        "indicators": INDICATOR_COLUMNS,
    }


def datapackage_json(year: int, rubric: Rubric) -> str:
    """`<year>/data/datapackage.json`: a Frictionless (Tabular) Data Package with a Table Schema for
    each CSV beside it, made from the columns the CSV writer uses. Same data, same bytes."""
    columns = table_columns(rubric)
    resources = []
    for name, path, title in CSV_TABLES:
        resources.append(
            {
                "name": name,
                "path": path,
                "title": f"{year}年度{title}",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",  # UTF-8 with a byte-order mark, so that Excel shows the Chinese
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {
                    "fields": [c.field() for c in columns[name]],
                    "primaryKey": [PRIMARY_KEYS[name]],
                    "missingValues": [""],
                },
            }
        )
    doc = {
        "profile": "tabular-data-package",
        "name": f"xinzhou-pjjg-{year}",
        "title": f"{year}年度职业技能等级评价机构年度绩效考核结果开放数据",
        "description": (
            "考核结果、异议处理情况和各指标得分统计的 CSV 文件（UTF-8，带 BOM）及其表结构。"
            "编号类字段为文本；是/否 字段取值为“是”或“否”；空单元格表示无数据。"
        ),
        "resources": resources,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
