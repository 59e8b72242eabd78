"""Page metadata for government-website crawlers (政府网站网页设计规范) and the publication facts a
reader sees (发布时间, 来源, the announcement's 落款). Every date comes from the data, never the clock.

Where a time comes from: `published_at` in a page's front matter ("2024-01-15 09:00"); for a year's
pages, the announcement's `published_at`, else the year's `published_on` at 00:00.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from site_builder.common.formats import zh_date
from site_builder.common.textcheck import shown
from site_builder.errors import Problems

# The site's columns (栏目) by the first folder below a year, as the main navigation names them.
YEAR_COLUMNS = {
    "": "年度公告",
    "roster": "机构名单",
    "grades": "等级结果",
    "rubric": "考核办法",
    "institutions": "机构考核结果",
    "wechat": "公众号文章",
    "cms": "年度公告",
    "search": "站内搜索",
}
SITE_COLUMN = "网站信息"  # content/pages: 关于本站, 联系我们, 无障碍声明
HOME_COLUMN = "首页"

_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")


def parse_time(value) -> dt.datetime | None:
    """'2024-01-15 09:00' (or with seconds, or a date alone: 00:00) -> datetime; None if malformed.
    YAML may have read it already: a datetime as it is, a date at 00:00."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    m = _TIME.fullmatch(value.strip())
    if not m:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in m.groups(default="0"))
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def fmt_time(value: dt.datetime) -> str:
    """The PubDate form: 2024-01-15 09:00."""
    return value.strftime("%Y-%m-%d %H:%M")


def zh_time(value: dt.datetime) -> str:
    """发布时间 as a reader sees it: 2024年1月15日 09:00."""
    return f"{zh_date(value)} {value:%H:%M}"


def check_content(years, pages, announcements, content_dir, rel, problems: Problems) -> None:
    """`published_at` in any front matter must be a date and time; in an announcement, on the year's
    `published_on` when that is set. Called from `build.validate.load`."""
    published_on = {y.year: y.status.published_on for y in years}
    docs = [(rel(content_dir / "pages" / f"{p.slug}.md"), p, None) for p in pages]
    docs += [(rel(content_dir / str(y) / "announcement.md"), p, y) for y, p in sorted(announcements.items())]
    for file, page, year in docs:
        raw = page.meta.get("published_at")
        if raw is None:
            continue
        when = parse_time(raw)
        if when is None:
            problems.add(file, f"published_at（发布时间）为 {shown(raw)}，应写成 2024-01-15 09:00 的形式")
        elif year is not None and published_on.get(year) and when.date() != published_on[year]:
            problems.add(
                file,
                f"published_at（发布时间）{raw} 与 status.yaml 的 published_on "
                f"{published_on[year].isoformat()} 不是同一天",
            )


@dataclass(frozen=True)
class Publication:
    """What a page says about its own publication: when (发布时间) and from whom (来源)."""

    time: dt.datetime | None
    source: str
    exact: bool = True  # False: only the day is known (published_on), the time is 00:00

    @property
    def pub_date(self) -> str:
        return fmt_time(self.time) if self.time else ""

    @property
    def zh(self) -> str:
        """For readers: with the time where the data gives one, else the day alone."""
        if not self.time:
            return "尚未发布"
        return zh_time(self.time) if self.exact else zh_date(self.time)

    @property
    def zh_day(self) -> str:
        return zh_date(self.time) if self.time else ""

    @property
    def clock(self) -> str:
        """09:00, or empty where only the day is known."""
        return f"{self.time:%H:%M}" if self.time and self.exact else ""

    @property
    def iso(self) -> str:
        """For <time datetime>."""
        return self.time.strftime("%Y-%m-%dT%H:%M" if self.exact else "%Y-%m-%d") if self.time else ""


# -- pure functions of the input: a page's context carries their results, so its cache key does too --


def year_publication(site, report) -> Publication:
    """A year's pages: the announcement's `published_at` and `source`, else the year's
    `published_on` at 00:00 and the publisher. In every page's context (pages.base)."""
    year = report.data.year
    page = site.announcements.get(year)
    meta = page.meta if page is not None else {}
    source = meta.get("source") or site.config.publisher
    when = parse_time(meta["published_at"]) if meta.get("published_at") else None
    if when is not None:
        return Publication(when, source)
    day = report.data.status.published_on
    return Publication(dt.datetime(day.year, day.month, day.day) if day else None, source, False)


def page_publication(publication: Publication, doc, config) -> Publication:
    """A Markdown page's own `published_at` and `source` where its front matter gives them."""
    if doc is None:
        return publication
    when = parse_time(doc.meta["published_at"]) if doc.meta.get("published_at") else None
    source = doc.meta.get("source") or config.publisher
    return Publication(when, source) if when else Publication(publication.time, source, publication.exact)


def signoff(config, announcement, publication: Publication) -> tuple[str, dt.date | None]:
    """The announcement's 落款: the issuing body (`issuer`, else the publisher) and the date."""
    issuer = (announcement.meta.get("issuer") if announcement is not None else None) or config.publisher
    return issuer, publication.time.date() if publication.time else None


def column(rel: str) -> str:
    """The page's 栏目 from its place in the site."""
    parts = rel.split("/")
    if len(parts) == 1:
        return HOME_COLUMN
    if parts[0].isdigit():
        return YEAR_COLUMNS.get("" if parts[1] == "index.html" else parts[1], YEAR_COLUMNS[""])
    return SITE_COLUMN


def page_meta(
    config, rel: str, title, publication: Publication, doc=None, result=None, year=None
) -> list[tuple[str, str]]:
    """The <meta name=… content=…> pairs of one page, in the order the 规范 lists them."""
    title = html.unescape(str(title)).strip()
    name = column(rel)
    pub = page_publication(publication, doc if not rel.split("/")[0].isdigit() else None, config)
    meta = doc.meta if doc is not None else {}
    keywords = [config.short_title, name]
    if result is not None:
        keywords.append(result.institution.name)
    if year is not None:
        keywords.append(f"{year}年度")
    description = meta.get("description") or f"{title}。{config.title}，{config.publisher}发布。"
    return [
        ("SiteName", config.title),
        ("SiteDomain", urlsplit(config.base_url).hostname or ""),
        ("SiteIDCode", config.site_id_code or ""),
        ("ColumnName", name),
        ("ArticleTitle", title),
        ("PubDate", pub.pub_date),
        ("ContentSource", pub.source),
        ("Keywords", meta.get("keywords") or ",".join(dict.fromkeys(keywords))),
        ("Description", description),
        ("Url", config.base_url + rel),
    ]


GLOBALS = {"page_meta": page_meta, "page_publication": page_publication, "signoff": signoff}
"""Registered in the Jinja environment (`environment`); every argument comes from the page's context."""
