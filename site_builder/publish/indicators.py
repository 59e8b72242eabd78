"""The indicator statistics as open data: `<year>/data/indicators.json` and `indicators.csv`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from site_builder.common.formats import number, spreadsheet_text
from site_builder.domain.scoring import fmt
from site_builder.pages.stats import IndicatorStat, YearStats

CSV_HEADERS = ("指标编号", "所属部分", "满分", "参评机构数", "平均得分", "得满分机构数", "扣分机构数", "扣分机构占比")
"""indicators.csv: the columns of indicators.json, in the same order, with Chinese headers."""


def _record(s: IndicatorStat) -> dict[str, Any]:
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
