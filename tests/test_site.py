"""The public site, built from the mini fixture and checked page by page with BeautifulSoup."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from support.mini import HOSTILE_NAME, HOSTILE_REASON, make_mini
from support.project import in_process

PAGES = [
    "index.html",
    "about/index.html",
    "2023/index.html",
    "2023/roster/index.html",
    "2023/grades/index.html",
    "2023/rubric/index.html",
    "2023/wechat/index.html",
    "2023/search/index.html",
    *(f"2023/institutions/{i}/index.html" for i in ("P01", "P02", "P03", "M01", "M02")),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_mini(tmp_path_factory.mktemp("mini"))
    result = in_process("build", "--root", str(root))
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
    # the contacts in the footer are tappable on a phone
    hrefs = {a["href"] for a in s.find("footer").find_all("a")}
    assert {"tel:03503020718", "mailto:xzsjdZX@163.com"} <= hrefs, rel
    for table in s.find_all("table"):
        if table.find_parent(id="article"):
            continue  # the WeChat article's own rules apply there (test_wechat.py)
        assert table.find("caption"), rel
        for th in table.find("thead").find_all("th"):
            assert th.get("scope") == "col", rel


def _local_refs(s: BeautifulSoup):
    for tag, attr in (
        ("a", "href"),
        ("link", "href"),
        ("script", "src"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("object", "data"),
    ):
        for el in s.find_all(tag):
            if el.get(attr) is not None:
                yield tag, el[attr]


@pytest.mark.parametrize("rel", PAGES)
def test_links_resolve_and_nothing_loads_from_elsewhere(site, rel):
    s = soup(site, rel)
    page = site / rel
    for tag, ref in _local_refs(s):
        parts = urlsplit(ref)
        if (
            tag == "a"
            and parts.scheme in ("mailto", "tel")
            or tag == "link"
            and ref == "data:,"
            or tag == "a"
            and ref == "https://beian.miit.gov.cn/"
        ):
            continue  # mail and phone links; the empty icon that stops a favicon request; the footer's ICP link
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
            assert script.get("src", "").endswith(
                (
                    "assets/filter.js",
                    "assets/wechat-copy.js",
                    "assets/search.js",
                    "search/search-index.js",
                    "search-index.js",
                    "assets/elder-mode.js",
                )
            ), rel
            assert not script.string, rel
        assert not s.find("a", href=re.compile("^javascript:", re.I)), rel
    m01 = soup(site, "2023/institutions/M01/index.html")
    assert m01.find("h1").get_text() == HOSTILE_NAME
    p01 = soup(site, "2023/institutions/P01/index.html")
    row = p01.find("th", string="1-02").parent
    assert HOSTILE_REASON in row.get_text()
    roster = soup(site, "2023/roster/index.html")
    assert roster.find("a", string=HOSTILE_NAME)
    assert HOSTILE_NAME in (site / "2023/roster/index.html").read_text(encoding="utf-8").replace("&lt;", "<").replace(
        "&gt;", ">"
    ).replace("&#34;", '"')


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
    assert "考核等级 A 级" in outcome
    assert "总分108.75分（满分110）=基础分98.75（满分100）+加分10（满分10）" in outcome.replace(" ", "")
    assert "名次：第2名（共2个机构参与排名）" in outcome.replace(" ", "")
    sections = s.find("caption", string="各部分得分与满分（满分按适用于本机构的指标计）").parent
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in sections.tbody.find_all("tr")]
    assert rows == [
        ["1. 考务管理", "48.75", "49.75", "1 项"],
        ["2. 考场建设标准", "24", "24.25", "1 项"],
        ["3. 岗位设置标准", "16", "16", "0"],
        ["4. 题库管理标准", "6.5", "6.5", "0"],
        ["5. 档案管理标准", "3.5", "3.5", "0"],
        ["7. 加分项", "10", "10", "0"],
    ]
    assert [c.get_text() for c in sections.tfoot.find_all(["th", "td"])] == ["总分", "108.75", "110", "2 项"]
    veto = s.find("table", class_="veto")
    assert len(veto.tbody.find_all("tr")) == 10
    assert all("未发现" in tr.get_text() for tr in veto.tbody.find_all("tr"))
    item_rows = [
        tr for table in s.find_all("table", class_="items") for tr in table.find_all("tr") if tr.find("th", scope="row")
    ]
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
    assert not s.find("table") and s.find(class_="outcome-grade").get_text() == "未开展"
    assert not s.find(id="deductions") and s.find(id="objection")
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
        ["3", "丙科技有限公司", "未开展", "—", "未开展", "—"],
        ["1", HOSTILE_NAME, "A", "120", "开展评价", "原平市"],
        ["2", "丁职业中学校", "尚无评分", "—", "开展评价", "代县"],
    ]
    assert not any(tr.has_attr("hidden") for tr in s.find_all("tr"))
    assert [tr["data-grade"] for t in tables for tr in t.tbody.find_all("tr")] == [
        "A",
        "取消评价资格",
        "未开展",
        "A",
        "未评估",
    ]


def test_grade_tables(site):
    s = soup(site, "2023/grades/index.html")
    captions = [c.get_text() for c in s.find_all("caption")]
    assert captions == [
        "A 级机构（2 个）",
        "B 级机构（0 个）",
        "C 级机构（0 个）",
        "D 级机构（0 个）",
        "被取消评价资格的机构（1 个）",
    ]
    a_table = s.find_all("table")[0]
    phone_breakdown = [el.extract().get_text() for el in a_table.select(".phone-only")]
    assert phone_breakdown == ["100 + 20", "98.75 + 10"]  # under the total, where phones drop those columns
    a_rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in a_table.tbody.find_all("tr")]
    assert a_rows == [
        [HOSTILE_NAME, "市属", "100", "20", "120", "1"],
        ["甲职业培训学校", "省属", "98.75", "10", "108.75", "2"],
    ]
    assert s.find(id="inactive").get_text() == "未开展或尚无评分的机构（2 个）"
    inactive = [li.get_text() for li in s.find(id="inactive").find_next("ul").find_all("li")]
    assert inactive == ["丙科技有限公司（省属）", "丁职业中学校（市属，尚无评分）"]


def test_year_page_figures_chart_objection_downloads(site):
    s = soup(site, "2023/index.html")
    figures = {d.dt.get_text(): d.dd.get_text() for d in s.find("dl", class_="figures").find_all("div")}
    assert figures == {
        "名单所列机构": "5 个",
        "2023年开展评价": "4 个",
        "2023年未开展评价": "1 个",
        "参加考核": "3 个",
        "A 级": "2 个",
        "B 级": "0 个",
        "C 级": "0 个",
        "D 级": "0 个",
        "取消评价资格": "1 个",
        "开展评价但尚无评分": "1 个",
    }
    svg = s.find("svg")
    assert [t.get_text() for t in svg.find_all("text", class_="chart-value")] == [
        "2 个",
        "0 个",
        "0 个",
        "0 个",
        "1 个",
    ]
    chart_table = s.find("caption", string="2023年度考核等级分布").parent
    assert [td.get_text() for td in chart_table.tbody.find_all("td")] == ["2", "0", "0", "0", "1"]
    t = text(s)
    assert "公示期：2024年1月15日至2024年1月20日" in t.replace(" ", "")
    for needle in (
        "0350-3020718",
        "xzsjdZX@163.com",
        "忻州市长征西街人社大楼五层职业技能服务中心办公室",
        "忻人社函〔2023〕118号",
    ):
        assert needle in t
    downloads = s.find("ul", class_="downloads").find_all("li")
    assert len(downloads) == 9  # results ×3, rubric, objections ×2, indicators ×2, datapackage.json
    for li in downloads:
        path = (site / "2023" / li.a["href"]).resolve()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert li.code.get_text() == f"SHA-256: {digest}"


def test_rubric_page(site):
    s = soup(site, "2023/rubric/index.html")
    rows = [
        tr for table in s.find_all("table", class_="items") for tr in table.find_all("tr") if tr.find("th", scope="row")
    ]
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
    files = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.name not in ("SHA256SUMS", ".site-builder-output")  # the tool's manifest (issue 24)
    )
    assert sorted(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((site / rel).read_bytes()).hexdigest() == digest


def test_publish_refuses_sample_data(project):
    result = project.cli("build", "--publish")
    assert result.code == 1
    assert result.err == (
        "错误：不能正式发布：\n"
        "content/site.yaml: base_url 仍是占位地址 https://example.org/xinzhou-pjjg/；请改为本站在局网站上的实际地址\n"
        "content/site.yaml: 缺少 site_id_code（网站标识码）；政府网站须标明，填写后才能正式发布\n"
        "scores/2023/status.yaml: status 为 sample（示例数据，非正式结果），只有 approved（已审定）的数据可以正式发布\n"
        "以下文件标记为示例数据（sample: true），不能作为正式结果发布：scores/2023/roster.yaml、"
        + "、".join(
            f"scores/2023/{p.stem}.yaml"
            for p in sorted(project.year_dir.glob("[PM]*.yaml"), key=lambda p: (p.stem[0] == "M", p.stem))
        )
        + "、content/2023/announcement.md；请换成经审定的正式数据（正式数据的文件中没有 sample: true）\n"
    )
    assert not project.path("output").exists()


def test_publish_refuses_missing_sheets_then_accepts_approved_complete_data(tmp_path):
    root = make_mini(tmp_path / "m")
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\napproved_on: 2024-01-15\n"
        "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n",
        encoding="utf-8",
    )
    result = in_process("build", "--root", str(root), "--publish")
    assert result.code == 1
    assert (
        result.err
        == "错误：不能正式发布：\n2023 年尚无评分表的开展评价机构：M02；正式发布须每个开展评价的机构都有评分表\n"
    )
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8").replace("institution: P01", "institution: M02")
    (root / "scores/2023/M02.yaml").write_text(sheet, encoding="utf-8")
    result = in_process("build", "--root", str(root), "--publish")
    assert result.code == 0, result.err
    page = soup(root / "output", "2023/index.html")
    assert not page.find(class_="status-banner") and not page.find("meta", attrs={"name": "robots"})


# --- what a reader sees first (issue 13) ----------------------------------------------------------


def _order(s: BeautifulSoup, *ids: str) -> list[int]:
    """Positions of elements (by id or class) in document order."""
    everything = s.find_all(True)
    return [everything.index(s.find(id=i) or s.find(class_=i)) for i in ids]


def test_institution_page_order_result_notice_deductions_subtotals_full_table(site):
    s = soup(site, "2023/institutions/P01/index.html")
    positions = _order(s, "outcome", "objection", "deductions", "sections", "veto", "items")
    assert positions == sorted(positions)
    notice = s.find(id="objection").parent
    assert "公示期：2024年1月15日至2024年1月20日。" in notice.get_text()
    assert notice.find("a", href="tel:03503020718").get_text() == "0350-3020718"
    assert notice.find("a", href="mailto:xzsjdZX@163.com")
    # only the two indicators that lost points, each with its text, score / max and reason
    items = s.find_all("ol", class_="deductions")
    cards = [li for ol in items for li in ol.find_all("li")]
    assert [c.find(class_="ind-id").get_text() for c in cards] == ["1-02", "2-01"]
    assert text(cards[0].find(class_="ded-score")) == "得分 0 / 满分 1"
    assert cards[0].find(class_="ded-reason").get_text() == "扣分原因：" + HOSTILE_REASON
    assert text(cards[0].find(class_="ded-self")) == "自评分：1"
    assert text(cards[1].find(class_="ded-score")) == "得分 0.75 / 满分 1"
    assert [h.get_text() for h in s.find(id="deductions").find_all_next("h3")][:2] == [
        "1. 考务管理（扣 1 分，1 项）",
        "2. 考场建设标准（扣 0.25 分，1 项）",
    ]
    assert "基础分（第一至五部分）共扣1.25分，涉及2项指标" in text(s).replace(" ", "")  # no bonus item below max
    # the full table: one closed <details> per scored section, that works without JavaScript
    parts = s.select("details.expand[id^=part-]")
    assert [d["id"] for d in parts] == ["part-1", "part-2", "part-3", "part-4", "part-5", "part-7"]
    assert not any(d.has_attr("open") for d in parts) and all(d.find("table", class_="items") for d in parts)
    assert parts[0].summary.get_text() == "1. 考务管理（得分 48.75 / 满分 49.75，1 项未得满分）"


def test_vetoed_result_box_names_the_veto_item_and_its_evidence(site):
    s = soup(site, "2023/institutions/P02/index.html")
    box = s.find(class_="outcome")
    found = box.find("ul", class_="veto-found").find_all("li")
    assert len(found) == 1
    assert found[0].strong.get_text().startswith("6-04 连续两年不开展评价工作")
    assert found[0].find(class_="veto-evidence").get_text() == "事实依据：连续两年未开展评价工作（测试）"


def test_nav_marks_the_current_page(site):
    for rel, current in (
        ("2023/index.html", "2023年度公告"),
        ("2023/roster/index.html", "机构名单"),
        ("2023/grades/index.html", "等级结果"),
        ("2023/rubric/index.html", "考核办法"),
        ("about/index.html", "关于"),
        ("index.html", None),
        ("2023/institutions/P01/index.html", None),
    ):
        marked = [a.get_text() for a in soup(site, rel).select('nav[aria-label="主导航"] a[aria-current="page"]')]
        assert marked == ([current] if current else []), rel


def test_year_page_notice_first_then_summary_tables_and_visible_feed_and_download_links(site):
    s = soup(site, "2023/index.html")
    positions = _order(s, "objection", "figures", "tables", "announcement", "downloads")
    assert positions == sorted(positions)
    for rel in ("index.html", "2023/index.html"):
        links = {a.get_text(): a["href"] for a in soup(site, rel).select("ul.quick-links a")}
        assert set(links) == {"数据下载", "订阅（RSS）"}, rel
        here = (site / rel).parent
        assert (here / links["数据下载"]).resolve() == (site / "2023/index.html#downloads").resolve()
        assert (here / links["订阅（RSS）"]).resolve() == (site / "feed.xml").resolve()
    # the assessment period: from the announcement's front matter, also inside the announcement's text
    assert "考核期：2023年12月21日至2024年1月10日" in s.find(class_="lead").get_text()


def test_one_word_for_the_inactive_status(site):
    for rel in PAGES:
        assert "不参加考核" not in text(soup(site, rel)), rel
    roster = soup(site, "2023/roster/index.html")
    assert [o.get_text() for o in roster.find(id="f-status").find_all("option")] == ["全部", "开展评价", "未开展"]


def test_wechat_preview_shows_the_article_in_its_own_document(site):
    s = soup(site, "2023/wechat/index.html")
    frame = s.find("iframe", id="article-frame")
    inner = BeautifulSoup(frame["srcdoc"], "html.parser")
    assert not inner.find("link") and not s.find(id="article")  # the site's stylesheet does not reach it
    article = (site / "2023/wechat/article.html").read_text(encoding="utf-8")
    assert str(inner.body.section) == str(BeautifulSoup(article, "html.parser").section)
