"""Each deduction card shows the scoring rule it was scored against (评估要求及相应分值) and links to
the indicator's row on the rubric page (issue 25, Readers)."""

from __future__ import annotations

import posixpath
import re

from bs4 import BeautifulSoup
from support.project import REPO

from site_builder.common import urls
from site_builder.read.project import load_project


def _text(node) -> str:
    return re.sub(r"\s+", "", node.get_text())


def test_p05_first_card_shows_its_rule_and_links_to_its_row(repo_site):
    page = BeautifulSoup((repo_site / "2023/institutions/P05/index.html").read_text(encoding="utf-8"), "html.parser")
    card = page.select_one("ol.deductions li")
    assert card.select_one("a.ind-id")["href"] == "../../rubric/index.html#item-1-01"
    assert (
        _text(card.select_one(".ded-rule"))
        == "评估要求及相应分值：按照省市相关文件要求，制定年度工作计划的，得1分，否则0分；"
    )


def test_every_card_shows_its_rule_and_its_link_reaches_the_row_with_that_rule(repo_site):
    (year,) = load_project(REPO / "scores", REPO / "rubric", base=REPO)
    rubric_page = "2023/rubric/index.html"
    rows = BeautifulSoup((repo_site / rubric_page).read_text(encoding="utf-8"), "html.parser")
    cards = 0
    for path in sorted((repo_site / "2023/institutions").glob("*/index.html")):
        page_rel = str(path.relative_to(repo_site))
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for card in page.select("ol.deductions li"):
            cards += 1
            link = card.select_one("a.ind-id")
            ind = year.rubric.by_id[link.get_text()]
            target, _, fragment = link["href"].partition("#")
            assert posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), target)) == rubric_page
            assert fragment == urls.indicator_anchor(ind.id)
            row = rows.find(id=fragment)
            assert row is not None and row.name == "tr" and _text(row.th) == ind.id, (page_rel, ind.id)
            if ind.text and ind.rule_text:
                rule = _text(card.select_one(".ded-rule"))
                assert rule == "评估要求及相应分值：" + re.sub(r"\s+", "", ind.rule_text), (page_rel, ind.id)
                assert re.sub(r"\s+", "", ind.rule_text) in _text(row)
    assert cards > 100
