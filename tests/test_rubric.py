"""The rubric as data: 140 indicators whose counts and points match what the form prints."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from support.project import REPO

from site_builder.errors import DataError, Problems
from site_builder.read.project import Paths, load_rubric


@pytest.fixture(scope="module")
def rubric():
    problems = Problems()
    r = load_rubric(REPO / "rubric/2023.yaml", Paths(REPO / "rubric", REPO / "scores", REPO), problems)
    assert not problems, problems.items
    return r


def test_totals_match_the_printed_form(rubric):
    assert len(rubric.indicators) == 140
    assert [i.id for i in rubric.indicators][:2] == ["1-01", "1-02"]
    assert rubric.indicators[-1].id == "7-31"
    by_section = {s.number: (len(s.indicators), s.max) for s in rubric.sections}
    assert by_section == {
        1: (56, D("49.75")),
        2: (18, D("24.25")),
        3: (16, D("16")),
        4: (5, D("6.5")),
        5: (4, D("3.5")),
        6: (10, None),
        7: (31, D("20")),
    }
    assert (rubric.base_max, rubric.bonus_max, rubric.total_max) == (D(100), D(20), D(120))


def test_applicability(rubric):
    senior = [i.id for i in rubric.indicators if i.applies == "senior_levels"]
    online = [i.id for i in rubric.indicators if i.applies == "online_exam"]
    assert senior == [f"7-{n:02d}" for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)]
    assert online == ["7-06"]


@pytest.mark.parametrize(
    "ind, allowed",
    [
        ("1-01", "0 1"),
        ("1-04", "0 0.5 1"),
        ("1-11", "0 1 1.5"),  # tiers
        ("1-12", "0 0.75 1.5"),  # composite of two 0.75 all-or-nothing parts
        ("1-16", "0 0.3 0.6 0.9 1.2 1.5"),  # 缺1项扣0.3
        ("1-19", "0 0.25 0.5 0.75 1 1.25 1.5 1.75 2"),  # composite: 1 (-0.5) + 1 (-0.25)
        ("2-07", "0 0.3 0.6 0.9 1.2 1.5"),
        ("2-18", "0 0.5 1 1.5 2"),
        ("4-01", "0 0.5 2"),
        ("7-04", "0 1 2"),
        ("7-12", "0 0.5 1"),  # 保密室 1 / 保密柜 0.5
        ("7-24", "0 0.25 1"),
    ],
)
def test_reachable_scores(rubric, ind, allowed):
    assert rubric.by_id[ind].allowed == tuple(D(v) for v in allowed.split())


def test_source_defects_are_recorded_on_their_items(rubric):
    assert any("1.25" in n for n in rubric.by_id["3-06"].notes)
    assert any("否则0.5分" in n for n in rubric.by_id["3-13"].notes)
    assert any("错行" in n for n in rubric.by_id["7-03"].notes)
    assert any("6条" in n for n in rubric.by_id["7-07"].notes)
    assert rubric.by_id["7-07"].text is None  # lost in the source: missing, not invented
    assert rubric.by_id["1-13"].group_inferred
    assert any("27个" in n for n in rubric.source_notes)


def test_veto_items_have_no_points(rubric):
    veto = rubric.veto_items
    assert [i.id for i in veto] == [f"6-{n:02d}" for n in range(1, 11)]
    assert all(i.max is None and i.allowed == () for i in veto)
    assert veto[3].text == "连续两年不开展评价工作的；"


def _load(path: Path):
    problems = Problems()
    result = load_rubric(path, Paths(path.parent, path.parent, path.parent), problems)
    problems.raise_if_any()
    return result


def test_rubric_that_does_not_add_up_is_refused(tmp_path):
    text = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")
    bad = text.replace("          - id: 1-02\n            max: 1\n", "          - id: 1-02\n            max: 1.5\n", 1)
    assert bad != text
    path = tmp_path / "2023.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        _load(path)
    assert [str(p) for p in exc.value.problems] == [
        "2023.yaml: 第 1 部分“报名准备”组合计 7.5 分，原表印为 7 分",
        "2023.yaml: 第 1 部分（考务管理）合计 50.25 分，原表印为 49.75 分",
        "2023.yaml: 基础部分（第 1、2、3、4、5 部分）合计为 100.5，与原表印出的 100 不符；评估表数据有误，请对照原表核对",
        "2023.yaml: 总分为 120.5，与原表印出的 120 不符；评估表数据有误，请对照原表核对",
    ]


def test_rubric_with_a_missing_indicator_is_refused(tmp_path):
    text = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")
    start = text.index("          - id: 7-31")
    path = tmp_path / "2023.yaml"
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(DataError) as exc:
        _load(path)
    messages = [str(p) for p in exc.value.problems]
    assert "2023.yaml: 第 7 部分“档案管理模式及填写说明”组有 6 项，原表印为 7 项" in messages
    assert "2023.yaml: 指标总数为 139，与原表印出的 140 不符；评估表数据有误，请对照原表核对" in messages


def _messages(tmp_path: Path, old: str, new: str, count: int = 1) -> list[str]:
    text = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "2023.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    problems = Problems()
    rubric = load_rubric(path, Paths(tmp_path, tmp_path, tmp_path), problems)
    assert (rubric is None) == bool(problems)
    return [str(p) for p in problems.items]


GRADES = "  - {grade: A, min: 90, label: 90分及以上}\n"


@pytest.mark.parametrize(
    "old, new, messages",
    [
        (GRADES, "  - {grade: A, min: 90}\n", ["2023.yaml: 第 1 个等级缺少 label（说明，如 90分及以上）"]),
        (
            GRADES,
            "  - {grade: '', min: 90, label: x}\n",
            ["2023.yaml: 第 1 个等级缺少 grade（等级名称，如 A 或 优秀）"],
        ),
        (
            GRADES,
            "  - {grade: B, min: 90, label: x}\n",
            ["2023.yaml: 等级名称重复：B、B、C、D；每个等级的 grade 须不同"],
        ),
        (
            GRADES,
            "  - {grade: A, min: 60, label: x}\n",
            ["2023.yaml: 等级的分数下限须从高到低严格递减，实为 60、70、60、0"],
        ),
        (GRADES, "  - {grade: A, min: x, label: x}\n", ["2023.yaml: 第 1 个等级的 min（分数下限）须为不小于 0 的数字"]),
        (
            GRADES,
            "  - A\n",
            [
                "2023.yaml: 第 1 个等级不是映射；grades 须为列表，每项如 {grade: A, min: 90, label: 90分及以上}，"
                "按分数下限从高到低排列，最后一项 min 为 0"
            ],
        ),
        (
            "  - {grade: D, min: 0, label: 不足60分}\n",
            "  - {grade: D, min: 10, label: 不足60分}\n",
            ["2023.yaml: 最低等级 D 的 min 须为 0，实为 10（否则有的总分没有等级）"],
        ),
        (
            "  - number: 1\n",
            "  - number: '1'\n",
            ["2023.yaml: sections 的第 1 项的 number 须为 1 至 99 的整数，实为 1"],
        ),
        ("    kind: base\n", "    kind: basic\n", ["2023.yaml: 第 1 部分的 kind 为 basic；允许：base、bonus、veto"]),
        ("    name: 考务管理\n", "", ["2023.yaml: 第 1 部分缺少 name（部分名称）"]),
        (
            "title: ",
            "titel: ",
            [
                "2023.yaml: 评估表中有未知字段 titel；您是不是要写 title？允许的字段：year、title、subtitle、printed_totals、grades、source_notes、sections",
                "2023.yaml: 缺少 title（评估表标题）",
            ],
        ),
        (
            "            scoring: {kind: deduct, per: 0.5}\n",
            "            scoring: {kind: deduct, per: 0.0001}\n",
            ["2023.yaml: 指标 1-04: 评分规则可得的分值超过 400 个；请核对 per 或 values"],
        ),
        (
            "            scoring: {kind: all_or_nothing}\n",
            "            scoring: all_or_nothing\n",
            ["2023.yaml: 指标 1-01: scoring.kind 须为 all_or_nothing、deduct、tiers、composite 之一"],
        ),
    ],
)
def test_rubric_mistakes_give_exact_messages(tmp_path, old, new, messages):
    found = _messages(tmp_path, old, new)
    assert found[: len(messages)] == messages
    assert not any("Traceback" in m for m in found)


def test_grade_names_come_from_the_rubric(tmp_path):
    text = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")
    start, end = text.index("grades:\n"), text.index("source_notes:")
    grades = (
        "grades:\n  - {grade: 优秀, min: 90, label: 90分及以上}\n  - {grade: 良好, min: 75, label: 75分至90分以下}\n"
        "  - {grade: 合格, min: 60, label: 60分至75分以下}\n  - {grade: 不合格, min: 0, label: 60分以下}\n"
    )
    path = tmp_path / "2023.yaml"
    path.write_text(text[:start] + grades + text[end:], encoding="utf-8")
    rubric = _load(path)
    assert [(g.grade, g.min) for g in rubric.grades] == [("优秀", 90), ("良好", 75), ("合格", 60), ("不合格", 0)]


def test_aliases_are_refused_in_the_rubric_too(tmp_path):
    text = (REPO / "rubric/2023.yaml").read_text(encoding="utf-8")
    line = text[: text.index("            notes:\n")].count("\n") + 1
    assert _messages(tmp_path, "            notes:\n", "            notes: &n\n") == [
        f"2023.yaml:{line}: 不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出"
    ]


def test_reason_rule_follows_the_section_kind():
    """A reason below the maximum is required in `base` sections, whatever their number."""
    from site_builder.domain.models import Indicator
    from site_builder.domain.rules import check_item

    def indicator(section: int, kind: str) -> Indicator:
        return Indicator(f"{section}-01", section, None, False, None, None, D(1), None, "all", (), (D(0), D(1)), kind)

    assert [p.message for p in check_item(indicator(7, "base"), D(0))[1]] == ["得分 0 低于满分 1，须写明扣分原因"]
    assert check_item(indicator(1, "bonus"), D(0))[1] == []
    item, problems = check_item(indicator(7, "base"), D(0), " 缺项 ", D("0.5"), "自评 ")
    assert problems == [] and (item.reason, item.self_score, item.self_reason) == ("缺项", D("0.5"), "自评")
