"""Grades, subtotals and ranks: pure functions, exact decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from site_builder.domain.models import GradeBand, Institution, Result, Sheet
from site_builder.domain.scoring import assign_ranks, fmt, grade_for
from site_builder.errors import Problems
from site_builder.read.datafile import Paths
from site_builder.read.rubric import load_rubric

REPO = Path(__file__).resolve().parent.parent


def _file_bands(year: int = 2023) -> tuple[GradeBand, ...]:
    """The grade bands as the repo's rubric file gives them, read by the rubric loader."""
    problems = Problems()
    rubric = load_rubric(REPO / f"rubric/{year}.yaml", Paths(REPO / "rubric", REPO / "scores", REPO), problems)
    assert rubric is not None, problems.items
    return rubric.grades


@pytest.mark.parametrize(
    "total, grade",
    [
        ("120", "A"),
        ("90", "A"),
        ("89.75", "B"),
        ("89.5", "B"),
        ("70", "B"),
        ("69.75", "C"),
        ("60", "C"),
        ("59.75", "D"),
        ("0", "D"),
    ],
)
def test_grade_boundaries_of_the_rubric_file(total, grade):
    """The 2023 notice: A 90 and above, B 70 to below 90 (89.5 is B), C 60 to below 70, D below 60."""
    assert grade_for(D(total), _file_bands()) == grade


def test_each_band_of_the_rubric_file_starts_at_its_min():
    bands = _file_bands()
    assert [b.grade for b in bands] == ["A", "B", "C", "D"]
    for band, lower in zip(bands, bands[1:]):
        assert grade_for(band.min, bands) == band.grade
        assert grade_for(band.min - D("0.01"), bands) == lower.grade


def test_vetoed_institution_has_no_grade(project):
    from site_builder.build.flow import Layout, load

    project.edit("scores/2023/P05.yaml", "veto: {}", "veto: {6-03: 考场秩序混乱（测试）}")
    reports = load(Layout.from_args(root=str(project.root))).reports
    p05 = next(r for r in reports[0].results if r.institution.id == "P05")
    assert p05.vetoed and p05.grade is None and p05.rank is None
    assert p05.outcome == "取消评价资格"
    assert p05.total == D("90")  # the score stays on record; only the grade is withdrawn


def test_sample_vetoed_95_5_has_no_grade(project):
    from site_builder.build.flow import Layout, load

    reports = load(Layout.from_args(root=str(project.root))).reports
    p06 = next(r for r in reports[0].results if r.institution.id == "P06")
    assert (p06.total, p06.grade, p06.outcome) == (D("95.5"), None, "取消评价资格")


def _result(inst_id: str, total: str, grade: str | None = "B") -> Result:
    inst = Institution(inst_id, inst_id, "省属", None, True, None, 1)
    sheet = Sheet(inst_id, dt.date(2024, 1, 1), False, False, (), (), "x")
    return Result(inst, sheet, total=D(total), grade=grade, vetoed=grade is None)


def test_ranks_share_ties_and_skip():
    ranked = assign_ranks(
        [_result("a", "80"), _result("b", "95"), _result("c", "80"), _result("d", "99", None), _result("e", "70")]
    )
    assert [(r.institution.id, r.rank) for r in ranked] == [("a", 2), ("b", 1), ("c", 2), ("d", None), ("e", 4)]


@pytest.mark.parametrize(
    "value, text",
    [
        ("89.75", "89.75"),
        ("90.00", "90"),
        ("1.50", "1.5"),
        ("100", "100"),
        ("0.0", "0"),
        ("1E+2", "100"),
        ("0.30", "0.3"),
    ],
)
def test_fmt_never_prints_float_noise(value, text):
    assert fmt(D(value)) == text


def test_sums_are_exact():
    assert fmt(sum([D("0.3")] * 3, D(0)) + D("89.85")) == "90.75"
