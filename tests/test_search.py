"""Site search in headless Chromium at phone size: by a fragment of a name, by words of a deduction
reason, no result, without JavaScript, and from file:// as well as over HTTP."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.browser import serve
from support.project import in_process
from support.quality import PageWatch, sideways_scroll, tab

PHONE = {"width": 390, "height": 844}
EMERGENCY_PLAN = ["山西国智职业培训学校", "忻州市高级技工学校", "山西天宝集团有限公司"]  # roster order


@pytest.fixture(scope="module")
def site(repo_site) -> Path:
    return repo_site


@pytest.fixture(scope="module")
def http(site, chromium_browser):
    with serve(site) as base:
        yield base, chromium_browser


@contextmanager
def _search_from(b, start_url: str, query: str, js: bool = True):
    """Type the query into the header form of a page and submit it, as a reader does (in the
    browser's open phone-size page; the search keeps nothing in storage). Yields the page and what
    went wrong while it loaded (`PageWatch`)."""
    page = tab(b, PHONE, javascript=js)
    watch = PageWatch(page)
    try:
        page.goto(start_url, wait_until="load")
        page.fill("#site-search-q", query)
        with page.expect_navigation():
            page.press("#site-search-q", "Enter")
        page.wait_for_load_state("load")
        yield page, watch
    finally:
        watch.stop()


def _section(page, title: str) -> list[str]:
    return page.eval_on_selector_all(
        "#search-results section",
        """(secs, title) => {
            const s = secs.find(x => x.querySelector('h2').textContent.startsWith(title));
            return s ? Array.from(s.querySelectorAll('li > a')).map(a => a.textContent) : [];
        }""",
        title,
    )


def test_every_page_has_the_search_form(site):
    # every page of the site; not the fragments made for pasting elsewhere (WeChat article, CMS package)
    pages = [p for p in site.rglob("*.html") if p.name != "article.html" and "cms" not in p.relative_to(site).parts]
    assert len(pages) > 50
    for path in pages:
        s = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        form = s.find("form", attrs={"role": "search"})
        assert form and form.find("input", attrs={"name": "q"}), path
        target = (path.parent / form["action"]).resolve()
        assert target == (site / "2023/search/index.html").resolve(), path


def test_name_fragment_finds_the_institution_on_a_phone(http):
    base, b = http
    with _search_from(b, base + "2023/institutions/M03/index.html", "工程职业") as (page, watch):
        assert "/2023/search/index.html?q=" in page.url
        assert _section(page, "机构") == ["山西工程职业学院"]
        assert page.is_visible("text=山西工程职业学院") and not page.is_visible("#search-nojs")
        assert sideways_scroll(page) == [] and watch.problems == []
        with page.expect_navigation():
            page.click("#search-results a:text('山西工程职业学院')")
        assert page.url.endswith("/2023/institutions/P01/index.html")
        assert page.inner_text("h1") == "山西工程职业学院"


def test_words_of_a_reason_find_who_lost_points_for_it(http):
    base, b = http
    with _search_from(b, base + "index.html", "应急预案") as (page, watch):
        assert _section(page, "因相关原因扣分的机构") == EMERGENCY_PLAN
        assert [
            x.split(" ")[0]
            for x in page.eval_on_selector_all(
                "#search-results section:nth-of-type(1) li", "els => els.map(e => e.textContent)"
            )
        ] == ["1-20", "1-25", "7-04"]
        reasons = page.inner_text("#search-results")
        assert "“未制定考试应急预案，考场消防器材过期”" in reasons or "未制定考试应急预案，考场消防器材过期" in reasons
        # two words apart, typed into the search page's own form
        page.fill("#search-q", "应急 流程")
        page.click("#search-form button")
        assert _section(page, "因相关原因扣分的机构") == ["山西国智职业培训学校"]
        assert sideways_scroll(page) == [] and watch.problems == []


def test_no_result_says_so(http):
    base, b = http
    with _search_from(b, base + "2023/index.html", "火星基地") as (page, _):
        assert page.inner_text("#search-status").startswith("没有找到与“火星基地”相关的机构、指标或扣分原因")
        assert page.inner_text("#search-results") == ""
        page.fill("#search-q", "")
        page.click("#search-form button")
        assert page.inner_text("#search-status") == "请输入要查找的机构名称、指标内容或扣分原因。"


def test_without_javascript_the_search_page_says_what_to_do(http):
    base, b = http
    with _search_from(b, base + "2023/roster/index.html", "工程职业", js=False) as (page, _):
        assert "/2023/search/index.html?q=" in page.url
        assert page.is_visible("#search-nojs")
        assert "搜索需要浏览器启用 JavaScript" in page.inner_text("#search-nojs")
        assert page.inner_text("#search-results") == ""
        assert page.eval_on_selector_all("#search-nojs a", "els => els.map(e => e.textContent)") == [
            "机构名单",
            "考核办法",
            "数据下载",
        ]
        assert sideways_scroll(page) == []


def test_search_works_from_file_urls(site, chromium_browser):
    start = (site / "2023/rubric/index.html").as_uri()
    with _search_from(chromium_browser, start, "工程职业") as (page, watch):
        assert page.url.startswith("file://")
        assert _section(page, "机构") == ["山西工程职业学院"] and watch.problems == []


# the results page's accessibility (axe-core) and readability: tests/test_quality.py, page type "search"
# (the same results page, 2023/search/index.html?q=应急预案)


def test_hostile_names_and_reasons_show_as_text(tmp_path, chromium_browser):
    from support.mini import HOSTILE_NAME, HOSTILE_REASON, make_mini

    root = make_mini(tmp_path / "mini")
    assert in_process("build", "--root", str(root), "--jobs", "1").code == 0
    start = (root / "output/2023/index.html").as_uri()
    dialogs = []

    def dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    page = tab(chromium_browser, PHONE)  # the page the search runs in: listened to from the first load
    page.on("dialog", dialog)
    try:
        with _search_from(chromium_browser, start, "测试机构") as (page, watch):
            assert _section(page, "机构") == [HOSTILE_NAME]
            page.fill("#search-q", "缺少资料")
            page.click("#search-form button")
            assert HOSTILE_REASON in page.inner_text("#search-results")
            assert page.eval_on_selector_all("#search-results img", "els => els.length") == 0
    finally:
        page.remove_listener("dialog", dialog)
    assert dialogs == [] and watch.problems == []
