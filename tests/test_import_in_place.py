"""`import` edits a score sheet in place (issue 25): a workbook made from the repo's own sheets changes
no file, one changed cell is one changed line, comments and the header stay; every problem of every
sheet is named in one run, and then nothing is written."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from ruamel.yaml import YAML
from support.project import copy_project
from support.yamlfiles import load_yaml

from site_builder.commands import workbooks
from site_builder.sheets import sheetyaml

BOOK = "评分表.xlsx"


def rows_by_id(ws) -> dict[str, int]:
    return {
        ws[f"A{r}"].value: r
        for r in range(1, ws.max_row + 1)
        if isinstance(ws[f"A{r}"].value, str) and ws[f"A{r}"].value[:1].isdigit() and "-" in ws[f"A{r}"].value
    }


def sheets_text(project) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(project.path("scores/2023").glob("*.yaml"))}


def changed_lines(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Every line of the unified diff between two snapshots that is removed or added, prefixed with its file."""
    out = []
    for name in sorted(set(before) | set(after)):
        diff = difflib.unified_diff(
            before.get(name, "").splitlines(keepends=True), after.get(name, "").splitlines(keepends=True), n=0
        )
        out += [
            f"{name} {line.rstrip(chr(10))}" for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")
        ]
    return out


TOUCHED = ("P03", "P06", "M02")  # in the roster's order, as the whole workbook has them
"""The institutions whose sheets the tests edit: most tests import a workbook of these three sheets
(loading, editing and saving a workbook with openpyxl, and importing it, take time by the sheet); the
tests about every sheet import the whole one (`whole_book`)."""


def _made(tmp_path_factory, *institutions: str) -> bytes:
    project = copy_project(tmp_path_factory.mktemp("book") / "p")
    chosen = ("--institution", *institutions) if institutions else ()
    result = project.cli("workbook", "--out", BOOK, "--scores", "scores", *chosen)
    assert result.code == 0, result.err
    return project.path(BOOK).read_bytes()


@pytest.fixture(scope="module")
def made_book(tmp_path_factory) -> bytes:
    """The experts' workbook of the `TOUCHED` sheets made from the repo's sheets, once for the module."""
    return _made(tmp_path_factory, *TOUCHED)


@pytest.fixture(scope="module")
def made_whole_book(tmp_path_factory) -> bytes:
    """The experts' whole workbook (every institution that was assessed), made from the repo's sheets."""
    return _made(tmp_path_factory)


@pytest.fixture
def book(project, made_book):
    """A copy of the repo's data with the `TOUCHED` sheets' workbook in it, as
    `workbook --out 评分表.xlsx --institution P03 P06 M02` leaves it."""
    project.path(BOOK).write_bytes(made_book)
    return project


@pytest.fixture
def whole_book(project, made_whole_book):
    """A copy of the repo's data with the whole workbook in it, as `workbook --out 评分表.xlsx` leaves it."""
    project.path(BOOK).write_bytes(made_whole_book)
    return project


def edit(project, changes: dict[str, dict[str, object]]) -> dict[str, dict[str, int]]:
    """Set cells of the workbook: {institution: {cell or 'column:indicator': value}}; returns each sheet's rows."""
    path = project.path(BOOK)
    wb = load_workbook(path)
    rows = {}
    for inst, cells in changes.items():
        ws = next(w for w in wb.worksheets if w.title.split()[0] == inst)
        rows[inst] = rows_by_id(ws)
        for ref, value in cells.items():
            if ":" in ref:
                col, ind = ref.split(":")
                ref = f"{col}{rows[inst][ind]}"
            ws[ref] = value
    wb.save(path)
    return rows


def test_a_workbook_made_from_the_sheets_changes_nothing(whole_book):
    before = sheets_text(whole_book)
    for args in ((), ("--force",)):
        result = whole_book.cli("import", BOOK, *args)
        assert result.code == 0, result.err
        assert result.out.count("未变：") == 24 and "已写出" not in result.out
        assert sheets_text(whole_book) == before


def test_one_changed_cell_is_one_changed_line(book):
    before = sheets_text(book)
    edit(book, {"M02": {"I:1-12": 0}})  # 0.75 → 0, its reason stays
    result = book.cli("import", BOOK, "--force")
    assert result.code == 0, result.err
    assert "已写出 scores/2023/M02.yaml" in result.out and result.out.count("未变：") == len(TOUCHED) - 1
    old_line = "  1-12: {score: 0.75, reason: 佐证资料不全，缺1项}"
    assert old_line in before["M02.yaml"].splitlines()
    assert changed_lines(before, sheets_text(book)) == [
        f"M02.yaml -{old_line}",
        "M02.yaml +  1-12: {score: 0, reason: 佐证资料不全，缺1项}",
    ]
    # the header comment and the sample mark are the file's own: kept
    assert sheets_text(book)["M02.yaml"].startswith("# 示例数据（非正式结果）：忻州市饭店烹饪协会\n")
    assert book.validate().code == 0


def test_scores_are_written_as_the_sheets_write_them(book):
    before = sheets_text(book)
    # 0.3 as a spreadsheet stores it (a binary float), 1.2 as text: written 0.3 and 1.2, never 0.29999…
    edit(book, {"M02": {"I:1-16": 0.3, "H:1-16": "佐证资料不全", "I:1-12": 1.5, "H:1-12": None}})
    assert book.cli("import", BOOK, "--force").code == 0
    assert changed_lines(before, sheets_text(book)) == [
        "M02.yaml -  1-12: {score: 0.75, reason: 佐证资料不全，缺1项}",
        "M02.yaml +  1-12: 1.5",
        "M02.yaml -  1-16: {score: 1.5, self: 1.5}",
        "M02.yaml +  1-16: {score: 0.3, reason: 佐证资料不全, self: 1.5}",
    ]


TRICKY = [
    "是",
    "1-01",
    "null",
    "yes",
    "No",
    "on",
    "2024-01-08",
    "1:20",
    "缺: 资料",
    "缺 #2 项",
    "'引号'",
    '"双引号"',
    "[1]",
]


def test_texts_yaml_would_read_as_something_else_are_quoted(book):
    before = sheets_text(book)
    ids = ["1-01", "1-02", "1-04", "1-05", "1-06", "1-08", "1-11", "1-12", "1-13", "1-14", "1-17", "1-18", "1-21"]
    edit(book, {"M02": {f"H:{ind}": text for ind, text in zip(ids, TRICKY, strict=True)}})
    result = book.cli("import", BOOK, "--force")
    assert result.code == 0, result.err
    after = sheets_text(book)
    # read back by PyYAML itself (YAML 1.1: yes/No/on are booleans there), not by the project's reader
    items = load_yaml(after["M02.yaml"])["items"]
    assert [items[ind]["reason"] for ind in ids] == TRICKY
    lines = changed_lines(before, after)
    assert len(lines) == 2 * len(ids) and all(line.startswith("M02.yaml ") for line in lines)
    written = {line.split()[2]: line for line in lines if line.startswith("M02.yaml +")}
    assert "reason: 是}" in written["1-01:"]  # plain where it reads back as the same text
    assert 'reason: "null"' in written["1-04:"] and 'reason: "yes"' in written["1-05:"]
    assert book.validate().code == 0


def test_comments_and_hand_written_layout_stay(book):
    text = book.read("scores/2023/M02.yaml")
    text = text.replace("  1-03: 1\n", "  # 第3项：复核后确认\n  1-03: 1  # 满分\n")
    text = text.replace(
        "  1-04: {score: 0, reason: 记录不完整，缺2项}\n", "  1-04:\n    score: 0\n    reason: '记录不完整，缺2项'\n"
    )
    book.write("scores/2023/M02.yaml", text)
    edit(book, {"M02": {"I:1-04": 0.5, "H:1-05": "记录不完整，缺3项"}})
    assert book.cli("import", BOOK, "--force").code == 0
    assert changed_lines({"M02.yaml": text}, {"M02.yaml": book.read("scores/2023/M02.yaml")}) == [
        "M02.yaml -    score: 0",
        "M02.yaml +    score: 0.5",
        "M02.yaml -  1-05: {score: 0, reason: 记录不完整，缺1项, self: 1}",
        "M02.yaml +  1-05: {score: 0, reason: 记录不完整，缺3项, self: 1}",
    ]
    assert "  # 第3项：复核后确认\n  1-03: 1  # 满分\n" in book.read("scores/2023/M02.yaml")


def test_items_removed_and_added_back_in_their_places(book):
    original = book.read("scores/2023/P06.yaml")
    shutil.copy(book.path(BOOK), book.path("原样.xlsx"))
    wb = load_workbook(book.path(BOOK))
    ws = next(w for w in wb.worksheets if w.title.startswith("P06"))
    senior = [ind for ind, row in rows_by_id(ws).items() if "仅适用于评价技师" in str(ws[f"E{row}"].value)]
    assert senior and all(f"  {ind}: " in original for ind in senior)  # P06 assesses technicians
    edit(book, {"P06": {"C3": "否", **{f"{col}:{ind}": None for ind in senior for col in "FGHI"}}})
    assert book.cli("import", BOOK, "--force").code == 0
    lines = changed_lines({"P06.yaml": original}, {"P06.yaml": book.read("scores/2023/P06.yaml")})
    assert lines[:2] == ["P06.yaml -senior_levels: true", "P06.yaml +senior_levels: false"]
    assert [line.split()[2] for line in lines[2:]] == [f"{ind}:" for ind in senior]
    assert all(line.startswith("P06.yaml -  ") for line in lines[2:])
    # the workbook as it was: every item goes back where it was, the file is what it was
    assert book.cli("import", "原样.xlsx", "--force").code == 0
    assert book.read("scores/2023/P06.yaml") == original


def test_a_new_sheet_is_written_in_the_usual_format(whole_book):
    before = sheets_text(whole_book)
    for p in whole_book.path("scores/2023").glob("[PM]*.yaml"):
        p.unlink()
    result = whole_book.cli("import", BOOK)
    assert result.code == 0, result.err
    after = sheets_text(whole_book)
    for name, text in before.items():
        if name[0] not in "PM":
            continue
        # the same lines as the hand-written sheet (texts plain, scores as written), but the sample mark,
        # which the workbook does not carry, and its comment
        body = [line for line in text.splitlines() if not line.startswith(("#", "sample:"))]
        lines = after[name].splitlines()
        assert lines[0].startswith("# ") and "示例" not in lines[0]
        assert lines[1:] == body, name


def test_every_problem_of_every_sheet_in_one_run(book):
    before = sheets_text(book)
    rows = edit(
        book,
        {
            "M02": {"C5": "明年", "I:2-01": 0, "H:2-01": None},  # a date that is none, a missing reason
            "P03": {"I:1-03": "满分"},
        },
    )
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        "错误：数据有 3 处问题，未写出任何文件：\n"
        f"  {BOOK}!P03!I{rows['P03']['1-03']}: 机构 P03: 指标 1-03: 得分 满分 不是数字；可得 0、1\n"
        f"  {BOOK}!M02!C5: 机构 M02: 评估日期须为日期（如 2024-01-08），实为 明年\n"
        f"  {BOOK}!M02!H{rows['M02']['2-01']}: 机构 M02: 指标 2-01: 得分 0 低于满分 1，须写明扣分原因\n"
    )
    assert sheets_text(book) == before


def test_a_changed_sheet_without_force_is_named_with_the_cell_problems(book):
    before = sheets_text(book)
    rows = edit(book, {"M02": {"I:1-12": 0}, "P03": {"I:1-03": "满分"}})
    result = book.cli("import", BOOK)
    assert result.code == 1
    assert result.err == (
        "错误：数据有 2 处问题，未写出任何文件：\n"
        f"  {BOOK}!P03!I{rows['P03']['1-03']}: 机构 P03: 指标 1-03: 得分 满分 不是数字；可得 0、1\n"
        "  scores/2023/M02.yaml: 机构 M02: 已有评分表与工作簿不同，未覆盖（确认无误后加 --force）："
        "1-12 0.75（佐证资料不全，缺1项） → 0（佐证资料不全，缺1项）\n"
    )
    assert sheets_text(book) == before


def test_a_flag_not_chosen_hides_no_problem_and_makes_none_up(book):
    before = sheets_text(book)
    rows = edit(book, {"P06": {"C3": None, "I:1-03": 7}})
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1
    assert result.err == (
        "错误：数据有 2 处问题，未写出任何文件：\n"
        f"  {BOOK}!P06!C3: 机构 P06: 请选择 是 或 否，实为 空\n"
        f"  {BOOK}!P06!I{rows['P06']['1-03']}: 机构 P06: 指标 1-03: 得分 7 超出 0 至 1 的范围；可得 0、1\n"
    )
    assert sheets_text(book) == before


@pytest.mark.parametrize(
    "text, shown",
    [("记录不完整\n缺2项", "U+000A（控制字符）"), ("记录\u200b不完整", "U+200B")],
)
def test_the_text_gate_runs_on_imported_texts(book, text, shown):
    before = sheets_text(book)
    rows = edit(book, {"M02": {"H:1-04": text}})
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1
    assert f"{BOOK}!M02!H{rows['M02']['1-04']}: 机构 M02: 指标 1-04: " in result.err
    assert shown in result.err
    assert sheets_text(book) == before


def test_a_failed_write_puts_back_the_sheets_written_before(book, monkeypatch):
    before = sheets_text(book)
    edit(book, {"M02": {"I:1-12": 0}, "P03": {"I:1-03": 0, "H:1-03": "未提供"}})
    real = workbooks.replace_file
    calls: list[Path] = []

    def failing(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(workbooks, "replace_file", failing)
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1 and result.err.endswith("scores/2023/M02.yaml：磁盘空间已满\n")
    assert len(calls) == 2
    assert sheets_text(book) == before


def test_a_sheet_edited_meanwhile_is_not_overwritten(book, monkeypatch):
    before = sheets_text(book)
    edit(book, {"M02": {"I:1-12": 0}})
    real = sheetyaml.edited_text

    def meanwhile(text, old, new):
        book.edit("scores/2023/M02.yaml", "1-03: 1", "1-03: 0")  # someone saves the sheet in an editor
        return real(text, old, new)

    monkeypatch.setattr(sheetyaml, "edited_text", meanwhile)
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1
    assert result.err.startswith(
        "错误：数据有 1 处问题，未写出任何文件：\n  scores/2023/M02.yaml: 导入过程中该文件被改动或新建了"
    )
    assert sheets_text(book) == {**before, "M02.yaml": before["M02.yaml"].replace("1-03: 1", "1-03: 0", 1)}


_BASE = {
    "institution": "M02",
    "assessed_on": dt.date(2024, 1, 7),
    "senior_levels": False,
    "online_exam": False,
    "items": {"1-01": {"score": Decimal("0"), "reason": "原因"}, "1-02": {"score": Decimal("1")}},
    "veto": {},
}
_PIECES = [
    *"ab01:-#{}[],'\"!&*?|>%@` 是，：\\",
    "yes",
    "null",
    "~",
    "1e3",
    "0o17",
    "2024-01-08",
    "1_0",
    ".inf",
    "\u3000",
]


@settings(max_examples=150, deadline=None)
@example("0o17", "1e3", "1", False)  # text to PyYAML (YAML 1.1), numbers to ruamel.yaml (YAML 1.2)
@example("yes", "a?", "0.75", True)  # a boolean to PyYAML; '?' ends a plain text in a flow mapping for one reader
@example("是", "1-01", "89.75", True)
@given(
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map(lambda p: "".join(p).strip()).filter(bool),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map(lambda p: "".join(p).strip()).filter(bool),
    st.sampled_from(["0.75", "0.3", "89.75", "1"]),
    st.booleans(),
)
def test_any_text_and_score_read_back_by_every_reader(reason, evidence, score, veto):
    new = {
        **_BASE,
        "items": {
            "1-01": {"score": Decimal(score), "reason": reason},
            "1-02": {"score": Decimal("0"), "reason": evidence, "self": Decimal("1")},
        },
        "veto": {"6-06": evidence} if veto else {},
    }
    original = sheetyaml.new_text(_BASE, "名")
    for text in (sheetyaml.new_text(new, "名"), sheetyaml.edited_text(original, _BASE, new)):
        # PyYAML's pure-Python loader (YAML 1.1) and ruamel.yaml's (YAML 1.2), not the project's reader
        for data in (yaml.load(text, Loader=yaml.SafeLoader), YAML(typ="safe", pure=True).load(text)):
            assert data["items"]["1-01"] == {"score": float(score) if "." in score else int(score), "reason": reason}
            assert data["items"]["1-02"]["reason"] == evidence
            assert data["veto"] == ({"6-06": evidence} if veto else {})
        assert f"score: {score}," in text
    # and back: the sheet as it was, byte for byte
    assert sheetyaml.edited_text(sheetyaml.edited_text(original, _BASE, new), new, _BASE) == original


def test_the_privacy_scan_runs_on_imported_texts_with_their_cells(book):
    before = sheets_text(book)
    rows = edit(
        book,
        {
            "M02": {
                "H:1-04": "记录不完整，联系人 138 1234 5678",
                "F:1-05": "已联系 0350-3020718",  # the office's own number (content/site.yaml): allowed
                "C5": "x",
            },
            "P06": {"H:6-06": "经查实，违规收费，举报人身份证 110101199003074514"},
        },
    )
    result = book.cli("import", BOOK, "--force")
    assert result.code == 1
    assert result.err == (
        "错误：数据有 3 处问题，未写出任何文件：\n"
        f"  {BOOK}!P06!H{rows['P06']['6-06']}: 机构 P06: 指标 6-06: "
        "否决项证据含居民身份证号 110***********4514：请去标识化，如 138****1234，或删去\n"
        f"  {BOOK}!M02!C5: 机构 M02: 评估日期须为日期（如 2024-01-08），实为 x\n"
        f"  {BOOK}!M02!H{rows['M02']['1-04']}: 机构 M02: 指标 1-04: "
        "扣分原因含手机号码 138****5678：请去标识化，如 138****1234，或删去\n"
    )
    assert sheets_text(book) == before


def test_every_sheet_changed_is_one_line_each(whole_book):
    # 24 changed sheets: their edits are spread over forked processes (workbooks.FORK_EDITS)
    before = sheets_text(whole_book)
    names = [name[:-5] for name in before if name[0] in "PM"]
    assert len(names) > workbooks.FORK_EDITS
    edit(whole_book, {inst: {"C5": dt.datetime(2024, 2, 29)} for inst in names})
    result = whole_book.cli("import", BOOK, "--force")
    assert result.code == 0, result.err
    assert result.out.count("已写出") == len(names)
    lines = changed_lines(before, sheets_text(whole_book))
    assert [line.split(" ", 1)[1][:13] for line in lines] == ["-assessed_on:", "+assessed_on:"] * len(names)
    assert [line for line in lines if line.split()[1][0] == "+"] == [
        f"{name}.yaml +assessed_on: 2024-02-29" for name in sorted(names)
    ]
