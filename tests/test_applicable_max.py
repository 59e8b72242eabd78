"""The bonus (and every section) shown against its applicable maximum everywhere on an institution's
page: the result box, the deductions, the section table and the city comparison (issue 25, Readers)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.domain.scoring import applicable_max, section_max
from site_builder.pages.stats import _mean_share


def _page(site, inst: str) -> BeautifulSoup:
    return BeautifulSoup((site / "2023/institutions" / inst / "index.html").read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return re.sub(r"\s+", "", node.get_text())


def _rows(table) -> dict[str, list[str]]:
    return {_text(tr.th): [_text(td) for td in tr.find_all("td")] for tr in table.select("tbody tr, tfoot tr")}


def test_p05_bonus_is_shown_against_the_ten_points_that_applied(repo_site):
    page = _page(repo_site, "P05")
    assert _text(page.select_one(".outcome-total")) == "总分90分（满分110）=基础分82.25（满分100）+加分7.75（满分10）"
    assert _text(page.select_one(".outcome-note")) == (
        "满分按适用于本机构的指标计：评估表满分120分，其中10分的指标不适用于本机构，不计分。"
    )
    assert "加分项未得2.25分（适用于本机构的加分项满分10分）" in _text(page.select_one("#deductions").find_next("p"))
    assert _rows(page.select_one("table.subtotals"))["7.加分项"] == ["7.75", "10", "7项"]
    assert _rows(page.select_one("table.city-table"))["7.加分项"][2] == "10"


def test_every_page_adds_up_against_its_applicable_maxima(repo_site):
    """On every assessed institution's page: each section's score plus what it lost (the deduction
    headings) is the 满分 the section table states, the city table states the same maxima, and the
    result box's maxima are the table's sums."""
    pages = sorted((repo_site / "2023/institutions").glob("*/index.html"))
    checked = 0
    for path in pages:
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        table = page.select_one("table.subtotals")
        if table is None:  # not assessed
            continue
        checked += 1
        lost = {}
        for h3 in page.select("h3[id^=ded-]"):
            m = re.search(r"（(?:扣|未得) ([\d.]+) 分", h3.get_text())
            lost[h3["id"][4:]] = Decimal(m.group(1))
        rows = _rows(table)
        city = _rows(page.select_one("table.city-table"))
        maxima = {}
        for name, (score, top, _n) in rows.items():
            if name == "总分":
                continue
            number = name.split(".")[0]
            assert Decimal(score) + lost.get(number, Decimal(0)) == Decimal(top), (path, name)
            assert city[name][2] == top, (path, name)
            maxima[number] = Decimal(top)
        assert Decimal(rows["总分"][1]) == sum(maxima.values()) == Decimal(city["总分"][2]), path
        box = re.findall(r"满分([\d.]+)", _text(page.select_one(".outcome-total")))
        assert [Decimal(x) for x in box] == [sum(maxima.values()), sum(maxima.values()) - maxima["7"], maxima["7"]]
    assert checked == 24


def test_section_max_sums_to_applicable_max(repo_site):
    from support.project import REPO

    from site_builder.read.project import load_project

    (year,) = load_project(REPO / "scores", REPO / "rubric", base=REPO)
    for sheet in year.sheets:
        total = sum((section_max(s, sheet) for s in year.rubric.scored_sections), Decimal(0))
        assert total == applicable_max(year.rubric, sheet)
        assert applicable_max(year.rubric, sheet, "base") + applicable_max(year.rubric, sheet, "bonus") == total


@settings(max_examples=200)
@given(st.lists(st.integers(0, 80).map(lambda n: Decimal(n) / 4), min_size=1, max_size=30), st.sampled_from([10, 20]))
def test_the_city_mean_is_the_plain_mean_where_every_institution_had_the_same_maximum(scores, top):
    """Like with like: the mean share times the maximum is the plain mean when the maxima agree."""
    share = _mean_share([(min(s, Decimal(top)), Decimal(top)) for s in scores])
    plain = Fraction(sum(min(s, Decimal(top)) for s in scores)) / len(scores)
    assert share is not None and Fraction(share) * top == plain
