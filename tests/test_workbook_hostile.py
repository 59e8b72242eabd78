"""Issue 11, workbook side: foreign, broken, oversized and tampered workbooks; veto cells; text cells.

Everything runs in-process (`spreadsheet.write_workbook` / `import_workbooks`), the way the CLI calls them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.project import copy_project

from site_builder.build.flow import Layout
from site_builder.commands import workbooks as spreadsheet
from site_builder.errors import DataError
from site_builder.storage.writer import RECORD as RECORD_FILE

TITLE = "P03 山西省瑜伽科学健身学会"


def layout(project) -> Layout:
    return Layout.from_args(root=str(project.root))


BOOK = "评分表.xlsx"
RECORD = f".cache/site_builder/{RECORD_FILE}"


@pytest.fixture(scope="module")
def made_book(tmp_path_factory) -> tuple[bytes, str, str]:
    """What `write_workbook` leaves in a copy of the repo's data, once for the module (it writes the
    same bytes every time): the workbook, and its line in the record of the files the tool wrote
    (keyed by the workbook's real path, given as the folder it was made in)."""
    project = copy_project(tmp_path_factory.mktemp("book") / "proj")
    spreadsheet.write_workbook(layout(project), project.path(BOOK), None, ["P03"], fill=True)
    return project.path(BOOK).read_bytes(), project.read(RECORD), os.path.realpath(project.root)


@pytest.fixture
def book(project, made_book) -> Path:
    """A workbook for P03, filled from the existing sheets, in the test's project as `write_workbook`
    leaves it there: the workbook and the record of it under the project's own path."""
    data, record, made_in = made_book
    path = project.path(BOOK)
    path.write_bytes(data)
    project.write(RECORD, record.replace(json.dumps(made_in)[1:-1], json.dumps(os.path.realpath(project.root))[1:-1]))
    return path


def edit(path: Path, change) -> None:
    wb = load_workbook(path)
    ws = wb[TITLE]
    rows = {ws[f"A{r}"].value: r for r in range(7, ws.max_row + 1) if isinstance(ws[f"A{r}"].value, str)}
    change(ws, rows)
    wb.save(path)


def import_messages(project, *files: Path, force: bool = True) -> list[str]:
    before = project.read("scores/2023/P03.yaml")
    with pytest.raises(DataError) as exc:
        spreadsheet.import_workbooks(layout(project), list(files), None, force)
    assert project.read("scores/2023/P03.yaml") == before
    return [str(p) for p in exc.value.problems]


def imported(project, path: Path) -> dict:
    spreadsheet.import_workbooks(layout(project), [path], None, True)
    return project.sheet("P03")


SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再导入"


# --- files that are not our .xlsx -------------------------------------------------------------------------


def test_xls_ods_csv_and_text(project):
    project.path("a.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with zipfile.ZipFile(project.path("b.ods"), "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    project.write("c.csv", "序号,评估分\n1-01,1\n")
    assert import_messages(project, project.path("a.xls"), project.path("b.ods"), project.path("c.csv")) == [
        f"a.xls: 这是旧版 Excel（.xls）文件，不能导入；{SAVE_AS}",
        f"b.ods: 这是 OpenDocument（.ods）文件，不能导入；{SAVE_AS}",
        f"c.csv: 不是 Excel 工作簿（.xlsx）（可能是 CSV 或其他格式）；{SAVE_AS}",
    ]


def _rewrite(src: Path, dest: Path, replace: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))


def test_truncated_sheet_xml(project, book):
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet2.xml")
    _rewrite(book, project.path("cut.xlsx"), {"xl/worksheets/sheet2.xml": xml[: len(xml) // 2]})
    assert import_messages(project, project.path("cut.xlsx")) == [
        "cut.xlsx!P03: 工作表已损坏或不完整，无法读取；请在 Excel 或 WPS 中打开，确认内容无误后另存为 .xlsx 再导入"
    ]


def test_truncated_file(project, book):
    data = book.read_bytes()
    project.path("half.xlsx").write_bytes(data[: len(data) // 2])
    assert import_messages(project, project.path("half.xlsx")) == [
        f"half.xlsx: 文件已损坏或不完整，不是可读取的 .xlsx；{SAVE_AS}"
    ]


def test_import_memory_follows_the_values_not_the_file(project):
    """The workbook is streamed: importing a whole city's workbook stays far below 200 MB."""
    path = project.path("all.xlsx")
    spreadsheet.write_workbook(layout(project), path, None, [], fill=True)
    tracemalloc.start()
    spreadsheet.import_workbooks(layout(project), [path], None, False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, peak


def test_oversized_file(project):
    path = project.path("big.xlsx")
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(21 * 1024 * 1024)
    assert import_messages(project, path) == [
        f"big.xlsx: 文件大小 {21 * 1024 * 1024} 字节，超过上限 20 MB；评分工作簿不应这么大，请检查是否选错了文件"
    ]


def test_zip_bomb_is_refused_in_seconds_with_little_memory(project, book):
    bomb = project.path("bomb.xlsx")
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet2.xml":
                with zout.open(info.filename, "w") as member:
                    chunk = b"<row/>" * (1 << 18)
                    for _ in range(110):  # about 170 MB of XML
                        member.write(chunk)
            else:
                zout.writestr(info.filename, zin.read(info.filename))
    tracemalloc.start()
    start = time.perf_counter()
    messages = import_messages(project, bomb)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert messages == ["bomb.xlsx: 解压后超过 100 MB（声明为 165 MB），不是正常的评分工作簿，未打开"]
    assert seconds < 3 and peak < 50 * 1024 * 1024


def test_high_compression_ratio_member(project, book):
    bomb = project.path("ratio.xlsx")
    _rewrite(book, bomb, {"xl/worksheets/sheet2.xml": b" " * (30 * 1024 * 1024)})
    messages = import_messages(project, bomb)
    assert len(messages) == 1 and messages[0].startswith("ratio.xlsx: 压缩比异常（")


def test_blank_sheet_title(project, book):
    edit(book, lambda ws, rows: setattr(ws, "title", "   "))
    assert import_messages(project, book) == [
        "评分表.xlsx!第2张工作表: 工作表名称为空白（'   '）；工作表须以机构编号开头，如 “P01 山西工程职业学院”；请改回原名称或重新生成工作簿"
    ]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet_is_refused(project, book, state):
    """A hidden sheet (veryHidden: not even listed by 取消隐藏) is not what the expert saw: refused."""
    edit(book, lambda ws, rows: setattr(ws, "sheet_state", state))
    assert load_workbook(book)[TITLE].sheet_state == state
    assert import_messages(project, book) == [
        f"评分表.xlsx!P03: 工作表“{TITLE}”是隐藏的工作表，不导入（其中的内容在表格中看不到，无法确认是专家填写的）；"
        "请在 Excel 或 WPS 中右键工作表标签，取消隐藏后再导入，或删去这张工作表"
    ]


def test_the_hidden_meta_sheet_is_still_accepted(project, book):
    assert load_workbook(book)["_meta"].sheet_state == "hidden"
    assert imported(project, book)  # our own hidden _meta sheet is not an expert's sheet


# --- the institution on the sheet ------------------------------------------------------------------------------


def test_id_changed_to_another_institution_is_refused_even_with_force(project, book):
    edit(book, lambda ws, rows: ws.__setitem__("G2", "P05"))
    before = project.read("scores/2023/P05.yaml")
    assert import_messages(project, book) == [
        "评分表.xlsx!P03!G2: 机构 P05: 机构编号 P05 与工作表名称“P03 山西省瑜伽科学健身学会”不一致；编号和工作表名称都不要改动，请核对是否填错了工作表",
        "评分表.xlsx!P03!B2: 机构 P05: 机构名称“山西省瑜伽科学健身学会”与名单中 P05 的名称“山西爱国拥军促进会”不一致；请核对是否填错了工作表，不要改动机构名称和编号",
    ]
    assert project.read("scores/2023/P05.yaml") == before


def test_name_changed_on_the_sheet(project, book):
    edit(book, lambda ws, rows: ws.__setitem__("B2", "别的机构"))
    assert import_messages(project, book) == [
        "评分表.xlsx!P03!B2: 机构 P03: 机构名称“别的机构”与名单中 P03 的名称“山西省瑜伽科学健身学会”不一致；请核对是否填错了工作表，不要改动机构名称和编号"
    ]


# --- cells ---------------------------------------------------------------------------------------------------------


def test_self_reason_column_is_imported(project, book):
    edit(
        book,
        lambda ws, rows: (ws.__setitem__(f"G{rows['1-01']}", 0), ws.__setitem__(f"F{rows['1-01']}", "自查未制定计划")),
    )
    entry = imported(project, book)["items"]["1-01"]
    assert entry["self"] == 0 and entry["self_reason"] == "自查未制定计划"


def test_text_checks_apply_to_cells(project, book):
    edit(
        book,
        lambda ws, rows: (ws.__setitem__(f"I{rows['2-01']}", 0.5), ws.__setitem__(f"H{rows['2-01']}", "缺\u200b项")),
    )
    row = _row(book, "2-01")
    assert import_messages(project, book) == [
        f"评分表.xlsx!P03!H{row}: 机构 P03: 指标 2-01: 扣分原因含不允许的字符 U+200B（零宽或文字方向控制字符）；请删除它（只能有可见文字和空格）"
    ]


def test_absurd_number_in_a_cell_gives_a_short_message(project, book):
    edit(book, lambda ws, rows: ws.__setitem__(f"I{rows['2-01']}", "1e+99999999"))
    row = _row(book, "2-01")
    assert import_messages(project, book) == [
        f"评分表.xlsx!P03!I{row}: 机构 P03: 指标 2-01: 得分 1E+99999999 超出 0 至 1 的范围；可得 0、0.25、0.5、0.75、1"
    ]


def _row(path: Path, ind: str) -> int:
    ws = load_workbook(path)[TITLE]
    return next(r for r in range(7, ws.max_row + 1) if ws[f"A{r}"].value == ind)


def test_veto_cells_have_a_yes_no_dropdown(book):
    ws = load_workbook(book)[TITLE]
    row = _row(book, "6-04")
    lists = {str(rng): dv.formula1 for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges}
    assert any(
        f"I{row}" in rng.split(":")[0] or rng.startswith(f"I{_row(book, '6-01')}")
        for rng, formula in lists.items()
        if formula == '"是,否"'
    )
    assert ws[f"I{row}"].value == "否" and not ws[f"I{row}"].protection.locked


@pytest.mark.parametrize(
    "found, evidence, cell, message",
    [
        (
            "是",
            None,
            "H",
            "选了“是”（存在否决情形），否决项须写明证据（事实依据），如 6-04: 连续两年未开展评价工作；未发现否决情形的不要写在 veto 下",
        ),
        (
            "否",
            "连续两年未开展评价工作",
            "I",
            "填写了否决依据，但存在否决情形未选“是”；存在的请选“是”，不存在的请清空 H{row} 的依据",
        ),
        (
            None,
            "连续两年未开展评价工作",
            "I",
            "填写了否决依据，但存在否决情形未选“是”；存在的请选“是”，不存在的请清空 H{row} 的依据",
        ),
        (
            "是",
            "未发现",
            "H",
            "选了“是”（存在否决情形），证据写的是“没有发现”；未发现否决情形的，不要填写本项（YAML 中删除该项，"
            "都没有时写 veto: {}；工作簿中选“否”并清空证据）。发现的，请写明事实依据，如 “连续两年未开展评价工作”",
        ),
        (
            "是",
            0,
            "H",
            "选了“是”（存在否决情形），证据写的是“没有发现”；未发现否决情形的，不要填写本项（YAML 中删除该项，"
            "都没有时写 veto: {}；工作簿中选“否”并清空证据）。发现的，请写明事实依据，如 “连续两年未开展评价工作”",
        ),
        ("有", None, "I", "存在否决情形请选择 是 或 否，实为 有"),
    ],
)
def test_veto_found_and_evidence_must_agree(project, book, found, evidence, cell, message):
    edit(
        book, lambda ws, rows: (ws.__setitem__(f"I{rows['6-04']}", found), ws.__setitem__(f"H{rows['6-04']}", evidence))
    )
    row = _row(book, "6-04")
    assert import_messages(project, book) == [
        f"评分表.xlsx!P03!{cell}{row}: 机构 P03: 指标 6-04: {message.replace('{row}', str(row))}"
    ]


def test_veto_with_evidence_is_imported(project, book):
    edit(
        book,
        lambda ws, rows: (
            ws.__setitem__(f"I{rows['6-04']}", "是"),
            ws.__setitem__(f"H{rows['6-04']}", "连续两年未开展评价工作"),
        ),
    )
    assert imported(project, book)["veto"] == {"6-04": "连续两年未开展评价工作"}


def test_old_format_workbook_is_refused(project, book):
    wb = load_workbook(book)
    wb["_meta"]["A2"] = 1
    wb.save(book)
    assert import_messages(project, book) == [
        "评分表.xlsx: 工作簿格式版本 1 不受支持（须为 2）；请用 python -m site_builder workbook 重新生成工作簿后填写"
    ]


# --- text cells are never formulas -----------------------------------------------------------------------------------

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


def test_formula_like_texts_in_the_experts_workbook_are_text(project):
    project.edit("scores/2023/roster.yaml", "name: 山西省瑜伽科学健身学会", 'name: \'=HYPERLINK("http://x","y")\'')
    path = project.path("w.xlsx")
    spreadsheet.write_workbook(layout(project), path, None, ["P03"], fill=False)
    wb = load_workbook(path)
    ws = wb.worksheets[1]
    assert ws["B2"].value == '=HYPERLINK("http://x","y")' and ws["B2"].data_type == "s"


def test_csv_and_xlsx_exports_keep_text_as_text(project):
    from site_builder.build.flow import load
    from site_builder.publish.exports import results_csv, results_xlsx

    project.edit("scores/2023/roster.yaml", "name: 山西工程职业学院", "name: '=cmd|\" /C calc\"!A0'")
    project.edit("scores/2023/roster.yaml", "name: 山西国智职业培训学校", "name: '@SUM(1+1)'")
    project.edit("scores/2023/roster.yaml", "name: 山西省瑜伽科学健身学会", "name: '-2+3'")
    project.edit("scores/2023/roster.yaml", "name: 山西鸿坤建筑劳务有限公司", "name: '+1'")
    site = load(layout(project))
    report = site.reports[0]
    rows = list(csv.reader(io.StringIO(results_csv(report.data.rubric, report.results).decode("utf-8-sig"))))
    names = {r[0]: r[1] for r in rows[1:]}
    assert (names["P01"], names["P02"], names["P03"], names["P04"]) == (
        '\'=cmd|" /C calc"!A0',
        "'@SUM(1+1)",
        "'-2+3",
        "'+1",
    )
    assert names["P05"] == "山西爱国拥军促进会"  # ordinary text untouched
    wb = load_workbook(io.BytesIO(results_xlsx(report.data, report.results)))
    cells = {row[0].value: row[1] for row in wb["考核结果"].iter_rows(min_row=2)}
    assert cells["P01"].value == '=cmd|" /C calc"!A0' and cells["P01"].data_type == "s"
    long = [row for row in wb["指标得分"].iter_rows(min_row=2) if row[0].value == "P01"]
    assert all(row[1].data_type == "s" for row in long)


# --- an expert's formula is never imported (outside attack, issue 24) ----------------------------------------------


def test_formulas_in_input_cells_are_refused_by_their_cells(project, book):
    """A reason typed as a formula was imported as its source text (the page showed
    `=CONCATENATE(…)`, and a phone number split by `"&"` passed the privacy scan). Every input cell
    holding a formula is named, once, whatever column; the subtotal formulas are the workbook's own."""

    def change(ws, rows):
        ws[f"H{rows['1-05']}"] = '=CONCATENATE("执行不到位，","抽查发现问题2处")'
        ws[f"H{rows['1-08']}"] = '="联系"&"138"&"1234"&"5678"'
        ws[f"I{rows['1-03']}"] = "=0.5+0.5"
        ws["C5"] = "=TODAY()"

    edit(book, change)
    wb = load_workbook(book)
    rows = {wb[TITLE][f"A{r}"].value: r for r in range(7, wb[TITLE].max_row + 1)}
    hint = "不能导入：评分表只收直接填写的文字、分值和选项，公式的内容未必是专家看到的结果。请把该单元格改为直接填写的内容（可复制后“选择性粘贴→数值”）再导入"
    where = "评分表.xlsx!P03"
    assert import_messages(project, book) == [
        f"{where}!C5: 机构 P03: 单元格中是公式（=TODAY()），{hint}",
        f"{where}!I{rows['1-03']}: 机构 P03: 指标 1-03: 单元格中是公式（=0.5+0.5），{hint}",
        f'{where}!H{rows["1-05"]}: 机构 P03: 指标 1-05: 单元格中是公式（=CONCATENATE("执行不到位，","抽查发现问题2处")），{hint}',
        f'{where}!H{rows["1-08"]}: 机构 P03: 指标 1-08: 单元格中是公式（="联系"&"138"&"1234"&"5678"），{hint}',
    ]


def test_only_xlsx_workbooks_without_macros_are_imported(project, book):
    xlsm = project.path("g.xlsm")
    xlsm.write_bytes(book.read_bytes())
    assert import_messages(project, xlsm) == [f"g.xlsm: 文件扩展名为“.xlsm”，只能导入 Excel 工作簿（.xlsx）；{SAVE_AS}"]
    with_macros = project.path("m.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(with_macros, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\0" * 64)
    assert import_messages(project, with_macros) == [f"m.xlsx: 工作簿中含有宏（VBA），不能导入；{SAVE_AS}"]
