"""For crawlers: `sitemap.xml` (every public page, absolute URLs from base_url) and `robots.txt`
(no crawling while any year's data is sample or draft)."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from site_builder.domain.models import SiteInput
from site_builder.pages.meta import year_publication

# Pages for the bureau's own staff, not for search engines: the article preview, the CMS package.
PRIVATE_FOLDERS = ("wechat", "cms")


def public_pages(written) -> list[str]:
    """Every written page (…/index.html) but the staff's tools, sorted."""
    return sorted(
        p
        for p in written
        if p.endswith("index.html") and not any(part in PRIVATE_FOLDERS for part in p.split("/")[:-1])
    )


def sitemap_xml(site: SiteInput, written) -> str:
    """sitemap.org 0.9; lastmod is the page's publication date (from the data)."""
    by_year = {rep.data.year: year_publication(site, rep).time for rep in site.reports}
    latest = site.reports[-1].data.year
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in public_pages(written):
        first = path.split("/")[0]
        when = by_year.get(int(first) if first.isdigit() else latest)
        lastmod = f"<lastmod>{when.date().isoformat()}</lastmod>" if when else ""
        lines.append(f"<url><loc>{escape(site.config.base_url + path)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(site: SiteInput) -> str:
    """While any year is sample or draft: disallow everything under the site's path (that is `/`
    when the site is the host's root; under a sub-path it is the line to merge into the host's
    robots.txt, never one that shuts the whole bureau site)."""
    base = urlsplit(site.config.base_url).path or "/"
    unfinished = sorted(str(r.data.year) for r in site.reports if r.data.status.status != "approved")
    if unfinished:
        return (
            "# 示例数据或草稿（" + "、".join(unfinished) + " 年度），禁止搜索引擎收录。\n"
            f"User-agent: *\nDisallow: {base}\n"
        )
    return f"User-agent: *\nAllow: {base}\n\nSitemap: {site.config.base_url}sitemap.xml\n"


def write(writer, site: SiteInput) -> None:
    """After every page is written: the sitemap lists them."""
    writer.write("sitemap.xml", sitemap_xml(site, writer.written))
    writer.write("robots.txt", robots_txt(site))
