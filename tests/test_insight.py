"""Indicator statistics, the city comparison and the search index, each checked against an
independent computation in plain Python straight from the YAML files (never via site_builder.pages.stats).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support.project import REPO, copy_project, in_process

from site_builder.domain.scoring import applicable_max, section_max
from site_builder.pages import search, stats

FIELDS = ["id", "section", "max", "assessed", "mean", "full", "deducted", "deducted_share"]
DATE_LIKE = re.compile(r"^\s*\d{1,2}[-/](\d{1,2}|\d{4})\s*$")  # what Excel and WPS turn into a date


# -- the independent computation ------------------------------------------------------------------


def _yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every scalar a string


def half_up(value: Fraction, places: int) -> Decimal:
    scaled = floor(value * 10**places + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


class Independent:
    """Everything the statistics should say, from the rubric and the sheets as written."""

    def __init__(self, root: Path, year: int = 2023):
        rubric = _yaml(root / "rubric" / f"{year}.yaml")
        self.maxima, self.section_of, self.text, self.applies, self.flags = {}, {}, {}, {}, {}
        for section in rubric["sections"]:
            for group in section["groups"]:
                for item in group["items"]:
                    if "max" in item:
                        self.maxima[item["id"]] = Fraction(item["max"])
                        self.section_of[item["id"]] = int(section["number"])
                        self.applies[item["id"]] = group.get("applies", "all")
        self.sheets = {}
        for path in sorted((root / "scores" / str(year)).glob("*.yaml")):
            if path.stem in ("roster", "status", "corrections"):
                continue
            doc = _yaml(path)
            scores = {}
            for ind, value in doc["items"].items():
                scores[ind] = (
                    (Fraction(value["score"]), value.get("reason"))
                    if isinstance(value, dict)
                    else (Fraction(value), None)
                )
            self.sheets[doc["institution"]] = scores
            self.flags[doc["institution"]] = doc

    def indicator(self, ind: str) -> dict:
        values = [s[ind][0] for s in self.sheets.values() if ind in s]
        n, top = len(values), self.maxima[ind]
        full = sum(v == top for v in values)
        return {
            "id": ind,
            "section": self.section_of[ind],
            "max": Decimal(top.numerator) / top.denominator,
            "assessed": n,
            "mean": half_up(sum(values, Fraction(0)) / n, 2) if n else None,
            "full": full,
            "deducted": n - full,
            "deducted_share": half_up(Fraction(n - full, n), 3) if n else None,
        }

    def section_max(self, number: int, inst: str) -> Fraction:
        """The points that applied to `inst` in a section (an item of a group with `applies` counts
        only where the sheet's flag of that name is true)."""
        return sum(
            (
                top
                for ind, top in self.maxima.items()
                if self.section_of[ind] == number
                and (self.applies[ind] == "all" or self.flags[inst][self.applies[ind]] in (True, "true"))
            ),
            Fraction(0),
        )

    def section_mean(self, number: int, inst: str) -> Decimal:
        """Like with like: the mean share of each institution's applicable maximum, in points of
        `inst`'s applicable maximum."""
        shares = [
            sum((v for ind, (v, _) in s.items() if self.section_of[ind] == number), Fraction(0))
            / self.section_max(number, i)
            for i, s in self.sheets.items()
            if self.section_max(number, i)
        ]
        return half_up(sum(shares, Fraction(0)) / len(shares) * self.section_max(number, inst), 2)


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("insight") / "proj")
    # a sheet whose scores make an indicator's mean end in 5 at the third place (half up, not to even)
    result = in_process("build", "--root", str(project.root), "--out", str(project.root / "out"), "--jobs", "1")
    assert result.code == 0, result.err
    return project.root, project.root / "out"


def _json(out: Path) -> dict:
    return json.loads((out / "2023/data/indicators.json").read_text(encoding="utf-8"), parse_float=Decimal)


def _soup(out: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")


# -- indicators.json / indicators.csv -----------------------------------------------------------


def test_indicators_json_matches_an_independent_computation(built):
    root, out = built
    doc = _json(out)
    assert list(doc) == ["year", "indicators"] and doc["year"] == 2023
    ref = Independent(root)
    assert [r["id"] for r in doc["indicators"]] == list(ref.maxima)  # every scored indicator, form order
    assert len(doc["indicators"]) == 130
    for record in doc["indicators"]:
        assert list(record) == FIELDS
        expected = ref.indicator(record["id"])
        got = {
            k: (Decimal(v) if isinstance(v, (int, Decimal)) and k in ("max", "mean", "deducted_share") else v)
            for k, v in record.items()
        }
        assert got == expected, record["id"]
    # the sample data covers both applicability flags and a vetoed institution (P06, counted)
    by_id = {r["id"]: r for r in doc["indicators"]}
    assert by_id["1-01"]["assessed"] == 24
    assert 0 < by_id["7-01"]["assessed"] < 24 and 0 < by_id["7-06"]["assessed"] < 24


def test_indicators_csv_has_the_same_columns_with_chinese_headers(built):
    _, out = built
    raw = (out / "2023/data/indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "指标编号",
        "所属部分",
        "满分",
        "参评机构数",
        "平均得分",
        "得满分机构数",
        "扣分机构数",
        "扣分机构占比",
    ]
    records = _json(out)["indicators"]
    assert len(rows) == 1 + len(records)
    for row, rec in zip(rows[1:], records):
        assert row[0] == rec["id"]
        assert [Decimal(c) if c else None for c in row[1:]] == [
            None if rec[k] is None else Decimal(rec[k]) for k in FIELDS[1:]
        ]


def test_every_date_like_csv_cell_is_typed_as_text_by_the_data_package(built):
    """Ids are written plain (no trailing tab, which broke pandas, csvkit and COUNTIF); a cell a
    spreadsheet could take for a date is in a column that datapackage.json types as a string."""
    _, out = built
    package = json.loads((out / "2023/data/datapackage.json").read_text(encoding="utf-8"))
    types = {r["path"]: [f["type"] for f in r["schema"]["fields"]] for r in package["resources"]}
    for name in ("indicators.csv", "results.csv"):
        raw = (out / "2023/data" / name).read_text(encoding="utf-8-sig")
        assert "\t" not in raw, name
        rows = list(csv.reader(io.StringIO(raw)))
        date_like = [(n, c) for row in rows[1:] for n, c in enumerate(row) if DATE_LIKE.match(c)]
        assert date_like, name
        assert {types[name][n] for n, _ in date_like} == {"string"}, name
    # the check itself catches an unprotected id
    assert DATE_LIKE.match("6-06") and DATE_LIKE.match("1-01")


def test_results_csv_headers_in_chinese_and_veto_items_kept_as_text(built):
    _, out = built
    raw = (out / "2023/data/results.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0])[:4] == ["机构编号", "机构名称", "层级", "县（市、区）"]
    assert "第7部分" in rows[0] and "否决项" in rows[0] and "名次" in rows[0]
    p06 = next(r for r in rows if r["机构编号"] == "P06")
    assert p06["否决项"] == "6-06" and p06["考核结果"] == "取消评价资格"
    assert next(r for r in rows if r["机构编号"] == "P01")["否决项"] == ""
    # JSON keeps the machine-friendly keys and the plain id
    results = json.loads((out / "2023/data/results.json").read_text(encoding="utf-8"))
    assert next(i for i in results["institutions"] if i["id"] == "P06")["veto_items"] == ["6-06"]


def test_statistics_files_are_checksummed_and_offered_for_download(built):
    _, out = built
    sums = dict(line.split("  ")[::-1] for line in (out / "SHA256SUMS").read_text().splitlines())
    year = _soup(out, "2023/index.html")
    links = {li.a["href"]: li.code.get_text() for li in year.find("ul", class_="downloads").find_all("li")}
    for name in ("indicators.json", "indicators.csv"):
        digest = hashlib.sha256((out / "2023/data" / name).read_bytes()).hexdigest()
        assert sums[f"2023/data/{name}"] == digest
        assert links[f"data/{name}"] == f"SHA-256: {digest}"


def test_mean_and_share_round_half_up():
    assert stats._div(1, 8, stats.MEAN_PLACES) == Decimal("0.13")  # 0.125: half up, not to even
    assert stats._div(1, 16, stats.SHARE_PLACES) == Decimal("0.063")
    assert stats._div(2, 3, stats.SHARE_PLACES) == Decimal("0.667")


# -- the pages ---------------------------------------------------------------------------------


def test_methodology_page_shows_mean_and_deducted_share(built):
    root, out = built
    ref = Independent(root)
    s = _soup(out, "2023/rubric/index.html")
    rows = [tr for t in s.find_all("table", class_="stats-table") for tr in t.tbody.find_all("tr")]
    assert len(rows) == 130
    for tr in rows:
        ind = tr.th.get_text()
        mean, top, count, share = (td.get_text() for td in tr.find_all("td"))
        exp = ref.indicator(ind)
        assert Decimal(mean) == exp["mean"], ind
        pct = format((exp["deducted_share"] * 100).normalize(), "f")
        assert (count, share) == (f"{exp['deducted']}/{exp['assessed']}", f"{pct}%"), ind
        assert tr.th.a["href"] == f"#item-{ind}" and s.find(id=f"item-{ind}")


def test_year_page_lists_the_ten_most_deducted_with_quoted_reasons(built):
    root, out = built
    ref = Independent(root)
    s = _soup(out, "2023/index.html")
    items = s.find("ol", class_="most-deducted").find_all("li", recursive=False)
    assert len(items) == 10
    shown = [li.a.get_text() for li in items]
    counts = {ind: ref.indicator(ind)["deducted"] for ind in ref.maxima}
    assert [counts[i] for i in shown] == sorted(counts.values(), reverse=True)[:10]
    for li in items:
        ind = li.a.get_text()
        reasons = [q.get_text() for q in li.find_all("q")]
        written = [r for s_ in ref.sheets.values() if ind in s_ for r in [s_[ind][1]] if r]
        assert reasons and all(r in written for r in reasons)
        most = max(written.count(r) for r in set(written))
        assert written.count(reasons[0]) == most  # the most common reason first
        assert f"{counts[ind]} 个机构扣分" in li.get_text()


def test_institution_page_compares_with_the_city_and_marks_what_most_kept(built):
    root, out = built
    ref = Independent(root)
    s = _soup(out, "2023/institutions/P02/index.html")
    table = s.find("table", class_="city-table")
    for tr in table.tbody.find_all("tr"):
        number = int(tr.th.get_text().split(".")[0])
        own, mean, _ = (td.get_text() for td in tr.find_all("td"))
        mine = sum((v for ind, (v, _) in ref.sheets["P02"].items() if ref.section_of[ind] == number), Fraction(0))
        assert Decimal(own.replace("▼", "")) == Decimal(mine.numerator) / mine.denominator
        assert Decimal(mean) == ref.section_mean(number, "P02")
        mark = tr.find("span", class_="below-mark")
        assert own.startswith("▼") == (mark is not None) == (mine < ref.section_mean(number, "P02"))
        assert mark is None or (mark["role"], mark["aria-label"]) == (
            "img",
            "低于全市平均",
        )  # what a screen reader says
    expected = []
    for ind, (score, _) in ref.sheets["P02"].items():
        if score < ref.maxima[ind]:
            others = [sh[ind][0] for i, sh in ref.sheets.items() if i != "P02" and ind in sh]
            full = sum(v == ref.maxima[ind] for v in others)
            if full * 2 > len(others):
                expected.append((ind, f"其他机构 {half_up(Fraction(100 * full, len(others)), 0)}% 得满分"))
    items = s.find("ul", class_="lost-list").find_all("li")
    assert [(li.a.get_text(), li.find(class_="lost-figures").get_text().split("；")[1]) for li in items] == expected
    assert expected


def test_not_assessed_institution_has_no_comparison(built):
    _, out = built
    s = _soup(out, "2023/institutions/P12/index.html")
    assert s.find(id="city") is None


# -- the statistics cache ----------------------------------------------------------------------


def test_statistics_come_from_the_cache_until_a_sheet_changes(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "proj")
    assert in_process("build", "--root", str(project.root), "--jobs", "1").code == 0
    first = (project.root / "output/2023/data/indicators.json").read_bytes()
    calls = []
    real = stats.compute
    monkeypatch.setattr(stats, "compute", lambda report: calls.append(1) or real(report))
    assert in_process("build", "--root", str(project.root), "--jobs", "1", "--no-cache").code == 0
    assert calls == [1]  # --no-cache computes again
    calls.clear()
    assert in_process("build", "--root", str(project.root), "--jobs", "1").code == 0
    assert calls == [] and (project.root / "output/2023/data/indicators.json").read_bytes() == first
    project.edit("scores/2023/P05.yaml", "veto: {}", "veto: {}\n# changed")
    project.edit("scores/2023/P01.yaml", "  1-02: 1\n", "  1-02: {score: 0, reason: 公告缺少收费标准}\n")
    assert in_process("build", "--root", str(project.root), "--jobs", "1").code == 0
    assert calls == [1]
    after = json.loads((project.root / "output/2023/data/indicators.json").read_text(encoding="utf-8"))
    before = json.loads(first)
    b, a = before["indicators"][1], after["indicators"][1]
    assert a["id"] == "1-02" and a["deducted"] == b["deducted"] + 1 and a["full"] == b["full"] - 1


# -- the search index --------------------------------------------------------------------------


def test_bigrams_split_on_punctuation_and_normalize():
    assert search.bigrams("应急预案，消防") == {"应急", "急预", "预案", "消防"}
    assert search.bigrams("ＡＢ１") == {"ab", "b1"}  # full-width to ASCII, lower case
    assert search.runs("P01 山西工程职业学院") == ["p01", "山西工程职业学院"]


def test_search_index_finds_by_bigrams(built):
    _, out = built
    text = (out / "2023/search/search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.XZ_SEARCH_INDEX=") and text.endswith(";\n")
    idx = json.loads(text[len("window.XZ_SEARCH_INDEX=") : -2])
    names = [i[1] for i in idx["institutions"]]
    n_inst, n_ind = len(idx["institutions"]), len(idx["indicators"])

    def docs(gram):
        value = idx["grams"].get(gram, "")
        return None if value == 0 else set(_decode(value))

    def both(*grams):
        sets = [d for d in map(docs, grams) if d is not None]  # stop bigrams narrow nothing
        return set.intersection(*sets)

    hits = both("工程", "程职", "职业")
    assert names.index("山西工程职业学院") in hits
    reasons = [idx["reasons"][d - n_inst - n_ind][0] for d in both("应急", "预案") if d >= n_inst + n_ind]
    assert "未制定考试应急预案，考场消防器材过期" in reasons
    assert idx["links"] == {"institution": "../institutions/@/index.html", "indicator": "../rubric/index.html#item-@"}


def _decode(value: str) -> list[int]:
    """The index's postings as search.js reads them: base-36 gaps, runs as gap.length."""
    out, prev = [], 0
    for part in filter(None, value.split(",")):
        gap, _, run = part.partition(".")
        prev += int(gap, 36)
        out.append(prev)
        for _ in range(int(run, 36) - 1 if run else 0):
            prev += 1
            out.append(prev)
    return out


def test_postings_round_trip_with_runs():
    numbers = [3, 10, 11, 12, 20, 56, 57, 1000]
    assert search._gaps(numbers) == "3,7.3,8,10.2,q7"  # 56 - 20 = 36 = "10", 1000 - 57 = 943 = "q7"
    assert _decode(search._gaps(numbers)) == numbers
    assert _decode(search._gaps(list(range(5000)))) == list(range(5000))


def test_statistics_from_cached_compact_sheets_equal_those_from_built_items(project):
    from site_builder.build.context import BuildContext, open_cache
    from site_builder.build.layout import Layout
    from site_builder.build.validate import load
    from site_builder.storage.records import LazyItems

    layout = Layout.from_args(root=str(project.root))
    load(layout, BuildContext(layout, open_cache(layout.cache)))  # fills the sheet cache
    compact = load(layout, BuildContext(layout, open_cache(layout.cache))).reports[0]  # from the cache, items not built
    assert all(isinstance(s.items, LazyItems) and not s.items.loaded for s in compact.data.sheets)
    from_rows = stats.compute(compact)
    assert all(not s.items.loaded for s in compact.data.sheets)  # still not built
    for sheet in compact.data.sheets:
        list(sheet.items)  # build every item
    assert stats.compute(compact) == from_rows == stats.compute(load(layout).reports[0])


# -- the statistics against pandas ---------------------------------------------------------------


def _pandas_stats(report) -> stats.YearStats:
    """The statistics as the build computed them with pandas until issue 27 (groups and counts of
    scores scaled to integers; every mean and share divided in Decimal): the reference the plain
    counts must equal, on the repo's data and on a synthetic site."""
    import pandas as pd

    data = report.data
    maxima = {i.id: i.max for i in data.rubric.indicators if i.max is not None}
    assessed = [r for r in report.results if r.assessed]
    rows = [(i.indicator, i.score, i.reason) for r in assessed if r.sheet for i in r.sheet.items]
    scale = stats._scale([*{row[1] for row in rows}, *maxima.values()])
    frame = pd.DataFrame(rows, columns=["indicator", "score", "reason"], dtype="object")
    frame["score"] = frame["score"].map(lambda v: int(v * scale)).astype("int64")
    frame["max"] = frame["indicator"].map({i: int(m * scale) for i, m in maxima.items()}).astype("int64")
    frame["full"] = frame["score"] >= frame["max"]
    agg = frame.groupby("indicator", sort=False).agg(n=("score", "size"), total=("score", "sum"), full=("full", "sum"))
    deducted = frame[~frame["full"] & frame["reason"].notna()].reset_index(names="order")
    common = (
        deducted.groupby(["indicator", "reason"], sort=False)
        .agg(count=("order", "size"), first=("order", "min"))
        .reset_index()
        .sort_values(["indicator", "count", "first"], ascending=[True, False, True], kind="stable")
    )
    top: dict[str, list[tuple[str, int]]] = {}
    for ind, reason, count in zip(common["indicator"], common["reason"], common["count"]):
        if len(top.setdefault(ind, [])) < stats.TOP_REASONS:
            top[ind].append((str(reason), int(count)))
    indicators = []
    for ind in (i for i in data.rubric.indicators if i.id in maxima):
        n, total, full = (int(x) for x in agg.loc[ind.id]) if ind.id in agg.index else (0, 0, 0)
        indicators.append(
            stats.IndicatorStat(
                ind.id,
                ind.section,
                maxima[ind.id],
                n,
                stats._div(total, n * scale, stats.MEAN_PLACES) if n else None,
                full,
                n - full,
                stats._div(n - full, n, stats.SHARE_PLACES) if n else None,
                tuple(top.get(ind.id, ())),
            )
        )
    numbers = [s.number for s in data.rubric.scored_sections]
    sec = pd.DataFrame([(n, int(r.sections[n] * scale)) for r in assessed for n in numbers], columns=["s", "v"])
    sums = sec.groupby("s")["v"].agg(["size", "sum"])
    means = tuple(
        (
            n,
            stats._div(int(sums.loc[n, "sum"]), int(sums.loc[n, "size"]) * scale, stats.MEAN_PLACES)
            if n in sums.index
            else None,
        )
        for n in numbers
    )
    totals = int(pd.Series([int(r.total * scale) for r in assessed if r.total is not None], dtype="int64").sum())
    total_mean = stats._div(totals, len(assessed) * scale, stats.MEAN_PLACES) if assessed else None

    def mean_share(pairs) -> str | None:
        kept = [Fraction(score) / Fraction(top) for score, top in pairs if top > 0]
        return str(sum(kept, Fraction(0)) / len(kept)) if kept else None

    shares = tuple(
        (s.number, mean_share([(r.sections[s.number], section_max(s, r.sheet)) for r in assessed if r.sheet]))
        for s in data.rubric.scored_sections
    )
    total_share = mean_share(
        [(r.total, applicable_max(data.rubric, r.sheet)) for r in assessed if r.sheet and r.total is not None]
    )
    return stats.YearStats(data.year, len(assessed), tuple(indicators), means, total_mean, shares, total_share)


def test_statistics_equal_what_pandas_groups_and_counts(tmp_path):
    from site_builder.build.layout import Layout
    from site_builder.build.validate import load

    synthetic = tmp_path / "synth"
    assert in_process("synth", "--institutions", "300", "--seed", "11", "--out", str(synthetic)).code == 0
    for root in (REPO, synthetic):
        report = load(Layout.from_args(root=str(root))).reports[0]
        computed = stats.compute(report)
        assert any(s.reasons for s in computed.indicators) and computed.section_shares
        assert computed == _pandas_stats(report), root
