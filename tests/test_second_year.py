"""A second year whose form has other sections (no 7; bonus sections 8 and 9) and other grade names
(优秀/良好/合格/不合格): every output must carry the rubric's grades and sections, none 2023's."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from support.project import in_process
from support.second_year import GRADE_NAMES, make_second_year
from support.yamlfiles import load_yaml

OUTCOMES = [*GRADE_NAMES, "取消评价资格"]
SECTIONS = ["1", "2", "3", "4", "5", "8", "9"]
EXPECTED = {"P01": "优秀", "P02": "良好", "M01": "合格", "M02": "不合格", "M03": "取消评价资格", "M04": "未开展"}
OLD_GRADE = re.compile(r"(?<![A-Za-z])[ABCD] ?级")  # 2023's letters


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_second_year(tmp_path_factory.mktemp("second"))
    result = in_process("build", "--root", str(root), "--jobs", "1")
    assert result.code == 0, result.err
    return root


def out(built: Path, rel: str) -> Path:
    return built / "output" / rel


def soup(built: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup(out(built, rel).read_text(encoding="utf-8"), "html.parser")


def words(s: BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", s.get_text(" "))


PAGES = [
    "index.html",
    "2024/index.html",
    "2024/cms/announcement.html",
    "2024/roster/index.html",
    "2024/grades/index.html",
    "2024/rubric/index.html",
    "2024/wechat/index.html",
    "2024/wechat/article.html",
    *(f"2024/institutions/{i}/index.html" for i in EXPECTED),
]


@pytest.mark.parametrize("rel", PAGES)
def test_no_page_of_the_year_speaks_of_2023s_grades_or_section_7(built, rel):
    text = words(soup(built, rel))
    assert not OLD_GRADE.search(text), OLD_GRADE.search(text)
    assert "第七部分" not in text and "第7部分" not in text and "七个部分" not in text
    assert "优秀 级" not in text and "优秀级" not in text


def test_bands_are_read_from_the_rubric_file(built):
    """The grade of every institution, from its total and the bands written in rubric/2024.yaml."""
    bands = load_yaml(out(built, "../rubric/2024.yaml").read_text(encoding="utf-8"))["grades"]
    doc = json.loads(out(built, "2024/data/results.json").read_text(encoding="utf-8"))
    for inst in doc["institutions"]:
        if inst["grade"] is not None:
            band = next(b["grade"] for b in bands if inst["total"] >= b["min"])
            assert inst["grade"] == band == EXPECTED[inst["id"]]
    assert {i["id"]: i["result"] for i in doc["institutions"]} == EXPECTED


def test_results_json_has_the_forms_sections(built):
    doc = json.loads(out(built, "2024/data/results.json").read_text(encoding="utf-8"))
    p01 = next(i for i in doc["institutions"] if i["id"] == "P01")
    assert list(p01["sections"]) == SECTIONS
    assert p01["sections"]["8"] == 6 and p01["sections"]["9"] == 4 and p01["bonus"] == 10
    old = json.loads(out(built, "2023/data/results.json").read_text(encoding="utf-8"))
    assert list(old["institutions"][0]["sections"]) == ["1", "2", "3", "4", "5", "7"]


def test_results_csv_and_xlsx_have_the_forms_sections_and_grades(built):
    rows = list(csv.reader(io.StringIO(out(built, "2024/data/results.csv").read_bytes().decode("utf-8-sig"))))
    head = rows[0]
    assert [h for h in head if h.startswith("第")] == [f"第{k}部分" for k in SECTIONS]
    by_id = {r[0]: dict(zip(head, r)) for r in rows[1:]}
    assert {k: v["考核结果"] for k, v in by_id.items()} == EXPECTED
    assert by_id["P01"]["第8部分"] == "6" and by_id["P01"]["第9部分"] == "4"
    ws = load_workbook(out(built, "2024/data/results.xlsx"), read_only=True)["考核结果"]
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert [h for h in table[0] if h.startswith("第")] == [f"第{k}部分" for k in SECTIONS]
    col = table[0].index("考核结果")
    assert {r[0]: r[col] for r in table[1:]} == EXPECTED


def test_rubric_json_and_indicator_files(built):
    doc = json.loads(out(built, "2024/data/rubric.json").read_text(encoding="utf-8"))
    assert [g["grade"] for g in doc["grades"]] == GRADE_NAMES
    assert sorted({i["section"] for i in doc["indicators"]}) == [1, 2, 3, 4, 5, 6, 8, 9]
    assert len(doc["indicators"]) == 112 and doc["bonus_max"] == 10 and doc["total_max"] == 110
    stats = json.loads(out(built, "2024/data/indicators.json").read_text(encoding="utf-8"))
    rows = stats if isinstance(stats, list) else stats.get("indicators", stats)
    ids = [r["id"] for r in rows]
    assert {"8-01", "8-02", "9-01"} <= set(ids) and not any(i.startswith("7-") for i in ids)
    text = out(built, "2024/data/indicators.csv").read_bytes().decode("utf-8-sig")
    assert "8-01" in text and "9-01" in text and "\n7-" not in text


def test_year_page_figures_chart_and_tables(built):
    s = soup(built, "2024/index.html")
    assert [dt.get_text(strip=True) for dt in s.select("dl.figures dt")][4:9] == OUTCOMES
    assert [c.get_text(strip=True) for c in s.select("table.grade-table caption")] == [
        "优秀（1 个）",
        "良好（1 个）",
        "合格（1 个）",
        "不合格（1 个）",
        "取消评价资格（1 个）",
    ]
    assert "2024年度考核等级分布：优秀 1 个，良好 1 个，合格 1 个，不合格 1 个，取消评价资格 1 个" in words(s)


def test_home_page_lists_the_latest_years_grades(built):
    s = soup(built, "index.html")
    heads = [li.strong.get_text(strip=True) for li in s.select("ul.grade-lists > li")]
    assert heads == [f"{o}（1 个）：" for o in OUTCOMES]


def test_grades_page(built):
    s = soup(built, "2024/grades/index.html")
    assert [h.get_text(strip=True) for h in s.select("h2[id^=grade-]")] == OUTCOMES
    assert "优秀 90分及以上；良好 75分至90分以下；合格 60分至75分以下；不合格 60分以下" in words(s)
    assert "基础分（第一至五部分）" in words(s)
    captions = [c.get_text(strip=True) for c in s.select("table.grade-table caption")]
    assert captions[0] == "优秀机构（1 个）" and captions[-1] == "被取消评价资格的机构（1 个）"


def test_rubric_page(built):
    s = soup(built, "2024/rubric/index.html")
    assert s.find(id="parts").get_text() == "八个部分"
    assert [li.get_text(strip=True) for li in s.find(id="grades").find_next("ul").find_all("li")] == [
        "优秀：总分90分及以上",
        "良好：总分75分至90分以下",
        "合格：总分60分至75分以下",
        "不合格：总分60分以下",
        "取消评价资格：有任一否决项，不论得分",
    ]


def test_institution_page_grade_and_movement_across_forms(built):
    s = soup(built, "2024/institutions/P02/index.html")
    assert s.select_one(".outcome-grade").get_text(" ", strip=True) == "考核等级 良好"
    assert "2023年度 A → 2024年度 良好（下降）" in words(s)
    old = soup(built, "2023/institutions/P01/index.html")
    assert old.select_one(".outcome-grade").get_text(" ", strip=True) == "考核等级 A 级"
    assert "2023年度 A → 2024年度 良好（下降）" in words(old)


def test_roster_filter_offers_the_rubrics_outcomes(built):
    s = soup(built, "2024/roster/index.html")
    assert [o.get_text() for o in s.select("#f-grade option")] == ["全部", *OUTCOMES]
    assert [tr["data-grade"] for tr in s.select("tr[data-grade]")] == list(EXPECTED.values())
    old = soup(built, "2023/roster/index.html")
    assert [o.get_text() for o in old.select("#f-grade option")] == ["全部", "A", "B", "C", "D", "取消评价资格"]


def test_wechat_article(built):
    s = soup(built, "2024/wechat/article.html")
    heads = [p.get_text(strip=True) for p in s.find_all("p") if p.get_text(strip=True).endswith("个）")]
    assert heads == [
        "优秀（1个）",
        "良好（1个）",
        "合格（1个）",
        "不合格（1个）",
        "取消评价资格（1个）",
        "2024年未开展评价的机构（1个）",
    ]
    first = s.select("table")[0]
    assert [tr.td.get_text(strip=True) for tr in first.select("tbody tr")] == [*OUTCOMES, "合计"]


def test_feed_items_name_each_years_publication_and_no_counts_a_correction_could_change(built):
    feed = out(built, "feed.xml").read_text(encoding="utf-8")
    for year in (2023, 2024):
        assert f"{year}年度职业技能等级评价机构年度绩效考核结果公告，名单所列机构的考核结果" in feed
    assert "参加考核" not in feed and "优秀1个" not in feed  # the grade counts are on the pages, not in an item


def test_cms_fragment(built):
    s = soup(built, "2024/cms/announcement.html")
    first = s.find("table")
    assert [tr.td.get_text(strip=True) for tr in first.find("tbody").find_all("tr")] == OUTCOMES
    titles = [t.find_previous("h3").get_text(strip=True) for t in s.find_all("table")][1:]  # a heading each
    assert titles[:4] == ["优秀（1 个）", "良好（1 个）", "合格（1 个）", "不合格（1 个）"]
