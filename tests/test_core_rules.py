"""The one check of an indicator's score (`rules.check_item`, used by the YAML sheets and the workbook
import) at its boundaries: each problem with its field (the workbook points at that cell) and its
exact message."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from site_builder.domain.models import Indicator, ItemScore
from site_builder.domain.rules import ItemProblem, check_item


def indicator(
    kind: str = "base", allowed: tuple[str, ...] = ("0", "0.25", "0.5", "0.75", "1"), applies: str = "all"
) -> Indicator:
    """1-02: a 1-point indicator scored 0 to 1 by 0.25, in a section of this kind."""
    values = tuple(D(v) for v in allowed)
    return Indicator("1-02", 1, None, False, None, None, values[-1], None, applies, (), values, kind)


def problems(*args, **kwargs) -> list[tuple[str, str]]:
    item, found = check_item(*args, **kwargs)
    assert (item is None) == bool(found) or item is None
    return [(p.field, p.message) for p in found]


RANGE = "得分 {} 超出 0 至 1 的范围；可得 0、0.25、0.5、0.75、1"


@pytest.mark.parametrize("score", [D(0), D("0.25"), D(1), 1, 0, D("1.00"), D("0.750")])
def test_every_reachable_score_is_accepted(score):
    item, found = check_item(indicator("bonus"), score)
    assert found == []
    assert item == ItemScore("1-02", D(score))


@pytest.mark.parametrize(
    "score, message",
    [
        (D("1.01"), RANGE.format("1.01")),  # just above the maximum
        (D("-0.01"), RANGE.format("-0.01")),  # just below 0
        (2, RANGE.format("2")),
        (D("0.3"), "得分 0.3 不是本项评分规则可得的分值；可得 0、0.25、0.5、0.75、1"),
        (D("0.2500001"), "得分 0.2500001 不是本项评分规则可得的分值；可得 0、0.25、0.5、0.75、1"),
        ("1", "得分 1 不是数字；可得 0、0.25、0.5、0.75、1"),  # text: the workbook's cells say no more
        (True, "得分 true 不是数字；可得 0、0.25、0.5、0.75、1"),
        (D("NaN"), "得分 NaN 不是数字；可得 0、0.25、0.5、0.75、1"),
        (D("Infinity"), "得分 Infinity 不是数字；可得 0、0.25、0.5、0.75、1"),
        (None, "缺少本项得分（满分 1，可得 0、0.25、0.5、0.75、1）"),
    ],
)
def test_a_score_refused(score, message):
    assert problems(indicator("bonus"), score) == [("score", message)]


@pytest.mark.parametrize(
    "score, shown",
    [
        (D("1E+19"), "10000000000000000000"),  # 20 digits: still written out
        (D("1E+20"), "1E+20"),  # 21 digits: shown as given, not written out
        (D("-1E+19"), "-10000000000000000000"),
        (D("-1E+20"), "-1E+20"),
        (D("-1E-20"), "-0.00000000000000000001"),  # the smallest magnitude written out
        (D("-1E-21"), "-1E-21"),
    ],
)
def test_a_huge_or_tiny_score_is_quoted_not_expanded(score, shown):
    assert problems(indicator("bonus"), score) == [("score", RANGE.format(shown))]


def test_a_long_value_that_is_no_number_is_cut_short():
    [(field, message)] = problems(indicator("bonus"), "x" * 200)
    assert field == "score"
    assert message.startswith("得分 xxxx") and message.endswith(" 不是数字；可得 0、0.25、0.5、0.75、1")
    assert len(message) < 200


def test_quoted_numbers_from_yaml_say_remove_the_quotes():
    assert problems(indicator("bonus"), " 1 ", yaml_quotes=True) == [
        ("score", '得分 " 1 " 是加了引号的文字，不是数字；请去掉引号，写作 1；可得 0、0.25、0.5、0.75、1')
    ]
    assert problems(indicator("bonus"), D(1), self_score="0.5", yaml_quotes=True) == [
        ("self", '自评分 "0.5" 是加了引号的文字，不是数字；请去掉引号，写作 0.5')
    ]
    # not from YAML (a workbook cell holding text): no quotes to remove
    assert problems(indicator("bonus"), D(1), self_score="0.5") == [("self", "自评分 0.5 须为 0 至 1 之间的数字")]


# --- the reason ------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [D(0), D("0.75")])
def test_below_the_maximum_a_base_section_needs_a_reason(score):
    assert problems(indicator("base"), score) == [
        ("reason", f"得分 {score} 低于满分 1，须写明扣分原因"),
    ]
    item, found = check_item(indicator("base"), score, "缺1项")
    assert found == [] and item == ItemScore("1-02", score, "缺1项")


def test_at_the_maximum_no_reason_is_needed_and_a_bonus_section_needs_none():
    assert problems(indicator("base"), D(1)) == []
    assert problems(indicator("bonus"), D(0)) == []


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "扣分原因须为非空文字"),
        ("   ", "扣分原因须为非空文字"),
        (3, "扣分原因须为非空文字"),
        ("缺\x00项", "扣分原因含不允许的字符 U+0000（控制字符）；请删除它（只能有可见文字和空格）"),
        ("字" * 1001, "扣分原因长度 1001 字，超过上限 1000 字；请精简"),
    ],
)
def test_a_reason_refused(reason, message):
    """A reason that is given but refused is reported once: not again as missing."""
    found = problems(indicator("base"), D(0), reason)
    assert found == [("reason", message)]


def test_a_reason_of_the_longest_length_is_accepted_and_texts_are_stripped():
    item, found = check_item(indicator("base"), D(0), "字" * 1000, D(1), "自评")
    assert found == []
    assert item == ItemScore("1-02", D(0), "字" * 1000, D(1), "自评")
    item, found = check_item(indicator("base"), D(0), " 缺项 ", D(1), " 自评 ")
    assert found == []
    assert item == ItemScore("1-02", D(0), "缺项", D(1), "自评")


def test_a_self_reason_refused():
    assert problems(indicator("bonus"), D(1), self_reason=" ") == [("self_reason", "自评扣分原因须为非空文字")]


# --- the self-assessment ---------------------------------------------------------------------------


@pytest.mark.parametrize("self_score", [D(0), D(1), D("0.3"), 1])  # any number from 0 to the maximum
def test_a_self_score_from_0_to_the_maximum(self_score):
    item, found = check_item(indicator("bonus"), D(1), self_score=self_score)
    assert found == [] and item.self_score == D(self_score)


@pytest.mark.parametrize(
    "self_score, shown",
    [(D("1.01"), "1.01"), (D("-0.01"), "-0.01"), ("x", "x"), (False, "false"), (D("1E+20"), "1E+20")],
)
def test_a_self_score_refused(self_score, shown):
    assert problems(indicator("bonus"), D(1), self_score=self_score) == [
        ("self", f"自评分 {shown} 须为 0 至 1 之间的数字")
    ]


# --- applicability and several problems --------------------------------------------------------------


def test_a_score_for_an_indicator_that_does_not_apply():
    ind = indicator("base", applies="senior_levels")
    assert problems(ind, D(1), applicable=False) == [
        (
            "score",
            "本项仅适用于评价技师（高级技师）的机构，而本表的 senior_levels 标明该机构不评价技师（高级技师）；"
            "请删除本项得分，或更正该标记",
        )
    ]
    assert check_item(ind, None, applicable=False) == (None, [])


def test_every_problem_in_field_order():
    assert problems(indicator("base"), D("0.3"), "", D(2), "") == [
        ("score", "得分 0.3 不是本项评分规则可得的分值；可得 0、0.25、0.5、0.75、1"),
        ("reason", "扣分原因须为非空文字"),
        ("self_reason", "自评扣分原因须为非空文字"),
        ("self", "自评分 2 须为 0 至 1 之间的数字"),
    ]


def test_a_problem_names_its_field():
    assert check_item(indicator("bonus"), None)[1] == [
        ItemProblem("score", "缺少本项得分（满分 1，可得 0、0.25、0.5、0.75、1）")
    ]
