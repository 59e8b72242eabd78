"""The Jinja environment (autoescape, StrictUndefined) the pages are rendered with.

Compiled templates are not cached on disk: Jinja's bytecode cache trusts the code it finds there,
and a tampered cache must never change the output (issue 11)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from site_builder.common.formats import zh_date
from site_builder.domain import objections
from site_builder.domain.scoring import fmt
from site_builder.pages import meta as pagemeta
from site_builder.pages.fragments import IndicatorRows

_ENVIRONMENTS: dict[tuple[str, str], jinja2.Environment] = {}


def environment(templates: Path) -> jinja2.Environment:
    """Autoescape and StrictUndefined; templates read from `templates`. One environment (with its
    compiled templates, in memory only) per process and version of the templates folder."""
    from site_builder.storage.cache import tree_digest

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
    env.globals.update(objection_counts=objections.Counts.of, objection_summary=objections.summary_text)
    env.globals["indicator_rows"] = IndicatorRows(env)  # memoised rows: the indicator rows institution pages share
    return env
