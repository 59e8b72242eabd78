"""Spreadsheets in and out: the scoring workbook, importing it back, results.xlsx."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import Workbook, load_workbook
from support.yamlfiles import load_yaml

from site_builder.build.flow import Layout, load
from site_builder.sheets import workbook as wbk


def make(project, *args):
    return project.cli("workbook", *args)


def rows_by_id(ws) -> dict[str, int]:
    return {
        ws[f"A{r}"].value: r
        for r in range(1, ws.max_row + 1)
        if isinstance(ws[f"A{r}"].value, str) and ws[f"A{r}"].value[:1].isdigit() and "-" in ws[f"A{r}"].value
    }


def _entries(path) -> dict:
    """A sheet file as plain YAML data, each item as a mapping (`1-01: 1` is `{score: 1}`)."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["items"] = {k: v if isinstance(v, dict) else {"score": v} for k, v in data["items"].items()}
    return data


def test_round_trip_gives_the_same_sheets_and_results(project):
    before = load(Layout.from_args(root=str(project.root)))
    result = make(project, "--out", "filled.xlsx", "--scores", "scores")
    assert result.code == 0, result.err
    assert result.out == "已生成 2023 年评分工作簿 filled.xlsx：24 个机构（已按现有评分表填写）\n"
    # the sample mark (`sample: true`) is not carried by the workbook: what is imported is what the experts filled in
    originals = {
        p.name: {k: v for k, v in _entries(p).items() if k != "sample"}
        for p in project.path("scores/2023").glob("[PM]*.yaml")
    }
    for sheet in project.path("scores/2023").glob("[PM]*.yaml"):
        sheet.unlink()
    result = project.cli("import", "filled.xlsx")
    assert result.code == 0, result.err
    assert result.out.count("已写出 scores/2023/") == 24
    # the imported files say exactly what the hand-written ones said (compared as YAML data, not
    # through the module's own conversion)
    assert {p.name: _entries(p) for p in project.path("scores/2023").glob("[PM]*.yaml")} == originals
    after = load(Layout.from_args(root=str(project.root)))
    old, new = before.reports[0], after.reports[0]
    assert [wbk.sheet_as_data(s) for s in new.data.sheets] == [wbk.sheet_as_data(s) for s in old.data.sheets]
    assert [(r.institution.id, r.total, r.outcome, r.rank) for r in new.results] == [
        (r.institution.id, r.total, r.outcome, r.rank) for r in old.results
    ]
    # importing the same workbook again changes nothing
    again = project.cli("import", "filled.xlsx")
    assert again.code == 0 and again.out.count("未变：") == 24


def test_workbook_layout_dropdowns_protection_formulas(project):
    assert make(project, "--out", "blank.xlsx", "--institution", "P03", "M01").code == 0
    wb = load_workbook(project.path("blank.xlsx"))
    assert wb.sheetnames == ["填写说明", "P03 山西省瑜伽科学健身学会", "M01 忻州市高级技工学校", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    ws = wb["P03 山西省瑜伽科学健身学会"]
    assert [ws.cell(row=6, column=c).value for c in range(1, 10)] == list(wbk.HEADERS)
    rows = rows_by_id(ws)
    assert len(rows) == 140
    r = rows["1-16"]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    lists[ws.cell(row=row, column=col).coordinate] = dv.formula1
    assert lists[f"I{r}"] == '"0,0.3,0.6,0.9,1.2,1.5"'
    assert lists[f"I{rows['1-12']}"] == '"0,0.75,1.5"'
    assert lists["C3"] == '"是,否"' and lists["C4"] == '"是,否"'
    assert ws.protection.sheet
    assert ws[f"E{r}"].protection.locked and ws[f"A{r}"].protection.locked
    assert not ws[f"I{r}"].protection.locked and not ws[f"H{r}"].protection.locked
    section_rows = [row for row in range(7, ws.max_row + 1) if ws[f"A{row}"].value == "第1部分"]
    assert ws[f"I{section_rows[0]}"].value == f"=SUM(I{rows['1-01']}:I{rows['1-56']})"
    totals = {ws[f"H{row}"].value: ws[f"I{row}"].value for row in range(ws.max_row - 3, ws.max_row + 1)}
    assert totals["总分"].startswith("=I") and "+" in totals["基础分（第一至五部分）"]
    assert not ws[f"H{rows['6-04']}"].protection.locked  # the veto evidence cell


@pytest.fixture
def filled(project):
    assert make(project, "--out", "评分表.xlsx", "--scores", "scores", "--institution", "P03").code == 0
    return project


def _edit(project, change):
    path = project.path("评分表.xlsx")
    wb = load_workbook(path)
    ws = wb["P03 山西省瑜伽科学健身学会"]
    change(ws, rows_by_id(ws))
    wb.save(path)


def _import_error(project, *args):
    before = project.read("scores/2023/P03.yaml")
    result = project.cli("import", "评分表.xlsx", "--force", *args)
    assert result.code == 1
    assert project.read("scores/2023/P03.yaml") == before  # nothing written
    return result.err


def test_text_in_a_score_cell(filled):
    _edit(filled, lambda ws, rows: ws.__setitem__(f"I{rows['1-03']}", "满分"))
    row = rows_by_id(load_workbook(filled.path("评分表.xlsx"))["P03 山西省瑜伽科学健身学会"])["1-03"]
    assert _import_error(filled) == (
        f"错误：数据有 1 处问题，未写出任何文件：\n"
        f"  评分表.xlsx!P03!I{row}: 机构 P03: 指标 1-03: 得分 满分 不是数字；可得 0、1\n"
    )


def test_value_outside_the_dropdown(filled):
    _edit(filled, lambda ws, rows: ws.__setitem__(f"I{rows['1-16']}", 1.25))
    row = rows_by_id(load_workbook(filled.path("评分表.xlsx"))["P03 山西省瑜伽科学健身学会"])["1-16"]
    assert (
        f"评分表.xlsx!P03!I{row}: 机构 P03: 指标 1-16: 得分 1.25 不是本项评分规则可得的分值；可得 0、0.3、0.6、0.9、1.2、1.5"
        in _import_error(filled)
    )


def test_missing_reason(filled):
    def change(ws, rows):
        ws[f"I{rows['2-01']}"] = 0.5
        ws[f"H{rows['2-01']}"] = None

    _edit(filled, change)
    row = rows_by_id(load_workbook(filled.path("评分表.xlsx"))["P03 山西省瑜伽科学健身学会"])["2-01"]
    assert f"评分表.xlsx!P03!H{row}: 机构 P03: 指标 2-01: 得分 0.5 低于满分 1，须写明扣分原因" in _import_error(filled)


def test_deleted_row(filled):
    def change(ws, rows):
        ws.protection.sheet = False
        ws.delete_rows(rows["1-05"])

    _edit(filled, change)
    assert (
        "评分表.xlsx!P03!A7: 机构 P03: 指标 1-05: 缺少指标 1-05 的行；工作表不能删除行，请重新生成工作簿后填写"
        in _import_error(filled)
    )


def test_a_workbook_that_is_not_ours(project):
    wb = Workbook()
    wb.active["A1"] = "机构"
    wb.save(project.path("other.xlsx"))
    project.write("notes.xlsx", "这不是工作簿")
    result = project.cli("import", "other.xlsx", "notes.xlsx")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "错误：数据有 2 处问题，未写出任何文件："
    assert lines[1] == "  other.xlsx: 不是本系统生成的评分工作簿；请用 python -m site_builder workbook 生成工作簿后填写"
    assert lines[2] == (
        "  notes.xlsx: 不是 Excel 工作簿（.xlsx）（可能是 CSV 或其他格式）；"
        "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再导入"
    )


def test_existing_sheet_is_not_overwritten_without_force(filled):
    _edit(
        filled, lambda ws, rows: (ws.__setitem__(f"I{rows['1-01']}", 0), ws.__setitem__(f"H{rows['1-01']}", "复核扣分"))
    )
    old = filled.sheet("P03")["items"]["1-01"]
    result = filled.cli("import", "评分表.xlsx")
    assert result.code == 1
    assert "scores/2023/P03.yaml: 机构 P03: 已有评分表与工作簿不同，未覆盖（确认无误后加 --force）：1-01 " in result.err
    assert "→ 0（复核扣分）" in result.err
    assert filled.sheet("P03")["items"]["1-01"] == old
    forced = filled.cli("import", "评分表.xlsx", "--force")
    assert forced.code == 0 and forced.out == "评分表.xlsx：导入 1 个机构（P03）\n已写出 scores/2023/P03.yaml\n"
    new = filled.sheet("P03")["items"]["1-01"]
    assert (new["score"], new["reason"]) == (0, "复核扣分")


def test_hostile_text_survives_the_round_trip_as_data(filled):
    reason = 'a: b, {c}] #d "e" <script>'
    _edit(filled, lambda ws, rows: (ws.__setitem__(f"I{rows['1-01']}", 0), ws.__setitem__(f"H{rows['1-01']}", reason)))
    assert filled.cli("import", "评分表.xlsx", "--force").code == 0
    assert filled.sheet("P03")["items"]["1-01"]["reason"] == reason


def test_results_xlsx(project):
    assert project.cli("build").code == 0
    wb = load_workbook(project.path("output/2023/data/results.xlsx"))
    assert wb.sheetnames == ["考核结果", "指标得分"]
    results = list(wb["考核结果"].iter_rows(values_only=True))
    assert len(results) == 49 and results[2][:2] == ("P02", "山西国智职业培训学校") and results[2][7] == 89.75
    assert results[0][7] == "总分" and results[2][5:7] == ("是", "是")
    long = list(wb["指标得分"].iter_rows(values_only=True))
    assert long[0] == ("机构编号", "机构名称", "指标", "满分", "得分", "扣分原因", "自评分")
    assert len(long) == 1 + 24 * 140
    p06 = [row for row in long if row[0] == "P06" and row[2] == "6-06"]
    assert p06[0][4] == "存在"
    shutil.copy(project.path("output/2023/data/results.xlsx"), project.path("first.xlsx"))
    assert project.cli("build").code == 0
    assert project.path("first.xlsx").read_bytes() == project.path("output/2023/data/results.xlsx").read_bytes()


def test_a_drop_down_longer_than_excel_allows_is_refused_with_the_indicator(project):
    """Excel's lists and messages hold 255 characters; a rule with 101 reachable scores cannot be a
    drop-down, and the workbook is not written (XlsxWriter refuses it; openpyxl wrote a file Excel repairs)."""
    project.edit("rubric/2023.yaml", "scoring: {kind: deduct, per: 0.5}", "scoring: {kind: deduct, per: 0.01}")
    result = make(project, "--out", "w.xlsx")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        "  rubric/2023.yaml: 指标 1-04: 可得的分值有 101 个，写成下拉列表超出 Excel 的长度上限（255 个字符），"
        "无法生成评分工作簿；请检查评分规则 scoring 的步长 per\n"
    )
    assert not project.path("w.xlsx").exists()
