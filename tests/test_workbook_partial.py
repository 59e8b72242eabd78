"""Workbooks as experts use them: only some sheets filled, one workbook per expert group, totals
visible in any viewer (cached formula values)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.project import copy_project, in_process
from support.yamlfiles import load_yaml

from site_builder.build.flow import Layout, load

P03 = "P03 山西省瑜伽科学健身学会"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """filled.xlsx: every active institution filled from the repo's sheets; blank.xlsx: none filled.
    Made once (each takes seconds); every test gets its own copies."""
    source = copy_project(tmp_path_factory.mktemp("books") / "proj")
    root = str(source.root)
    assert (
        in_process("workbook", "--root", root, "--out", f"{root}/filled.xlsx", "--scores", f"{root}/scores").code == 0
    )
    assert in_process("workbook", "--root", root, "--out", f"{root}/blank.xlsx").code == 0
    return source


@pytest.fixture
def books(project, made):
    for name in ("filled.xlsx", "blank.xlsx"):
        shutil.copy(made.path(name), project.path(name))
    return project


def copy_inputs(project, source: str, target: str, titles: list[str], only=None) -> None:
    """Copy what the expert typed (the unlocked cells) of some sheets from one workbook into another."""
    src = load_workbook(project.path(source))
    dst = load_workbook(project.path(target))
    for title in titles:
        for row in src[title].iter_rows():
            for cell in row:
                if not cell.protection.locked and (only is None or only(cell)):
                    dst[title][cell.coordinate].value = cell.value
    dst.save(project.path(target))


def sheet_data(project, inst: str) -> dict:
    data = load_yaml(project.read(f"scores/2023/{inst}.yaml"))
    data.pop("sample", None)  # the sample mark is not carried by the workbook
    return data


def test_a_24_sheet_workbook_with_one_filled_sheet_imports_that_one(books):
    wb = load_workbook(books.path("blank.xlsx"))
    titles = [t for t in wb.sheetnames if t[:1] in "PM"]
    assert len(titles) == 24
    copy_inputs(books, "filled.xlsx", "blank.xlsx", [P03])
    original = sheet_data(books, "P03")
    before = {p.name: p.read_bytes() for p in books.path("scores/2023").glob("*.yaml") if p.name != "P03.yaml"}
    books.path("scores/2023/P03.yaml").unlink()

    result = books.cli("import", "blank.xlsx")
    assert result.code == 0, result.err
    skipped = [t.split()[0] for t in titles if t != P03]
    assert result.out == (
        f"blank.xlsx：导入 1 个机构（P03）；跳过 23 张未填写的工作表：{'、'.join(skipped)}\n"
        "已写出 scores/2023/P03.yaml\n"
    )
    assert sheet_data(books, "P03") == original
    after = {p.name: p.read_bytes() for p in books.path("scores/2023").glob("*.yaml") if p.name != "P03.yaml"}
    assert after == before  # the skipped sheets touched nothing


def test_a_half_filled_sheet_is_refused_with_its_cells(books):
    filled_ids = {"1-01", "1-02", "1-03"}
    copy_inputs(
        books,
        "filled.xlsx",
        "blank.xlsx",
        [P03],
        only=lambda cell: (
            cell.column_letter == "I" and cell.row > 6 and cell.parent[f"A{cell.row}"].value in filled_ids
        ),
    )
    before = books.read("scores/2023/P03.yaml")
    result = books.cli("import", "blank.xlsx", "--force")
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    rows = _rows(books, "blank.xlsx", P03)
    senior_or_online = [
        r
        for i, r in rows.items()
        if i in {"7-01", "7-02", "7-03", "7-04", "7-05", "7-06", "7-07", "7-08", "7-09", "7-10", "7-11"}
    ]
    assert senior_or_online  # left out: the flags are not chosen yet
    assert lines[1] == (
        f"  blank.xlsx!P03: 机构 P03: 只填了一部分：已填 3 项评估分，还缺 {len(_applicable_all(books))} 项"
        f"（I{rows['1-04']}:I{rows['1-56']}、I{rows['2-01']}:I{rows['2-18']}、"
        f"I{rows['3-01']}:I{rows['3-16']}、I{rows['4-01']}:I{rows['4-05']}、I{rows['5-01']}:I{rows['5-04']}、"
        f"I{rows['7-12']}:I{rows['7-31']}）；请填完整张表，或把整张表清空（清空的表导入时跳过）"
    )
    assert "  blank.xlsx!P03!C3: 机构 P03: 请选择 是 或 否，实为 空" in lines
    assert not any("!P01" in line for line in lines)  # the blank sheets are not checked
    assert books.read("scores/2023/P03.yaml") == before


def _applicable_all(project) -> list[str]:
    """Indicators scored for every institution, except the three filled above."""
    rubric = load_yaml(project.read("rubric/2023.yaml"))
    return [
        i["id"]
        for s in rubric["sections"]
        for g in s["groups"]
        if g.get("applies", "all") == "all"
        for i in g["items"]
        if "max" in i and i["id"] not in {"1-01", "1-02", "1-03"}
    ]


def _rows(project, book: str, title: str) -> dict[str, int]:
    ws = load_workbook(project.path(book))[title]
    return {ws[f"A{r}"].value: r for r in range(7, ws.max_row + 1) if isinstance(ws[f"A{r}"].value, str)}


def test_a_workbook_with_nothing_filled(books):
    result = books.cli("import", "blank.xlsx")
    assert result.code == 1
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        "  blank.xlsx: 工作簿中没有填写任何机构的评分表（每张工作表都没有填评估分）\n"
    )


def test_one_workbook_per_expert_group_merges_back(books):
    assert books.cli("workbook", "--out", "第一组.xlsx", "--institution", "P01", "P02").code == 0
    assert books.cli("workbook", "--out", "第二组.xlsx", "--institution", "P03", "M01").code == 0
    copy_inputs(books, "filled.xlsx", "第一组.xlsx", ["P01 山西工程职业学院", "P02 山西国智职业培训学校"])
    copy_inputs(books, "filled.xlsx", "第二组.xlsx", [P03])  # M01 not done yet
    originals = {i: sheet_data(books, i) for i in ("P01", "P02", "P03")}
    for inst in originals:
        books.path(f"scores/2023/{inst}.yaml").unlink()
    result = books.cli("import", "第一组.xlsx", "第二组.xlsx")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [
        "第一组.xlsx：导入 2 个机构（P01、P02）",
        "第二组.xlsx：导入 1 个机构（P03）；跳过 1 张未填写的工作表：M01",
    ]
    assert {i: sheet_data(books, i) for i in originals} == originals


def test_the_same_institution_filled_differently_in_two_workbooks_is_refused(books):
    assert books.cli("workbook", "--out", "第一组.xlsx", "--institution", "P03").code == 0
    assert books.cli("workbook", "--out", "第二组.xlsx", "--institution", "P03").code == 0
    copy_inputs(books, "filled.xlsx", "第一组.xlsx", [P03])
    copy_inputs(books, "filled.xlsx", "第二组.xlsx", [P03])
    same = books.cli("import", "第一组.xlsx", "第二组.xlsx")
    assert same.code == 0, same.err  # the same scores twice: fine
    wb = load_workbook(books.path("第二组.xlsx"))
    row = _rows(books, "第二组.xlsx", P03)["1-01"]
    wb[P03][f"I{row}"], wb[P03][f"H{row}"] = 0, "未公示"
    wb.save(books.path("第二组.xlsx"))
    result = books.cli("import", "第一组.xlsx", "第二组.xlsx", "--force")
    assert result.code == 1
    assert result.err.splitlines()[1] == (
        "  第二组.xlsx!P03: 机构 P03: 在 第一组.xlsx 和 第二组.xlsx 中都填写了，且内容不同：1-01 1，自评 1 → 0（未公示），自评 1；"
        "请只在一份工作簿中填写该机构，另一份清空后再导入"
    )


def test_totals_are_stored_so_that_any_viewer_shows_them(books):
    site = load(Layout.from_args(root=str(books.root)))
    computed = {r.institution.id: (r.base, r.bonus, r.total) for r in site.reports[0].results if r.assessed}
    cached = load_workbook(books.path("filled.xlsx"), data_only=True)  # what a viewer without a formula engine sees
    seen = {}
    for ws in cached.worksheets:
        if ws.title[:1] not in "PM":
            continue
        labels = {ws[f"H{r}"].value: ws[f"I{r}"].value for r in range(7, ws.max_row + 1)}
        seen[ws.title.split()[0]] = (labels["基础分（第一至五部分）"], labels["加分项"], labels["总分"])
    assert set(seen) == set(computed) and len(seen) == 24
    for inst, values in seen.items():
        assert tuple(float(v) for v in computed[inst]) == values, inst

    frames = pd.read_excel(books.path("filled.xlsx"), sheet_name="P02 山西国智职业培训学校", header=None)
    totals = dict(zip(frames[7], frames[8]))
    assert totals["总分"] == 89.75 and totals["基础分（第一至五部分）"] == 81  # P02's published total

    blank = load_workbook(books.path("blank.xlsx"), data_only=True)[P03]
    assert [blank[f"I{r}"].value for r in range(7, blank.max_row + 1) if blank[f"H{r}"].value == "总分"] == [0]


def test_cached_values_keep_the_workbook_deterministic(books):
    assert books.cli("workbook", "--out", "again.xlsx", "--scores", "scores").code == 0
    assert books.path("again.xlsx").read_bytes() == books.path("filled.xlsx").read_bytes()
