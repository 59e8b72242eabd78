"""The Jinja environment (autoescape, StrictUndefined) and Markdown with sanitizing.

Compiled templates are not cached on disk: Jinja's bytecode cache trusts the code it finds there,
and a tampered cache must never change the output (issue 11)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import markdown as md
import nh3
from markupsafe import Markup

from site_builder import objections, pagemeta
from site_builder.formats import zh_date
from site_builder.fragments import IndicatorRows
from site_builder.yamlio import YamlProblem, parse_yaml
from site_builder.scoring import fmt

# Markdown pages may use ordinary formatting and tables; nothing that loads from elsewhere.
_MD_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "area", "map"}


def markdown_to_html(text: str) -> Markup:
    """Render Markdown and sanitize the result: raw HTML in the source never passes through."""
    html = md.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return Markup(nh3.clean(html, tags=_MD_TAGS))


def split_front_matter(text: str) -> tuple[dict, str]:
    """`---\\ntitle: …\\n---\\nbody` -> ({'title': …}, body). The front matter is read like every data
    file (`yamlio.parse_yaml`: no aliases, tags or deep nesting; errors in our words); a YamlProblem's
    line counts from the file's first line."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            try:
                meta, duplicates = parse_yaml(text[4:end])
            except YamlProblem as exc:
                raise YamlProblem(str(exc), exc.line + 1 if exc.line else None) from None
            for key, first, again in duplicates[:1]:
                raise YamlProblem(f"键 {key} 重复出现（第 {first + 1} 行和第 {again + 1} 行）；每个键只能写一次", again + 1)
            return (meta if isinstance(meta, dict) else {}), text[end + 5:]
    return {}, text


_ENVIRONMENTS: dict[tuple[str, str], jinja2.Environment] = {}


def environment(templates: Path) -> jinja2.Environment:
    """Autoescape and StrictUndefined; templates read from `templates`. One environment (with its
    compiled templates, in memory only) per process and version of the templates folder."""
    from site_builder.cache import tree_digest

    key = (str(templates.resolve()), tree_digest(templates))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = _ENVIRONMENTS[key] = _new_environment(templates)
    return env


def _new_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pts"] = fmt
    env.filters["zh_date"] = zh_date
    env.globals.update(pagemeta.GLOBALS)  # page metadata, 发布时间/来源, 落款
    env.globals.update(objections.TEMPLATE_GLOBALS)
    env.globals["indicator_rows"] = IndicatorRows(env)  # memoised rows: the indicator rows institution pages share
    return env
