"""The preview's copy button, clicked in a real headless Chromium; the clipboard is read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.browser import serve
from support.mini import HOSTILE_NAME, make_mini
from support.project import in_process


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The mini project built once for the module (the tests only read it)."""
    root = make_mini(tmp_path_factory.mktemp("wechat") / "m")
    assert in_process("build", "--root", str(root)).code == 0
    return root / "output"


def test_copy_button_puts_the_article_on_the_clipboard(out, chromium_browser):
    expected = BeautifulSoup((out / "2023/wechat/article.html").read_text(encoding="utf-8"), "html.parser")
    b = chromium_browser
    with serve(out) as base:
        origin = base.rstrip("/")
        context = b.new_context(viewport={"width": 390, "height": 844})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "2023/wechat/index.html")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("#copy-article")
        page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
        assert page.inner_text("#copy-status") == "已复制，请到公众号编辑器中粘贴。"
        copied = page.evaluate("""async () => {
            const items = await navigator.clipboard.read();
            const out = {};
            for (const type of items[0].types) { out[type] = await (await items[0].getType(type)).text(); }
            return out;
        }""")
        assert errors == []
        context.close()
    assert set(copied) >= {"text/html", "text/plain"}
    html = BeautifulSoup(copied["text/html"], "html.parser")
    section = html.find("section")
    assert section is not None and section.get("style", "").startswith("font-size: 16px")
    assert " ".join(html.get_text().split()) == " ".join(expected.get_text().split())
    assert len(html.find_all("table")) == len(expected.find_all("table"))
    for cell in html.find_all("td"):
        assert "border" in cell.get("style", "")
    plain = copied["text/plain"]
    assert HOSTILE_NAME in plain and "公示期" in plain


def test_copy_falls_back_to_selection_without_the_clipboard_api(out, chromium_browser):
    b = chromium_browser
    with serve(out) as base:
        context = b.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        page = context.new_page()
        page.add_init_script("delete window.ClipboardItem;")
        page.goto(base + "2023/wechat/index.html")
        page.click("#copy-article")
        assert page.inner_text("#copy-status") == "已复制，请到公众号编辑器中粘贴。"
        html = page.evaluate("""async () => {
            const items = await navigator.clipboard.read();
            return await (await items[0].getType("text/html")).text();
        }""")
        context.close()
    assert "公示期" in BeautifulSoup(html, "html.parser").get_text()
