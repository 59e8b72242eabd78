"""The rubric as data: 140 indicators whose counts and points match what the form prints."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import REPO

from site_builder.errors import DataError, Problems
from site_builder.loader import Paths, load_rubric


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
        1: (56, D("49.75")), 2: (18, D("24.25")), 3: (16, D("16")), 4: (5, D("6.5")),
        5: (4, D("3.5")), 6: (10, None), 7: (31, D("20")),
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
