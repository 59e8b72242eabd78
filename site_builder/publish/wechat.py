"""The WeChat article: a paste-ready fragment with every style inline, and its preview page.

The official account's editor keeps inline styles only and drops classes, ids, <style> and scripts.
The article is rendered with classes as hooks, inlined with css-inline, then the hooks are removed.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.errors import BuildError

MAX_TEXT_CHARS = 20_000  # the editor's limit on an article's visible text
MAX_HTML_BYTES = 1_000_000  # and on its HTML
ALLOWED_LINK_PREFIX = "https://mp.weixin.qq.com"


def inline_article(html: str, css: str) -> str:
    """Inline the stylesheet, then drop what the editor would strip or mangle."""
    import css_inline
    from bs4 import BeautifulSoup, NavigableString, Tag

    inlined = css_inline.inline_fragment(html, css)
    soup = BeautifulSoup(inlined, "html.parser")
    for tag in soup.find_all(True):
        for attr in ("class", "id"):
            tag.attrs.pop(attr, None)
        if tag.name == "a" and not str(tag.get("href", "")).startswith(ALLOWED_LINK_PREFIX):
            tag.unwrap()  # any other address stays as plain text
    for text in soup.find_all(string=True):
        if isinstance(text, NavigableString) and not text.strip():
            text.extract()
    roots = [el for el in soup.contents if isinstance(el, Tag)]
    if len(roots) != 1 or roots[0].name != "section":
        raise BuildError("公众号文章必须只有一个根 <section> 元素")
    return str(roots[0]) + "\n"


def check_limits(html: str, where: str, max_text: int = MAX_TEXT_CHARS, max_bytes: int = MAX_HTML_BYTES) -> None:
    """Refuse an article the editor would not take, saying by how much it is over."""
    from bs4 import BeautifulSoup

    text_len = len(BeautifulSoup(html, "html.parser").get_text())
    size = len(html.encode("utf-8"))
    problems = []
    if text_len >= max_text:
        problems.append(f"正文 {text_len} 字，超过公众号文章 {max_text} 字的上限")
    if size >= max_bytes:
        problems.append(f"HTML {size} 字节，超过公众号文章 {max_bytes} 字节的上限")
    if problems:
        raise BuildError(f"{where}：" + "；".join(problems) + "。请缩减文章内容（如未开展机构名单）后重新生成。")


def article_css(templates: Path) -> str:
    return (templates / "wechat" / "article.css").read_text(encoding="utf-8")
