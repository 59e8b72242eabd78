"""In a real headless Chromium: the CMS fragment renders, its attachment links resolve beside it and
it survives a paste into a plain HTML editor; the 长者模式 switch enlarges the text, is remembered
and keeps the page readable; without JavaScript the page reads as usual."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import serve
from support.mini import make_mini
from support.project import in_process
from support.quality import PageWatch, axe_serious, axe_source, sideways_scroll, tab

ATTACHMENTS = ["results.xlsx", "results.csv", "results.json"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = make_mini(tmp_path_factory.mktemp("gov-browser"))
    result = in_process("build", "--root", str(root), "--jobs", "1")
    assert result.code == 0, result.err
    return root / "output"


def test_cms_fragment_renders_and_its_attachments_resolve(out, chromium_browser):
    with serve(out) as base:
        context = chromium_browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        watch = PageWatch(page)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base + "2023/cms/announcement.html", wait_until="load")
        assert watch.problems == []
        assert all(u.startswith(base) for u in requests), requests  # nothing from another host
        assert page.evaluate("document.scripts.length") == 0
        assert "考核结果概况" in page.inner_text("body")  # read as UTF-8 (the BOM), not mojibake
        # the tables render with borders, one row per institution
        assert page.locator("table").count() >= 6
        border = page.evaluate("getComputedStyle(document.querySelector('td')).borderTopStyle")
        assert border == "solid"
        assert page.locator("table >> nth=1").locator("tbody tr").count() == 2  # the mini's two A-grade rows
        links = page.evaluate("""() => [...document.querySelectorAll('a')]
            .filter(a => !a.href.startsWith('https:')).map(a => [a.getAttribute('href'), a.href])""")
        links = [(h, u) for h, u in links if h]  # (the mini's javascript: link lost its href to the sanitizer)
        assert [h for h, _ in links] == ATTACHMENTS
        for name, url in links:
            assert url == base + "2023/cms/" + name
            status, size = page.evaluate(
                """async (u) => {
                const r = await fetch(u); const b = await r.arrayBuffer(); return [r.status, b.byteLength]; }""",
                url,
            )
            assert status == 200 and size == (out / "2023/cms" / name).stat().st_size, name
        # clicking one downloads the file that sits beside the fragment
        with page.expect_download() as dl:
            page.click("a[href='results.csv']")
        assert Path(dl.value.path()).read_bytes() == (out / "2023/cms/results.csv").read_bytes()
        context.close()


def test_cms_fragment_pastes_into_a_plain_html_editor(out, chromium_browser):
    fragment = (out / "2023/cms/announcement.html").read_text(encoding="utf-8-sig")
    with serve(out) as base:
        context = chromium_browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        page = context.new_page()
        page.goto(base + "robots.txt")  # any page of the origin, then a bare editor in it
        page.set_content('<!DOCTYPE html><meta charset="utf-8"><div id="editor" contenteditable="true"></div>')
        page.evaluate(
            """async (html) => {
            await navigator.clipboard.write([new ClipboardItem({"text/html": new Blob([html], {type: "text/html"})})]);
        }""",
            fragment,
        )
        page.focus("#editor")
        page.keyboard.press("Control+V")
        page.wait_for_function("document.querySelectorAll('#editor table').length > 0")
        pasted = page.evaluate("""() => {
            const ed = document.getElementById('editor');
            return {tables: ed.querySelectorAll('table').length,
                    links: [...ed.querySelectorAll('a')].map(a => a.getAttribute('href')),
                    bordered: [...ed.querySelectorAll('td')].every(td => getComputedStyle(td).borderTopStyle === 'solid'),
                    text: ed.innerText};
        }""")
        context.close()
    assert pasted["tables"] == fragment.count("<table")
    # the editor makes links absolute against its own page, as a CMS article page would resolve them
    local = [h for h in pasted["links"] if h and not h.startswith("https:")]
    assert [h.rsplit("/", 1)[-1] for h in local] == ATTACHMENTS
    assert pasted["bordered"]
    assert "公示期和异议方式" in pasted["text"] and "测试发布单位" in pasted["text"]


def test_elder_mode_switch(out, chromium_browser):
    with serve(out) as base:
        context = chromium_browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        watch = PageWatch(page)
        page.goto(base + "2023/institutions/P01/index.html", wait_until="load")
        size = "parseFloat(getComputedStyle(document.body).fontSize)"
        before = page.evaluate(size)
        button = page.locator(".site-header .elder-toggle")
        assert button.inner_text() == "长者模式" and button.get_attribute("aria-pressed") == "false"
        button.click()
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
        assert page.evaluate(size) == pytest.approx(before * 1.25)
        assert button.get_attribute("aria-pressed") == "true" and button.inner_text() == "退出长者模式"
        assert page.evaluate("localStorage.getItem('xz-elder-mode')") == "1"
        assert sideways_scroll(page) == []
        assert axe_serious(page, axe_source()) == []  # contrast holds in the mode
        # remembered on another page of the site
        page.goto(base + "2023/index.html", wait_until="load")
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
        assert page.evaluate(size) == pytest.approx(before * 1.25)
        page.locator(".elder-toggle").click()
        assert page.evaluate("localStorage.getItem('xz-elder-mode')") is None
        assert page.evaluate(size) == pytest.approx(before)
        assert watch.problems == []
        context.close()


def test_without_javascript_no_switch_and_everything_readable(out, chromium_browser):
    with serve(out) as base:
        page = tab(chromium_browser, PHONE, javascript=False)
        page.goto(base + "2023/index.html", wait_until="load")
        assert page.locator(".elder-toggle").count() == 0
        body = page.inner_text("body")
        assert "各等级机构" in body and "主办单位：测试主办单位" in body and "测试发布单位" in body
        assert sideways_scroll(page) == []


@pytest.fixture(scope="module")
def elder_page(chromium_browser):
    """A phone-size page whose every document starts in 长者模式 (as remembered from an earlier page),
    for the module's tests that only read pages in that mode."""
    context = chromium_browser.new_context(viewport=PHONE)
    context.add_init_script("localStorage.setItem('xz-elder-mode', '1')")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    "rel",
    ["index.html", "2023/roster/index.html", "2023/rubric/index.html", "2023/grades/index.html", "about/index.html"],
)
def test_elder_mode_keeps_every_page_type_readable(out, elder_page, rel):
    with serve(out) as base:
        page = elder_page
        watch = PageWatch(page)
        try:
            page.goto(base + rel, wait_until="load")
            assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
            problems = sideways_scroll(page) + axe_serious(page, axe_source())
        finally:
            watch.stop()
        assert watch.problems + problems == []


CURRENT_NAV_CONTRAST = """() => {
  const a = document.querySelector('.site-header nav a[aria-current="page"]');
  if (!a) return null;
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const st = getComputedStyle(a);
  const [l1, l2] = [lum(rgb(st.color)), lum(rgb(st.backgroundColor))].sort((x, y) => y - x);
  return {ratio: (l1 + 0.05) / (l2 + 0.05), color: st.color, background: st.backgroundColor};
}"""


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("rel", ["2023/index.html", "2023/roster/index.html", "2023/grades/index.html"])
def test_the_current_menu_item_is_readable_in_both_modes(out, chromium_browser, elder_page, rel, elder):
    """The menu item of the page one is on: dark red on white, in 长者模式 too (it was white on white)."""
    with serve(out) as base:
        page = elder_page if elder else tab(chromium_browser, PHONE)
        page.goto(base + rel, wait_until="load")
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')") == elder
        found = page.evaluate(CURRENT_NAV_CONTRAST)
        assert found is not None, "no current menu item"
        assert found["ratio"] >= 4.5, found
