"""The indicator statistics as open data: `<year>/data/indicators.json` and `indicators.csv`."""

from __future__ import annotations

import json
from typing import Any

from site_builder.common.formats import number
from site_builder.pages.stats import IndicatorStat, YearStats
from site_builder.publish import tables


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
    """The columns of `tables.INDICATOR_COLUMNS` with Chinese headers, UTF-8 with a BOM (Excel shows the Chinese)."""
    return tables.write_csv(tables.INDICATOR_COLUMNS, stats.indicators)
