"""Scoring at its boundaries: reachable scores, subtotals, totals, grades and ranks in exact decimals,
and how points are written. The rubric is the small one of tests/support/rubrics.py, read by the
loader; the sheets are made here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from support.rubrics import load, small_rubric

from site_builder.domain.models import Institution, ItemScore, Result, Roster, Rule, Sheet, Veto
from site_builder.domain.scoring import (
    Figures,
    allowed_scores,
    assign_ranks,
    fmt,
    score_sheet,
    section_sums,
)


@pytest.fixture(scope="module")
def rubric(tmp_path_factory):
    rubric, messages = load(tmp_path_factory.mktemp("rubric"), small_rubric())
    assert messages == []
    return rubric


def _inst(inst_id: str, active: bool = True) -> Institution:
    return Institution(inst_id, f"{inst_id}机构", "省属", None, active, None, 1)


def _sheet(scores: dict[str, str], veto: dict[str, str] | None = None, sums=()) -> Sheet:
    items = tuple(ItemScore(k, D(v)) for k, v in scores.items())
    vetoes = tuple(Veto(k, v) for k, v in (veto or {}).items())
    return Sheet("P01", dt.date(2024, 1, 8), False, False, items, vetoes, "scores/2023/P01.yaml", section_sums=sums)


FULL = {"1-01": "1", "1-02": "1", "1-03": "2", "2-01": "0.5", "3-01": "1"}


@pytest.mark.parametrize(
    "scores, sections, base, bonus, total, grade",
    [
        (FULL, {1: "4", 2: "0.5", 3: "1"}, "4.5", "1", "5.5", "A"),
        # 0.75 + 0.25 + 0.5 + 0.25 + 0: the decimals add up exactly, at a band's minimum (A from 4)
        ({**FULL, "1-02": "0.75", "2-01": "0.25"}, {1: "3.75", 2: "0.25", 3: "1"}, "4", "1", "5", "A"),
        # 3.75 + 0.25 = 4 with no bonus: A exactly at its minimum
        ({**FULL, "1-02": "0.75", "2-01": "0.25", "3-01": "0"}, {1: "3.75", 2: "0.25", 3: "0"}, "4", "0", "4", "A"),
        # 3.5 + 0.25 = 3.75: B, below A's 4
        (
            {**FULL, "1-02": "0.5", "2-01": "0.25", "3-01": "0"},
            {1: "3.5", 2: "0.25", 3: "0"},
            "3.75",
            "0",
            "3.75",
            "B",
        ),
        # 0 + 0.25 + 0.5 + 0.25 + 1 = 2: bonus lifts nothing over B's 2.5
        (
            {"1-01": "0", "1-02": "0.25", "1-03": "0.5", "2-01": "0.25", "3-01": "1"},
            {1: "0.75", 2: "0.25", 3: "1"},
            "1",
            "1",
            "2",
            "C",
        ),
        # 1 + 0 + 0.5 + 0 + 1 = 2.5: B exactly at its minimum, with the bonus
        (
            {"1-01": "1", "1-02": "0", "1-03": "0.5", "2-01": "0", "3-01": "1"},
            {1: "1.5", 2: "0", 3: "1"},
            "1.5",
            "1",
            "2.5",
            "B",
        ),
        ({}, {1: "0", 2: "0", 3: "0"}, "0", "0", "0", "C"),  # nothing scored: zeros, the lowest band
    ],
)
def test_subtotals_totals_and_grade(rubric, scores, sections, base, bonus, total, grade):
    result = score_sheet(rubric, _inst("P01"), _sheet(scores))
    assert result.sections == {n: D(v) for n, v in sections.items()}
    assert (result.base, result.bonus, result.total) == (D(base), D(bonus), D(total))
    assert (result.grade, result.vetoed, result.veto_items, result.rank) == (grade, False, (), None)
    assert result.outcome == grade
    # exact decimals all the way: no float, no int standing in for a Decimal
    assert all(type(v) is D for v in (*result.sections.values(), result.base, result.bonus, result.total))
    assert [fmt(result.sections[n]) for n in (1, 2, 3)] == [sections[n] for n in (1, 2, 3)]


def test_the_result_keeps_the_sheet_and_the_institution(rubric):
    inst, sheet = _inst("P01"), _sheet(FULL)
    result = score_sheet(rubric, inst, sheet)
    assert result.institution is inst and result.sheet is sheet and result.assessed


def test_subtotals_are_taken_from_the_sheet_when_it_has_them(rubric):
    """The loader stores each sheet's subtotals once; scoring uses them rather than adding again."""
    sums = ((1, D("3")), (2, D("0.5")), (3, D("0")))
    result = score_sheet(rubric, _inst("P01"), _sheet(FULL, sums=sums))
    assert result.sections == {1: D(3), 2: D("0.5"), 3: D(0)}
    assert (result.base, result.bonus, result.total, result.grade) == (D("3.5"), D(0), D("3.5"), "B")


def test_section_sums_in_form_order(rubric):
    items = [ItemScore("3-01", D(1)), ItemScore("1-03", D("0.5")), ItemScore("2-01", D("0.25"))]
    sums = section_sums(rubric, items)
    assert sums == ((1, D("0.5")), (2, D("0.25")), (3, D(1)))
    assert all(type(v) is D for _, v in sums)


def test_section_sums_of_a_section_without_indicators_are_decimal_zero(tmp_path):
    doc = small_rubric()
    doc["sections"][2]["groups"][0]["items"] = []  # the bonus section: no items, 0 points
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    sums = section_sums(rubric, [ItemScore("1-01", D(1))])
    assert sums == ((1, D(1)), (2, D(0)), (3, D(0)))
    assert [type(v) for _, v in sums] == [D, D, D]
    result = score_sheet(rubric, _inst("P01"), _sheet({"1-01": "1"}))
    assert type(result.bonus) is D and result.bonus == 0


def test_base_and_bonus_come_from_the_section_kinds(tmp_path):
    """Which sections are base and which bonus is the rubric's word, not their numbers."""
    doc = small_rubric()
    doc["sections"][0]["kind"], doc["sections"][2]["kind"] = "bonus", "base"
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    result = score_sheet(rubric, _inst("P01"), _sheet(FULL))
    assert (result.base, result.bonus, result.total) == (D("1.5"), D(4), D("5.5"))
    doc["sections"] = [s for s in doc["sections"] if s["kind"] != "bonus"]  # no bonus section at all
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    result = score_sheet(rubric, _inst("P01"), _sheet(FULL))
    assert (result.base, result.bonus, result.total) == (D("1.5"), D(0), D("1.5"))
    assert type(result.bonus) is D


def test_a_veto_withdraws_the_grade_not_the_score(rubric):
    result = score_sheet(rubric, _inst("P01"), _sheet(FULL, {"4-01": "证据"}))
    assert (result.total, result.grade, result.vetoed, result.veto_items) == (D("5.5"), None, True, ("4-01",))
    assert result.outcome == "取消评价资格"


# --- ranks ----------------------------------------------------------------------------------------


def _result(inst_id: str, total: str | None, grade: str | None = "B") -> Result:
    if total is None:  # not assessed
        return Result(_inst(inst_id), None)
    sheet = Sheet(inst_id, dt.date(2024, 1, 1), False, False, (), (), "x")
    return Result(_inst(inst_id), sheet, total=D(total), grade=grade, vetoed=grade is None)


def _ranks(*results: Result) -> list[tuple[str, int | None]]:
    return [(r.institution.id, r.rank) for r in assign_ranks(list(results))]


@pytest.mark.parametrize(
    "totals, ranks",
    [
        ([], []),
        (["80"], [1]),  # one alone
        (["80", "80"], [1, 1]),  # a tie at the top
        (["80", "80", "80"], [1, 1, 1]),  # all equal
        (["95", "95", "90"], [1, 1, 3]),  # the next after a tie at the top skips
        (["90", "95", "95"], [3, 1, 1]),  # the same in another input order
        (["80", "95", "80", "70"], [2, 1, 2, 4]),
        (["70", "80", "90", "100"], [4, 3, 2, 1]),
        (["89.75", "89.5", "90", "89.75"], [2, 4, 1, 2]),  # decimals: 89.75 > 89.5
        (["90", "90.00", "90.0"], [1, 1, 1]),  # equal Decimals written otherwise tie
        (["0.1", "0.10", "0.01"], [1, 1, 3]),
    ],
)
def test_ranks_highest_first_ties_share_and_skip(totals, ranks):
    results = [_result(f"I{n:02d}", t) for n, t in enumerate(totals, start=1)]
    assert _ranks(*results) == [(f"I{n:02d}", r) for n, r in enumerate(ranks, start=1)]


def test_only_graded_institutions_are_ranked():
    assert _ranks(
        _result("a", "99", grade=None),  # vetoed: the highest total, no rank
        _result("b", None),  # not assessed
        _result("c", "80"),
        _result("d", "99", grade=None),
        _result("e", "85"),
        _result("f", "80"),
    ) == [("a", None), ("b", None), ("c", 2), ("d", None), ("e", 1), ("f", 2)]


def test_ranking_keeps_the_roster_order_and_the_results():
    results = [_result("x", "70"), _result("y", "90")]
    ranked = assign_ranks(results)
    assert [r.institution.id for r in ranked] == ["x", "y"]
    assert [(r.total, r.grade) for r in ranked] == [(D(70), "B"), (D(90), "B")]
    assert [r.rank for r in results] == [None, None]  # the input is not changed


# --- reachable scores -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, allowed",
    [
        (Rule("all_or_nothing", D("1.5")), "0 1.5"),
        (Rule("deduct", D(1), per=D("0.3")), "0 0.1 0.4 0.7 1"),
        (Rule("deduct", D(1), per=D("0.25")), "0 0.25 0.5 0.75 1"),
        (Rule("deduct", D("0.5"), per=D(2)), "0 0.5"),
        (Rule("tiers", D(2), values=(D(0), D("0.5"), D(2))), "0 0.5 2"),
        (
            Rule("composite", D(1), parts=(Rule("all_or_nothing", D("0.5")), Rule("deduct", D("0.5"), per=D("0.2")))),
            "0 0.1 0.3 0.5 0.6 0.8 1",
        ),
    ],
)
def test_allowed_scores(rule, allowed):
    scores = allowed_scores(rule)
    assert " ".join(fmt(v) for v in scores) == allowed
    assert list(scores) == sorted(scores) and all(type(v) is D for v in scores)


def test_allowed_scores_refuse_what_the_loader_never_builds():
    with pytest.raises(ValueError, match=r"^unknown rule kind 'bonus'$"):
        allowed_scores(Rule("bonus", D(1)))
    for per in (None, D(0), D(-1)):
        with pytest.raises(AssertionError):
            allowed_scores(Rule("deduct", D(1), per=per))


# --- points as a reader sees them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (D("1E+3"), "1000"),
        (D("2.5E+1"), "25"),
        (D("1E-7"), "0.0000001"),
        (D("12.50"), "12.5"),
        (D("-0.00"), "0"),
        (D("-0"), "0"),
        (D("-2.50"), "-2.5"),
        (D("0E-9"), "0"),
        (D("107.000"), "107"),
        (D("0.125"), "0.125"),
        (3, "3"),  # an int (a count) reads as itself
        (0, "0"),
    ],
)
def test_fmt(value, text):
    assert fmt(value) == text
    assert fmt(value) == text  # the second time from the memo: the same


def test_figures_count_every_outcome(rubric):
    results = [
        score_sheet(rubric, _inst("a"), _sheet(FULL)),  # A
        score_sheet(rubric, _inst("b"), _sheet({**FULL, "1-03": "0"})),  # 3.5: B
        score_sheet(rubric, _inst("c"), _sheet(FULL, {"4-01": "证据"})),  # vetoed
        Result(_inst("d"), None),  # active, not assessed
        Result(_inst("e", active=False), None),  # inactive
        score_sheet(rubric, _inst("f"), _sheet({**FULL, "1-03": "0"})),  # B
    ]
    figures = Figures.of(results, rubric)
    assert figures == Figures(
        listed=6,
        active=5,
        inactive=1,
        assessed=4,
        missing=1,
        by_outcome={"A": 1, "B": 2, "C": 0, "取消评价资格": 1},
    )
    assert list(figures.by_outcome) == ["A", "B", "C", "取消评价资格"]


def test_year_results_in_roster_order(rubric):
    from site_builder.domain.models import Status, YearData
    from site_builder.domain.scoring import year_results

    roster = Roster(2023, (_inst("P02"), _inst("P01"), _inst("P03")), "scores/2023/roster.yaml")
    p01 = _sheet({**FULL, "1-03": "0"})
    p02 = Sheet("P02", dt.date(2024, 1, 8), False, False, _sheet(FULL).items, (), "x")
    status = Status("draft", None, None, None, None, "scores/2023/status.yaml")
    data = YearData(2023, rubric, roster, status, (p02, p01))
    results = year_results(data)
    assert [(r.institution.id, r.total, r.grade, r.rank) for r in results] == [
        ("P02", D("5.5"), "A", 1),
        ("P01", D("3.5"), "B", 2),
        ("P03", None, None, None),
    ]


@pytest.mark.parametrize(
    "senior, online, base, bonus",
    [(False, False, "4", "0"), (True, False, "4.5", "0"), (False, True, "4", "1"), (True, True, "4.5", "1")],
)
def test_the_applicable_maximum_counts_what_applies_to_the_institution(tmp_path, senior, online, base, bonus):
    """Section 2 applies only to institutions evaluating 技师 (senior_levels), the bonus section 3 only
    to those with computer-based exams (online_exam): each counts only for those."""
    from site_builder.domain.scoring import applicable_max, section_max

    doc = small_rubric()
    doc["sections"][1]["groups"][0]["applies"] = "senior_levels"
    doc["sections"][2]["groups"][0]["applies"] = "online_exam"
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    sheet = Sheet("P01", dt.date(2024, 1, 8), senior, online, (), (), "scores/2023/P01.yaml")
    assert applicable_max(rubric, sheet, "base") == D(base)
    assert applicable_max(rubric, sheet, "bonus") == D(bonus)
    assert applicable_max(rubric, sheet) == D(base) + D(bonus)
    maxima = [section_max(s, sheet) for s in rubric.scored_sections]
    assert maxima == [D(4), D(base) - 4, D(bonus)]
    # exact decimals even where nothing applies (no int 0 that a later sum or format would meet)
    assert {type(m) for m in [*maxima, applicable_max(rubric, sheet, "veto")]} == {D}


def test_a_total_below_every_band_gets_the_lowest_grade():
    """The loader makes the last band's minimum 0, so a total is never below every band; given bands
    that start higher, the lowest band is the grade, never another."""
    from site_builder.domain.models import GradeBand
    from site_builder.domain.scoring import grade_for

    bands = (
        GradeBand("A", D(4), "4分及以上"),
        GradeBand("B", D("2.5"), "2.5分及以上"),
        GradeBand("C", D(1), "1分及以上"),
    )
    assert [grade_for(D(t), bands) for t in ("4", "2.5", "1", "0.5")] == ["A", "B", "C", "C"]
