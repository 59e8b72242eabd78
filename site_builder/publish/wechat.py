"""The WeChat article: a paste-ready fragment with every style inline, and its preview page.

The official account's editor keeps inline styles only and drops classes, ids, <style> and scripts.
The article is rendered with classes as hooks, inlined with css-inline, then the hooks are removed.
The file starts with `<meta charset="utf-8">` (a server's default text/html would otherwise make a
browser read it as windows-1252), then the one root <section> the copy button copies.

The editor's own fields are not in the body: the title (at most 64 characters), the 摘要 (at most
120) and the 原文链接 (the year page) come from `editor_fields` and the preview page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.domain.models import SiteInput, YearReport
from site_builder.domain.objections import phase_of, summary_text
from site_builder.domain.scoring import Figures
from site_builder.errors import BuildError

MAX_TEXT_CHARS = 20_000  # the editor's limit on an article's visible text
MAX_HTML_BYTES = 1_000_000  # and on its HTML
MAX_TITLE_CHARS = 64  # the editor's title field
MAX_DIGEST_CHARS = 120  # and its 摘要 field
ALLOWED_LINK_PREFIX = "https://mp.weixin.qq.com"
CHARSET = '<meta charset="utf-8">\n'


def _shows_its_address(tag) -> bool:
    """A link whose text is its own address: if an editor drops the href, the address still reads whole."""
    href = str(tag.get("href", ""))
    return href.startswith(("https://", "http://")) and tag.get_text() == href


def inline_article(html: str, css: str) -> str:
    """Inline the stylesheet, then drop what the editor would strip or mangle. Links stay only to
    the platform's own articles, or where the text is the address itself (the full results)."""
    import css_inline
    from bs4 import BeautifulSoup, NavigableString, Tag

    inlined = css_inline.inline_fragment(html, css)
    soup = BeautifulSoup(inlined, "html.parser")
    for tag in soup.find_all(True):
        for attr in ("class", "id"):
            tag.attrs.pop(attr, None)
        if tag.name == "a" and not (
            str(tag.get("href", "")).startswith(ALLOWED_LINK_PREFIX) or _shows_its_address(tag)
        ):
            tag.unwrap()  # any other link keeps its text only
    for text in soup.find_all(string=True):
        if isinstance(text, NavigableString) and not text.strip():
            text.extract()
    roots = [el for el in soup.contents if isinstance(el, Tag)]
    if len(roots) != 1 or roots[0].name != "section":
        raise BuildError("公众号文章必须只有一个根 <section> 元素")
    return CHARSET + str(roots[0]) + "\n"


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


@dataclass(frozen=True)
class EditorFields:
    """What goes in the WeChat editor's own fields, not in the pasted body."""

    title: str  # 标题, at most MAX_TITLE_CHARS
    digest: str  # 摘要, at most MAX_DIGEST_CHARS
    source_url: str  # 原文链接: the year page, where the full results are


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _title(*candidates: str) -> str:
    """The first candidate that fits the title field, else the last one shortened."""
    for c in candidates:
        if c and len(c) <= MAX_TITLE_CHARS:
            return c
    return _fit(candidates[-1], MAX_TITLE_CHARS)


def _digest(sentences: list[str]) -> str:
    """As many whole sentences as fit the 摘要 field, in order; the first shortened if it alone does not."""
    out = ""
    for s in sentences:
        if len(out + s) > MAX_DIGEST_CHARS:
            break
        out += s
    return out or _fit(sentences[0], MAX_DIGEST_CHARS)


def _distribution(rep: YearReport) -> str:
    figures = Figures.of(rep.results, rep.data.rubric)
    rubric = rep.data.rubric
    counts = "、".join(f"{rubric.caption(g, '')}{n}个" for g, n in figures.by_outcome.items())
    return f"参加考核的评价机构{figures.assessed}个：{counts}。"


def editor_fields(site: SiteInput, rep: YearReport, final: bool = False) -> EditorFields:
    """The title, 摘要 and 原文链接 of the year's article (`final`: of the article once the results are
    final), all from the data."""
    y = rep.data.year
    status = rep.data.status
    subject = f"{y}年度职业技能等级评价机构年度绩效考核"
    notice = [] if status.status == "approved" else [f"【{status.label}】"]
    if final:
        phase = phase_of(rep.data)
        title = _title(f"{subject}最终结果")
        final_on = f"考核结果已于{zh_date(phase.final_on)}确定为最终结果。" if phase and phase.final_on else ""
        sentences = [*notice, final_on, summary_text(phase) if phase else "", _distribution(rep)]
    else:
        title = _title(str(site.announcements[y].meta.get("title") or ""), f"{subject}结果公示")
        period = ""
        if status.published_on and status.objection_deadline:
            period = f"公示期{zh_date(status.published_on)}至{zh_date(status.objection_deadline)}，有异议请在公示期内书面提出。"
        sentences = [*notice, _distribution(rep), period, "各机构得分和扣分原因见原文链接。"]
    digest = _digest([s for s in sentences if s])
    return EditorFields(title, digest, urls.absolute(site.config.base_url, urls.year_index(y)))
