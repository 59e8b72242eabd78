"""The Jinja environment (autoescape, StrictUndefined), relative links, Markdown with sanitizing."""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path

import jinja2
import markdown as md
import nh3
import yaml
from markupsafe import Markup

from site_builder import objections
from site_builder.scoring import fmt

# Markdown pages may use ordinary formatting and tables; nothing that loads from elsewhere.
_MD_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "area", "map"}


def zh_date(value: dt.date | None) -> str:
    """2024-01-15 -> 2024年1月15日."""
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


def relative(from_page: str, target: str) -> str:
    """Relative URL from one output file to another (both posix paths from the output root).

    A target ending in '/' is a folder: links point at its index.html so that file:// works.
    """
    if target.endswith("/") or target == "":
        target = target + "index.html"
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(target, start)


def markdown_to_html(text: str) -> Markup:
    """Render Markdown and sanitize the result: raw HTML in the source never passes through."""
    html = md.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return Markup(nh3.clean(html, tags=_MD_TAGS))


def split_front_matter(text: str) -> tuple[dict, str]:
    """`---\\ntitle: …\\n---\\nbody` -> ({'title': …}, body)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            meta = yaml.safe_load(text[4:end]) or {}
            return (meta if isinstance(meta, dict) else {}), text[end + 5:]
    return {}, text


def environment(templates: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Autoescape and StrictUndefined; compiled templates cached in bytecode_dir when given
    (Jinja keys that cache by each template's source, so an edited template is compiled again)."""
    cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=cache,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pts"] = fmt
    env.filters["zh_date"] = zh_date
    env.globals.update(objections.TEMPLATE_GLOBALS)
    return env
