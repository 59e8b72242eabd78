"""Indicator statistics and city means, counted from the validated scores.

Every figure is over the assessed institutions an indicator applies to (a sheet scores it), vetoed
ones included: their scores stay on record. Scores are scaled to integers (sums and counts only),
and every mean or share is divided and rounded with `Decimal` (half up, as a reader rounds), so no
float ever touches a published number.

The counting is plain Python over each distinct (indicator, score, reason) of the year (issue 27):
it gives what pandas gave (`tests/test_insight.py` checks it against pandas on the repo's data and
a synthetic site) in under a third of the time at 10,000 institutions, and without the 0.45 s pandas
takes to import, more than a 48-institution build may take. The result is plain data, cached on
disk by a hash of the year's inputs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from itertools import chain

from site_builder.domain.models import Result, Rubric, Sheet, YearReport
from site_builder.domain.scoring import applicable_max, applies_to, section_max
from site_builder.storage.records import item_column
from site_builder.storage.sealed import CacheFolder

MEAN_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.001")
TOP_REASONS = 3  # most common reasons kept per indicator
CACHE_FORMAT = 4


@dataclass(frozen=True)
class IndicatorStat:
    id: str
    section: int
    max: Decimal
    assessed: int  # institutions scored on it
    mean: Decimal | None  # rounded to 2 places; None when nobody was scored on it
    full: int  # scored the maximum
    deducted: int  # scored below it
    deducted_share: Decimal | None  # deducted / assessed, rounded to 3 places
    reasons: tuple[tuple[str, int], ...] = ()  # most common reasons (text, how many), most frequent first

    @property
    def deducted_percent(self) -> str:
        """The share as a reader reads it: 37.5%."""
        if self.deducted_share is None:
            return "—"
        text = format((self.deducted_share * 100).normalize(), "f")
        return f"{text}%"


@dataclass(frozen=True)
class YearStats:
    year: int
    assessed: int
    indicators: tuple[IndicatorStat, ...]  # scored indicators, form order
    section_means: tuple[tuple[int, Decimal | None], ...]  # per scored section, 2 places
    total_mean: Decimal | None
    # The mean share of the applicable maximum (score / the points that applied to the institution),
    # exact, per scored section and of the total: what an institution is compared with (`compare`).
    section_shares: tuple[
        tuple[int, str | None], ...
    ] = ()  # the text of a Fraction ("p/q"): plain data, for the page cache keys
    total_share: str | None = None

    @cached_property
    def by_id(self) -> dict[str, IndicatorStat]:
        return {s.id: s for s in self.indicators}

    def most_deducted(self, n: int = 10) -> list[IndicatorStat]:
        """The n indicators most often deducted (by count, then share, then form order)."""
        ranked = sorted(
            (s for s in self.indicators if s.deducted), key=lambda s: (-s.deducted, -(s.deducted_share or 0))
        )
        return ranked[:n]

    @cached_property
    def kept_by_most(self) -> dict[str, int]:
        """Indicators that more than half of the others kept in full, seen from an institution that
        lost points on it, with the percentage of those others (whole per cent)."""
        out = {}
        for s in self.indicators:
            others = s.assessed - 1  # an institution that lost points is not among the `full`
            if others > 0 and s.full * 2 > others:
                out[s.id] = int(_div(s.full * 100, others, Decimal("1")))
        return out

    def compare(self, result: Result, rubric: Rubric) -> Comparison | None:
        """An institution against the city: its section scores beside the means, and the
        indicators where it lost points that most other institutions kept.

        Like with like: where indicators apply only to some institutions (the bonus section's 仅适用于…),
        institutions had different maxima, so the city mean is the mean share of each institution's own
        applicable maximum, stated in points of this institution's applicable maximum (mean share ×
        its maximum). Where every institution had the same maximum this is the plain mean."""
        sheet = result.sheet
        if sheet is None:  # not assessed
            return None
        shares = dict(self.section_shares)
        rows = []
        for s in rubric.scored_sections:
            top = section_max(s, sheet)
            share = shares.get(s.number)
            mean = _points(Fraction(share) * Fraction(top)) if share is not None else None
            rows.append((s.number, result.sections.get(s.number), mean, top))
        total_top = applicable_max(rubric, sheet)
        total_mean = _points(Fraction(self.total_share) * Fraction(total_top)) if self.total_share is not None else None
        kept, by_id, lost = self.kept_by_most, self.by_id, []
        for ind, score, _reason in item_rows(sheet):  # no item is built in the main process
            if ind in kept:
                if score < by_id[ind].max:
                    lost.append((ind, score, by_id[ind].max, kept[ind]))
        return Comparison(tuple(rows), total_mean, tuple(lost), total_top)


@dataclass(frozen=True)
class Comparison:
    """What an institution page shows of the city's figures, and nothing more: it is part of the
    page's context, so its cache key (one changed sheet re-renders only pages whose figures move)."""

    # (section, its score, city mean in points of its applicable maximum, its applicable maximum)
    city_sections: tuple[tuple[int, Decimal | None, Decimal | None, Decimal], ...]
    city_total_mean: Decimal | None  # likewise, of the total
    lost: tuple[tuple[str, Decimal, Decimal, int], ...]  # (indicator, its score, max, % of the others full)
    total_max: Decimal = Decimal(0)  # its applicable maximum in total


def _scale(values: Iterable[Decimal]) -> int:
    """The power of ten that makes every score an integer."""
    places = max((-int(v.as_tuple().exponent) for v in values if int(v.as_tuple().exponent) < 0), default=0)
    return 10**places


def item_rows(sheet: Sheet) -> list[tuple[str, Decimal, str | None]]:
    """(indicator, score, reason) of each item of a sheet, without building the items of a sheet
    read from the sheet cache (`records.item_column`): the statistics read every item of every sheet
    in the main process."""
    items = sheet.items
    return list(zip(item_column(items, "indicator"), item_column(items, "score"), item_column(items, "reason")))


def _points(value: Fraction) -> Decimal:
    """An exact mean, rounded half up to 2 places like every mean shown."""
    return _div(value.numerator, value.denominator, MEAN_PLACES)


def _mean_share(pairs: Iterable[tuple[Decimal, Decimal]]) -> str | None:
    """The exact mean of score / maximum over (score, maximum) pairs with a maximum above 0, as the
    text of a Fraction (each distinct pair divided once)."""
    kept = [(Fraction(score) / Fraction(top), n) for (score, top), n in Counter(pairs).items() if top > 0]
    count = sum(n for _share, n in kept)
    return str(sum((share * n for share, n in kept), Fraction(0)) / count) if count else None


def _section_tops(rubric: Rubric) -> Callable[[Sheet], tuple[dict[int, Decimal], Decimal]]:
    """A sheet's applicable maximum per scored section and in total (`section_max`, `applicable_max`),
    worked out once per combination of the flags the indicators apply to."""
    flags = sorted({i.applies for s in rubric.scored_sections for i in s.indicators} - {"all"})
    memo: dict[tuple[bool, ...], tuple[dict[int, Decimal], Decimal]] = {}

    def tops(sheet: Sheet) -> tuple[dict[int, Decimal], Decimal]:
        key = tuple(applies_to(flag, sheet) for flag in flags)
        found = memo.get(key)
        if found is None:
            found = memo[key] = (
                {s.number: section_max(s, sheet) for s in rubric.scored_sections},
                applicable_max(rubric, sheet),
            )
        return found

    return tops


def _div(numerator: int, denominator: int, places: Decimal) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def compute(report: YearReport) -> YearStats:
    """The statistics of one year: counts and sums of integers in one pass over every item (the
    same figures `pandas` gives, `tests/test_stats.py` checks it; importing pandas alone costs more than a
    48-institution build may take)."""
    data = report.data
    maxima = {i.id: i.max for i in data.rubric.indicators if i.max is not None}  # the scored (not veto) ones
    scored = [i for i in data.rubric.indicators if i.id in maxima]
    assessed = [r for r in report.results if r.assessed]
    sheets = [r.sheet.items for r in assessed if r.sheet is not None]
    # every (indicator, score, reason) with how many items have it, in order of first appearance (C's Counter)
    triples = Counter(
        zip(
            chain.from_iterable(item_column(items, "indicator") for items in sheets),
            chain.from_iterable(item_column(items, "score") for items in sheets),
            chain.from_iterable(item_column(items, "reason") for items in sheets),
        )
    )
    distinct = {score for _ind, score, _reason in triples}  # few distinct values
    scale = _scale([*distinct, *maxima.values()])
    scaled = {v: int(v * scale) for v in distinct}
    tops = {i: int(m * scale) for i, m in maxima.items()}
    per: dict[str, list[int]] = {}  # indicator -> [assessed, total, full]
    seen: dict[tuple[str, str], int] = {}  # (indicator, reason) of a deduction -> count, in order of first item
    for (ind, score, reason), count in triples.items():
        value = scaled[score]
        counts = per.get(ind)
        if counts is None:
            counts = per[ind] = [0, 0, 0]
        counts[0] += count
        counts[1] += value * count
        if value >= tops[ind]:
            counts[2] += count
        elif reason is not None:
            seen[(ind, reason)] = seen.get((ind, reason), 0) + count
    top: dict[str, list[tuple[str, int]]] = {}
    for (ind, reason), count in sorted(seen.items(), key=lambda e: (e[0][0], -e[1])):  # stable: ties by first item
        kept = top.setdefault(ind, [])
        if len(kept) < TOP_REASONS:
            kept.append((str(reason), count))

    stats = []
    for ind in scored:
        n, total, full = per.get(ind.id, [0, 0, 0])
        stats.append(
            IndicatorStat(
                id=ind.id,
                section=ind.section,
                max=maxima[ind.id],
                assessed=n,
                mean=_div(total, n * scale, MEAN_PLACES) if n else None,
                full=full,
                deducted=n - full,
                deducted_share=_div(n - full, n, SHARE_PLACES) if n else None,
                reasons=tuple(top.get(ind.id, ())),
            )
        )

    sections = [s.number for s in data.rubric.scored_sections]
    sums = {n: sum(int(r.sections[n] * scale) for r in assessed) for n in sections}
    means = tuple((n, _div(sums[n], len(assessed) * scale, MEAN_PLACES) if assessed else None) for n in sections)
    totals = sum(int(r.total * scale) for r in assessed if r.total is not None)
    total_mean = _div(totals, len(assessed) * scale, MEAN_PLACES) if assessed else None
    section_tops = _section_tops(data.rubric)
    tops_of = [(r, section_tops(r.sheet)) for r in assessed if r.sheet is not None]
    shares = tuple(
        (s.number, _mean_share((r.sections[s.number], t[0][s.number]) for r, t in tops_of))
        for s in data.rubric.scored_sections
    )
    total_share = _mean_share((r.total, t[1]) for r, t in tops_of if r.total is not None)
    return YearStats(data.year, len(assessed), tuple(stats), means, total_mean, shares, total_share)


# -- the cache: plain JSON keyed by the year's inputs -------------------------------------------


def _enc(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _to_doc(stats: YearStats) -> dict:
    return {
        "year": stats.year,
        "assessed": stats.assessed,
        "total_mean": _enc(stats.total_mean),
        "sections": [[n, _enc(m)] for n, m in stats.section_means],
        "shares": [[n, f] for n, f in stats.section_shares],
        "total_share": stats.total_share,
        "indicators": [
            [
                s.id,
                s.section,
                _enc(s.max),
                s.assessed,
                _enc(s.mean),
                s.full,
                s.deducted,
                _enc(s.deducted_share),
                [list(r) for r in s.reasons],
            ]
            for s in stats.indicators
        ],
    }


def _from_doc(doc: dict) -> YearStats:
    return YearStats(
        year=doc["year"],
        assessed=doc["assessed"],
        total_mean=_dec(doc["total_mean"]),
        section_means=tuple((n, _dec(m)) for n, m in doc["sections"]),
        section_shares=tuple((n, None if f is None else str(Fraction(f))) for n, f in doc["shares"]),
        total_share=None if doc["total_share"] is None else str(Fraction(doc["total_share"])),
        indicators=tuple(
            IndicatorStat(
                i, sec, Decimal(mx), n, _dec(mean), full, ded, _dec(share), tuple((str(t), int(c)) for t, c in reasons)
            )
            for i, sec, mx, n, mean, full, ded, share, reasons in doc["indicators"]
        ),
    )


def year_stats(report: YearReport, key: str | None, cache: CacheFolder | None) -> YearStats:
    """The year's statistics: from the cache file for `key` (the cache key of the year's rubric and
    results) when it is there and readable, else computed (and kept for the next build)."""
    if cache is None or key is None:
        return compute(report)
    name = f"stats/{report.data.year}.json"
    body = cache.read(name)  # None when missing, edited or forged: recomputed
    if body is not None:
        try:
            doc = json.loads(body.decode("utf-8"))
            if doc.get("format") == CACHE_FORMAT and doc.get("key") == key:
                return _from_doc(doc["stats"])
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # an unreadable cache is recomputed, never trusted
    stats = compute(report)
    try:
        doc = {"format": CACHE_FORMAT, "key": key, "stats": _to_doc(stats)}
        cache.write(name, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a cache left unwritten only costs time next build
    return stats
