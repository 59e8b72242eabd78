"""The one check of an indicator's score, used by the YAML loader and by the workbook import.

`check_item` is pure: values in, (item, problems) out. Each problem names the field it is about
(`score`, `reason`, `self`, `self_reason`) so that the workbook import can point at the cell; the
YAML loader reports them against the indicator. Whether a score below the maximum needs a reason
comes from the rubric (the indicator's section kind `base`), not from section numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from site_builder.common.numbers import within_bounds
from site_builder.common.textcheck import REASON_LIMIT, check_text, typed
from site_builder.common.yamlio import is_number, short, to_decimal
from site_builder.domain.models import APPLIES_LABELS, FLAG_LABELS, Indicator, ItemScore
from site_builder.domain.scoring import fmt

FLAG_NOT = {flag: f"不{label}" for flag, label in FLAG_LABELS.items()}


@dataclass(frozen=True)
class ItemProblem:
    field: str  # score | reason | self | self_reason
    message: str


def applies_to(applies: str) -> str:
    """Who an indicator applies to, after 仅适用于: 评价技师（高级技师）的机构."""
    return APPLIES_LABELS[applies].removeprefix("仅")


def allowed_text(indicator: Indicator) -> str:
    return "、".join(fmt(v) for v in indicator.allowed)


def _shown(value: Any) -> str:
    """A value as a message quotes it: numbers exactly, text cut short."""
    if isinstance(value, Decimal) and value.is_finite():
        return fmt(value) if within_bounds(value) else short(str(value))
    return short(typed(value))


QUOTED_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*", re.ASCII)


def quoted_number(value: Any) -> bool:
    """A number written in quotes in YAML ("1"): text, not a number."""
    return isinstance(value, str) and QUOTED_NUMBER.fullmatch(value) is not None


def quoted_hint(value: str) -> str:
    return f'"{value}" 是加了引号的文字，不是数字；请去掉引号，写作 {value.strip()}'


def check_item(
    indicator: Indicator,
    score: Any,
    reason: Any = None,
    self_score: Any = None,
    self_reason: Any = None,
    applicable: bool = True,
    yaml_quotes: bool = False,
) -> tuple[ItemScore | None, list[ItemProblem]]:
    """Check one indicator's entry. `score` None means no score was given. `yaml_quotes`: the
    values come from YAML, where a number in quotes is text (the message says to remove them).

    Text values are stripped; an empty text counts as not given. Returns the item when every
    check passes, else None, with the problems in field order.
    """
    problems: list[ItemProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(ItemProblem(field, message))

    if not applicable:
        if score is not None:
            bad(
                "score",
                f"本项仅适用于{applies_to(indicator.applies)}，而本表的 {indicator.applies} 标明该机构"
                f"{FLAG_NOT[indicator.applies]}；请删除本项得分，或更正该标记",
            )
        return None, problems
    if score is None:
        bad("score", f"缺少本项得分（满分 {fmt(indicator.full_marks)}，可得 {allowed_text(indicator)}）")
        return None, problems
    value: Decimal | None = None
    if yaml_quotes and quoted_number(score):
        bad("score", f"得分 {quoted_hint(score)}；可得 {allowed_text(indicator)}")
    elif not is_number(score):
        bad("score", f"得分 {_shown(score)} 不是数字；可得 {allowed_text(indicator)}")
    else:
        value = to_decimal(score)
        if value < 0 or value > indicator.full_marks:
            bad(
                "score",
                f"得分 {_shown(value)} 超出 0 至 {fmt(indicator.full_marks)} 的范围；可得 {allowed_text(indicator)}",
            )
            value = None
        elif value not in indicator.allowed:
            bad("score", f"得分 {_shown(value)} 不是本项评分规则可得的分值；可得 {allowed_text(indicator)}")
            value = None
    texts: dict[str, str | None] = {}
    for field, raw, label in (("reason", reason, "扣分原因"), ("self_reason", self_reason, "自评扣分原因")):
        if raw is None:
            texts[field] = None
        elif not isinstance(raw, str) or not raw.strip():
            bad(field, f"{label}须为非空文字")
        else:
            problem = check_text(raw, REASON_LIMIT)
            if problem:
                bad(field, f"{label}{problem}")
            texts[field] = raw.strip()
    if value is not None and value < indicator.full_marks and indicator.needs_reason and reason is None:
        bad("reason", f"得分 {fmt(value)} 低于满分 {fmt(indicator.full_marks)}，须写明扣分原因")
    self_value = None
    if self_score is not None:
        if yaml_quotes and quoted_number(self_score):
            bad("self", f"自评分 {quoted_hint(self_score)}")
        elif not is_number(self_score) or not 0 <= to_decimal(self_score) <= indicator.full_marks:
            bad("self", f"自评分 {_shown(self_score)} 须为 0 至 {fmt(indicator.full_marks)} 之间的数字")
        else:
            self_value = to_decimal(self_score)
    if problems or value is None:
        return None, problems
    return ItemScore(indicator.id, value, texts.get("reason"), self_value, texts.get("self_reason")), problems
