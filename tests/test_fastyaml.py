"""The fast reader (fastyaml) against the full one (yamlio's PyYAML path): on every data file of the
repo, on synthetic sheets and on generated hostile text, it either declines (None) or returns exactly
what the full reader returns — same keys in the same order, same types, same Decimal digits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.build.flow import Layout
from site_builder.commands.synth import write_synthetic
from site_builder.common import fastyaml, yamlio
from site_builder.errors import Problems
from site_builder.read.project import Paths, load_rubric

REPO = Path(__file__).resolve().parent.parent


def full(text: str):
    """The reference: yamlio without the fast path; None where it refuses the text."""
    original = fastyaml.parse
    fastyaml.parse = lambda _text: None
    try:
        return yamlio.parse_yaml(text)
    except yamlio.YamlProblem:
        return None
    finally:
        fastyaml.parse = original


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return a == b


def agrees(text: str) -> bool:
    got = fastyaml.parse(text)
    if got is None:
        return True
    ref = full(text)
    return ref is not None and ref[1] == [] and got[1] == [] and same(got[0], ref[0])


def repo_files() -> list[Path]:
    return sorted(p for folder in ("scores", "rubric", "content") for p in (REPO / folder).rglob("*.yaml"))


def test_every_repo_data_file_reads_the_same():
    files = repo_files()
    assert len(files) > 20
    fast = [p for p in files if fastyaml.parse(p.read_text(encoding="utf-8")) is not None]
    assert len(fast) >= 20  # the sheets take the fast path
    for p in files:
        assert agrees(p.read_text(encoding="utf-8")), p


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("syn")
    layout = Layout.from_args(root=str(REPO))
    rubric_file = sorted(layout.rubric.glob("*.yaml"))[-1]
    problems = Problems()
    rubric = load_rubric(rubric_file, Paths(layout.rubric, layout.scores, layout.root), problems)
    write_synthetic(rubric, rubric_file, layout.content, out, 150, seed=3)
    return sorted((out / "scores").rglob("*.yaml"))


def test_synthetic_sheets_read_the_same(synthetic):
    sheets = [p for p in synthetic if p.stem[0] in "PM"]
    assert len(sheets) > 80
    assert all(fastyaml.parse(p.read_text(encoding="utf-8")) is not None for p in sheets)
    for p in synthetic:
        assert agrees(p.read_text(encoding="utf-8")), p


def test_values_of_each_kind():
    text = (
        "institution: P01\nassessed_on: 2024-01-09\nsenior_levels: false\nonline_exam: true\nitems:\n"
        "  1-01: 1\n  1-02: {score: 0.50, reason: 记录不完整，缺1项, self: 1}\n  1-03: -0\n"
        '  1-04: {score: 0, reason: "含逗号, 和冒号: 的说明"}\nveto: {}\n'
    )
    data, dups = fastyaml.parse(text)
    assert dups == []
    assert data["assessed_on"] == dt.date(2024, 1, 9)
    assert data["items"]["1-02"] == {"score": Decimal("0.50"), "reason": "记录不完整，缺1项", "self": 1}
    assert str(data["items"]["1-02"]["score"]) == "0.50"
    assert data["items"]["1-04"]["reason"] == "含逗号, 和冒号: 的说明"
    assert data["veto"] == {}
    assert agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",
        "a: On\n",
        "a: 01\n",
        "a: 0x10\n",
        "a: 1_000\n",
        "a: 1e5\n",
        "a: .5\n",
        "a: 1.\n",
        "a: ~\n",
        "a: null\n",
        "a: 2024-1-9\n",
        "a: 2024-02-30\n",
        "a: 12:30\n",
        "yes: 1\n",
        "a: 1\na: 2\n",
        "items:\n  1-01: 1\n  1-01: 2\n",
        "items:\n  1-01: 1\n    1-02: 2\n",
        "items:\n",
        "a: 1\r\nb: 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "---\na: 1\n",
        "a: 1 # note\n",
        "a:\tb\n",
        "a: 文字 # 注释\n",
        'a: "转义\\n"\n',
        "a: 'single'\n",
        "a: {b: 1,c: 2}\n",
        "a: {b: {c: 1}}\n",
        "a: [1, 2]\n",
        "- 1\n",
        "a: 文字\u2028b\n",
        "a: 文字\x85\n",
        "a: \ufeff文字\n",
        "a: -文字\n",
        "a: 文字:b\n",
        "a:  文字\n",
        "a: 12345678901234567890123\n",
        "a: 0.000000000000000000000001\n",
        "",
        "# only a comment\n",
        "a: 'x''y'\n",
        "a: null\n",
        "a: Null\n",
        "a: NULL\n",
        "items:\n  - 1\n  a: 2\n",
        "items:\n  a: 1\n  - 2\n",
        "items:\n- 1\n",
        "items:\n  - {a: 'x, y', b: null}\n",
        "items:\n  - - 1\n",
        "items:\n  -  1\n",
        "items:\n  - \n",
        "items:\n  - {a: '引号\"内'}\n",
        'items:\n  - {a: "单\'引"}\n',
        "items:\n  - a: 1\n",
        "items:\n  - 名称: 值\n",
        "items:\n  - {id: P01, name: 学校, county: null, code: '91140900MA0000001F'}\n  - {id: P02}\n",
    ],
)
def test_hostile_or_unusual_text_is_declined_or_equal(text):
    assert agrees(text)


def test_a_roster_of_one_line_mappings():
    text = (
        "year: 2023\ninstitutions:\n  - {id: P01, name: 学校, county: null, active: true, code: '911'}\n  - {id: M01}\n"
    )
    data, _ = fastyaml.parse(text)
    assert data == {
        "year": 2023,
        "institutions": [{"id": "P01", "name": "学校", "county": None, "active": True, "code": "911"}, {"id": "M01"}],
    }
    assert agrees(text)


def test_declines_what_the_full_reader_refuses():
    for text in ("a: 2024-02-30\n", "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: 12345678901234567890123\n"):
        assert fastyaml.parse(text) is None


SCALARS = st.one_of(
    st.sampled_from(
        [
            "1",
            "0",
            "-0",
            "0.5",
            "0.50",
            "1.25",
            "01",
            "1.",
            ".5",
            "1e3",
            "0x1f",
            "yes",
            "No",
            "ON",
            "true",
            "false",
            "True",
            "null",
            "~",
            "2024-01-09",
            "2024-1-9",
            "2024-13-01",
            "P01",
            "M0001",
            '"引号"',
            '"a, b"',
            '"a\\"b"',
            "'单引号'",
            "记录不完整",
            "记录 不完整",
            "记录  不完整",
            "缺1项",
            "1项",
            "-缺",
            "记录#1",
            "记录 #1",
            "记录:1",
            "{}",
            "[]",
            "",
            " 1",
            "1 ",
            "&a",
            "*a",
            "!!int 1",
            "｛全角｝",
            "：",
            "，",
            "null",
            "Null",
            "'单引'",
            "'a, b'",
            "'a''b'",
            "- 1",
            "-",
        ]
    ),
    st.text(alphabet=st.sampled_from(list("0123456789.-:,#{}[] \"'记录abyn\\\t")), max_size=8),
)
KEYS = st.sampled_from(["institution", "items", "veto", "a", "yes", "on", "1-01", "1-02", "6-04", "x_y", "1", "01-1"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "    ", "\t", "  - ", "- "]),
            KEYS,
            st.one_of(
                SCALARS,
                st.lists(st.tuples(KEYS, SCALARS), max_size=3).map(
                    lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
                ),
            ),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_generated_text_is_declined_or_equal(lines):
    text = "".join(f"{indent}{key}:{'' if empty else ' ' + value}\n" for indent, key, value, empty in lines)
    assert agrees(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["  - ", "  -", "    - ", "- ", "  "]),
            st.one_of(
                SCALARS,
                st.lists(st.tuples(KEYS, SCALARS), max_size=3).map(
                    lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
                ),
            ),
        ),
        max_size=6,
    )
)
def test_generated_lists_are_declined_or_equal(items):
    text = "year: 2023\ninstitutions:\n" + "".join(f"{lead}{value}\n" for lead, value in items)
    assert agrees(text)
