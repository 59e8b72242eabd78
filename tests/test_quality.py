"""Every page type in a real browser at phone and desktop size: valid HTML, accessibility, and
readability (issue 13), on the repo's data and on a synthetic 1,000-institution site.

Each check is also shown failing on a deliberately broken page. Screenshots of every page type at
both widths are kept under tests/artifacts/ (git-ignored) for a person to look at (in CI, only of a
page that failed).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.browser import serve
from support.project import in_process
from support.quality import (
    ALL_SCREENSHOTS,
    PageWatch,
    axe_serious,
    axe_source,
    broken_numbers,
    focus_ring,
    has_cjk_font,
    keep_screenshot,
    keep_view,
    readability,
    require_cjk_font,
    sideways_scroll,
    small_text,
    squeezed_cells,
    tab,
    unhinted_scroll,
    validate_html,
    within_screens,
)

PAGE_TYPES = {
    "home": "index.html",
    "year": "2023/index.html",
    "roster": "2023/roster/index.html",
    "grades": "2023/grades/index.html",
    "institution": "2023/institutions/P02/index.html",
    "vetoed": "2023/institutions/P06/index.html",
    "inactive": "2023/institutions/P12/index.html",
    "rubric": "2023/rubric/index.html",
    "search": "2023/search/index.html?q=应急预案",
    "page": "about/index.html",
    "wechat": "2023/wechat/index.html",
}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.fixture(scope="module")
def site(repo_site) -> Path:
    return repo_site


@pytest.fixture(scope="module")
def chromium(site, chromium_browser):
    with serve(site) as base:
        yield base, chromium_browser


def test_every_page_is_valid_html(site):
    pages = sorted(
        p for p in site.rglob("*.html") if p.name != "article.html" and p.parent.name != "cms"
    )  # the article, the CMS fragment
    assert (
        len(pages) == 1 + 3 + 6 + 48
    )  # home; 3 Markdown pages; year, roster, grades, rubric, wechat, search; institutions
    assert validate_html(pages) == []


def _rows(page) -> list[str]:
    return page.eval_on_selector_all("table.roster tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")


def test_roster_filter(chromium):
    base, b = chromium
    page = tab(b, VIEWPORTS["desktop"])
    page.goto(base + PAGE_TYPES["roster"])
    assert len(_rows(page)) == 48 and page.inner_text("#filter-count") == "显示 48 / 48 个机构"
    assert page.inner_text("#tier-1") == "省属机构（21 个）"
    page.fill("#f-name", "职业中学")
    assert _rows(page) == [
        "保德县职业中学校",
        "宁武县职业中学校",
        "五寨县职业中学校",
        "岢岚县职业中学校",
        "五台县职业中学校",
    ]
    # the headings follow the filter; a tier with no match says so instead of showing a bare header
    assert page.inner_text("#tier-1") == "省属机构（符合条件 0 个，共 21 个）"
    assert page.inner_text("#tier-2") == "市属机构（符合条件 5 个，共 27 个）"
    assert page.is_visible("[data-tier-block=省属] .no-match") and not page.is_visible("[data-tier-block=省属] table")
    assert page.inner_text("[data-tier-block=省属] .no-match") == "没有符合条件的机构。"
    assert not page.is_visible("[data-tier-block=市属] .no-match")
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
    page.fill("#f-name", "没有这个机构")
    assert _rows(page) == [] and page.inner_text("#filter-count") == "没有符合条件的机构（共 48 个）"
    assert page.is_visible("[data-tier-block=省属] .no-match") and page.is_visible("[data-tier-block=市属] .no-match")
    page.fill("#f-name", "")
    for field in ("#f-tier", "#f-status", "#f-grade"):
        page.select_option(field, "")
    assert len(_rows(page)) == 48 and page.inner_text("#tier-1") == "省属机构（21 个）"
    assert not page.is_visible(".no-match")


def test_roster_without_javascript_shows_every_row(site, chromium):
    base, b = chromium
    page = tab(b, VIEWPORTS["desktop"], javascript=False)
    page.goto(base + PAGE_TYPES["roster"])
    assert len(_rows(page)) == 48
    assert not page.is_visible("#roster-filter")  # no controls that would do nothing


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
    page = tab(b, VIEWPORTS["phone"])
    watch = PageWatch(page)
    page.goto(base + "index.html", wait_until="load")
    watch.stop()
    assert any("console: 坏了" in p for p in watch.problems)
    assert any("HTTP 404" in p and "missing.png" in p for p in watch.problems)
    [wide] = sideways_scroll(page)
    assert wide.startswith("页面宽 ") and wide.endswith("px，超出视口 390px")
    violations = axe_serious(page, axe_source())
    assert any(v.startswith("color-contrast") for v in violations)
    assert any(v.startswith("image-alt") for v in violations)
    # the page checked as the tests above check every page type, on one load: every kind of problem
    # is reported, with a screenshot of the page as loaded and one with the text at 200 %
    problems = check_reading(
        b, base + "index.html", "phone", "broken", "broken", loads_cleanly=True, accessibility=True
    )
    assert any("console: 坏了" in p for p in problems) and any("HTTP 404" in p for p in problems)
    assert any(p.startswith("页面宽 ") for p in problems) and any(p.startswith("color-contrast") for p in problems)
    assert any(p.startswith("200% 字号：页面宽 ") for p in problems)
    shots = [Path(p.removeprefix("screenshot: ")) for p in problems if p.startswith("screenshot: ")]
    assert [p.name for p in shots] == ["broken-200.png", "broken.jpg"] and all(p.is_file() for p in shots)
    errors = validate_html([folder / "index.html"])
    assert any("alt" in e for e in errors) and any("div" in e for e in errors)


# --- readability (issue 13) -----------------------------------------------------------------------


def check_reading(
    b,
    url: str,
    viewport: str,
    kind: str,
    name: str,
    shot_height: int = 6000,
    loads_cleanly: bool = False,
    accessibility: bool = False,
) -> list[str]:
    """The readability gate on one page, all on one load. With `loads_cleanly`, first: no console
    error or failed request and no sideways scroll. With `accessibility`, last, on the page as the
    readability checks leave it (they read it, and tab through its first focus stops): serious
    axe-core violations, then no sideways scroll with the text at 200 %. Without a Chinese font
    (a local run; CI fails at once) the readability checks are skipped, the others still made.

    A screenshot of the page as loaded (its first `shot_height` px) is kept when a check of it failed,
    and for every page checked outside CI (`ALL_SCREENSHOTS`), for a person to look at; with the text
    at 200 %, one more when that check failed."""
    if os.environ.get("CI"):
        require_cjk_font()
    page = tab(b, VIEWPORTS[viewport])
    watch = PageWatch(page) if loads_cleanly else None
    try:
        page.goto(url, wait_until="load")
        problems = sideways_scroll(page) if watch else []
        if has_cjk_font():
            problems += readability(page)
            if viewport == "phone" and kind in ("institution", "vetoed"):
                problems += within_screens(page, ".ded-reason")  # the first deduction reason, within two screens
            if viewport == "phone" and kind == "vetoed":
                problems += within_screens(page, ".veto-evidence")
        failed = bool(problems or (watch and watch.problems))
        shot = keep_view(page, name, shot_height) if failed or ALL_SCREENSHOTS else None
        if accessibility:
            violations = axe_serious(page, axe_source())
            if violations and shot is None:
                shot = keep_view(page, name, shot_height)
            page.evaluate("document.documentElement.style.fontSize = '200%'")
            zoomed = [f"200% 字号：{p}" for p in sideways_scroll(page)]
            if zoomed:
                zoomed.append(f"screenshot: {keep_screenshot(page, name + '-200')}")
            problems += violations + zoomed
    finally:
        if watch:
            watch.stop()
    problems = (list(watch.problems) if watch else []) + problems
    if problems and shot:
        problems.append(f"screenshot: {shot}")
    if not problems:
        require_cjk_font()  # skips a local run without the font: its readability was not checked
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_loads_cleanly_readable_and_accessible_at_phone_and_desktop_width(chromium, kind, viewport):
    """Every page type at both widths, on one load: no console error, failed request or sideways
    scroll, then the readability gate; at phone width also no serious accessibility violation and
    no sideways scroll with the text at 200 %."""
    base, b = chromium
    url = base + PAGE_TYPES[kind]
    phone = viewport == "phone"
    assert check_reading(b, url, viewport, kind, f"{kind}-{viewport}", loads_cleanly=True, accessibility=phone) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_city_comparison_cells_take_one_line(chromium, viewport):
    """The comparison column (本机构, ▼ below the city mean) of the pages the outside review named,
    measured as it did: the distinct tops of every box a range over the cell's contents gives, hidden
    labels included. A visually-hidden "（低于平均）" added two such boxes (three "lines" for a
    ▼16.5); the mark's label is now its aria-label."""
    base, b = chromium
    page = tab(b, VIEWPORTS[viewport])
    tall = []
    for inst in ("P01", "P06", "M10"):
        page.goto(f"{base}2023/institutions/{inst}/index.html", wait_until="load")
        tall += page.evaluate(
            """(inst) => [...document.querySelectorAll('table.city-table td, table.city-table th')].flatMap(cell => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
                return tops.size > 1 ? [`${inst} ${cell.textContent}: ${tops.size}`] : [];
            })""",
            inst,
        )
        assert page.locator("table.city-table .below-mean").count() > 0 or inst == "P01"
    assert tall == []


def test_print_expands_every_section_on_a4_without_javascript(chromium):
    base, b = chromium
    context = b.new_context(java_script_enabled=False, viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(base + PAGE_TYPES["institution"])
    closed = "Array.from(document.querySelectorAll('details:not([open]) table')).map(t => t.checkVisibility())"
    on_screen = page.evaluate(closed)
    assert len(on_screen) == 7 and not any(on_screen)  # the veto check and six sections, closed on screen
    page.emulate_media(media="print")
    assert all(page.evaluate(closed))
    assert squeezed_cells(page) == [] and broken_numbers(page) == []  # the reasons keep their room on paper
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = {
        tuple(round(float(x)) for x in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    }
    assert boxes == {(595, 842)}  # A4 in points, from @page { size: A4 }
    context.close()


def test_readable_with_corrections(tmp_path, chromium_browser):
    """The 更正记录 tables (absent from the repo's data) on the year and the institution page."""
    from support.mini import make_mini

    root = make_mini(tmp_path / "m")
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 考核工作领导小组\napproved_on: 2024-01-15\npublished_on: 2024-01-15\n"
        "objection_deadline: 2024-01-20\n",
        encoding="utf-8",
    )
    (root / "scores/2023/M02.yaml").write_text(
        (root / "scores/2023/P01.yaml").read_text(encoding="utf-8").replace("institution: P01", "institution: M02"),
        encoding="utf-8",
    )
    assert in_process("build", "--root", str(root), "--publish").code == 0
    sheet = root / "scores/2023/P01.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(re.sub(r"  1-02:\n(    .*\n)+", "  1-02: 1\n", text), encoding="utf-8")
    (root / "scores/2023/corrections.yaml").write_text(
        "- date: 2024-01-25\n  institution: P01\n  changes:\n    - {indicator: 1-02, old: 0, new: 1}\n"
        "  reason: 复核结果：机构补充提供了公告原件和第101-102页的记录\n  approved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\n",
        encoding="utf-8",
    )
    result = in_process("build", "--root", str(root))
    assert result.code == 0, result.err
    with serve(root / "output") as base:
        for rel, kind in (("2023/index.html", "year"), ("2023/institutions/P01/index.html", "corrected")):
            for viewport in VIEWPORTS:
                assert (
                    check_reading(chromium_browser, base + rel, viewport, kind, f"corrections-{kind}-{viewport}") == []
                )


# --- the same gate on a synthetic 1,000-institution site ---------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, chromium_browser):
    root = tmp_path_factory.mktemp("synth")
    for args in (
        ["synth", "--institutions", "1000", "--out", str(root), "--seed", "1"],
        ["build", "--root", str(root), "--out", str(root / "out"), "--jobs", "2", "--no-cache"],
    ):
        proc = subprocess.run([sys.executable, "-m", "site_builder", *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    out = root / "out"
    results = json.loads((out / "2023/data/results.json").read_text(encoding="utf-8"))["institutions"]
    assessed = [r for r in results if r["assessed"]]
    weakest = min((r for r in assessed if not r["vetoed"]), key=lambda r: float(r["total"]))  # the most deductions
    pages = dict(PAGE_TYPES)
    del pages["wechat"]  # synth turns the article off: a roll-up of 1,000 does not fit in one
    del pages["page"]  # a Markdown page: the same text whatever the number of institutions (checked above)
    pages["institution"] = f"2023/institutions/{weakest['id']}/index.html"
    pages["vetoed"] = f"2023/institutions/{next(r['id'] for r in assessed if r['vetoed'])}/index.html"
    pages["inactive"] = f"2023/institutions/{next(r['id'] for r in results if not r['active'])}/index.html"
    with serve(out) as base:
        yield base, chromium_browser, pages


@pytest.mark.slow
def test_readable_on_a_synthetic_1000_institution_site(synthetic):
    base, b, pages = synthetic
    problems = []
    for kind, rel in pages.items():
        for viewport in VIEWPORTS:
            problems += [
                f"{kind}-{viewport}: {p}"
                for p in check_reading(b, base + rel, viewport, kind, f"synth-{kind}-{viewport}", 2000)
            ]
    assert problems == []


# --- each readability check shown failing on a deliberately broken page ------------------------------

HARD_TO_READ = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>难读的页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>*:focus { outline: none; } body { font-size: 16px; line-height: 1.7; margin: 8px; }</style></head>
<body><main><a href="#a">第一个链接</a> <a href="#b">第二个链接</a>
<table style="width:150px"><tr><td>山西工程职业学院</td><td>山西工程职业学院</td><td>山西工程职业学院<small style="display:block">省属机构</small></td></tr></table>
<p style="width:2.2em; overflow-wrap:anywhere">总分89.75分</p>
<p style="font-size:14px">页脚小字</p>
<table><tr><td style="font-size:13px">表格小字</td></tr></table>
<p style="line-height:1.2">行距太小的正文</p>
<div class="table-wrap" style="overflow-x:auto"><table style="width:1200px"><caption>很宽的表</caption><tr><td>宽</td></tr></table></div>
<div style="height:3000px"></div><p class="ded-reason">扣分原因：在第四屏</p>
</main></body></html>"""


def test_readability_checks_fail_on_a_hard_to_read_page(tmp_path, chromium_browser):
    (tmp_path / "index.html").write_text(HARD_TO_READ, encoding="utf-8")
    with serve(tmp_path) as base:
        page = tab(chromium_browser, VIEWPORTS["phone"])
        page.goto(base + "index.html")
        squeezed = squeezed_cells(page)
        assert len(squeezed) == 3 and squeezed[0].startswith("表格单元格“山西工程职业学院”（8 字）排成 ")
        assert squeezed[2].startswith(
            "表格单元格“山西工程职业学院省属机构”（12 字）"
        )  # a block child excuses one break only
        assert any(p.startswith("数字“89.75”断在 ") for p in broken_numbers(page))
        small = small_text(page)
        assert "p 字号 14.0px，小于 16px（“页脚小字”）" in small
        assert "td 字号 13.0px，小于 15px（“表格小字”）" in small
        assert "p 行高 1.20，小于 1.5（“行距太小的正文”）" in small
        assert unhinted_scroll(page) == ["表格“很宽的表”可左右滚动，但没有滚动提示"]
        ring = focus_ring(page)
        assert ring and ring[0].startswith("焦点在 a 第一个链接 上没有可见的焦点框")
        [late] = within_screens(page, ".ded-reason")
        assert late.startswith(".ded-reason 在页面 ") and late.endswith("超出前 2 屏（1688px）")
        assert within_screens(page, ".veto-evidence") == ["页面上没有 .veto-evidence"]
