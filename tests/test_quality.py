"""Every page type in a real browser at phone and desktop size, valid HTML, accessibility.

Each check is also shown failing on a deliberately broken page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import serve
from conftest import REPO, _in_process
from quality import PageWatch, axe_serious, axe_source, keep_screenshot, sideways_scroll, validate_html

PAGE_TYPES = {
    "home": "index.html",
    "year": "2023/index.html",
    "roster": "2023/roster/index.html",
    "grades": "2023/grades/index.html",
    "institution": "2023/institutions/P02/index.html",
    "vetoed": "2023/institutions/P06/index.html",
    "inactive": "2023/institutions/P12/index.html",
    "rubric": "2023/rubric/index.html",
    "page": "about/index.html",
    "wechat": "2023/wechat/index.html",
}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    result = _in_process("build", "--root", str(REPO), "--out", str(out))
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def chromium(site, chromium_browser):
    with serve(site) as base:
        yield base, chromium_browser


def check_page(b, url: str, viewport: dict, name: str, axe: str | None = None, zoom: bool = False) -> list[str]:
    context = b.new_context(viewport=viewport)
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(url, wait_until="load")
    problems = list(watch.problems)
    if zoom:
        page.evaluate("document.documentElement.style.fontSize = '200%'")
    problems += sideways_scroll(page)
    if axe:
        problems += axe_serious(page, axe)
    if problems:
        problems.append(f"screenshot: {keep_screenshot(page, name)}")
    context.close()
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_cleanly_without_sideways_scroll(chromium, kind, viewport):
    base, b = chromium
    assert check_page(b, base + PAGE_TYPES[kind], VIEWPORTS[viewport], f"{kind}-{viewport}") == []


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_accessibility_and_200_percent_text(chromium, kind):
    base, b = chromium
    axe = axe_source()
    assert check_page(b, base + PAGE_TYPES[kind], VIEWPORTS["phone"], f"{kind}-axe", axe=axe) == []
    assert check_page(b, base + PAGE_TYPES[kind], VIEWPORTS["phone"], f"{kind}-zoom", zoom=True) == []


def test_every_page_is_valid_html(site):
    pages = sorted(p for p in site.rglob("*.html")
                   if p.name != "article.html" and p.parent.name != "cms")  # the article, the CMS fragment
    assert len(pages) == 1 + 3 + 5 + 48  # home; 3 Markdown pages; year, roster, grades, rubric, wechat; institutions
    assert validate_html(pages) == []


def _rows(page) -> list[str]:
    return page.eval_on_selector_all("table.roster tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")


def test_roster_filter(chromium):
    base, b = chromium
    page = b.new_page()
    page.goto(base + PAGE_TYPES["roster"])
    assert len(_rows(page)) == 48 and page.inner_text("#filter-count") == "显示 48 / 48 个机构"
    page.fill("#f-name", "职业中学")
    assert _rows(page) == ["保德县职业中学校", "宁武县职业中学校", "五寨县职业中学校", "岢岚县职业中学校", "五台县职业中学校"]
    page.select_option("#f-status", "active")
    assert _rows(page) == ["保德县职业中学校", "宁武县职业中学校", "五寨县职业中学校"]
    page.fill("#f-name", "")
    page.select_option("#f-tier", "省属")
    assert len(_rows(page)) == 11
    page.select_option("#f-grade", "A")
    assert _rows(page) == ["山西工程职业学院", "山西爱国拥军促进会", "山西省家政协会"]
    assert page.inner_text("#filter-count") == "显示 3 / 48 个机构"
    page.select_option("#f-grade", "取消评价资格")
    assert _rows(page) == ["红马甲集团股份有限公司"]
    page.close()


def test_roster_without_javascript_shows_every_row(site, chromium):
    base, b = chromium
    context = b.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + PAGE_TYPES["roster"])
    assert len(_rows(page)) == 48
    assert not page.is_visible("#roster-filter")  # no controls that would do nothing
    context.close()


# --- each check shown failing on a deliberately broken page -----------------------------------

BROKEN = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><p style="color:#bbbbbb;background:#ffffff">对比度太低的文字</p>
<div style="width:2000px">太宽</div><img src="missing.png"><span><div>块在行内</div></span>
<script>console.error("坏了");</script></main></body></html>"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory, chromium_browser):
    folder = tmp_path_factory.mktemp("broken")
    (folder / "index.html").write_text(BROKEN, encoding="utf-8")
    with serve(folder) as base:
        yield folder, base, chromium_browser


def test_checks_fail_on_a_broken_page(broken):
    folder, base, b = broken
    page = b.new_page(viewport=VIEWPORTS["phone"])
    watch = PageWatch(page)
    page.goto(base + "index.html", wait_until="load")
    assert any("console: 坏了" in p for p in watch.problems)
    assert any("HTTP 404" in p and "missing.png" in p for p in watch.problems)
    [wide] = sideways_scroll(page)
    assert wide.startswith("页面宽 ") and wide.endswith("px，超出视口 390px")
    violations = axe_serious(page, axe_source())
    assert any(v.startswith("color-contrast") for v in violations)
    assert any(v.startswith("image-alt") for v in violations)
    problems = check_page(b, base + "index.html", VIEWPORTS["phone"], "broken-example")
    assert problems and problems[-1].startswith("screenshot: ") and Path(problems[-1][12:]).is_file()
    errors = validate_html([folder / "index.html"])
    assert any("alt" in e for e in errors) and any("div" in e for e in errors)
