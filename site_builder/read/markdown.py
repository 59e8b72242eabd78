"""Markdown pages to safe HTML: front matter read like every data file, the body sanitized."""

from __future__ import annotations

import markdown as md
import nh3
from markupsafe import Markup

from site_builder.common.yamlio import YamlProblem, parse_yaml

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
                raise YamlProblem(
                    f"键 {key} 重复出现（第 {first + 1} 行和第 {again + 1} 行）；每个键只能写一次", again + 1
                )
            return (meta if isinstance(meta, dict) else {}), text[end + 5 :]
    return {}, text
