"""The Jinja environment (autoescape, StrictUndefined) the pages are rendered with.

One is made per build (the build context holds it), with its compiled templates in memory only:
compiled templates are not cached on disk, as Jinja's bytecode cache trusts the code it finds there,
and a tampered cache must never change the output (issue 11)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.domain import objections
from site_builder.domain.presentation import FILTERS
from site_builder.domain.scoring import fmt
from site_builder.pages import meta as pagemeta
from site_builder.pages.fragments import IndicatorRows


def environment(templates: Path) -> jinja2.Environment:
    """A new environment reading the templates in `templates`: autoescape and StrictUndefined, the
    filters and globals the templates use."""
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
    env.filters.update(FILTERS)
    env.globals.update(pagemeta.GLOBALS)  # page metadata, 发布时间/来源, 落款
    env.globals.update(objection_counts=objections.Counts.of, objection_summary=objections.summary_text)
    env.globals["indicator_anchor"] = urls.indicator_anchor  # the id of an indicator's row: urls.indicator links it
    env.globals["indicator_rows"] = IndicatorRows(env)  # memoised rows: the indicator rows institution pages share
    return env
