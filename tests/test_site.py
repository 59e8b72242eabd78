"""The public site, built from the mini fixture and checked page by page with BeautifulSoup."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import _in_process
from mini import HOSTILE_NAME, HOSTILE_REASON, make_mini

PAGES = [
    "index.html", "about/index.html", "2023/index.html", "2023/roster/index.html", "2023/grades/index.html",
    "2023/rubric/index.html", "2023/wechat/index.html",
    *(f"2023/institutions/{i}/index.html" for i in ("P01", "P02", "P03", "M01", "M02")),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_mini(tmp_path_factory.mktemp("mini"))
    result = _in_process("build", "--root", str(root))
    assert result.code == 0, result.err
    return root / "output"


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def text(s: BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", s.get_text(" "))


def test_every_page_is_written(site):
    html = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert html == sorted(PAGES + ["2023/wechat/article.html", "2023/cms/announcement.html"])  # + the fragments


@pytest.mark.parametrize("rel", PAGES)
def test_common_page_frame(site, rel):
    s = soup(site, rel)
    assert s.html["lang"] == "zh-CN"
    assert s.find("meta", attrs={"name": "viewport"})
    assert s.find("meta", attrs={"name": "robots"})["content"] == "noindex"  # draft data
    banner = s.find(class_="status-banner")
    assert banner and "草稿，未经审定" in banner.get_text()
    skip = s.find("a", class_="skip-link")
    assert skip["href"] == "#main" and s.find(id="main")
    footer = text(s.find("footer"))
    assert "发布日期： 2024年1月15日" in footer or "发布日期：2024年1月15日" in footer.replace(" ", "")
    for table in s.find_all("table"):
        if table.find_parent(id="article"):
            continue  # the WeChat article's own rules apply there (test_wechat.py)
        assert table.find("caption"), rel
        for th in table.find("thead").find_all("th"):
            assert th.get("scope") == "col", rel


def _local_refs(s: BeautifulSoup):
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"),
                      ("source", "src"), ("object", "data")):
        for el in s.find_all(tag):
            if el.get(attr) is not None:
                yield tag, el[attr]


@pytest.mark.parametrize("rel", PAGES)
def test_links_resolve_and_nothing_loads_from_elsewhere(site, rel):
    s = soup(site, rel)
    page = site / rel
    for tag, ref in _local_refs(s):
        parts = urlsplit(ref)
        if tag == "a" and parts.scheme == "mailto" or tag == "link" and ref == "data:," \
                or tag == "a" and ref == "https://beian.miit.gov.cn/":
            continue  # mail links; the empty icon that stops a favicon request; the footer's ICP link
        assert not parts.scheme and not parts.netloc, f"{rel}: {tag} -> {ref}"
        assert not ref.startswith("/"), f"{rel}: absolute path {ref}"
        if not parts.path:  # same-page fragment
            assert s.find(id=parts.fragment), f"{rel}: #{parts.fragment}"
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        assert target.is_file(), f"{rel}: {ref}"
        assert site.resolve() in target.parents, f"{rel}: {ref} leaves the site"
        if parts.fragment:
            assert soup(site, target.relative_to(site.resolve()).as_posix()).find(id=parts.fragment), ref
    assert not s.find_all(style=re.compile(r"url\(")), rel
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", (site / "assets/site.css").read_text())


def test_hostile_text_shows_as_text(site):
    for rel in PAGES:
        s = soup(site, rel)
        assert not s.find_all(attrs={"onerror": True}), rel
        for script in s.find_all("script"):
            assert script.get("src", "").endswith(("assets/filter.js", "assets/wechat-copy.js", "assets/elder-mode.js")), rel
            assert not script.string, rel
        assert not s.find("a", href=re.compile("^javascript:", re.I)), rel
    m01 = soup(site, "2023/institutions/M01/index.html")
    assert m01.find("h1").get_text() == HOSTILE_NAME
    p01 = soup(site, "2023/institutions/P01/index.html")
    row = p01.find("th", string="1-02").parent
    assert HOSTILE_REASON in row.get_text()
    roster = soup(site, "2023/roster/index.html")
    assert roster.find("a", string=HOSTILE_NAME)
    assert HOSTILE_NAME in (site / "2023/roster/index.html").read_text(encoding="utf-8").replace(
        "&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')


def test_markdown_raw_html_is_sanitized(site):
    year = soup(site, "2023/index.html")
    prose = year.find(class_="prose")
    assert "忻人社函〔2023〕118号" in prose.get_text()
    assert not prose.find("script") and not prose.find("a", href=re.compile("javascript"))
    about = soup(site, "about/index.html")
    assert not about.find("img")
    assert "关于本站。" in about.get_text()


def test_institution_page_assessed(site):
    s = soup(site, "2023/institutions/P01/index.html")
    t = text(s)
    assert s.find("h1").get_text() == "甲职业培训学校"
    assert "省属机构" in t
    outcome = text(s.find(class_="outcome"))
    assert "考核等级： A 级" in outcome
    assert "总分 108.75 分（满分 120 分）= 基础分 98.75 分（满分 100 分）+ 加分 10 分（满分 20 分）" in outcome
    assert "名次：第 2 名（共 2 个机构参与排名）" in outcome
    sections = s.find("caption", string="各部分得分与满分").parent
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in sections.tbody.find_all("tr")]
    assert rows == [["1. 考务管理", "48.75", "49.75"], ["2. 考场建设标准", "24", "24.25"], ["3. 岗位设置标准", "16", "16"],
                    ["4. 题库管理标准", "6.5", "6.5"], ["5. 档案管理标准", "3.5", "3.5"], ["7. 加分项", "10", "20"]]
    veto = s.find("table", class_="veto")
    assert len(veto.tbody.find_all("tr")) == 10
    assert all("未发现" in tr.get_text() for tr in veto.tbody.find_all("tr"))
    item_rows = [tr for table in s.find_all("table", class_="items") for tr in table.find_all("tr")
                 if tr.find("th", scope="row")]
    assert len(item_rows) == 130
    cells = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in item_rows}
    assert cells["1-02"][1:] == ["1", "0", HOSTILE_REASON, "1"]
    assert cells["2-01"][1:4] == ["1", "0.75", "缺1项"]
    assert cells["7-01"][2] == "不适用" and cells["7-06"][2] == "不适用"
    assert sum(c[2] == "不适用" for c in cells.values()) == 11
    assert cells["7-07"][0] == "按要求的，得0.5分，否则0分；"  # text lost in the source: the rule stands in
    links = {a["href"] for a in s.select("p.back a")}
    assert {"../../roster/index.html", "../../grades/index.html"} <= links


def test_institution_page_vetoed(site):
    s = soup(site, "2023/institutions/P02/index.html")
    outcome = text(s.find(class_="outcome"))
    assert "取消评价资格" in outcome and "级" not in outcome.split("总分")[0].replace("等级", "")
    assert "名次：" not in outcome
    found = [tr for tr in s.find("table", class_="veto").tbody.find_all("tr") if tr.find("strong", string="存在")]
    assert len(found) == 1 and "6-04" in found[0].get_text() and "连续两年未开展评价工作（测试）" in found[0].get_text()


def test_institution_page_inactive_and_missing(site):
    s = soup(site, "2023/institutions/P03/index.html")
    assert "2023年未开展职业技能等级评价工作" in text(s)
    assert not s.find("table") and not s.find(class_="outcome")
    m02 = soup(site, "2023/institutions/M02/index.html")
    assert "尚无其考核评分" in text(m02) and not m02.find("table")
    m01 = soup(site, "2023/institutions/M01/index.html")
    cells = [td.get_text() for table in m01.find_all("table", class_="items") for td in table.find_all("td")]
    assert cells and "不适用" not in cells  # M01 evaluates senior levels and uses online exams


def test_roster(site):
    s = soup(site, "2023/roster/index.html")
    form = s.find("form", id="roster-filter")
    assert form.has_attr("hidden")  # without JavaScript: no dead controls, every row shown
    tables = s.find_all("table", class_="roster")
    assert [t.caption.get_text() for t in tables] == ["省属机构", "市属机构"]
    rows = [[c.get_text().strip() for c in tr.find_all(["th", "td"])] for t in tables for tr in t.tbody.find_all("tr")]
    assert rows == [
        ["1", "甲职业培训学校", "A", "108.75", "开展评价", "—"],
        ["2", "乙人力资源有限公司", "取消评价资格", "110", "开展评价", "—"],
        ["3", "丙科技有限公司", "不参加考核", "—", "2023年未开展", "—"],
        ["1", HOSTILE_NAME, "A", "120", "开展评价", "原平市"],
        ["2", "丁职业中学校", "尚无评分", "—", "开展评价", "代县"],
    ]
    assert not any(tr.has_attr("hidden") for tr in s.find_all("tr"))
    assert [tr["data-grade"] for t in tables for tr in t.tbody.find_all("tr")] == ["A", "取消评价资格", "未开展", "A", "未评估"]


def test_grade_tables(site):
    s = soup(site, "2023/grades/index.html")
    captions = [c.get_text() for c in s.find_all("caption")]
    assert captions == ["A 级机构（2 个）", "B 级机构（0 个）", "C 级机构（0 个）", "D 级机构（0 个）", "被取消评价资格的机构（1 个）"]
    a_rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in s.find_all("table")[0].tbody.find_all("tr")]
    assert a_rows == [[HOSTILE_NAME, "市属", "100", "20", "120", "1"], ["甲职业培训学校", "省属", "98.75", "10", "108.75", "2"]]
    inactive = [li.get_text() for li in s.find(id="inactive").find_next("ul").find_all("li")]
    assert inactive == ["丙科技有限公司（省属）", "丁职业中学校（市属）"]


def test_year_page_figures_chart_objection_downloads(site):
    s = soup(site, "2023/index.html")
    figures = {d.dt.get_text(): d.dd.get_text() for d in s.find("dl", class_="figures").find_all("div")}
    assert figures == {"名单所列机构": "5 个", "2023年开展评价": "4 个", "2023年未开展评价": "1 个", "参加考核": "3 个",
                       "A 级": "2 个", "B 级": "0 个", "C 级": "0 个", "D 级": "0 个", "取消评价资格": "1 个",
                       "开展评价但尚无评分": "1 个"}
    svg = s.find("svg")
    assert [t.get_text() for t in svg.find_all("text", class_="chart-value")] == ["2 个", "0 个", "0 个", "0 个", "1 个"]
    chart_table = s.find("caption", string="2023年度考核等级分布").parent
    assert [td.get_text() for td in chart_table.tbody.find_all("td")] == ["2", "0", "0", "0", "1"]
    t = text(s)
    assert "公示期：2024年1月15日至2024年1月20日" in t.replace(" ", "")
    for needle in ("0350-3020718", "xzsjdZX@163.com", "忻州市长征西街人社大楼五层职业技能服务中心办公室", "忻人社函〔2023〕118号"):
        assert needle in t
    downloads = s.find("ul", class_="downloads").find_all("li")
    assert len(downloads) == 4
    for li in downloads:
        path = (site / "2023" / li.a["href"]).resolve()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert li.code.get_text() == f"SHA-256: {digest}"


def test_rubric_page(site):
    s = soup(site, "2023/rubric/index.html")
    rows = [tr for table in s.find_all("table", class_="items") for tr in table.find_all("tr") if tr.find("th", scope="row")]
    assert len(rows) == 130
    assert len(s.find("ol", class_="veto-list").find_all("li")) == 10
    t = text(s)
    assert "A 级：总分90分及以上" in t.replace(" ", "").replace("A级", "A 级") or "A 级 ：总分90分及以上" in t
    defects = s.find(id="defects").find_next("ul").get_text()
    assert "27个" in defects and "第 3-06 项" in defects and "第 7-01、7-03、7-04、7-05 项" in defects


def test_sha256sums_lists_every_published_file(site):
    lines = (site / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    assert sorted(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((site / rel).read_bytes()).hexdigest() == digest


def test_publish_refuses_sample_data(project):
    result = project.cli("build", "--publish")
    assert result.code == 1
    assert result.err == (
        "Error: 不能正式发布：\n"
        "content/site.yaml: base_url 仍是占位地址 https://example.org/xinzhou-pjjg/；请改为本站在局网站上的实际地址\n"
        "content/site.yaml: 缺少 site_id_code（网站标识码）；政府网站须标明，填写后才能正式发布\n"
        "scores/2023/status.yaml: status 为 sample（示例数据，非正式结果），只有 approved（已审定）的数据可以正式发布\n"
    )
    assert not project.path("output").exists()


def test_publish_refuses_missing_sheets_then_accepts_approved_complete_data(tmp_path):
    root = make_mini(tmp_path / "m")
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\napproved_on: 2024-01-15\n"
        "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n", encoding="utf-8")
    result = _in_process("build", "--root", str(root), "--publish")
    assert result.code == 1
    assert result.err == "Error: 不能正式发布：\n2023 年尚无评分表的开展评价机构：M02；正式发布须每个开展评价的机构都有评分表\n"
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8").replace("institution: P01", "institution: M02")
    (root / "scores/2023/M02.yaml").write_text(sheet, encoding="utf-8")
    result = _in_process("build", "--root", str(root), "--publish")
    assert result.code == 0, result.err
    page = soup(root / "output", "2023/index.html")
    assert not page.find(class_="status-banner") and not page.find("meta", attrs={"name": "robots"})
