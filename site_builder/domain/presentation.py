"""What a reader is shown first on an institution's page, computed from its result: pure functions.

Kept apart from the page plumbing (site.py) so that the templates get ready-made lists: the
indicators that lost points, grouped by section, the section subtotals, the veto items found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup, escape

from site_builder.domain.models import Indicator, Result, Rubric, Section
from site_builder.domain.scoring import section_max


@dataclass(frozen=True)
class Deduction:
    """One indicator scored below its maximum."""

    item: Indicator
    score: Decimal
    reason: str | None
    self_score: Decimal | None

    @property
    def lost(self) -> Decimal:
        return self.item.full_marks - self.score


@dataclass(frozen=True)
class SectionLine:
    """A scored section's subtotal and its indicators below maximum (inapplicable ones are not lost)."""

    section: Section
    score: Decimal
    deductions: tuple[Deduction, ...]
    max: Decimal  # the section's applicable maximum for this institution (`scoring.section_max`)

    @property
    def lost(self) -> Decimal:
        return sum((d.lost for d in self.deductions), Decimal(0))


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

    def max_in(self, kind: str | None = None) -> Decimal:
        """The applicable maximum of the base sections, the bonus section, or (None) all of them."""
        return sum((s.max for s in self.sections if kind is None or s.section.kind == kind), Decimal(0))

    def lost_in(self, kind: str) -> Decimal:
        """Points lost in the base sections (kind "base") or not earned in the bonus section ("bonus")."""
        return sum((s.lost for s in self.sections if s.section.kind == kind), Decimal(0))


def deductions_in(section: Section, result: Result) -> tuple[Deduction, ...]:
    """The section's applicable indicators scored below their maximum, in the form's order."""
    sheet = result.sheet
    found = []
    for item in section.indicators:
        sc = sheet.item(item.id) if sheet else None
        if sc is not None and sc.score < item.full_marks:
            found.append(Deduction(item, sc.score, sc.reason, sc.self_score))
    return tuple(found)


def institution_view(rubric: Rubric, result: Result) -> InstitutionView | None:
    """Deductions, section subtotals and veto items found; None for an institution not assessed."""
    sheet = result.sheet
    if sheet is None:  # not assessed
        return None
    sections = tuple(
        SectionLine(s, result.sections[s.number], deductions_in(s, result), section_max(s, sheet))
        for s in rubric.scored_sections
    )
    veto = tuple((rubric.by_id[v.indicator], v.evidence) for v in sheet.veto)
    return InstitutionView(sections, veto)


# Numbers a line must not split: indicator ids (7-01), page and score ranges (101-102, 60-69),
# phone numbers (0350-3020718): a browser may otherwise break after the hyphen.
_HYPHENATED_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)+")


def keep_numbers(text: str | None) -> Markup:
    """Escaped text with every hyphenated number wrapped so that it stays on one line."""
    if not text:
        return Markup("")
    if type(text) is str:  # plain text (not Markup, which is not escaped again): the same on many pages
        return _keep_numbers_text(text)
    return _keep_numbers(text)


def _keep_numbers(text: str) -> Markup:
    return Markup(_HYPHENATED_NUMBER.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(escape(text))))


_keep_numbers_text = lru_cache(maxsize=65536)(_keep_numbers)


FILTERS = {"keep_numbers": keep_numbers}
