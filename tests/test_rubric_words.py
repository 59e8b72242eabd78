"""What the rubric decides about wording: grade captions, section ranges, band order in movement."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest

from site_builder.common.formats import number, zh_date, zh_number
from site_builder.domain.models import GradeBand, Institution, Result, Section, Sheet, grade_caption
from site_builder.pages.specs import movement


@pytest.mark.parametrize(
    "grade, caption",
    [
        ("A", "A 级"),
        ("甲", "甲 级"),
        ("优秀", "优秀"),
        ("不合格", "不合格"),
        ("AA", "AA 级"),
        ("一级", "一级"),
        ("取消评价资格", "取消评价资格"),
    ],
)
def test_grade_caption(grade, caption):
    assert grade_caption(grade) == caption
    assert GradeBand(grade, D(0), "").caption("") == caption.replace(" ", "")


@pytest.mark.parametrize("n, text", [(1, "一"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_zh_number(n, text):
    assert zh_number(n) == text


def test_number_and_date():
    assert number(D("89.75")) == 89.75 and number(D("90.00")) == 90 and isinstance(number(D("90.00")), int)
    assert number(None) is None
    assert zh_date(dt.date(2024, 1, 5)) == "2024年1月5日" and zh_date(None) == ""


def _rubric(numbers_kinds, grades=("A", "B", "C", "D")):
    from site_builder.domain.models import Rubric

    sections = tuple(Section(n, f"部分{n}", k, (), D(1)) for n, k in numbers_kinds)
    bands = tuple(GradeBand(g, D(90 - 10 * i), "") for i, g in enumerate(grades))
    return Rubric(2024, "t", "s", sections, bands, (), D(5), D(1), D(6), "rubric/2024.yaml")


def test_sections_text_and_keys():
    r = _rubric([(1, "base"), (2, "base"), (3, "base"), (4, "base"), (5, "base"), (6, "veto"), (8, "bonus")])
    assert r.sections_text("base") == "第一至五部分"
    assert r.sections_text("bonus") == "第八部分"
    assert r.section_keys == ("1", "2", "3", "4", "5", "8")
    assert r.parts_text == "七个部分"
    gaps = _rubric([(1, "base"), (3, "base"), (4, "base")])
    assert gaps.sections_text("base") == "第一、三、四部分"
    assert _rubric([(1, "base"), (2, "base")]).sections_text("base") == "第一、二部分"


def test_outcomes_and_captions_follow_the_bands():
    r = _rubric([(1, "base")], grades=("优秀", "良好", "合格", "不合格"))
    assert r.outcomes == ("优秀", "良好", "合格", "不合格", "取消评价资格")
    assert [r.caption(o) for o in r.outcomes] == ["优秀", "良好", "合格", "不合格", "取消评价资格"]
    assert r.is_grade("合格") and not r.is_grade("取消评价资格") and not r.is_grade("A")


def _result(grade: str) -> Result:
    inst = Institution("P01", "甲", "省属", None, True, "X", 1)
    sheet = Sheet("P01", dt.date(2024, 1, 8), False, False, (), (), "p")
    return Result(inst, sheet, grade=grade, total=D(80))


@pytest.mark.parametrize(
    "old, new, word",
    [("A", "良好", "（下降）"), ("C", "良好", "（上升）"), ("B", "良好", "（持平）"), ("合格", "优秀", "（上升）")],
)
def test_movement_compares_band_positions_not_names(old, new, word):
    grades = {2023: ("A", "B", "C", "D"), 2024: ("优秀", "良好", "合格", "不合格")}
    if old == "合格":  # both years named in words: 合格 > 优秀 as strings, but 优秀 is the higher band
        grades[2023] = grades[2024]
    text = movement(2023, _result(old), 2024, _result(new), grades)
    assert text == f"2023年度 {old} → 2024年度 {new}{word}"


def test_movement_letters_in_band_order_not_alphabet():
    grades = {2023: ("D", "C", "B", "A"), 2024: ("D", "C", "B", "A")}  # a form where D is the top band
    assert movement(2023, _result("A"), 2024, _result("D"), grades).endswith("（上升）")


def test_workbook_names_the_conditional_items_from_the_rubric():
    from support.project import REPO

    from site_builder.errors import Problems
    from site_builder.read.datafile import Paths
    from site_builder.read.rubric import load_rubric
    from site_builder.sheets.workbook import id_runs

    rubric = load_rubric(REPO / "rubric/2023.yaml", Paths(REPO / "rubric", REPO / "scores", REPO), Problems())
    assert id_runs(rubric, "senior_levels") == "7-01至7-05、7-07至7-11"
    assert id_runs(rubric, "online_exam") == "7-06"
    no_section_7 = dataclasses.replace(rubric, sections=tuple(s for s in rubric.sections if s.number != 7), by_id={})
    assert id_runs(no_section_7, "senior_levels") == ""
