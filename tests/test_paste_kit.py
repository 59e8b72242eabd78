"""The paste kit without a browser (issue 25): every HTML file declares UTF-8; the WeChat editor's
title, 摘要 and 原文链接 are made from the data within the editor's limits and listed on the preview
page; the pasted body does not repeat the title; the full-results address is a link; the CMS
announcement's tables carry their look as HTML attributes and have their titles before them.
(tests/test_paste_editors.py pastes both into real editors.)"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.mini import make_mini
from support.second_year import make_second_year

from site_builder.build.flow import Layout, load
from site_builder.common import urls
from site_builder.domain.scoring import Figures
from site_builder.publish import wechat

CHARSET = '<meta charset="utf-8">'
REPO = Path(__file__).resolve().parent.parent


def _site(root):
    return load(Layout.from_args(root=str(root)))


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The repo's data, the mini fixture (a hostile name, a draft) and a second year (another rubric)."""
    mini = make_mini(tmp_path_factory.mktemp("mini"))
    second = make_second_year(tmp_path_factory.mktemp("second"))
    return {"repo": _site(REPO), "mini": _site(mini), "second": _site(second)}


def test_every_html_file_declares_utf8(repo_site):
    """A server's default text/html has no charset: the file itself must say UTF-8, early (a browser
    looks at its first 1024 bytes)."""
    files = sorted(repo_site.rglob("*.html"))
    assert {"2023/wechat/article.html", "2023/cms/announcement.html"} <= {
        p.relative_to(repo_site).as_posix() for p in files
    }
    missing = [
        p.relative_to(repo_site).as_posix()
        for p in files
        if CHARSET.encode() not in p.read_bytes().removeprefix(b"\xef\xbb\xbf")[:1024]
    ]
    assert missing == []


@pytest.mark.parametrize("which", ["repo", "mini", "second"])
def test_editor_fields_within_the_limits_and_from_the_data(sites, which):
    site = sites[which]
    for rep in site.reports:
        fields = wechat.editor_fields(site, rep)
        assert 0 < len(fields.title) <= wechat.MAX_TITLE_CHARS == 64
        assert 0 < len(fields.digest) <= wechat.MAX_DIGEST_CHARS == 120
        assert fields.source_url == urls.absolute(site.config.base_url, urls.year_index(rep.data.year))
        assert fields.title == site.announcements[rep.data.year].meta["title"]  # fits: taken as it is
        # the 摘要 gives the year's outcome counts, as the data has them
        figures = Figures.of(rep.results, rep.data.rubric)
        for outcome, n in figures.by_outcome.items():
            assert f"{rep.data.rubric.caption(outcome, '')}{n}个" in fields.digest
        assert f"参加考核的评价机构{figures.assessed}个" in fields.digest
        if rep.data.status.status != "approved":
            assert fields.digest.startswith(f"【{rep.data.status.label}】")


def test_a_long_title_and_many_outcomes_still_fit(sites):
    site = sites["repo"]
    rep = site.reports[0]
    y = rep.data.year
    page = site.announcements[y]
    long_title = "忻州市人力资源和社会保障局关于" + "职业技能等级评价机构" * 8 + "年度绩效考核结果的公告"
    assert len(long_title) > 64
    longer = dataclasses.replace(
        site, announcements={y: dataclasses.replace(page, meta={**page.meta, "title": long_title})}
    )
    fields = wechat.editor_fields(longer, rep)
    assert fields.title == f"{y}年度职业技能等级评价机构年度绩效考核结果公示"  # the fallback, from the year
    # a 摘要 that cannot hold every sentence keeps whole sentences, the counts first
    assert wechat._digest(["甲" * 100 + "。", "乙" * 30 + "。"]) == "甲" * 100 + "。"
    assert wechat._digest(["甲" * 130]) == "甲" * 119 + "…"
    assert wechat._title("丙" * 70) == "丙" * 63 + "…"


def test_the_preview_lists_the_editor_fields_and_names_the_source_link(repo_site, sites):
    site = sites["repo"]
    fields = wechat.editor_fields(site, site.reports[0])
    preview = BeautifulSoup((repo_site / "2023/wechat/index.html").read_text(encoding="utf-8"), "html.parser")
    steps = preview.find("ol", class_="instructions")
    assert steps.find(id="field-title").get_text() == fields.title
    assert steps.find(id="field-digest").get_text() == fields.digest
    source = steps.find(id="field-source")
    assert source.get_text() == fields.source_url == "https://example.org/xinzhou-pjjg/2023/index.html"
    text = steps.get_text()
    assert "原文链接" in text and "摘要" in text and "标题" in text and "64 字" in text and "120 字" in text


def test_the_article_body_does_not_repeat_the_title_and_links_the_full_results(repo_site, sites):
    fields = wechat.editor_fields(sites["repo"], sites["repo"].reports[0])
    raw = (repo_site / "2023/wechat/article.html").read_text(encoding="utf-8")
    assert raw.startswith(CHARSET + "\n<section")
    section = BeautifulSoup(raw, "html.parser").section
    assert fields.title not in section.get_text()
    first = next(p for p in section.find_all("p") if p.get_text().strip())
    assert fields.title not in first.get_text()
    link = section.find("a", href=fields.source_url)
    assert link is not None and link.get_text() == fields.source_url  # shown whole: still there if unlinked
    assert "break-all" not in raw  # the address broke as "index.h/tml"
    assert section.find_all("p")[-1].get("align") == "right"  # the 落款


def test_cms_tables_carry_their_look_in_attributes_and_titles_before_them(repo_site):
    raw = (repo_site / "2023/cms/announcement.html").read_text(encoding="utf-8-sig")
    assert raw.startswith(CHARSET + "\n<div>")
    soup = BeautifulSoup(raw, "html.parser")
    assert not soup.find("caption") and not re.search(r"(?<![-\w])width\s*[:=]", raw)  # no fixed widths
    tables = soup.find_all("table")
    assert len(tables) == 6
    for table in tables:
        assert (table["border"], table["cellpadding"], table["cellspacing"]) == ("1", "4", "0")
        assert table.find_previous(["h2", "h3"]).name == "h3"
        for th in table.thead.find_all("th"):
            assert th.div is not None and "font-weight:bold" in th["style"], th
        for cell in table.tbody.find_all(["td", "th"]):
            if "text-align:right" in cell["style"]:
                assert cell["align"] == "right", cell
    signoff = soup.div.find_all("p", recursive=False)[-1]
    assert signoff["align"] == "right" and "text-align:right" in signoff["style"]
