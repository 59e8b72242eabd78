"""Fit for a government website: site identity, page metadata, 发布时间/来源/落款, --publish checks,
sitemap.xml and robots.txt, the CMS package, the 无障碍声明 page and the 长者模式 assets."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.mini import make_mini
from support.project import REPO, in_process

BASE = "https://results.example.gov.cn/kh/"
META_NAMES = [
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Description",
    "Url",
]
FULL_IDENTITY = """organizer: 测试承办单位
police_record: 晋公网安备14090202000123号
conac_url: https://bszs.conac.cn/sitename?method=show&id=TEST
error_report_url: https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode=1409000001
"""


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def pages_of(out: Path) -> list[str]:
    """Every full page (the two paste-ready fragments excluded)."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if p.name != "article.html" and "/cms/" not in p.as_posix()
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8-sig"), "html.parser")


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory) -> Path:
    root = make_mini(tmp_path_factory.mktemp("gov"))
    with open(root / "content/site.yaml", "a", encoding="utf-8") as f:
        f.write(FULL_IDENTITY)
    result = build(root)
    assert result.code == 0, result.err
    return root / "output"


# -- site identity -----------------------------------------------------------------------------


def test_identity_block_on_every_page(mini_site):
    pages = pages_of(mini_site)
    assert len(pages) == 13  # home, about, year, roster, grades, rubric, search, wechat preview, 5 institutions
    for rel in pages:
        block = soup(mini_site / rel).select_one("footer .site-identity")
        assert block is not None, rel
        text = " ".join(block.get_text(" ").split())
        for part in (
            "主办单位：测试主办单位",
            "承办单位：测试承办单位",
            "网站标识码：1409000001",
            "晋ICP备12345678号",
            "晋公网安备14090202000123号",
            "党政机关网站标识",
            "我为政府网站找错",
        ):
            assert part in text, (rel, part)
        links = {a.get_text(): a["href"] for a in block.find_all("a")}
        assert links["晋ICP备12345678号"] == "https://beian.miit.gov.cn/"
        assert links["晋公网安备14090202000123号"].endswith("code=14090202000123")
        assert links["党政机关网站标识"] == "https://bszs.conac.cn/sitename?method=show&id=TEST"
        assert links["我为政府网站找错"].startswith("https://zfwzzc.www.gov.cn/")


def test_identity_lines_only_where_given(tmp_path):
    root = make_mini(tmp_path / "m")
    root.joinpath("content/site.yaml").write_text(
        root.joinpath("content/site.yaml")
        .read_text(encoding="utf-8")
        .replace("site_id_code: '1409000001'\n", "")
        .replace("icp: 晋ICP备12345678号\n", ""),
        encoding="utf-8",
    )
    assert build(root).code == 0
    block = soup(root / "output/index.html").select_one(".site-identity")
    assert " ".join(block.get_text(" ").split()) == "主办单位：测试主办单位"
    assert [p.get_text(strip=True) for p in block.find_all("p")] == ["主办单位：测试主办单位"]


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "site_id_code: 14090001",
            "site_id_code（网站标识码）格式不对：14090001；应如 1409000001（10 位数字；部门网站为 bm 加 8 位数字）",
        ),
        ("icp: ICP备12345678号", "icp（ICP备案号）格式不对：ICP备12345678号；应如 晋ICP备12345678号"),
        (
            "police_record: 晋公网安备123号",
            "police_record（公安机关备案号）格式不对：晋公网安备123号；应如 晋公网安备14090202000123号",
        ),
        (
            "conac_url: bszs.conac.cn/x",
            "conac_url（党政机关网站标识链接）格式不对：bszs.conac.cn/x；应如 https://bszs.conac.cn/sitename?method=show&id=…",
        ),
        ("sponsor: [甲, 乙]", "sponsor（主办单位）须为文字或 null，如 忻州市人力资源和社会保障局"),
    ],
)
def test_identity_values_are_checked(project, line, message):
    key = line.split(":")[0]
    text = re.sub(rf"^{key}:.*$", line, project.read("content/site.yaml"), flags=re.M)
    project.write("content/site.yaml", text)
    result = project.validate()
    assert result.code == 1
    assert f"content/site.yaml: {message}" in result.err


def test_identity_accepts_good_values(project):
    text = project.read("content/site.yaml")
    text = re.sub(r"^site_id_code:.*$", "site_id_code: 1409000001", text, flags=re.M)  # unquoted: a number
    text = re.sub(r"^icp:.*$", "icp: 晋ICP备12345678号-1", text, flags=re.M)
    text = re.sub(r"^police_record:.*$", "police_record: 晋公网安备 14090202000123号", text, flags=re.M)
    project.write("content/site.yaml", text)
    assert project.validate().code == 0


def _approved_complete(root: Path) -> None:
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 测试领导小组\napproved_on: 2024-01-15\npublished_on: 2024-01-15\n"
        "objection_deadline: 2024-01-20\n",
        encoding="utf-8",
    )
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8")
    (root / "scores/2023/M02.yaml").write_text(sheet.replace("institution: P01", "institution: M02"), encoding="utf-8")


def test_publish_refuses_without_sponsor_or_site_id_code(tmp_path):
    root = make_mini(tmp_path / "m")
    _approved_complete(root)
    site_yaml = root / "content/site.yaml"
    original = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(
        original.replace("sponsor: 测试主办单位\n", "sponsor: null\n").replace("site_id_code: '1409000001'\n", ""),
        encoding="utf-8",
    )
    result = build(root, "--publish")
    assert result.code == 1
    assert result.err == (
        "错误：不能正式发布：\n"
        "content/site.yaml: 缺少 sponsor（主办单位）；政府网站须标明，填写后才能正式发布\n"
        "content/site.yaml: 缺少 site_id_code（网站标识码）；政府网站须标明，填写后才能正式发布\n"
    )
    assert not (root / "output").exists()
    site_yaml.write_text(original, encoding="utf-8")
    assert build(root, "--publish").code == 0


# -- page metadata ----------------------------------------------------------------------------


def _meta(page: BeautifulSoup) -> dict[str, str]:
    return {m["name"]: m["content"] for m in page.find_all("meta", attrs={"name": True}) if m["name"] in META_NAMES}


def test_metadata_on_every_page(mini_site):
    for rel in pages_of(mini_site):
        page = soup(mini_site / rel)
        meta = _meta(page)
        assert list(meta) == META_NAMES, rel
        assert all(meta.values()), (rel, meta)
        assert meta["SiteName"] == "测试考核结果公示"
        assert meta["SiteDomain"] == "results.example.gov.cn"
        assert meta["SiteIDCode"] == "1409000001"
        assert meta["Url"] == BASE + rel
        assert meta["ArticleTitle"] == page.title.get_text().split(" - ")[0]
        # the mini announcement has no published_at: the year's published_on, at 00:00
        assert meta["PubDate"] == "2024-01-15 00:00", rel
        assert meta["ContentSource"] == "测试发布单位"
    columns = {rel: _meta(soup(mini_site / rel))["ColumnName"] for rel in pages_of(mini_site)}
    assert columns["index.html"] == "首页"
    assert columns["2023/index.html"] == "年度公告"
    assert columns["2023/roster/index.html"] == "机构名单"
    assert columns["2023/institutions/P01/index.html"] == "机构考核结果"
    assert columns["about/index.html"] == "网站信息"
    assert "甲职业培训学校" in _meta(soup(mini_site / "2023/institutions/P01/index.html"))["Keywords"]
    # readers are not shown a time the data does not give
    for rel in ("2023/index.html", "about/index.html"):
        info = soup(mini_site / rel).select_one("main .pubinfo")
        assert " ".join(info.get_text().split()) == "发布时间：2024年1月15日 来源：测试发布单位", rel
        assert info.find("time")["datetime"] == "2024-01-15"


def test_publication_time_comes_from_the_front_matter(tmp_path):
    root = make_mini(tmp_path / "m")
    ann = root / "content/2023/announcement.md"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace(
            "assessor: 测试考核工作小组\n",
            "assessor: 测试考核工作小组\npublished_at: 2024-01-15 09:30\nissuer: 测试签发机关\n",
        ),
        encoding="utf-8",
    )
    about = root / "content/pages/about.md"
    about.write_text(
        about.read_text(encoding="utf-8").replace(
            "title: 关于\n", "title: 关于\npublished_at: 2024-02-01 10:05\nsource: 测试来源\n"
        ),
        encoding="utf-8",
    )
    assert build(root).code == 0
    out = root / "output"
    year = soup(out / "2023/index.html")
    assert _meta(year)["PubDate"] == "2024-01-15 09:30"
    assert _meta(soup(out / "2023/institutions/P01/index.html"))["PubDate"] == "2024-01-15 09:30"
    info = year.select_one(".pubinfo")
    assert " ".join(info.get_text().split()) == "发布时间：2024年1月15日 09:30 来源：测试发布单位"
    assert info.find("time")["datetime"] == "2024-01-15T09:30"
    signoff = year.select("main .signoff")
    assert len(signoff) == 1 and signoff[0].get_text("|") == "测试签发机关|2024年1月15日"
    page = soup(out / "about/index.html")
    assert _meta(page)["PubDate"] == "2024-02-01 10:05" and _meta(page)["ContentSource"] == "测试来源"
    assert " ".join(page.select_one(".pubinfo").get_text().split()) == "发布时间：2024年2月1日 10:05 来源：测试来源"


def test_announcement_ends_with_its_signoff(mini_site):
    main = soup(mini_site / "2023/index.html").find("main")
    signoff = main.select_one(".signoff")
    assert signoff.get_text("|") == "测试发布单位|2024年1月15日"
    # right after the announcement's text (公告全文); corrections and downloads follow
    assert signoff.find_previous("h2").get_text() == "公告全文"
    assert signoff.find_previous_sibling().name == "div" and "prose" in signoff.find_previous_sibling()["class"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("2024-01-15 9点", "published_at（发布时间）为 2024-01-15 9点，应写成 2024-01-15 09:00 的形式"),
        (
            "2024-01-16 09:00",
            "published_at（发布时间）2024-01-16 09:00 与 status.yaml 的 published_on 2024-01-15 不是同一天",
        ),
    ],
)
def test_published_at_is_checked(tmp_path, value, message):
    root = make_mini(tmp_path / "m")
    ann = root / "content/2023/announcement.md"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace(
            "assessor: 测试考核工作小组\n", f"assessor: 测试考核工作小组\npublished_at: {value}\n"
        ),
        encoding="utf-8",
    )
    result = in_process("validate", "--root", str(root))
    assert result.code == 1
    assert f"content/2023/announcement.md: {message}" in result.err


# -- sitemap.xml and robots.txt ----------------------------------------------------------------


def test_sitemap_lists_every_public_page_with_absolute_urls(mini_site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(mini_site / "sitemap.xml")
    locs = [u.findtext("s:loc", namespaces=ns) for u in tree.getroot().findall("s:url", ns)]
    expected = [p for p in pages_of(mini_site) if "/wechat/" not in p]
    assert locs == [BASE + p for p in expected]
    assert {u.findtext("s:lastmod", namespaces=ns) for u in tree.getroot().findall("s:url", ns)} == {"2024-01-15"}


def test_robots_disallows_while_draft_and_allows_when_approved(mini_site, tmp_path):
    assert (mini_site / "robots.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "User-agent: *",
        "Disallow: /kh/",
    ]
    root = make_mini(tmp_path / "m")
    _approved_complete(root)
    assert build(root).code == 0
    assert (root / "output/robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /kh/\n\nSitemap: {BASE}sitemap.xml\n"
    )


def test_robots_at_the_host_root_disallows_all(project):
    project.edit("content/site.yaml", "https://example.org/xinzhou-pjjg/", "https://pjjg.example.gov.cn/")
    assert project.cli("build", "--jobs", "1").code == 0
    assert "Disallow: /\n" in project.read("output/robots.txt")


# -- the CMS package --------------------------------------------------------------------------


def test_cms_package(mini_site):
    cms = mini_site / "2023/cms"
    assert sorted(p.name for p in cms.iterdir()) == sorted(
        ["announcement.html", "results.xlsx", "results.csv", "results.json", "发布说明.txt"]
    )
    sums = dict(
        reversed(line.split("  ", 1)) for line in (mini_site / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    for p in cms.iterdir():
        assert sums[f"2023/cms/{p.name}"] == hashlib.sha256(p.read_bytes()).hexdigest()
    for name in ("results.xlsx", "results.csv", "results.json"):
        assert (cms / name).read_bytes() == (mini_site / "2023/data" / name).read_bytes()
    raw = (cms / "announcement.html").read_text(encoding="utf-8")
    assert raw.startswith('\ufeff<meta charset="utf-8">\n<div>') and raw.rstrip().endswith("</div>")
    frag = BeautifulSoup(raw.lstrip("\ufeff"), "html.parser")
    roots = [el for el in frag.children if getattr(el, "name", None)][1:]  # after the <meta charset>
    assert [r.name for r in roots] == ["div"]
    assert not frag.find_all(["script", "style", "link", "img", "iframe", "html", "head", "body"])
    for el in frag.find_all(True):
        assert not el.get("class") and not el.get("id") and not el.get("src"), el
        assert not any(a.startswith("on") for a in el.attrs), el
    hrefs = [a["href"] for a in frag.find_all("a", href=True)]  # (the mini's javascript: link lost its href)
    assert [h for h in hrefs if not h.startswith(BASE)] == ["results.xlsx", "results.csv", "results.json"]
    titles = [t.find_previous("h3").get_text() for t in frag.find_all("table")]  # headings, not <caption>
    assert titles[:2] == ["等级分布", "A 级（2 个）"] and "取消评价资格（1 个）" in titles
    assert not frag.find("caption")
    text = " ".join(frag.get_text(" ").split())
    assert "【草稿，未经审定】" in text and "公示期：2024年1月15日至2024年1月20日" in text
    last = roots[0].find_all(recursive=False)[-1]
    assert last.get_text("|") == "测试发布单位|2024年1月15日" and "text-align:right" in last["style"]
    for cell in frag.find_all(["td", "th"]):
        assert "border:1px solid" in cell["style"]
    notes = (cms / "发布说明.txt").read_text(encoding="utf-8-sig")
    for part in (
        "announcement.html",
        "results.xlsx",
        "results.csv",
        "results.json",
        "源代码",
        "附件",
        "标题：2023年度测试公告",
        "请勿发布",
    ):
        assert part in notes, part


# -- 无障碍声明 and 长者模式 --------------------------------------------------------------------


def test_accessibility_statement_in_the_repo_content():
    from site_builder.errors import Problems
    from site_builder.read.content import load_content

    problems = Problems()
    _config, pages, _ann = load_content(REPO / "content", [], lambda p: str(p), problems)
    page = next(p for p in pages if p.slug == "accessibility")
    assert page.title == "无障碍声明"
    headings = re.findall(r"<h2>(.*?)</h2>", str(page.html))
    assert headings == ["遵循的标准", "已知的不足", "反馈问题"]
    assert "GB/T 37668-2019" in str(page.html) and "0350-3020718" in str(page.html)


def test_elder_mode_assets(mini_site):
    css = (mini_site / "assets/site.css").read_text(encoding="utf-8")
    block = css[css.index("/* --- 长者模式 --- */") :]
    assert "html.elder-mode {" in block and "--elder-scale: 1.25" in block and "var(--elder-scale)" in block
    js = (mini_site / "assets/elder-mode.js").read_text(encoding="utf-8")
    assert "localStorage" in js and "aria-pressed" in js
    for rel in pages_of(mini_site):
        scripts = [s["src"] for s in soup(mini_site / rel).head.find_all("script")]
        assert scripts == [
            re.sub(r"[^/]+/", "../", rel.rsplit("/", 1)[0] + "/") + "assets/elder-mode.js"
            if "/" in rel
            else "assets/elder-mode.js"
        ], rel
    # the page itself has no switch: the script adds it, so without JavaScript there is no dead button
    assert "elder-toggle" not in (mini_site / "index.html").read_text(encoding="utf-8")
