"""Hypothesis-driven fuzzing: random mutations of sheets, rosters, statuses and workbooks.

Whatever the input, the loaders either return a valid record or report problems (DataError through
`raise_if_any`); no other exception, and every message is short.
"""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support.project import REPO

from site_builder.domain.scoring import score_sheet
from site_builder.errors import DataError, Problems
from site_builder.read.content import load_content
from site_builder.read.datafile import Paths
from site_builder.read.project import load_roster, load_rubric, load_sheet
from site_builder.read.roster import load_status
from site_builder.sheets import workbook as wbk

_paths = Paths(REPO / "rubric", REPO / "scores", REPO)
_problems = Problems()
RUBRIC = load_rubric(REPO / "rubric/2023.yaml", _paths, _problems)
ROSTER = load_roster(REPO / "scores/2023/roster.yaml", 2023, _paths, _problems)
assert not _problems
SHEET = (REPO / "scores/2023/P06.yaml").read_text(encoding="utf-8")
ROSTER_TEXT = (REPO / "scores/2023/roster.yaml").read_text(encoding="utf-8")
STATUS = (
    "status: approved\napproved_by: 忻州市人力资源和社会保障局\napproved_on: 2024-01-12\n"
    "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n"
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))

HOSTILE = st.sampled_from(
    [
        "&a ",
        "*a",
        "<<: ",
        "<<: {1-01: 1}",
        "\x1b",
        "\\x1b",
        "\u200b",
        "\u202e",
        "[" * 50,
        "{" * 40,
        "1e+9999",
        "1.0e+999999999999999999",
        "9" * 30,
        "2024-02-30",
        "2024-13-01",
        "'",
        '"',
        ":",
        "- ",
        "\t",
        "\n",
        "  ",
        "#",
        "?",
        "!!python/object:os.system",
        "!!binary",
        "~",
        "null",
        "true",
        "否",
        "无",
        "P𝟎𝟏",
        "M٠٢",
        "M01\n",
        "=HYPERLINK(1)",
        "-1",
        ".nan",
        ".inf",
        "0x1F",
        "0o17",
        "1_000",
        "1:30",
        "P99",
        "7-99",
        "6-01",
        "veto:",
        "items:",
        "institution: P01\n",
        "\ufeff",
        "\x00",
        "\udcff",
        "𝟘",
        "0x_",
        "0b_",
        "!!float x",
        "!!map x",
        "!!timestamp x",
        "!!bool x",
        "!!set {a}",
        "? [a]\n: 1",
        "2024-01-01 25:00:00",
    ]
)


@st.composite
def mutated(draw, text: str):
    """A text with a few random edits: insertions of hostile fragments, deletions, duplicated lines."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "replace_value"]))
        pos = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:pos] + draw(st.one_of(HOSTILE, st.text(max_size=5))) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)) :]
        elif kind == "duplicate":
            lines = text.splitlines(keepends=True)
            if lines:
                n = draw(st.integers(0, len(lines) - 1))
                lines.insert(n, lines[n])
                text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            n = draw(st.integers(0, max(len(lines) - 1, 0)))
            if lines and ":" in lines[n]:
                key = lines[n].split(":", 1)[0]
                lines[n] = f"{key}: {draw(HOSTILE)}\n"
                text = "".join(lines)
    return text


def _write(path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


def _settled(problems: Problems, record) -> None:
    """Either a record and no problems, or problems that make one short DataError."""
    assert (record is None) == bool(problems.items)
    for problem in problems.items:
        assert len(str(problem)) < 600, str(problem)[:200]
    if problems:
        try:
            problems.raise_if_any()
        except DataError as exc:
            assert exc.problems
        else:  # pragma: no cover
            raise AssertionError("no DataError")


@FUZZ
@given(text=mutated(SHEET))
def test_fuzzed_sheets(tmp_path, text):
    path = tmp_path / "P06.yaml"
    _write(path, text)
    problems = Problems()
    sheet = load_sheet(path, RUBRIC, ROSTER, Paths(tmp_path, tmp_path, tmp_path), problems)
    _settled(problems, sheet)
    if sheet is not None:
        result = score_sheet(RUBRIC, ROSTER.get(sheet.institution), sheet)
        assert 0 <= result.total <= RUBRIC.total_max


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated(ROSTER_TEXT))
# found by a local run: a roster with a problem in its sample mark was also returned
@example(text=ROSTER_TEXT.replace("sample: true", "sample: t&a rue", 1))
def test_fuzzed_rosters(tmp_path, text):
    path = tmp_path / "roster.yaml"
    _write(path, text)
    problems = Problems()
    roster = load_roster(path, 2023, Paths(tmp_path, tmp_path, tmp_path), problems)
    _settled(problems, roster)
    if roster is not None:
        assert all(i.id.isascii() and i.name.strip() for i in roster.institutions)


@FUZZ
@given(text=mutated(STATUS))
def test_fuzzed_statuses(tmp_path, text):
    path = tmp_path / "status.yaml"
    _write(path, text)
    problems = Problems()
    status = load_status(path, Paths(tmp_path, tmp_path, tmp_path), problems)
    _settled(problems, status)
    if status is not None and status.status == "approved":
        assert status.approved_by.strip()
        assert status.approved_on <= status.published_on < status.objection_deadline


_BOOK = wbk.make_workbook(RUBRIC, ROSTER, [ROSTER.get("P06")], {}, dt.date(2024, 1, 15))
CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    HOSTILE.filter(lambda s: "\x00" not in s and "\udcff" not in s and "\x1b" not in s),
    st.sampled_from(["是", "否", "P06", "P05", "山西爱国拥军促进会", "1", "0.5", "连续两年未开展评价工作", "未发现"]),
)


@FEW
@given(
    edits=st.lists(st.tuples(st.sampled_from("BCFGHI"), st.integers(2, 170), CELL_VALUES), max_size=12),
    title=st.sampled_from([None, "   ", "P05 山西爱国拥军促进会", "P06", "x"]),
)
def test_fuzzed_workbooks(edits, title):
    wb = load_workbook(io.BytesIO(_BOOK))
    ws = wb.worksheets[1]
    for col, row, value in edits:
        ws[f"{col}{row}"] = value
    if title is not None:
        ws.title = title
    problems = Problems()
    sheets = wbk.import_sheets(wb, "w.xlsx", RUBRIC, ROSTER, problems)
    assert bool(sheets) != bool(problems.items) or not sheets
    _settled(problems, sheets or None)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(cuts=st.lists(st.tuples(st.integers(0, len(_BOOK) - 1), st.binary(max_size=8)), min_size=1, max_size=4))
def test_fuzzed_workbook_bytes(tmp_path, cuts):
    data = bytearray(_BOOK)
    for pos, junk in cuts:
        data[pos : pos + len(junk)] = junk
    path = tmp_path / "w.xlsx"
    path.write_bytes(bytes(data))
    problems = Problems()
    opened = wbk.read_year(path, "w.xlsx", problems)
    if opened is not None:
        wb, year = opened
        sheets = wbk.import_sheets(wb, "w.xlsx", RUBRIC, ROSTER, problems)
        _settled(problems, sheets or None)
    else:
        _settled(problems, None)


RUBRIC_TEXT = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")


@FEW
@given(text=mutated(RUBRIC_TEXT))
def test_fuzzed_rubrics(tmp_path, text):
    path = tmp_path / "2023.yaml"
    _write(path, text)
    problems = Problems()
    rubric = load_rubric(path, Paths(tmp_path, tmp_path, tmp_path), problems)
    _settled(problems, rubric)


def test_a_page_whose_sample_mark_is_neither_true_nor_false_is_a_problem_not_a_page(tmp_path):
    """As a roster and a sheet: the loader gives the page or problems, never both (found for the roster
    by the fuzzer above)."""
    content = tmp_path / "content"
    (content / "2023").mkdir(parents=True)
    (content / "site.yaml").write_bytes((REPO / "content/site.yaml").read_bytes())
    text = (REPO / "content/2023/announcement.md").read_text(encoding="utf-8")
    assert "sample: true" in text
    (content / "2023/announcement.md").write_text(text.replace("sample: true", "sample: 1", 1), encoding="utf-8")
    problems = Problems()
    _config, _pages, announcements = load_content(
        content, [2023], lambda p: p.relative_to(tmp_path).as_posix(), problems
    )
    assert 2023 not in announcements
    assert [(p.file, p.message) for p in problems.items] == [
        ("content/2023/announcement.md", "sample 为 1；示例数据文件写 sample: true，正式数据请删去这一行")
    ]
    # with its period wrong too: both named in the one run
    (content / "2023/announcement.md").write_text(
        text.replace("sample: true", "sample: 1", 1).replace("assessed_to: 2024-01-10", "assessed_to: 明年", 1),
        encoding="utf-8",
    )
    problems = Problems()
    _config, _pages, announcements = load_content(
        content, [2023], lambda p: p.relative_to(tmp_path).as_posix(), problems
    )
    assert 2023 not in announcements
    assert [p.message for p in problems.items] == [
        "sample 为 1；示例数据文件写 sample: true，正式数据请删去这一行",
        "页面开头的设置 assessed_to 须为日期（考核期结束日期，格式 YYYY-MM-DD，如 assessed_to: 2024-01-10），实为 明年",
    ]
