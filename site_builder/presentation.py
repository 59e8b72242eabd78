"""What a reader is shown first on an institution's page, computed from its result: pure functions.

Kept apart from the page plumbing (site.py) so that the templates get ready-made lists: the
indicators that lost points, grouped by section, the section subtotals, the veto items found.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from site_builder.models import Indicator, Result, Rubric, Section


@dataclass(frozen=True)
class Deduction:
    """One indicator scored below its maximum."""

    item: Indicator
    score: Decimal
    reason: str | None
    self_score: Decimal | None

    @property
    def lost(self) -> Decimal:
        return self.item.max - self.score


@dataclass(frozen=True)
class SectionLine:
    """A scored section's subtotal and what it lost."""

    section: Section
    score: Decimal
    deductions: tuple[Deduction, ...]

    @property
    def lost(self) -> Decimal:
        return self.section.max - self.score


@dataclass(frozen=True)
class InstitutionView:
    sections: tuple[SectionLine, ...]  # every scored section, rubric order
    veto_found: tuple[tuple[Indicator, str], ...]  # (veto item, evidence), rubric order

    @property
    def deductions(self) -> tuple[Deduction, ...]:
        return tuple(d for s in self.sections for d in s.deductions)

    @property
    def with_deductions(self) -> tuple[SectionLine, ...]:
        return tuple(s for s in self.sections if s.deductions)

    def lost_in(self, kind: str) -> Decimal:
        """Points lost in the base sections (kind "base") or not earned in the bonus section ("bonus")."""
        return sum((d.lost for s in self.sections if s.section.kind == kind for d in s.deductions), Decimal(0))


def deductions_in(section: Section, result: Result) -> tuple[Deduction, ...]:
    """The section's applicable indicators scored below their maximum, in the form's order."""
    sheet = result.sheet
    found = []
    for item in section.indicators:
        sc = sheet.item(item.id) if sheet else None
        if sc is not None and sc.score < item.max:
            found.append(Deduction(item, sc.score, sc.reason, sc.self_score))
    return tuple(found)


def institution_view(rubric: Rubric, result: Result) -> InstitutionView | None:
    """Deductions, section subtotals and veto items found; None for an institution not assessed."""
    if not result.assessed:
        return None
    sections = tuple(SectionLine(s, result.sections[s.number], deductions_in(s, result))
                     for s in rubric.scored_sections)
    veto = tuple((rubric.by_id[v.indicator], v.evidence) for v in result.sheet.veto)
    return InstitutionView(sections, veto)
