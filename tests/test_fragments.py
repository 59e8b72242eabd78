"""indicator_rows gives exactly what a plain loop over the row partial gives, whatever it met before."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from support.project import REPO

from site_builder.build.flow import Layout, load
from site_builder.domain.models import ItemScore
from site_builder.pages.environment import environment
from site_builder.pages.fragments import ROW_TEMPLATE


def plain(env, indicators, sheet) -> str:
    return "".join(env.get_template(ROW_TEMPLATE).render(item=i, sc=sheet.item(i.id)) for i in indicators)


def test_memoised_rows_equal_the_partial_rendered_each_time():
    site = load(Layout.from_args(root=str(REPO)))
    data = site.reports[0].data
    env = environment(REPO / "templates")
    sheets = list(data.sheets)
    first = sheets[0]
    # the same scores written another way (1 as 1.0, 0.5 as 0.50): equal Decimals, one memo key
    other = dataclasses.replace(
        first,
        items=tuple(dataclasses.replace(it, score=Decimal(str(it.score)) + Decimal("0.00")) for it in first.items),
    )
    assert any(str(a.score) != str(b.score) for a, b in zip(first.items, other.items))
    for sheet in [*sheets, other, first]:
        for section in data.rubric.scored_sections:
            for group in section.groups:
                assert str(env.globals["indicator_rows"](group.indicators, sheet)) == plain(
                    env, group.indicators, sheet
                )
    assert len(env.globals["indicator_rows"].memo) > 0


def test_an_item_score_of_another_indicator_is_another_row():
    site = load(Layout.from_args(root=str(REPO)))
    rubric = site.reports[0].data.rubric
    env = environment(REPO / "templates")
    a, b = rubric.indicators[0], rubric.indicators[1]

    class Sheet:  # what indicator_rows asks of a sheet
        def __init__(self, score):
            self.score = score

        def item(self, _id):
            return ItemScore(_id, self.score)

    rows = env.globals["indicator_rows"]
    assert str(rows([a], Sheet(Decimal("0")))) != str(rows([b], Sheet(Decimal("0"))))
    assert str(rows([a], Sheet(Decimal("0")))) != str(rows([a], Sheet(a.max)))
