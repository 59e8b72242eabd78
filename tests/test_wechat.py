"""The WeChat article: every rule of the official account's editor, checked on the built fragment."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, NavigableString
from support.mini import HOSTILE_NAME, make_mini
from support.project import REPO, in_process

from site_builder.errors import BuildError
from site_builder.publish.wechat import check_limits

INLINE = {"a", "b", "strong", "em", "i", "span", "code", "small", "br", "sub", "sup", "u"}
FORBIDDEN_CSS = re.compile(
    r"var\(|--[a-z-]+\s*:|(^|;)\s*(position|float)\s*:|display\s*:\s*(flex|grid|inline-flex|inline-grid)"
    r"|grid-|flex",
    re.I,
)
COLOR_PROPS = ("color", "background-color", "background", "border", "border-left", "border-color")


@pytest.fixture(scope="module")
def built(tmp_path_factory, repo_site):
    """The repo's own data (24 assessed institutions, built once for the session) and the mini fixture."""
    root = make_mini(tmp_path_factory.mktemp("mini"))
    result = in_process("build", "--out", str(root / "out"), "--root", str(root))
    assert result.code == 0, result.err
    return {"repo": repo_site, "mini": root / "out"}


def article(built, which="repo"):
    html = (built[which] / "2023/wechat/article.html").read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "html.parser")


def styles(tag) -> dict[str, str]:
    out = {}
    for decl in tag.get("style", "").split(";"):
        if ":" in decl:
            k, v = decl.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def test_one_root_section_and_no_page_wrapper(built):
    html, soup = article(built)
    roots = [el for el in soup.contents if getattr(el, "name", None)]
    assert [r.name for r in roots] == ["meta", "section"]  # the charset (a server may not say it), the article
    assert html.startswith('<meta charset="utf-8">\n<section')
    assert not soup.find(["html", "head", "body"])
    assert not [s for s in soup.contents if isinstance(s, NavigableString) and s.strip()]


def test_nothing_the_editor_strips(built):
    _, soup = article(built)
    assert not soup.find_all(["style", "script", "link", "iframe", "img", "form", "input", "button"])
    for tag in soup.find_all(True):
        assert "class" not in tag.attrs and "id" not in tag.attrs, tag.name
        assert not any(a.startswith("on") for a in tag.attrs), tag.name
        style = tag.get("style", "")
        assert not FORBIDDEN_CSS.search(style), (tag.name, style)


def test_all_styling_is_inline_and_colours_are_solid_hex(built):
    _, soup = article(built)
    for tag in soup.find_all(True):
        if tag.name in ("thead", "tbody", "tr", "br", "wbr", "meta"):
            continue
        assert tag.get("style"), f"<{tag.name}> has no inline style"
        for prop, value in styles(tag).items():
            if prop in COLOR_PROPS or prop.endswith("color"):
                for colour in re.findall(
                    r"#[0-9a-fA-F]+|rgba?\([^)]*\)|hsla?\([^)]*\)|\b(?:transparent|red|blue|black|white)\b", value
                ):
                    assert re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", colour), (prop, value)


def test_links_only_to_the_platform_or_showing_their_address(built):
    html, soup = article(built)
    full = "https://example.org/xinzhou-pjjg/2023/index.html"
    for a in soup.find_all("a"):
        # an address the editor may unlink stays whole as text: a link shows its own address
        assert a.get("href", "").startswith("https://mp.weixin.qq.com") or a["href"] == a.get_text() == full, a
    assert [a["href"] for a in soup.find_all("a")] == [full]  # the full results, as a link


def test_tables_wrapped_narrow_and_every_cell_styled(built):
    _, soup = article(built)
    tables = soup.find_all("table")
    from site_builder.build.flow import Layout, load

    report = load(Layout.from_args(root=str(REPO))).reports[0]
    with_rows = [g for g in report.data.rubric.grade_names if any(r.grade == g for r in report.results)]
    vetoed = any(r.vetoed for r in report.results)
    assert len(tables) == 1 + len(with_rows) + vetoed == 6  # distribution, A-D (those with rows), vetoed
    first_ranks = [str(min(r.rank for r in report.results if r.grade == g)) for g in with_rows]
    assert [t.find("tbody").tr.td.get_text() for t in tables[1 : len(with_rows) + 1]] == first_ranks  # band order
    for table in tables:
        wrapper = table.parent
        assert wrapper.name == "section"
        st = styles(wrapper)
        assert st.get("max-width") == "100%" and st.get("overflow-x") == "auto"
        for row in table.find_all("tr"):
            assert len(row.find_all(["td", "th"])) <= 4
        for cell in table.find_all(["td", "th"]):
            st = styles(cell)
            assert "border" in st and "padding" in st and "text-align" in st, cell


def test_no_nested_lists_and_no_bare_whitespace_between_inline_elements(built):
    html, soup = article(built)
    for lst in soup.find_all(["ul", "ol"]):
        assert not lst.find(["ul", "ol"])
    for text in soup.find_all(string=True):
        if not text.strip():
            prev, nxt = text.previous_sibling, text.next_sibling
            assert not (getattr(prev, "name", None) in INLINE and getattr(nxt, "name", None) in INLINE), repr(text)
    assert not re.search(r">\s+<", str(soup.section))


def test_content_of_the_article(built):
    _, soup = article(built)
    text = soup.get_text()
    assert "【示例数据，非正式结果】" in text  # the repo's data is sample data
    assert "忻人社函〔2023〕118号" in text and "忻州市职业技能等级评价考核工作小组" in text
    assert "名单所列48个机构中，2023年开展评价的24个，参加考核的24个" in text
    dist = soup.find_all("table")[0]
    assert [[c.get_text() for c in tr.find_all("td")] for tr in dist.tbody.find_all("tr")] == [
        ["A", "5"],
        ["B", "10"],
        ["C", "5"],
        ["D", "3"],
        ["取消评价资格", "1"],
        ["合计", "24"],
    ]
    a_table = soup.find("p", string="A级（5个）").find_next("table")
    rows = [[c.get_text() for c in tr.find_all("td")] for tr in a_table.tbody.find_all("tr")]
    assert rows[0] == ["1", "山西工程职业学院", "105.5"] and [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert "红马甲集团股份有限公司" in soup.find("p", string="取消评价资格（1个）").find_next("table").get_text()
    assert "山西机械高级技工学校" in soup.find("p", string="2023年未开展评价的机构（24个）").find_next("p").get_text()
    assert "公示期：2024年1月15日至2024年1月20日" in text
    for needle in ("0350-3020718", "xzsjdZX@163.com", "忻州市长征西街人社大楼五层职业技能服务中心办公室"):
        assert needle in text


def test_hostile_name_is_text_in_the_article(built):
    html, soup = article(built, "mini")
    assert HOSTILE_NAME in soup.get_text()
    assert not soup.find("script")
    assert "<script>" not in html


def test_limits(built):
    html, _ = article(built)
    check_limits(html, "x")  # the real article is within both limits
    with pytest.raises(BuildError) as exc:
        check_limits(html, "2023/wechat/article.html", max_text=100)
    assert re.fullmatch(
        r"2023/wechat/article\.html：正文 \d+ 字，超过公众号文章 100 字的上限。请缩减文章内容（如未开展机构名单）后重新生成。",
        str(exc.value),
    )
    with pytest.raises(BuildError) as exc:
        check_limits(html, "a", max_bytes=1000)
    assert "字节，超过公众号文章 1000 字节的上限" in str(exc.value)


def test_build_fails_cleanly_when_the_article_is_too_long(tmp_path, monkeypatch):
    from site_builder.publish import wechat

    monkeypatch.setattr(wechat, "MAX_TEXT_CHARS", 50)
    monkeypatch.setattr(wechat.check_limits, "__defaults__", (50, wechat.MAX_HTML_BYTES))
    root = make_mini(tmp_path / "m")
    result = in_process("build", "--root", str(root))
    assert result.code == 1
    assert result.err.startswith("错误：2023/wechat/article.html：正文 ")
    assert not (root / "output").exists()
