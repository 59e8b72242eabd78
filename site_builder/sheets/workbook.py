"""The experts' scoring workbook: generated from the rubric, filled in Excel or LibreOffice, imported.

One worksheet per institution, laid out like the paper form. Import checks every cell with the same
rules as the YAML sheets and names the cell of each problem (`评分表.xlsx!P03!I12`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from xlsxwriter.utility import xl_cell_to_rowcol

from site_builder.common.formats import number
from site_builder.common.textcheck import shown as shown_text
from site_builder.common.textcheck import shown_id
from site_builder.domain.models import FLAG_LABELS, Indicator, Institution, ItemScore, Roster, Rubric, Sheet
from site_builder.domain.rules import applies_to, check_item
from site_builder.domain.scoring import fmt, score_sheet
from site_builder.errors import DataError, Problem, Problems
from site_builder.read.datafile import INDICATOR_ID, is_institution_id
from site_builder.read.sheet import veto_problem
from site_builder.sheets.xlsx import Cell, add_sheet, new_workbook, set_width, workbook_bytes, write_cell

MARK = "xinzhou-pjjg-scoring-workbook"
FORMAT_VERSION = 2  # 2: veto items have a 是/否 cell (存在否决情形) beside the evidence
META_SHEET = "_meta"
COVER_SHEET = "填写说明"
HEADERS = ("序号", "评估项目", "评估内容", "标准分值", "评估标准", "自评扣分原因", "自评分", "评估扣分原因", "评估分")
COL = {
    "id": "A",
    "section": "B",
    "group": "C",
    "max": "D",
    "text": "E",
    "self_reason": "F",
    "self": "G",
    "reason": "H",
    "score": "I",
}
FLAG_CELLS = {"senior_levels": "C3", "online_exam": "C4"}
DATE_CELL = "C5"
ID_CELL = "G2"
NAME_CELL = "B2"
TEXT_LABELS = {"reason": "扣分原因", "self_reason": "自评扣分原因"}
FIELD_COLUMNS = {"score": "score", "reason": "reason", "self": "self", "self_reason": "self_reason"}
MAX_FILE = 20 * 1024 * 1024
"""Largest workbook accepted (one for a whole city is well under 1 MB)."""
MAX_UNCOMPRESSED = 100 * 1024 * 1024
"""Largest total the zip may declare once unpacked; beyond it the file is refused before it is opened."""
MAX_EXTRA_ROWS = 40
"""Rows read beyond the form's own (headers, subtotals, totals); anything further down is ignored."""
MAX_RATIO = 200
"""Largest compression ratio of a member over 1 MB (spreadsheet XML compresses about 10 to 1)."""
HEADER_ROW = 6
YES, NO = "是", "否"
VETO_HEADER = "存在否决情形"

INPUT_FILL = "#FFF8DC"  # light yellow: the cells an expert fills
HEAD_FILL = "#EEF1F4"
BORDER_COLOR = "#999999"
COLUMN_WIDTHS = (8, 12, 14, 9, 60, 18, 8, 24, 9)  # A to I, in characters


def sheet_title(inst: Institution) -> str:
    """Worksheet name: id and a short name, within Excel's 31 characters and allowed characters."""
    name = re.sub(r"[\[\]:*?/\\']", "", inst.name)
    return f"{inst.id} {name}"[:31].rstrip()


# --- generate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    """The cell formats of one workbook (XlsxWriter formats belong to the workbook that made them)."""

    cover_title: Any
    title: Any
    bold: Any
    header: Any
    text: Any  # the form's own text: bordered, wrapped, top-aligned
    input: Any  # unlocked, light yellow, bordered
    input_wrap: Any
    input_date: Any

    @classmethod
    def of(cls, wb: Any) -> _Styles:
        border = {"border": 1, "border_color": BORDER_COLOR}
        wrap = {"text_wrap": True, "valign": "top"}
        entry = {"locked": False, "pattern": 1, "fg_color": INPUT_FILL, **border}
        return cls(
            cover_title=wb.add_format({"bold": True, "font_size": 14}),
            title=wb.add_format({"bold": True, "font_size": 13}),
            bold=wb.add_format({"bold": True}),
            header=wb.add_format({"bold": True, "pattern": 1, "fg_color": HEAD_FILL, **border}),
            text=wb.add_format({**border, **wrap}),
            input=wb.add_format(entry),
            input_wrap=wb.add_format({**entry, **wrap}),
            input_date=wb.add_format({**entry, "num_format": "yyyy-mm-dd"}),
        )


class _Validations:
    """The drop-downs and checks of one sheet, one rule for many cells (written when the sheet is done)."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.rules: dict[tuple, tuple[dict[str, Any], list[str], str | None]] = {}

    def add(self, key: tuple, cell: str, options: dict[str, Any], indicator: str | None = None) -> None:
        self.rules.setdefault(key, (options, [], indicator))[1].append(cell)

    def write(self, ws: Any) -> None:
        for options, cells, indicator in self.rules.values():
            with warnings.catch_warnings():  # its warning is said below, in Chinese and with the indicator
                warnings.simplefilter("ignore")
                written = ws.data_validation(cells[0], {**options, "multi_range": " ".join(cells)})
            if written != 0:
                # XlsxWriter refuses a list or message over Excel's 255 characters (Excel would drop it)
                raise DataError(
                    [
                        Problem(
                            self.rubric.path,
                            f"可得的分值有 {len(options.get('source', []))} 个，写成下拉列表超出 Excel 的长度上限"
                            "（255 个字符），无法生成评分工作簿；请检查评分规则 scoring 的步长 per",
                            indicator=indicator,
                        )
                    ]
                )


def _put(ws: Any, ref: str, value: Cell, style: Any = None) -> None:
    row, col = xl_cell_to_rowcol(ref)
    write_cell(ws, row, col, value, style)


def make_workbook(
    rubric: Rubric, roster: Roster, institutions: list[Institution], sheets: dict[str, Sheet], when: dt.date
) -> bytes:
    wb = new_workbook(when)
    styles = _Styles.of(wb)
    _cover(add_sheet(wb, COVER_SHEET), styles, rubric)
    for inst in institutions:
        _institution_sheet(add_sheet(wb, sheet_title(inst)), styles, rubric, inst, sheets.get(inst.id))
    meta = add_sheet(wb, META_SHEET)
    _put(meta, "A1", MARK)
    _put(meta, "A2", FORMAT_VERSION)
    _put(meta, "A3", rubric.year)
    meta.hide()
    meta.protect("", {"objects": True, "scenarios": True})  # as Excel's default protection
    return workbook_bytes(wb)


def _cover(ws: Any, styles: _Styles, rubric: Rubric) -> None:
    lines = [
        f"{rubric.year}年度 {rubric.title}（{rubric.subtitle}）评分工作簿",
        "",
        "填写方法：",
        "1. 每个机构一张工作表，按纸质评估表的顺序排列；灰色为评估表原文，浅黄色为填写格。",
        "2. 先在第3、4行选择该机构是否评价技师（高级技师）、是否使用在线机考（是/否），第5行填写评估日期。",
        "3. “评估分”只能从下拉列表中选择本项评分规则可得的分值；不适用的指标（见“评估标准”列的说明）留空。",
        f"4. {rubric.sections_text('base')}得分低于标准分值的，必须在“评估扣分原因”中写明扣分原因；加分项可不写。",
        "5. 否决项：在“评估分”列选择是否存在否决情形（是/否）；选“是”的，在“评估扣分原因”列写明事实依据"
        "（如 连续两年未开展评价工作），选“否”或留空的，不要填写依据。",
        "6. “自评分”“自评扣分原因”按机构自评报告填写，可留空。",
        "7. 各部分小计和总分由公式自动计算，请勿修改。工作表已保护（无密码），请勿插入或删除行。",
        "8. 填好后交办公室用 python -m site_builder import 导入；导入时逐格校验，有误会指出工作表和单元格。",
        "",
        f"等级：{'；'.join(f'{g.grade} {g.label}' for g in rubric.grades)}；有任一否决项取消评价资格。",
    ]
    for n, line in enumerate(lines):
        write_cell(ws, n, 0, line, styles.cover_title if n == 0 else None)
    set_width(ws, 0, 110)


def id_runs(rubric: Rubric, applies: str) -> str:
    """The ids of the indicators that apply only under `applies`, as runs in form order:
    7-01至7-05、7-07至7-11 (2023); '' when there are none."""
    runs: list[list[str]] = []
    previous = False
    for ind in rubric.indicators:
        hit = ind.applies == applies
        if hit and previous:
            runs[-1].append(ind.id)
        elif hit:
            runs.append([ind.id])
        previous = hit
    return "、".join(run[0] if len(run) == 1 else f"{run[0]}至{run[-1]}" for run in runs)


def _institution_sheet(ws: Any, styles: _Styles, rubric: Rubric, inst: Institution, sheet: Sheet | None) -> None:
    # the subtotals' and totals' stored results, from the domain's own scoring (0 on a blank sheet)
    result = score_sheet(rubric, inst, sheet) if sheet else None
    _put(ws, "A1", f"{rubric.title}（{rubric.subtitle}）", styles.title)
    _put(ws, "A2", "被考核机构")
    _put(ws, "F2", "机构编号")
    _put(ws, ID_CELL, inst.id)
    _put(ws, NAME_CELL, inst.name)
    _put(ws, "A3", FLAG_LABELS["senior_levels"])
    _put(ws, "A4", FLAG_LABELS["online_exam"])
    _put(ws, "A5", "评估日期")
    for cell, applies in (("D3", "senior_levels"), ("D4", "online_exam")):
        runs = id_runs(rubric, applies)
        _put(ws, cell, f"是：第{runs}项计分" if runs else "本年度评估表无仅适用于此的指标")
    _put(ws, "D5", "格式 2024-01-08")
    validations = _Validations(rubric)
    for key, ref in FLAG_CELLS.items():
        validations.add(
            ("flags",),
            ref,
            {
                "validate": "list",
                "source": [YES, NO],
                "ignore_blank": False,
                "show_input": False,
                "error_title": "请选择",
                "error_message": "请选择 是 或 否",
            },
        )
        _put(ws, ref, (YES if getattr(sheet, key) else NO) if sheet else None, styles.input)
    if sheet:
        ws.write_datetime(DATE_CELL, dt.datetime.combine(sheet.assessed_on, dt.time()), styles.input_date)
    else:
        _put(ws, DATE_CELL, None, styles.input_date)
    for col, title in enumerate(HEADERS):
        write_cell(ws, HEADER_ROW - 1, col, title, styles.header)

    row = HEADER_ROW
    subtotal_cells = {}
    for section in rubric.sections:
        row += 1
        _put(ws, f"A{row}", f"第{section.number}部分", styles.bold)
        _put(ws, f"B{row}", section.name, styles.bold)
        header_row, first = row, row + 1
        for group in section.groups:
            for ind in group.indicators:
                row += 1
                _indicator_row(ws, styles, row, section.name, ind, sheet, validations)
        if section.kind != "veto":
            _put(ws, f"H{header_row}", "小计")
            subtotal = result.sections.get(section.number) if result else None
            ws.write_formula(f"I{header_row}", f"=SUM(I{first}:I{row})", None, _stored(subtotal))
            _put(ws, f"D{header_row}", number(section.max))
            subtotal_cells[section.number] = f"I{header_row}"
    row += 2
    base = "+".join(subtotal_cells[s.number] for s in rubric.sections if s.kind == "base")
    bonus = "+".join(subtotal_cells[s.number] for s in rubric.sections if s.kind == "bonus")
    for label, formula, maximum, value in (
        (f"基础分（{rubric.sections_text('base')}）", f"={base}", rubric.base_max, result.base if result else None),
        ("加分项", f"={bonus}", rubric.bonus_max, result.bonus if result else None),
        ("总分", f"=I{row}+I{row + 1}", rubric.total_max, result.total if result else None),
    ):
        _put(ws, f"H{row}", label, styles.bold)
        ws.write_formula(f"I{row}", formula, styles.bold, _stored(value))
        _put(ws, f"D{row}", number(maximum))
        row += 1
    validations.write(ws)
    for col, width in enumerate(COLUMN_WIDTHS):
        set_width(ws, col, width)
    ws.freeze_panes(HEADER_ROW, 0)
    # locked cells stay locked; rows and columns may be resized (long reasons); no password
    ws.protect("", {"objects": True, "scenarios": True, "format_columns": True, "format_rows": True})


def _stored(value: Decimal | None) -> int | float:
    """A formula's stored result: the domain's number, 0 where nothing is entered yet (as Excel computes)."""
    stored = number(value)
    return 0 if stored is None else stored


def _indicator_row(
    ws: Any,
    styles: _Styles,
    row: int,
    section_name: str,
    ind: Indicator,
    sheet: Sheet | None,
    validations: _Validations,
) -> None:
    text = ind.text or "（原表缺失）"
    if ind.rule_text:
        text += f"\n评分：{ind.rule_text}"
    if ind.applies != "all":
        text += f"\n【仅适用于{applies_to(ind.applies)}，不适用的留空】"
    values: dict[str, Cell] = {
        "id": ind.id,
        "section": section_name,
        "group": ind.group or "",
        "text": text,
        "max": number(ind.max) if ind.max is not None else "否决项",
    }
    for key, value in values.items():
        _put(ws, f"{COL[key]}{row}", value, styles.text)
    if ind.is_veto:
        evidence = next((v.evidence for v in sheet.veto if v.indicator == ind.id), None) if sheet else None
        _put(ws, f"{COL['reason']}{row}", evidence, styles.input_wrap)
        found = f"{COL['score']}{row}"
        _put(ws, found, (YES if evidence else NO) if sheet else None, styles.input)
        validations.add(
            ("veto",),
            found,
            {
                "validate": "list",
                "source": [YES, NO],
                "error_title": VETO_HEADER,
                "error_message": f"{VETO_HEADER}？请选择 是 或 否",
                "input_title": VETO_HEADER,
                "input_message": "选“是”的，须在左格写明事实依据",
            },
        )
        return
    item = sheet.item(ind.id) if sheet else None
    entered: dict[str, Cell] = {"self_reason": None, "self": None, "reason": None, "score": None}
    if item:
        entered = {
            "self_reason": item.self_reason,
            "self": number(item.self_score) if item.self_score is not None else None,
            "reason": item.reason,
            "score": number(item.score),
        }
    for key, value in entered.items():
        _put(ws, f"{COL[key]}{row}", value, styles.input_wrap)
    validations.add(
        ind.allowed,
        f"{COL['score']}{row}",
        {
            "validate": "list",
            "source": [fmt(v) for v in ind.allowed],
            "show_input": False,
            "error_title": "分值不在可选范围",
            "error_message": "请从下拉列表中选择：" + "、".join(fmt(v) for v in ind.allowed),
        },
        ind.id,
    )
    validations.add(
        ("self", ind.max),
        f"{COL['self']}{row}",
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": "0",
            "maximum": fmt(ind.max),
            "show_input": False,
            "error_message": f"自评分应在 0 至 {fmt(ind.max)} 之间",
        },
    )


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedSheet:
    institution: str
    year: int
    name: str  # the institution's name, the comment heading a new sheet
    data: dict  # the sheet's values (`sheet_as_data`'s form), compared with an existing sheet and written


def _file_problem(path: Path) -> str | None:
    """Why a file cannot be opened as one of our workbooks, checked before openpyxl reads it."""
    save_as = "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再导入"
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        return f"无法读取文件：{exc.strerror}"
    if size > MAX_FILE:
        return (
            f"文件大小 {size} 字节，超过上限 {MAX_FILE // (1024 * 1024)} MB；评分工作簿不应这么大，请检查是否选错了文件"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return f"这是旧版 Excel（.xls）文件，不能导入；{save_as}"
    if not head.startswith(b"PK\x03\x04"):
        return f"不是 Excel 工作簿（.xlsx）（可能是 CSV 或其他格式）；{save_as}"
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                return f"这是 OpenDocument（.ods）文件，不能导入；{save_as}"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return f"文件已损坏或不完整，不是可读取的 .xlsx；{save_as}"
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return f"工作簿中含有宏（VBA），不能导入；{save_as}"
    if "xl/workbook.xml" not in names:
        return f"不是 Excel 工作簿（.xlsx）；{save_as}"
    total = sum(i.file_size for i in infos)
    if len(infos) > 5000 or total > MAX_UNCOMPRESSED:
        return (
            f"解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB（声明为 {total // (1024 * 1024)} MB），"
            "不是正常的评分工作簿，未打开"
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），不是正常的评分工作簿，未打开"
    if (
        path.suffix.lower() != ".xlsx"
    ):  # the content is an .xlsx but the name: .xlsm, .xltx (a template), .xls…: not what the tool writes
        return f"文件扩展名为“{shown_text(path.suffix) or '无'}”，只能导入 Excel 工作簿（.xlsx）；{save_as}"
    return None


def read_year(path: Path, label: str, problems: Problems) -> tuple[Workbook, int] | None:
    """Open a workbook and check it is one of ours; returns (workbook, year)."""
    problem = _file_problem(path)
    if problem:
        problems.add(label, problem)
        return None
    try:
        wb = load_workbook(path, read_only=True, data_only=False)  # streamed: memory follows the values
        meta = wb[META_SHEET] if META_SHEET in wb.sheetnames else None
        mark = meta["A1"].value if meta is not None else None
    except Exception:  # noqa: BLE001 - any failure inside a foreign file's XML means the same to the user
        problems.add(
            label, "工作簿已损坏或不完整，无法读取；请在 Excel 或 WPS 中打开，确认内容无误后另存为 .xlsx 再导入"
        )
        return None
    if meta is None or mark != MARK:
        wb.close()
        problems.add(label, "不是本系统生成的评分工作簿；请用 python -m site_builder workbook 生成工作簿后填写")
        return None
    version, year = meta["A2"].value, meta["A3"].value
    if version != FORMAT_VERSION or not isinstance(year, int) or isinstance(year, bool):
        wb.close()
        problems.add(
            label,
            f"工作簿格式版本 {shown_id(version)} 不受支持（须为 {FORMAT_VERSION}）；"
            "请用 python -m site_builder workbook 重新生成工作簿后填写",
        )
        return None
    return wb, year


TextCheck = Callable[[str], list[str]]
"""A further check of every text an expert entered (the command's privacy scan): what is wrong with it."""


def import_sheets(
    wb,
    label: str,
    rubric: Rubric,
    roster: Roster,
    problems: Problems,
    skipped: list[str] | None = None,
    check_text: TextCheck | None = None,
) -> list[ImportedSheet]:
    """The filled institution sheets; a sheet with nothing entered is not checked but listed in `skipped`.
    `check_text`: run on every reason and every piece of evidence, each finding a problem of its cell."""
    out = []
    for n, ws in enumerate(wb.worksheets, start=1):
        if ws.title in (META_SHEET, COVER_SHEET):
            continue
        words = ws.title.split()
        if not words:
            problems.add(
                f"{label}!第{n}张工作表",
                f"工作表名称为空白（{ascii(ws.title)}）；"
                "工作表须以机构编号开头，如 “P01 山西工程职业学院”；请改回原名称或重新生成工作簿",
            )
            continue
        where = f"{label}!{shown_id(words[0])}"
        if ws.sheet_state != "visible":  # hidden or veryHidden: the expert never saw what it holds
            problems.add(
                where,
                f"工作表“{shown_text(ws.title)}”是隐藏的工作表，不导入（其中的内容在表格中看不到，"
                "无法确认是专家填写的）；请在 Excel 或 WPS 中右键工作表标签，取消隐藏后再导入，"
                "或删去这张工作表",
            )
            continue
        try:
            grid = _Grid(ws, HEADER_ROW + len(rubric.indicators) + len(rubric.sections) + MAX_EXTRA_ROWS)
        except Exception:  # noqa: BLE001 - a damaged sheet inside the zip, found while streaming it
            problems.add(
                where, "工作表已损坏或不完整，无法读取；请在 Excel 或 WPS 中打开，确认内容无误后另存为 .xlsx 再导入"
            )
            continue
        if skipped is not None and not entered_cells(grid):
            skipped.append(ws.title)
            continue
        before = len(problems.items)
        sheet = _import_sheet(grid, where, words, rubric, roster, problems, check_text)
        if sheet:
            out.append(sheet)
        elif skipped is not None:
            _half_filled(grid, where, rubric, problems, before)
    if not out and not problems:
        problems.add(
            label,
            "工作簿中没有填写任何机构的评分表（每张工作表都没有填评估分）" if skipped else "工作簿中没有机构评分表",
        )
    return out


class _Cell:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class _Grid:
    """The first rows of a worksheet's columns A to I, read once (a streamed sheet has no random access)."""

    def __init__(self, ws, max_rows: int):
        self.title = ws.title
        self.rows = []
        self.formulas: dict[str, str] = {}  # cell -> formula: an expert's formula is never taken as a value
        for line in ws.iter_rows(min_row=1, max_row=max_rows, max_col=len(HEADERS)):
            values = []
            for cell in line:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    self.formulas[f"{cell.column_letter}{cell.row}"] = str(getattr(value, "text", value))
                    value = None
                values.append(value)
            self.rows.append(tuple(values))
        self.max_row = len(self.rows)

    def __getitem__(self, ref: str) -> _Cell:
        col, row = ref[0], int(ref[1:])
        line = self.rows[row - 1] if row <= len(self.rows) else ()
        index = ord(col) - ord("A")
        return _Cell(line[index] if index < len(line) else None)


def _formula_problem(text: str) -> str:
    shown = shown_text(text if len(text) <= 40 else text[:40] + "…")
    return (
        f"单元格中是公式（{shown}），不能导入：评分表只收直接填写的文字、分值和选项，公式的内容未必是专家看到的结果。"
        "请把该单元格改为直接填写的内容（可复制后“选择性粘贴→数值”）再导入"
    )


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _value(value):
    """A score cell as the rule check takes it: None when blank, a Decimal for numbers and numeric text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).strip()
    if len(text) <= 40:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number.is_finite():
            return number
    return text


def _import_sheet(
    ws,
    where: str,
    title_words: list[str],
    rubric: Rubric,
    roster: Roster,
    problems: Problems,
    check_text: TextCheck | None = None,
) -> ImportedSheet | None:
    before = len(problems.items)
    raw_id = _text(ws[ID_CELL].value)
    inst_id = raw_id if is_institution_id(raw_id) else None
    shown = shown_id(raw_id)

    formulas: dict[str, str] = getattr(ws, "formulas", {})
    reported: set[str] = set()  # formula cells already named: what their blank value implies is not repeated

    def bad(cell: str, message: str, indicator: str | None = None) -> None:
        if cell not in reported:
            problems.add(f"{where}!{cell}", message, institution=shown, indicator=indicator)

    def formula(cell: str, indicator: str | None = None) -> None:
        if cell in formulas:
            bad(cell, _formula_problem(formulas[cell]), indicator)
            reported.add(cell)

    for ref in (ID_CELL, NAME_CELL, *FLAG_CELLS.values(), DATE_CELL):
        formula(ref)

    # Every cell is checked whatever an earlier one holds: one run names every problem of the sheet.
    institution = roster.get(inst_id) if inst_id else None
    if institution is None:
        bad(ID_CELL, f"机构编号 {shown} 不在 {roster.year} 年名单中")
    elif title_words[0] != inst_id:
        bad(
            ID_CELL,
            f"机构编号 {inst_id} 与工作表名称“{shown_text(' '.join(title_words))}”不一致；"
            "编号和工作表名称都不要改动，请核对是否填错了工作表",
        )
    name = _text(ws[NAME_CELL].value)
    if institution is not None and name != institution.name:
        bad(
            NAME_CELL,
            f"机构名称“{shown_text(name)}”与名单中 {inst_id} 的名称"
            f"“{institution.name}”不一致；请核对是否填错了工作表，不要改动机构名称和编号",
        )
    flags: dict[str, bool | None] = {}  # None: not chosen (its items are checked as entered, below)
    for key, ref in FLAG_CELLS.items():
        value = _text(ws[ref].value)
        if value not in (YES, NO):
            bad(ref, f"请选择 {YES} 或 {NO}，实为 {shown_text(value) if value else '空'}")
        flags[key] = None if value not in (YES, NO) else value == YES
    assessed = ws[DATE_CELL].value
    if isinstance(assessed, dt.datetime):
        assessed = assessed.date()
    if not isinstance(assessed, dt.date):
        bad(
            DATE_CELL,
            f"评估日期须为日期（如 2024-01-08），实为 {shown_text(assessed) if assessed is not None else '空'}",
        )

    rows: dict[str, int] = {}
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        value = _text(ws[f"A{row}"].value)
        if value and INDICATOR_ID.fullmatch(value):
            if value in rows:
                bad(f"A{row}", f"指标 {value} 的行出现了两次（第 {rows[value]} 行和第 {row} 行）", value)
            rows[value] = row
    items, veto = {}, {}
    for ind in rubric.indicators:
        at = rows.get(ind.id)
        if at is None:
            bad(f"A{HEADER_ROW + 1}", f"缺少指标 {ind.id} 的行；工作表不能删除行，请重新生成工作簿后填写", ind.id)
            continue
        cell = lambda key, row=at: f"{COL[key]}{row}"  # noqa: E731
        for key in ("self_reason", "self", "reason", "score"):
            formula(cell(key), ind.id)
        if check_text is not None:
            for key in ("self_reason", "reason"):
                text = _text(ws[cell(key)].value)
                for finding in check_text(text) if text else ():
                    what = "否决项证据" if ind.is_veto else TEXT_LABELS[key]
                    bad(cell(key), f"{what}{finding}", ind.id)
        if ind.is_veto:
            found, evidence = _text(ws[cell("score")].value), _text(ws[cell("reason")].value)
            if found not in (YES, NO, None):
                bad(cell("score"), f"{VETO_HEADER}请选择 {YES} 或 {NO}，实为 {shown_text(found)}", ind.id)
            elif found == YES:
                message = veto_problem(evidence)
                if message:
                    bad(cell("reason"), f"选了“{YES}”（{VETO_HEADER}），" + message, ind.id)
                else:
                    veto[ind.id] = evidence
            elif evidence:
                bad(
                    cell("score"),
                    f"填写了否决依据，但{VETO_HEADER}未选“{YES}”；存在的请选“{YES}”，"
                    f"不存在的请清空 {cell('reason')} 的依据",
                    ind.id,
                )
            continue
        score = _value(ws[cell("score")].value)
        applies = True if ind.applies == "all" else flags.get(ind.applies)
        # a flag not chosen: an item entered is checked as applicable, one left blank as not
        applicable = (score is not None) if applies is None else applies
        item, found_problems = check_item(
            ind,
            score,
            _text(ws[cell("reason")].value),
            _value(ws[cell("self")].value),
            _text(ws[cell("self_reason")].value),
            applicable,
        )
        for problem in found_problems:
            bad(cell(FIELD_COLUMNS[problem.field]), problem.message, ind.id)
        if item:
            items[ind.id] = item_entry(item)
    if len(problems.items) > before or institution is None or not isinstance(assessed, dt.date):
        return None
    data = {
        "institution": inst_id,
        "assessed_on": assessed,
        "senior_levels": flags["senior_levels"],
        "online_exam": flags["online_exam"],
        "items": items,
        "veto": veto,
    }
    return ImportedSheet(institution.id, rubric.year, institution.name, data)


def item_entry(item: ItemScore) -> dict:
    """An item as the sheet format writes it: only the fields that are given."""
    entry: dict = {"score": item.score}
    if item.reason:
        entry["reason"] = item.reason
    if item.self_score is not None:
        entry["self"] = item.self_score
    if item.self_reason:
        entry["self_reason"] = item.self_reason
    return entry


def sheet_as_data(sheet: Sheet) -> dict:
    """A loaded YAML sheet in the same form as an imported one, for comparison."""
    items = {it.indicator: item_entry(it) for it in sheet.items}
    return {
        "institution": sheet.institution,
        "assessed_on": sheet.assessed_on,
        "senior_levels": sheet.senior_levels,
        "online_exam": sheet.online_exam,
        "items": items,
        "veto": {v.indicator: v.evidence for v in sheet.veto},
    }


def differences(old: dict, new: dict) -> list[str]:
    """What an import would change in an existing sheet, in words."""
    out = []
    for key, label in (("assessed_on", "评估日期"), ("senior_levels", "评价技师"), ("online_exam", "在线机考")):
        if old[key] != new[key]:
            out.append(f"{label} {old[key]} → {new[key]}")
    for ind in sorted(set(old["items"]) | set(new["items"])):
        a, b = old["items"].get(ind), new["items"].get(ind)
        if a != b:
            out.append(f"{ind} {_entry(a)} → {_entry(b)}")
    for ind in sorted(set(old["veto"]) | set(new["veto"])):
        if old["veto"].get(ind) != new["veto"].get(ind):
            out.append(f"{ind} 否决项 {old['veto'].get(ind) or '未发现'} → {new['veto'].get(ind) or '未发现'}")
    return out


def _entry(entry: dict | None) -> str:
    if entry is None:
        return "（无）"
    text = fmt(entry["score"])
    if entry.get("reason"):
        text += f"（{entry['reason']}）"
    if "self" in entry:
        text += f"，自评 {fmt(entry['self'])}"
    if entry.get("self_reason"):
        text += f"（{entry['self_reason']}）"
    return text


# --- which sheets were filled -----------------------------------------------------------------


def entered_cells(grid) -> list[str]:
    """The input cells (自评扣分原因, 自评分, 评估扣分原因, 评估分 / 否决) of the indicator rows that hold
    something an expert entered. A sheet with none is blank: not started, skipped on import. “否” (a
    drop-down's no) counts as nothing entered."""
    columns = [COL[key] for key in ("self_reason", "self", "reason", "score")]
    cells = []
    for row in range(HEADER_ROW + 1, grid.max_row + 1):
        if not INDICATOR_ID.fullmatch(_text(grid[f"A{row}"].value) or ""):
            continue
        for col in columns:
            value = grid[f"{col}{row}"].value
            if value is None or value == NO or (isinstance(value, str) and not value.strip()):
                continue
            cells.append(f"{col}{row}")
    return cells


def _half_filled(ws, where: str, rubric: Rubric, problems: Problems, before: int) -> None:  # ws: a _Grid
    """Put one line in front of a started but unfinished sheet's problems: how much is filled and
    which score cells are still empty (as ranges: I8:I20、I24)."""
    if len(problems.items) == before:
        return
    flags = {key: _text(ws[ref].value) == YES for key, ref in FLAG_CELLS.items()}
    rows = {_text(ws[f"A{r}"].value): r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    filled, empty = 0, []
    for ind in rubric.indicators:
        if ind.is_veto or ind.id not in rows:
            continue
        ref = f"{COL['score']}{rows[ind.id]}"
        value = ws[ref].value
        if (value is not None and str(value).strip()) or ref in ws.formulas:  # a formula is named as such
            filled += 1
        elif ind.applies == "all" or flags.get(ind.applies):
            empty.append(rows[ind.id])
    if not empty:
        return
    ranges: list[str] = []
    start = empty[0]
    following: list[int | None] = [*empty[1:], None]
    for prev, nxt in zip(empty, following):
        if nxt != prev + 1:
            col = COL["score"]
            ranges.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if nxt is not None:
                start = nxt
    inst = _text(ws[ID_CELL].value)
    problems.items.insert(
        before,
        Problem(
            where,
            f"只填了一部分：已填 {filled} 项评估分，还缺 {len(empty)} 项（{'、'.join(ranges)}）；"
            "请填完整张表，或把整张表清空（清空的表导入时跳过）",
            shown_id(inst) if inst else None,
        ),
    )
