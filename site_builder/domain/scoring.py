"""Pure scoring functions: reachable scores, subtotals, grade, rank. Exact decimal arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import product

from site_builder.domain.models import (
    GradeBand,
    Institution,
    ItemScore,
    Result,
    Rubric,
    Rule,
    Section,
    Sheet,
    YearData,
)

ZERO = Decimal("0")


def allowed_scores(rule: Rule) -> tuple[Decimal, ...]:
    """Every score the rule can produce, ascending."""
    if rule.kind == "all_or_nothing":
        values = {ZERO, rule.max}
    elif rule.kind == "deduct":
        assert rule.per is not None and rule.per > 0
        values = {ZERO}
        v = rule.max
        while v > 0:
            values.add(v)
            v -= rule.per
    elif rule.kind == "tiers":
        values = set(rule.values)
    elif rule.kind == "composite":
        values = {sum(combo, ZERO) for combo in product(*(allowed_scores(p) for p in rule.parts))}
    else:  # the loader only builds the kinds above
        raise ValueError(f"unknown rule kind {rule.kind!r}")
    return tuple(sorted(values))


def applies_to(applies: str, sheet: Sheet) -> bool:
    """Whether an indicator that applies to `applies` (all, or a sheet's flag) applies to this sheet."""
    return applies == "all" or bool(getattr(sheet, applies))


def section_max(section: Section, sheet: Sheet) -> Decimal:
    """The points an institution could earn in a scored section: an indicator that applies only to
    some institutions (仅适用于…) counts only for those. What every page and document states as the
    section's 满分 for this institution."""
    return sum(
        (ind.max for ind in section.indicators if ind.max is not None and applies_to(ind.applies, sheet)), Decimal(0)
    )


def applicable_max(rubric: Rubric, sheet: Sheet, kind: str | None = None) -> Decimal:
    """The points an institution could earn in the rubric's sections of `kind` (base or bonus; every
    scored section when None): the applicable maximum, section by section (`section_max`)."""
    return sum((section_max(s, sheet) for s in rubric.scored_sections if kind is None or s.kind == kind), Decimal(0))


def grade_for(total: Decimal, bands: tuple[GradeBand, ...]) -> str:
    """The grade band the total falls in (bands ordered highest first)."""
    for band in bands:
        if total >= band.min:
            return band.grade
    return bands[-1].grade


def section_sums(rubric: Rubric, items: Iterable[ItemScore]) -> tuple[tuple[int, Decimal], ...]:
    """Each scored section's subtotal, in form order."""
    scores = {it.indicator: it.score for it in items}
    return tuple((s.number, sum((scores.get(i.id, ZERO) for i in s.indicators), ZERO)) for s in rubric.scored_sections)


def score_sheet(rubric: Rubric, institution: Institution, sheet: Sheet) -> Result:
    """Section subtotals, base (the rubric's base sections), bonus (its bonus sections), total and grade."""
    sections = dict(sheet.section_sums or section_sums(rubric, sheet.items))
    base = sum((v for n, v in sections.items() if _kind(rubric, n) == "base"), ZERO)
    bonus = sum((v for n, v in sections.items() if _kind(rubric, n) == "bonus"), ZERO)
    total = base + bonus
    veto_items = tuple(v.indicator for v in sheet.veto)
    vetoed = bool(veto_items)
    return Result(
        institution=institution,
        sheet=sheet,
        sections=sections,
        base=base,
        bonus=bonus,
        total=total,
        grade=None if vetoed else grade_for(total, rubric.grades),
        vetoed=vetoed,
        veto_items=veto_items,
    )


def _kind(rubric: Rubric, number: int) -> str:
    return next(s.kind for s in rubric.sections if s.number == number)


def assign_ranks(results: list[Result]) -> list[Result]:
    """Rank graded institutions by total, highest first; equal totals share a rank (1, 2, 2, 4).

    Institutions disqualified by a veto item, or not assessed, get no rank.
    """
    ranked = sorted((r for r in results if r.grade is not None), key=lambda r: -_total(r))
    rank_of: dict[str, int] = {}
    for position, r in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        rank_of[r.institution.id] = (
            rank_of[previous.institution.id] if previous and previous.total == r.total else position
        )
    return [replace(r, rank=rank_of.get(r.institution.id)) for r in results]


def _total(result: Result) -> Decimal:
    """A graded result's total (a result has a grade only with a total)."""
    if result.total is None:
        raise ValueError(f"{result.institution.id}: a grade without a total")
    return result.total


def year_results(data: YearData) -> list[Result]:
    """One result per roster institution, in roster order."""
    results = []
    for inst in data.roster.institutions:
        sheet = data.sheet(inst.id)
        results.append(score_sheet(data.rubric, inst, sheet) if sheet else Result(inst, None))
    return assign_ranks(results)


def fmt(value: Decimal | None) -> str:
    """Points as a reader expects them: 89.75, 90, 1.5; '' for None. Never scientific notation.
    Equal values read the same (1.0, 1 and 1E+0 all read 1)."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # a zero with a sign (-0, -0.00); the "0" before a point stays


@dataclass(frozen=True)
class Figures:
    """The numbers the announcement shows, all computed from the data."""

    listed: int
    active: int
    inactive: int
    assessed: int
    missing: int
    by_outcome: dict[str, int]  # the rubric's grades in band order, then 取消评价资格

    @classmethod
    def of(cls, results: list[Result], rubric: Rubric) -> Figures:
        assessed = [r for r in results if r.assessed]
        return cls(
            listed=len(results),
            active=sum(r.institution.active for r in results),
            inactive=sum(not r.institution.active for r in results),
            assessed=len(assessed),
            missing=sum(r.institution.active and not r.assessed for r in results),
            by_outcome={g: sum(r.outcome == g for r in assessed) for g in rubric.outcomes},
        )
