"""Rows rendered once per distinct input and reused: the indicator rows every institution page shares.

An institution page lists all 140 indicators, and most rows are identical on thousands of pages
(full marks, the same standard text): rendering each through Jinja again was the largest part of a
big build. `indicator_rows(indicators, sheet)` renders the partial `_item_row.html` the first time it
meets an (indicator, score) pair in this process and joins the stored markup afterwards. The output
is byte for byte what a loop over the partial gives: the row's markup is a pure function of the
indicator and its `ItemScore` (a frozen value compared by all its fields), and of the templates,
which are part of every page's cache key.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

ROW_TEMPLATE = "_item_row.html"
MAX_ENTRIES = 50_000  # then the memo starts again: bounded memory whatever the data


class IndicatorRows:
    """The templates' `indicator_rows(indicators, sheet)`: one `_item_row.html` per indicator, memoised."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.memo: dict[tuple[int, object], str] = {}  # (id(indicator), ItemScore or None) -> row
        self.alive: dict[int, object] = {}  # the indicators keyed by id: an id is never reused meanwhile

    def __call__(self, indicators, sheet) -> Markup:
        memo, rows = self.memo, []
        for item in indicators:
            sc = sheet.item(item.id)
            key = (id(item), sc)
            row = memo.get(key)
            if row is None:
                if len(memo) >= MAX_ENTRIES:
                    memo.clear()
                    self.alive.clear()
                row = memo[key] = self.env.get_template(ROW_TEMPLATE).render(item=item, sc=sc)
                self.alive[id(item)] = item
            rows.append(row)
        return Markup("".join(rows))
