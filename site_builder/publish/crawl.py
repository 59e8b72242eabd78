"""For crawlers: `sitemap.xml` (every public page of an approved year or of no year, absolute URLs
from base_url) and `robots.txt`: a year whose data is sample or draft is kept out of crawlers
(its folder disallowed, its pages not in the sitemap) without hiding the approved years; only
while no year is approved is the whole site disallowed."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from site_builder.domain.models import SiteInput
from site_builder.pages.meta import year_publication
from site_builder.pages.specs import featured_report

# Pages for the bureau's own staff, not for search engines: the article preview, the CMS package.
PRIVATE_FOLDERS = ("wechat", "cms")


def public_pages(written) -> list[str]:
    """Every written page (…/index.html) but the staff's tools, sorted."""
    return sorted(
        p
        for p in written
        if p.endswith("index.html") and not any(part in PRIVATE_FOLDERS for part in p.split("/")[:-1])
    )


def unfinished_years(site: SiteInput) -> list[int]:
    """The years whose data is sample or draft (not approved)."""
    return sorted(r.data.year for r in site.reports if r.data.status.status != "approved")


def sitemap_xml(site: SiteInput, written) -> str:
    """sitemap.org 0.9; lastmod is the page's publication date (from the data). While some year is
    approved, the pages of the years that are not are left out."""
    by_year = {rep.data.year: year_publication(site, rep).time for rep in site.reports}
    latest = featured_report(site).data.year  # the year the home page and the site's own pages show
    unfinished = unfinished_years(site)
    hidden = set(unfinished) if len(unfinished) < len(site.reports) else set()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in public_pages(written):
        first = path.split("/")[0]
        if first.isdigit() and int(first) in hidden:
            continue
        when = by_year.get(int(first) if first.isdigit() else latest)
        lastmod = f"<lastmod>{when.date().isoformat()}</lastmod>" if when else ""
        lines.append(f"<url><loc>{escape(site.config.base_url + path)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(site: SiteInput) -> str:
    """While no year is approved: disallow everything under the site's path (that is `/` when the
    site is the host's root; under a sub-path it is the line to merge into the host's robots.txt,
    never one that shuts the whole bureau site). Otherwise the folders of the years that are
    sample or draft are disallowed, the rest allowed."""
    base = urlsplit(site.config.base_url).path or "/"
    unfinished = unfinished_years(site)
    names = "、".join(str(y) for y in unfinished)
    if unfinished and len(unfinished) == len(site.reports):
        return f"# 示例数据或草稿（{names} 年度），禁止搜索引擎收录。\nUser-agent: *\nDisallow: {base}\n"
    kept_out = "".join(f"Disallow: {base}{y}/\n" for y in unfinished)
    note = f"# 示例数据或草稿（{names} 年度），这些年度禁止搜索引擎收录。\n" if unfinished else ""
    return f"{note}User-agent: *\n{kept_out}Allow: {base}\n\nSitemap: {site.config.base_url}sitemap.xml\n"


def write(writer, site: SiteInput) -> None:
    """After every page is written: the sitemap lists them."""
    writer.write("sitemap.xml", sitemap_xml(site, writer.written))
    writer.write("robots.txt", robots_txt(site))
