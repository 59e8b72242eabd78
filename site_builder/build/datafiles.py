"""The registry of output files that are not pages: what each is, who makes it, from what.

The build produces exactly these (`DATA_FILES` per year, `ASSETS` once), and the year page lists
`DATA_FILES` as its downloads, with their labels, in this order (the CMS package attaches some of
them, with the same labels). A new open-data file is one entry here (its producer takes the values
`inputs` picks from the year and its statistics; those values, hashed, are its cache key, so nothing
it reads can be left out of the key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from site_builder.common import urls
from site_builder.domain.models import YearReport
from site_builder.pages.stats import YearStats
from site_builder.publish import exports, indicators, tables


@dataclass(frozen=True)
class DataFile:
    name: str  # file name under <year>/data/
    label: str  # what the year page's download list calls it
    inputs: Callable[[YearReport, YearStats], tuple[Any, ...]]  # what the producer receives
    produce: Callable[..., str | bytes]  # produce(*inputs(report, stats))
    background: bool = False  # slow: made in a forked process while the pages render

    def path(self, year: int) -> str:
        return urls.data_file(year, self.name)


DATA_FILES: tuple[DataFile, ...] = (
    DataFile(
        "results.xlsx",
        "考核结果和各指标得分（Excel 工作簿）",
        lambda rep, _stats: (rep.data, rep.results),
        exports.results_xlsx,
        background=True,
    ),
    DataFile(
        "results.csv",
        "考核结果（CSV，Excel 可直接打开）",
        lambda rep, _stats: (rep.data.rubric, rep.results),
        exports.results_csv,
    ),
    DataFile("results.json", "考核结果（JSON）", lambda rep, _stats: (rep.data, rep.results), exports.results_json),
    DataFile("rubric.json", "评估表指标（JSON）", lambda rep, _stats: (rep.data.rubric,), exports.rubric_json),
    DataFile(
        "objections.csv",
        "异议处理情况（CSV，Excel 可直接打开）",
        lambda rep, _stats: (rep.data,),
        exports.objections_csv,
    ),
    DataFile("objections.json", "异议处理情况（JSON）", lambda rep, _stats: (rep.data,), exports.objections_json),
    DataFile(
        "indicators.csv",
        "各指标得分统计（CSV，Excel 可直接打开）",
        lambda _rep, stats: (stats,),
        indicators.indicators_csv,
    ),
    DataFile("indicators.json", "各指标得分统计（JSON）", lambda _rep, stats: (stats,), indicators.indicators_json),
    DataFile(
        "datapackage.json",
        "以上 CSV 文件的表结构（Frictionless 数据包，JSON）",
        lambda rep, _stats: (rep.data.year, rep.data.rubric),
        tables.datapackage_json,
    ),
)

ASSETS: tuple[str, ...] = (
    "site.css",
    "filter.js",
    "wechat-copy.js",
    "search.js",
    "elder-mode.js",
)  # copied from templates/assets/
