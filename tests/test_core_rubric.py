"""The rubric's grade bands and scoring rules at their boundaries, read by the rubric loader from a
small rubric file (tests/support/rubrics.py); every refusal checked by its exact message."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support.rubrics import item, load, small_rubric

from site_builder.domain.scoring import fmt, grade_for

R = "2023.yaml"


def own(messages: list[str]) -> list[str]:
    """The messages but the totals', which follow from an indicator refused (it counts no more)."""
    return [m for m in messages if "与原表印出的" not in m]


def _allowed(rubric, ind_id: str) -> str:
    return " ".join(fmt(v) for v in rubric.by_id[ind_id].allowed)


def test_the_small_rubric_loads(tmp_path):
    rubric, messages = load(tmp_path, small_rubric())
    assert messages == []
    assert (rubric.base_max, rubric.bonus_max, rubric.total_max) == (D("4.5"), D(1), D("5.5"))
    assert [(g.grade, g.min, g.label) for g in rubric.grades] == [
        ("A", D(4), "4分及以上"),
        ("B", D("2.5"), "2.5分至4分以下"),
        ("C", D(0), "2.5分以下"),
    ]
    assert {i.id: _allowed(rubric, i.id) for i in rubric.indicators} == {
        "1-01": "0 1",
        "1-02": "0 0.25 0.5 0.75 1",
        "1-03": "0 0.5 2",
        "2-01": "0 0.25 0.5",
        "3-01": "0 1",
        "4-01": "",
    }


# --- grade bands ---------------------------------------------------------------------------------

ORDER = "等级的分数下限须从高到低严格递减，实为 {}"


def _bands(tmp_path, *bands):
    doc = small_rubric()
    doc["grades"] = [{"grade": g, "min": m, "label": f"{g}档"} for g, m in bands]
    return load(tmp_path, doc)


@pytest.mark.parametrize(
    "bands, message",
    [
        ((("A", 4), ("B", 4), ("C", 0)), ORDER.format("4、4、0")),  # equal minimums
        ((("A", 4), ("B", 2.5), ("C", 2.5)), ORDER.format("4、2.5、2.5")),  # equal, the lowest pair
        ((("A", 2.5), ("B", 2.50), ("C", 0)), ORDER.format("2.5、2.5、0")),  # equal written otherwise
        ((("A", 2.5), ("B", 4), ("C", 0)), ORDER.format("2.5、4、0")),  # out of order
        ((("A", 4), ("B", 0), ("C", 2.5)), ORDER.format("4、0、2.5")),  # the zero not last
        ((("C", 0), ("B", 2.5), ("A", 4)), ORDER.format("0、2.5、4")),  # lowest first
        ((("A", 4), ("B", 2.5), ("C", 0.01)), "最低等级 C 的 min 须为 0，实为 0.01（否则有的总分没有等级）"),
        ((("A", 4),), "最低等级 A 的 min 须为 0，实为 4（否则有的总分没有等级）"),
        ((("A", 4), ("A", 2.5), ("C", 0)), "等级名称重复：A、A、C；每个等级的 grade 须不同"),
    ],
)
def test_grade_bands_refused(tmp_path, bands, message):
    rubric, messages = _bands(tmp_path, *bands)
    assert rubric is None
    assert messages == [f"{R}: {message}"]


def test_a_negative_minimum_is_named_for_each_band(tmp_path):
    rubric, messages = _bands(tmp_path, ("A", 4), ("B", -0.5), ("C", -1))
    assert messages == [
        f"{R}: 第 2 个等级的 min（分数下限）须为不小于 0 的数字",
        f"{R}: 第 3 个等级的 min（分数下限）须为不小于 0 的数字",
    ]


@pytest.mark.parametrize(
    "bands, grades",
    [
        ((("A", 0),), ["A"]),  # one band for every total
        ((("A", 0.01), ("B", 0)), ["A", "B"]),  # minimums a hundredth apart
        ((("优秀", 5.5), ("良好", 4.5), ("合格", 0.25), ("不合格", 0)), ["优秀", "良好", "合格", "不合格"]),
    ],
)
def test_grade_bands_accepted(tmp_path, bands, grades):
    rubric, messages = _bands(tmp_path, *bands)
    assert messages == []
    assert [g.grade for g in rubric.grades] == grades
    assert [g.min for g in rubric.grades] == [D(str(m)) for _, m in bands]


HINT = "grades 须为列表，每项如 {grade: A, min: 90, label: 90分及以上}，按分数下限从高到低排列，最后一项 min 为 0"


@pytest.mark.parametrize("grades", [[], None, "A", {"grade": "A", "min": 0, "label": "x"}])
def test_grade_bands_that_are_no_list(tmp_path, grades):
    doc = small_rubric()
    doc["grades"] = grades
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert messages == [f"{R}: {HINT}"]


def test_every_band_is_checked_and_named(tmp_path):
    doc = small_rubric()
    doc["grades"] = ["A", {"grade": "B", "min": "x", "label": " "}, {"grade": "C", "minn": 0, "label": "y"}]
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert messages == [
        f"{R}: 第 1 个等级不是映射；{HINT}",
        f"{R}: 第 2 个等级的 min（分数下限）须为不小于 0 的数字",
        f"{R}: 第 2 个等级缺少 label（说明，如 90分及以上）",
        f"{R}: 第 3 个等级中有未知字段 minn；您是不是要写 min？允许的字段：grade、min、label",
        f"{R}: 第 3 个等级的 min（分数下限）须为不小于 0 的数字",
    ]


def test_grade_names_may_be_numbers(tmp_path):
    rubric, messages = _bands(tmp_path, (1, 4), (2, 2.5), (3, 0))
    assert messages == []
    assert [g.grade for g in rubric.grades] == ["1", "2", "3"]
    rubric, messages = _bands(tmp_path, (True, 4), ("B", 0))
    assert messages == [f"{R}: 第 1 个等级缺少 grade（等级名称，如 A 或 优秀）"]


@pytest.mark.parametrize(
    "total, grade",
    [("5.5", "A"), ("4", "A"), ("3.99", "B"), ("2.5", "B"), ("2.49", "C"), ("0.01", "C"), ("0", "C")],
)
def test_each_total_gets_the_band_it_reaches(tmp_path, total, grade):
    rubric, _ = load(tmp_path, small_rubric())
    assert grade_for(D(total), rubric.grades) == grade


def test_a_total_below_every_minimum_gets_the_lowest_band():
    """Unreachable from a rubric file (the lowest minimum is 0 and totals are not negative), but the
    function's contract: the last band is the floor."""
    from site_builder.domain.models import GradeBand

    bands = (GradeBand("甲", D(90), ""), GradeBand("乙", D(60), ""), GradeBand("丙", D(30), ""))
    assert [grade_for(D(t), bands) for t in ("90", "60", "30", "29.99", "0")] == ["甲", "乙", "丙", "丙", "丙"]


# --- deduct rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "maximum, per, allowed",
    [
        (1, 0.25, "0 0.25 0.5 0.75 1"),  # a multiple: down to 0 by steps
        (1, 0.3, "0 0.1 0.4 0.7 1"),  # not a multiple: max - k×per while above 0, then 0 (扣完为止)
        (1.5, 0.4, "0 0.3 0.7 1.1 1.5"),
        (1, 0.6, "0 0.4 1"),
        (1, 1, "0 1"),  # per = max: one deduction takes it all
        (0.5, 2, "0 0.5"),  # per > max: likewise
        (2, 0.7, "0 0.6 1.3 2"),
    ],
)
def test_deduct_rule_steps_down_to_zero(tmp_path, maximum, per, allowed):
    doc = small_rubric()
    item(doc, "1-02").update({"max": maximum, "scoring": {"kind": "deduct", "per": per}})
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    assert _allowed(rubric, "1-02") == allowed


@pytest.mark.parametrize("per", [0, -0.25, "0.25", None, True])
def test_deduct_rule_needs_a_positive_step(tmp_path, per):
    doc = small_rubric()
    item(doc, "1-02")["scoring"] = {"kind": "deduct", "per": per}
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 1-02: deduct 规则须有正数 per（每缺一项扣分）"]


TOO_MANY = f"{R}: 指标 1-02: 评分规则可得的分值超过 400 个；请核对 per 或 values"


@pytest.mark.parametrize(
    "maximum, per, count",
    [
        (398.5, 1, 400),  # 398.5, 397.5 … 0.5 and 0
        (399, 1, 400),  # 399 … 1 and 0: exactly 400
        (399.5, 1, 401),
        (400, 1, 401),  # 400 … 1 and 0
        (99.75, 0.25, 400),  # a fractional step: 99.75 … 0.25 and 0
        (99.8, 0.25, 401),
    ],
)
def test_deduct_rule_with_at_most_400_scores(tmp_path, maximum, per, count):
    doc = small_rubric()
    item(doc, "1-02").update({"max": maximum, "scoring": {"kind": "deduct", "per": per}})
    rubric, messages = load(tmp_path, doc)
    if count <= 400:
        assert messages == []
        assert len(rubric.by_id["1-02"].allowed) == count
    else:
        assert own(messages) == [TOO_MANY]


# --- the other rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ([2, 0.5], "评分规则可得分值 0.5、2 须包含 0 和满分 2"),
        ([1, 0.5, 0], "评分规则可得分值 0、0.5、1 须包含 0 和满分 2"),
        ([3, 2, 0], "评分规则可得分值 0、2、3 须包含 0 和满分 2"),
        ([], "tiers 规则须有数值列表 values"),
        ([2, "x", 0], "tiers 规则须有数值列表 values"),
        ("2, 0", "tiers 规则须有数值列表 values"),
    ],
)
def test_tiers_rule_refused(tmp_path, values, message):
    doc = small_rubric()
    item(doc, "1-03")["scoring"] = {"kind": "tiers", "values": values}
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 1-03: {message}"]


def test_tiers_values_are_sorted_and_deduplicated(tmp_path):
    doc = small_rubric()
    item(doc, "1-03")["scoring"] = {"kind": "tiers", "values": [0, 2, 0.5, 2, 0.50]}
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    assert _allowed(rubric, "1-03") == "0 0.5 2"


def _composite(*parts):
    return {"kind": "composite", "parts": list(parts)}


AON = {"kind": "all_or_nothing"}


@pytest.mark.parametrize(
    "scoring, message",
    [
        (_composite({"max": 0.25, **AON}, {"max": 0.5, **AON}), "composite 规则各部分满分之和为 0.75，须等于 0.5"),
        (_composite({"max": 0.5, **AON}), "composite 规则各部分满分之和为 0.5，须等于 0.5"),  # one part
        (_composite({"max": 0, **AON}, {"max": 0.5, **AON}), "composite 规则的每一部分须有正数 max"),
        (_composite({**AON}, {"max": 0.5, **AON}), "composite 规则的每一部分须有正数 max"),
        (_composite("x", {"max": 0.5, **AON}), "composite 规则的每一部分须有正数 max"),
        ({"kind": "composite"}, "composite 规则须有 parts 列表（最多嵌套两层）"),
        (
            _composite({"max": 0.25, "kind": "deduct", "per": 0}, {"max": 0.25, **AON}),
            "deduct 规则须有正数 per（每缺一项扣分）",
        ),
        ({"kind": "bonus"}, "scoring.kind 须为 all_or_nothing、deduct、tiers、composite 之一"),
        ("all_or_nothing", "scoring.kind 须为 all_or_nothing、deduct、tiers、composite 之一"),
    ],
)
def test_composite_and_unknown_rules_refused(tmp_path, scoring, message):
    doc = small_rubric()
    item(doc, "2-01")["scoring"] = scoring
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 2-01: {message}"]


def _nested(depth: int) -> dict:
    """A composite rule `depth` levels deep, for a 0.5-point indicator (each level halves the points)."""

    def level(points: D, n: int) -> dict:
        if n == 0:
            return {"max": float(points), **AON}
        half = points / 2
        return {"max": float(points), "kind": "composite", "parts": [level(half, n - 1), {"max": float(half), **AON}]}

    rule = level(D("0.5"), depth)
    rule.pop("max")
    return rule


def test_composite_rules_nest_three_levels_at_most(tmp_path):
    doc = small_rubric()
    item(doc, "2-01")["scoring"] = _nested(3)
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    assert _allowed(rubric, "2-01") == "0 0.0625 0.125 0.1875 0.25 0.3125 0.375 0.4375 0.5"
    item(doc, "2-01")["scoring"] = _nested(4)
    rubric, messages = load(tmp_path, doc)
    assert own(messages) == [f"{R}: 指标 2-01: composite 规则须有 parts 列表（最多嵌套两层）"]


def test_composite_scores_are_the_sums_of_the_parts(tmp_path):
    doc = small_rubric()
    item(doc, "2-01")["scoring"] = _composite(
        {"max": 0.3, "kind": "deduct", "per": 0.2}, {"max": 0.2, "kind": "tiers", "values": [0.2, 0.05, 0]}
    )
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    assert _allowed(rubric, "2-01") == "0 0.05 0.1 0.15 0.2 0.3 0.35 0.5"  # 0/0.1/0.3 + 0/0.05/0.2


def test_a_composite_rule_with_more_than_400_scores(tmp_path):
    doc = small_rubric()
    item(doc, "2-01")["scoring"] = _composite(
        {"max": 0.25, "kind": "deduct", "per": 0.01}, {"max": 0.25, "kind": "deduct", "per": 0.25}
    )
    rubric, messages = load(tmp_path, doc)  # at most 27 × 3 = 81: accepted
    assert messages == []
    item(doc, "2-01")["scoring"] = _composite(
        {"max": 0.25, "kind": "deduct", "per": 0.01}, {"max": 0.25, "kind": "deduct", "per": 0.0125}
    )
    rubric, messages = load(tmp_path, doc)  # at most 27 × 22 = 594
    assert own(messages) == [f"{R}: 指标 2-01: 评分规则可得的分值超过 400 个；请核对 per 或 values"]


@pytest.mark.parametrize("maximum", [0, -1, "1", None])
def test_a_scored_indicator_needs_a_positive_max(tmp_path, maximum):
    doc = small_rubric()
    item(doc, "1-01")["max"] = maximum
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 1-01: max 须为正数"]


@pytest.mark.parametrize("entry", [{"max": 1, "scoring": AON}, {"max": 1}, {"scoring": AON}])
def test_a_veto_item_has_no_points(tmp_path, entry):
    doc = small_rubric()
    item(doc, "4-01").update(entry)
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 4-01: 否决项不计分值，不应有 max 或 scoring"]


def test_an_indicator_refused_counts_no_more_in_the_totals(tmp_path):
    doc = small_rubric()
    item(doc, "1-02")["scoring"] = {"kind": "deduct", "per": 0}
    rubric, messages = load(tmp_path, doc)
    assert messages == [
        f"{R}: 指标 1-02: deduct 规则须有正数 per（每缺一项扣分）",
        f"{R}: 指标总数为 5，与原表印出的 6 不符；评估表数据有误，请对照原表核对",
        f"{R}: 基础部分（第 1、2 部分）合计为 3.5，与原表印出的 4.5 不符；评估表数据有误，请对照原表核对",
        f"{R}: 总分为 4.5，与原表印出的 5.5 不符；评估表数据有误，请对照原表核对",
    ]


# --- an indicator's entry ------------------------------------------------------------------------------


def _first_group(doc):
    return doc["sections"][0]["groups"][0]["items"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda items: items.__setitem__(1, "1-02"), "第 1 部分第 2 项须为映射，含 id、text、max、scoring"),
        (lambda items: items[1].__setitem__("id", "1-04"), "指标编号应为 1-02（第 1 部分第 2 项），实为 1-04"),
        (lambda items: items[1].__setitem__("id", "1-2"), "指标编号应为 1-02（第 1 部分第 2 项），实为 1-2"),
        (lambda items: items[1].__setitem__("text", 3), "text 须为文字或 null"),
        (lambda items: items[1].__setitem__("rule", ["x"]), "rule 须为文字或 null"),
        (lambda items: items[1].__setitem__("notes", "一条说明"), "notes 须为文字列表"),
        (lambda items: items[1].__setitem__("notes", ["x", 1]), "notes 须为文字列表"),
    ],
)
def test_an_indicator_entry_refused(tmp_path, change, message):
    doc = small_rubric()
    change(_first_group(doc))
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 1-02: {message}"]


def test_an_indicator_with_an_unknown_field(tmp_path):
    doc = small_rubric()
    _first_group(doc)[1]["txet"] = "x"
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert messages == [
        f"{R}: 指标 1-02: 指标中有未知字段 txet；您是不是要写 text？允许的字段：id、max、text、rule、scoring、notes"
    ]


def test_an_indicator_id_where_another_should_be(tmp_path):
    """Ids follow the form's order (section and position), so an id given twice is one out of place."""
    doc = small_rubric()
    doc["sections"][1]["groups"].append({"name": "重复组", "items": [item(doc, "2-01")]})
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert own(messages) == [f"{R}: 指标 2-02: 指标编号应为 2-02（第 2 部分第 2 项），实为 2-01"]


def test_texts_rules_and_notes_are_kept(tmp_path):
    doc = small_rubric()
    _first_group(doc)[1].update({"text": "条目", "rule": "缺1项扣0.25分", "notes": ["原表缺陷"]})
    rubric, messages = load(tmp_path, doc)
    assert messages == []
    ind = rubric.by_id["1-02"]
    assert (ind.text, ind.rule_text, ind.notes, ind.section, ind.group, ind.applies) == (
        "条目",
        "缺1项扣0.25分",
        ("原表缺陷",),
        1,
        "甲组",
        "all",
    )
    assert (ind.max, ind.section_kind, ind.is_veto) == (D(1), "base", False)
    veto = rubric.by_id["4-01"]
    assert (veto.max, veto.rule, veto.allowed, veto.section_kind, veto.is_veto) == (None, None, (), "veto", True)


@pytest.mark.parametrize(
    "per, refused",
    [
        ("0.00126", False),  # 0.25, 0.24874 … 0.00052 and 0: 200 scores, × 2 (all or nothing) = 400
        ("0.001255", True),  # 201 scores, × 2 = 402
    ],
)
def test_a_composite_counts_an_all_or_nothing_part_as_two_scores(tmp_path, per, refused):
    doc = small_rubric()
    item(doc, "2-01")["scoring"] = _composite({"max": 0.25, **AON}, {"max": 0.25, "kind": "deduct", "per": float(per)})
    rubric, messages = load(tmp_path, doc)
    assert own(messages) == (
        [f"{R}: 指标 2-01: 评分规则可得的分值超过 400 个；请核对 per 或 values"] if refused else []
    )


@pytest.mark.parametrize(
    "band, message",
    [
        ({"min": 5, "label": "无名"}, "第 2 个等级缺少 grade（等级名称，如 A 或 优秀）"),
        ({"grade": "B", "min": 5}, "第 2 个等级缺少 label（说明，如 90分及以上）"),
    ],
)
def test_a_band_refused_is_left_out_of_the_order_check(tmp_path, band, message):
    """A band that is refused is not taken into the order of the minimums: only its own problem is
    named (here its minimum 5, above A's 4, would also break the order)."""
    doc = small_rubric()
    doc["grades"] = [{"grade": "A", "min": 4, "label": "4分及以上"}, band, {"grade": "C", "min": 0, "label": "其余"}]
    rubric, messages = load(tmp_path, doc)
    assert rubric is None
    assert messages == [f"{R}: {message}"]


@pytest.mark.parametrize("count", [400, 401])
def test_a_tiers_rule_with_at_most_400_scores(tmp_path, count):
    doc = small_rubric()
    values = [float(D(2) - D("0.005") * n) for n in range(count - 1)] + [0]  # 2, 1.995, … and 0 (1-03's max is 2)
    item(doc, "1-03")["scoring"] = {"kind": "tiers", "values": values}
    rubric, messages = load(tmp_path, doc)
    if count <= 400:
        assert messages == []
        assert len(rubric.by_id["1-03"].allowed) == count
    else:
        assert own(messages) == [f"{R}: 指标 1-03: 评分规则可得的分值超过 400 个；请核对 per 或 values"]
