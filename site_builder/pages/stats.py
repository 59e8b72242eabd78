"""Indicator statistics and city means, computed with pandas from the validated scores.

Every figure is over the assessed institutions an indicator applies to (a sheet scores it), vetoed
ones included: their scores stay on record. Scores are scaled to integers before pandas sees them
(sums and counts only), and every mean or share is divided and rounded with `Decimal` (half up, as
a reader rounds), so no float ever touches a published number.

pandas is imported only when statistics are actually computed; the result is plain data, cached
on disk by a hash of the year's inputs, so a build with nothing changed never imports it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path

from site_builder.common.formats import number
from site_builder.domain.models import ItemScore, Result, YearReport

MEAN_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.001")
TOP_REASONS = 3  # most common reasons kept per indicator
CACHE_FORMAT = 3

CSV_HEADERS = ("指标编号", "所属部分", "满分", "参评机构数", "平均得分", "得满分机构数", "扣分机构数", "扣分机构占比")
"""indicators.csv: the columns of indicators.json, in the same order, with Chinese headers."""


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

    def compare(self, result: Result) -> Comparison | None:
        """An institution against the city: its section scores beside the means, and the
        indicators where it lost points that most other institutions kept."""
        if not result.assessed:
            return None
        means = dict(self.section_means)
        rows = tuple((number, result.sections.get(number), means.get(number)) for number, _ in self.section_means)
        kept, by_id, lost = self.kept_by_most, self.by_id, []
        for row in item_rows(result.sheet):  # the compact rows: no item is built in the main process
            ind = row[0]
            if ind in kept:
                score = _decimal(row[1])
                if score < by_id[ind].max:
                    lost.append((ind, score, by_id[ind].max, kept[ind]))
        return Comparison(rows, self.total_mean, tuple(lost))


@dataclass(frozen=True)
class Comparison:
    """What an institution page shows of the city's figures, and nothing more: it is part of the
    page's context, so its cache key (one changed sheet re-renders only pages whose figures move)."""

    city_sections: tuple[tuple[int, Decimal | None, Decimal | None], ...]  # (section, its score, city mean)
    city_total_mean: Decimal | None
    lost: tuple[tuple[str, Decimal, Decimal, int], ...]  # (indicator, its score, max, % of the others full)


_DECIMALS: dict[str, Decimal] = {}


def _decimal(value: str | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    found = _DECIMALS.get(value)
    if found is None:
        found = _DECIMALS[value] = Decimal(value)
    return found


def _scale(values) -> int:
    """The power of ten that makes every score an integer."""
    places = max((-v.as_tuple().exponent for v in values if v.as_tuple().exponent < 0), default=0)
    return 10**places


_ITEM_FIELDS = [f.name for f in fields(ItemScore)]
_IND, _SCORE, _REASON = (_ITEM_FIELDS.index(n) for n in ("indicator", "score", "reason"))


def item_rows(sheet) -> list[tuple]:
    """(indicator, score, reason) of each item of a sheet. A sheet from the sheet cache keeps its
    items as compact records (ItemScore's fields in order, a Decimal as ("d", text)) until a page
    reads them; they are used as they are, so that the statistics don't build every item of every
    sheet in the main process."""
    raw = getattr(sheet.items, "_raw", None)  # cache.LazyItems
    if raw is not None and all(len(rec) == len(_ITEM_FIELDS) for rec in raw):
        return [(rec[_IND], rec[_SCORE][1] if type(rec[_SCORE]) is tuple else rec[_SCORE], rec[_REASON]) for rec in raw]
    return [(it.indicator, it.score, it.reason) for it in sheet.items]


def _div(numerator: int, denominator: int, places: Decimal) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def compute(report: YearReport) -> YearStats:
    """The statistics of one year, with pandas."""
    import pandas as pd  # imported here: most builds take the statistics from the cache

    data = report.data
    scored = [i for i in data.rubric.indicators if not i.is_veto]
    assessed = [r for r in report.results if r.assessed]
    rows = [row for r in assessed for row in item_rows(r.sheet)]
    ids = [row[0] for row in rows]
    scores = [row[1] for row in rows]
    reasons = [row[2] for row in rows]
    exact = {v: Decimal(v) for v in set(scores)}  # few distinct values: each converted once
    scale = _scale([*exact.values(), *(i.max for i in scored)])
    maxima = {i.id: int(i.max * scale) for i in scored}
    frame = pd.DataFrame(
        {
            "indicator": pd.Series(ids, dtype="object"),
            "score": pd.Series(scores, dtype="object")
            .map({v: int(d * scale) for v, d in exact.items()})
            .astype("int64"),
            "reason": pd.Series(reasons, dtype="object"),
        }
    )
    frame["max"] = frame["indicator"].map(maxima).astype("int64")
    frame["full"] = frame["score"] >= frame["max"]
    per = frame.groupby("indicator", sort=False).agg(
        assessed=("score", "size"), total=("score", "sum"), full=("full", "sum")
    )
    deducted = frame[~frame["full"] & frame["reason"].notna()].reset_index(names="order")
    common = (
        deducted.groupby(["indicator", "reason"], sort=False)
        .agg(count=("order", "size"), first=("order", "min"))
        .reset_index()
        .sort_values(["indicator", "count", "first"], ascending=[True, False, True], kind="stable")
    )
    top: dict[str, list[tuple[str, int]]] = {}
    for ind, reason, count in zip(common["indicator"], common["reason"], common["count"]):
        kept = top.setdefault(ind, [])
        if len(kept) < TOP_REASONS:
            kept.append((str(reason), int(count)))

    stats = []
    for ind in scored:
        if ind.id in per.index:
            row = per.loc[ind.id]
            n, total, full = int(row["assessed"]), int(row["total"]), int(row["full"])
        else:
            n = total = full = 0
        stats.append(
            IndicatorStat(
                id=ind.id,
                section=ind.section,
                max=ind.max,
                assessed=n,
                mean=_div(total, n * scale, MEAN_PLACES) if n else None,
                full=full,
                deducted=n - full,
                deducted_share=_div(n - full, n, SHARE_PLACES) if n else None,
                reasons=tuple(top.get(ind.id, ())),
            )
        )

    sections = [s.number for s in data.rubric.scored_sections]
    sec = pd.DataFrame(
        [(n, int(r.sections[n] * scale)) for r in assessed for n in sections], columns=["section", "score"]
    ).astype("int64")
    sums = sec.groupby("section").agg(n=("score", "size"), total=("score", "sum"))
    means = tuple(
        (n, _div(int(sums.loc[n, "total"]), int(sums.loc[n, "n"]) * scale, MEAN_PLACES) if n in sums.index else None)
        for n in sections
    )
    totals = pd.Series([int(r.total * scale) for r in assessed], dtype="int64")
    total_mean = _div(int(totals.sum()), len(assessed) * scale, MEAN_PLACES) if assessed else None
    return YearStats(data.year, len(assessed), tuple(stats), means, total_mean)


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
        indicators=tuple(
            IndicatorStat(
                i, sec, _dec(mx), n, _dec(mean), full, ded, _dec(share), tuple((str(t), int(c)) for t, c in reasons)
            )
            for i, sec, mx, n, mean, full, ded, share, reasons in doc["indicators"]
        ),
    )


def year_stats(report: YearReport, key: str, folder: Path | None) -> YearStats:
    """The year's statistics: from the cache file for `key` when it is there and readable."""
    path = folder / "stats" / f"{report.data.year}.json" if folder else None
    from site_builder.storage.cache import seal, unseal

    purpose = f"stats/{report.data.year}.json"
    if path is not None and path.is_file():
        try:
            body = unseal(path.read_bytes(), purpose)  # None when edited or forged: recomputed
            doc = json.loads(body.decode("utf-8")) if body is not None else {}
            if doc.get("format") == CACHE_FORMAT and doc.get("key") == key:
                return _from_doc(doc["stats"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # an unreadable cache is recomputed, never trusted
    stats = compute(report)
    if path is not None:
        from site_builder.storage.writer import atomic_write

        try:
            atomic_write(
                path,
                seal(
                    json.dumps(
                        {"format": CACHE_FORMAT, "key": key, "stats": _to_doc(stats)}, ensure_ascii=False
                    ).encode("utf-8"),
                    purpose,
                ),
            )
        except OSError:
            pass  # a cache left unwritten only costs time next build
    return stats


# -- the open-data files ------------------------------------------------------------------------


def _record(s: IndicatorStat) -> dict:

    return {
        "id": s.id,
        "section": s.section,
        "max": number(s.max),
        "assessed": s.assessed,
        "mean": number(s.mean),
        "full": s.full,
        "deducted": s.deducted,
        "deducted_share": number(s.deducted_share),
    }


def indicators_json(stats: YearStats) -> str:
    doc = {"year": stats.year, "indicators": [_record(s) for s in stats.indicators]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def indicators_csv(stats: YearStats) -> bytes:
    """The same columns with Chinese headers, UTF-8 with a BOM (Excel shows the Chinese)."""
    from site_builder.common.formats import spreadsheet_text
    from site_builder.domain.scoring import fmt

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_HEADERS)
    for s in stats.indicators:
        out.writerow(
            [
                spreadsheet_text(s.id),
                s.section,
                fmt(s.max),
                s.assessed,
                fmt(s.mean),
                s.full,
                s.deducted,
                fmt(s.deducted_share),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# -- the hook for the site ----------------------------------------------------------------------

_PREPARED: dict[int, tuple[YearReport, YearStats]] = {}  # by id(report), for this build


def prepare(renderer, report: YearReport) -> YearStats:
    """The year's statistics for this build, before any page or data file needs them: from the
    stats cache when the year's rubric and results are exactly those they were computed from
    (the renderer's cache key of them), else computed. `of(report)` returns them afterwards."""
    key = renderer.key("stats", f"{report.data.year}/stats", (report.data.rubric, report.results))
    stats = year_stats(report, key, renderer.cache.folder) if key else compute(report)
    _PREPARED[id(report)] = (report, stats)
    return stats


def of(report: YearReport) -> YearStats:
    """The statistics of a year: those `prepare` made for this build, or computed now."""
    hit = _PREPARED.get(id(report))
    if hit is None or hit[0] is not report:
        _PREPARED[id(report)] = hit = (report, compute(report))
    return hit[1]
