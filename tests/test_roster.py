"""The 2023 roster: 附件1's 48 institutions in the source's order."""

from __future__ import annotations

from support.project import REPO

from site_builder.errors import Problems
from site_builder.read.project import Paths, load_roster


def load():
    problems = Problems()
    roster = load_roster(REPO / "scores/2023/roster.yaml", 2023, Paths(REPO, REPO, REPO), problems)
    assert not problems, problems.items
    return roster


def test_all_48_in_source_order():
    roster = load()
    ids = [i.id for i in roster.institutions]
    assert ids == [f"P{n:02d}" for n in range(1, 22)] + [f"M{n:02d}" for n in range(1, 28)]
    assert roster.get("P01").name == "山西工程职业学院"
    assert roster.get("P21").name == "山西省食品工业协会"
    assert roster.get("M01").name == "忻州市高级技工学校"
    assert roster.get("M27").name == "偏关县华宇劳务服务派遣有限责任公司"
    assert {i.tier for i in roster.institutions[:21]} == {"省属"}
    assert {i.tier for i in roster.institutions[21:]} == {"市属"}


def test_active_institutions_as_marked_in_the_source():
    roster = load()
    active = [i.id for i in roster.institutions if i.active]
    assert active == [f"P{n:02d}" for n in range(1, 12)] + [f"M{n:02d}" for n in range(1, 14)]


def test_counties_only_where_the_source_gives_them():
    roster = load()
    counties = {i.id: i.county for i in roster.institutions if i.county}
    assert counties == {
        "M09": "原平市",
        "M13": "岢岚县",
        "M22": "繁峙县",
        "M23": "保德县",
        "M24": "原平市",
        "M26": "代县",
        "M27": "偏关县",
    }
    assert roster.get("M22").name == "繁峙县晋绣坊文化产业发展中心"
    assert all(i.code is None for i in roster.institutions)
