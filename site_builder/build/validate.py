"""Reading and checking a whole project before anything is written: every year, the site content,
the privacy scan, the page metadata and the ledgers (`load`, what `validate` runs); what would be
published, at a glance (`summary`); and whether it may be published officially (`check_publishable`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from urllib.parse import urlsplit

from site_builder.build.context import BuildContext
from site_builder.build.layout import Layout
from site_builder.common.addresses import masked, url_problem
from site_builder.domain import dates, objections
from site_builder.domain.models import SiteInput, YearReport
from site_builder.domain.scoring import Figures, year_results
from site_builder.errors import BuildError, DataError, Problems
from site_builder.pages import meta as pagemeta
from site_builder.publish import privacy
from site_builder.read import inventory
from site_builder.read.content import check_assessment_periods, check_content_dates, grade_bands, load_content
from site_builder.read.project import Paths, list_year_dirs, load_project
from site_builder.record import reconcile

PLACEHOLDER_HOSTS = {"example.org", "example.com", "example.net"}
URL_FIELDS = {"base_url": "网站地址", "conac_url": "党政机关网站标识链接", "error_report_url": "“我为政府网站找错”链接"}
"""Every address of content/site.yaml (`SiteConfig`): each checked again, as a public one, to publish."""


def load(layout: Layout, context: BuildContext | None = None) -> SiteInput:
    """Read and validate every year and the site content; compute the results. With a `context`,
    validated sheets and rosters come from its cache where it holds them, and many sheets are parsed
    by its worker processes.

    Raises DataError listing every problem in the data and the content.
    """
    problems = Problems()
    cache, workers = (context.cache, context.workers) if context is not None else (None, 1)
    try:
        years = load_project(layout.scores, layout.rubric, base=layout.root, cache=cache, workers=workers)
    except DataError as exc:
        problems.items.extend(exc.problems)
        years = []
    rel = Paths(layout.rubric, layout.scores, layout.root).rel
    bands = {y.year: grade_bands(y.rubric) for y in years}
    data_years = [int(p.name) for p in list_year_dirs(layout.scores)] if layout.scores.is_dir() else None
    config, pages, announcements = load_content(
        layout.content, [y.year for y in years], rel, problems, bands, data_years
    )
    check_assessment_periods(years, announcements, layout.content, rel, problems)
    check_content_dates(pages, announcements, problems)
    for year in years:
        for file, message in dates.early_dates(year):
            problems.add(file, message)
    privacy.check_site(years, config, pages, announcements, layout.content, rel, problems)
    pagemeta.check_content(years, pages, announcements, layout.content, rel, problems)
    ledgers = reconcile.read_year_ledgers(years, layout.scores, rel, problems)
    problems.raise_if_any()
    assert config is not None  # site.yaml unreadable is one of the problems
    reports = [YearReport(y, year_results(y)) for y in years]
    return SiteInput(config, reports, pages, announcements, layout.templates, ledgers=ledgers)


def ignored(layout: Layout) -> list[str]:
    """The files under the data folders left alone as an editor's or the system's (`inventory`)."""
    rel = Paths(layout.rubric, layout.scores, layout.root).rel
    return inventory.ignored_files([layout.scores, layout.rubric, layout.content], rel)


def summary(reports: list[YearReport], ignored_names: Collection[str] = ()) -> str:
    """What `validate` prints: what would be published, at a glance, and the files left unread."""
    lines = []
    for rep in reports:
        d, f = rep.data, Figures.of(rep.results, rep.data.rubric)
        lines.append(
            f"{d.year} 年：评估表 {len(d.rubric.indicators)} 项指标，名单 {f.listed} 个机构，"
            f"评分表 {len(d.sheets)} 份；状态 {d.status.status}（{d.status.label}）"
        )
        lines.append(
            f"  开展评价 {f.active} 个，未开展 {f.inactive} 个；已评估 {f.assessed} 个，尚无评分表 {f.missing} 个"
        )
        grades = "，".join(f"{g} {n}" for g, n in f.by_outcome.items())
        lines.append(f"  等级：{grades}")
        lines.extend(filter(None, [objections.summary_line(d)]))
    lines.extend(filter(None, [inventory.ignored_line(list(ignored_names))]))
    return "\n".join(lines)


def publishable_years(site: SiteInput, years: Collection[int] | None) -> list[int]:
    """The years a `build --publish` publishes: those asked for (`--year`), else every approved
    year, else (no year approved) every year, so that each one's refusal is named. A year that is
    not among them is built as a plain build builds it and gets no ledger entry (years are
    independent for publishing)."""
    if years:
        return sorted(set(years))
    approved = [r.data.year for r in site.reports if r.data.status.status == "approved"]
    return approved or [r.data.year for r in site.reports]


def check_publishable(site: SiteInput, today: dt.date, years: Collection[int] | None = None) -> list[int]:
    """`build --publish` only for approved data with a sheet for every active institution, no date
    later than `today` (`dates.future_dates`) and public addresses (`addresses`), checked for the
    years it publishes (`publishable_years`), which it returns; the years not published (drafts)
    are not checked, and never block it."""
    chosen = publishable_years(site, years)
    problems = []
    if urlsplit(site.config.base_url).hostname in PLACEHOLDER_HOSTS:
        problems.append(
            f"content/site.yaml: base_url 仍是占位地址 {site.config.base_url}；请改为本站在局网站上的实际地址"
        )
    for key, label in URL_FIELDS.items():
        value = getattr(site.config, key)
        problem = url_problem(value, folder=key == "base_url", public=True) if value else None
        if problem:
            problems.append(f"content/site.yaml: {key}（{label}）{masked(value)}：{problem}")
    for key, label in (("sponsor", "主办单位"), ("site_id_code", "网站标识码")):
        if not getattr(site.config, key):
            problems.append(f"content/site.yaml: 缺少 {key}（{label}）；政府网站须标明，填写后才能正式发布")
    known = {rep.data.year for rep in site.reports}
    for y in chosen:
        if y not in known:
            have = "、".join(str(k) for k in sorted(known))
            problems.append(f"--year {y}：没有 {y} 年度的数据（scores/{y}/）；现有的年度：{have}")
    reports = [rep for rep in site.reports if rep.data.year in chosen]
    if years:  # an approved year left out that was never published would be online without a record
        asked = "、".join(f"{y} 年度" for y in chosen)
        for rep in site.reports:
            y, status = rep.data.year, rep.data.status
            ledger = site.ledgers.get(y)
            if y not in chosen and status.status == "approved" and not (ledger is not None and ledger.entries):
                every = " ".join(str(x) for x in sorted({*chosen, y}))
                problems.append(
                    f"{status.path}: {y} 年度已审定（approved），但从未正式发布；只发布 {asked}，网站上的 {y} 年度"
                    f"就成了没有发布记录的正式结果。请一并发布：build --publish --year {every}；"
                    f"{y} 年度还不到发布的时候，就先把它的 status 改回 draft"
                )
    for rep in reports:
        d = rep.data
        if d.status.status != "approved":
            line = f"{d.status.path}: status 为 {d.status.status}（{d.status.label}），只有 approved（已审定）的数据可以正式发布"
            if years:  # asked for by name: say what to do
                line += (
                    f"；{d.year} 年度须经审定后，把 status 改为 approved 并填写 approved_by 和 approved_on，"
                    f"再运行 build --publish --year {d.year}"
                )
            problems.append(line)
        missing = [r.institution.id for r in rep.results if r.institution.active and not r.assessed]
        if missing:
            problems.append(
                f"{d.year} 年尚无评分表的开展评价机构：{'、'.join(missing)}；正式发布须每个开展评价的机构都有评分表"
            )
        problems.extend(dates.future_dates(d, today))
        page = site.announcements.get(d.year)
        problems.extend(dates.future_content(page.path, page.meta, today) if page is not None else [])
    for page in site.pages:  # the site's own pages are published with every year
        problems.extend(dates.future_content(page.path, page.meta, today))
    samples = sample_files(site, chosen)
    if samples:
        problems.append(
            f"以下文件标记为示例数据（sample: true），不能作为正式结果发布：{'、'.join(samples)}；"
            "请换成经审定的正式数据（正式数据的文件中没有 sample: true）"
        )
    if problems:
        raise BuildError("不能正式发布：\n" + "\n".join(problems))
    return chosen


def sample_files(site: SiteInput, years: Collection[int] | None = None) -> list[str]:
    """Every input file that marks itself as sample data (`sample: true`), in reading order: each
    year's roster, score sheets and announcement (of `years`, or of every year)."""
    found = []
    for rep in site.reports:
        d = rep.data
        if years is not None and d.year not in years:
            continue
        found += [d.roster.path] if d.roster.sample else []
        found += [s.path for s in d.sheets if s.sample]
        page = site.announcements.get(d.year)
        found += [page.path] if page is not None and page.sample else []
    return found
