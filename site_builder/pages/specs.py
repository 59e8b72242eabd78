"""Every page's template and context, as pure functions of the validated input.

A page is a `PageSpec`: the output file, the template, and the exact context the template receives.
The build renders it (`build.generate`) and keys its cache by a hash of that context, so what a page
shows and what its cache key covers cannot drift apart. Keep contexts narrow: an institution page
receives its own result, not the whole year, so that one changed sheet re-renders only the pages
that show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from site_builder.common import urls
from site_builder.common.urls import Linker
from site_builder.domain import objections
from site_builder.domain.models import APPLIES_LABELS, Result, Rubric, SiteInput, YearReport
from site_builder.domain.presentation import institution_view
from site_builder.domain.scoring import Figures, fmt
from site_builder.pages import meta as pagemeta
from site_builder.pages.stats import YearStats


@dataclass(frozen=True)
class PageSpec:
    rel: str  # the output file, e.g. 2023/roster/index.html
    template: str
    context: dict


def grade_tables(results: list[Result], rubric: Rubric) -> list[tuple[str, list[Result]]]:
    """One list per grade of the rubric (band order) and for 取消评价资格, highest total first (ties in
    roster order)."""
    tables = []
    for outcome in rubric.outcomes:
        rows = [r for r in results if r.assessed and r.outcome == outcome]
        rows.sort(key=lambda r: (-(r.total or Decimal(0)), r.institution.order))  # assessed: each has a total
        tables.append((outcome, rows))
    return tables


def _figures(report: YearReport) -> Figures:
    return Figures.of(report.results, report.data.rubric)


def _tables(report: YearReport) -> list[tuple[str, list[Result]]]:
    return grade_tables(report.results, report.data.rubric)


def change_value(rubric: Rubric, indicator: str, value) -> str:
    """A corrected value as a reader understands it: points, or 存在/未发现 for a veto item."""
    if rubric.by_id[indicator].is_veto:
        return "存在" if value else "未发现"
    return fmt(value)


def movement(other_year: int, other: Result, year: int, current: Result, grades: dict[int, tuple[str, ...]]) -> str:
    """The grade movement between two years, earlier year first, e.g. 2023年度 B → 2024年度 A.

    `grades` gives each year's grade names in band order (highest first): up or down is read from
    the bands' positions, never from the names, so 优秀/良好 and A/B both compare right."""
    if not (other.assessed and current.assessed):
        return "—"
    (y1, r1), (y2, r2) = sorted([(other_year, other), (year, current)], key=lambda p: p[0])
    change = ""
    if r1.grade and r2.grade and r1.grade != r2.grade:
        p1, p2 = grades[y1].index(r1.grade), grades[y2].index(r2.grade)
        change = "（上升）" if p2 < p1 else "（下降）" if p2 > p1 else "（持平）"  # same band, other name
    elif r1.outcome == r2.outcome:
        change = "（持平）"
    return f"{y1}年度 {r1.outcome} → {y2}年度 {r2.outcome}{change}"


@dataclass(frozen=True)
class ChangeValue:
    """The templates' `change_value(indicator, value)` for one year's rubric."""

    rubric: Rubric

    def __call__(self, indicator: str, value) -> str:
        return change_value(self.rubric, indicator, value)


@dataclass(frozen=True)
class Movement:
    """The templates' `movement(other_year, other, current)` seen from one year."""

    year: int
    grades: tuple[tuple[int, tuple[str, ...]], ...]  # (year, grade names in band order) for every year

    def __call__(self, other_year: int, other: Result, current: Result) -> str:
        return movement(other_year, other, self.year, current, dict(self.grades))


def item_defects(rubric: Rubric) -> list[tuple[str, list[str]]]:
    """Each source defect noted on items, once, with the items it concerns (form order)."""
    by_note: dict[str, list[str]] = {}
    for item in rubric.indicators:
        for note in item.notes:
            by_note.setdefault(note, []).append(item.id)
    return list(by_note.items())


def other_years(site: SiteInput, year: int, code: str | None) -> list[tuple[int, Result]]:
    """The same institution (same stable code) in every other year, ascending."""
    if not code:
        return []
    return [
        (rep.data.year, r)
        for rep in site.reports
        if rep.data.year != year
        for r in rep.results
        if r.institution.code == code
    ]


def base(site: SiteInput, report: YearReport, target: str) -> dict:
    """What every page's layout receives (`target` is the page's URL, see urls.py)."""
    rel = urls.file_of(target)
    status = report.data.status
    return {
        "url": Linker(rel),
        "config": site.config,
        "year": report.data.year,
        "status": status,
        "published_on": status.published_on,
        "ledger": site.ledgers.get(report.data.year),
        "years": [r.data.year for r in site.reports],
        "nav_pages": site.pages,
        "change_value": ChangeValue(report.data.rubric),
        "movement": Movement(report.data.year, tuple((r.data.year, r.data.rubric.grade_names) for r in site.reports)),
        "publication": pagemeta.year_publication(site, report),  # 发布时间 and 来源 (page metadata)
        "phase": objections.phase_of(report.data),
    }


def _page(site: SiteInput, report: YearReport, target: str, template: str, /, **ctx) -> PageSpec:
    return PageSpec(urls.file_of(target), template, {**base(site, report, target), **ctx})


def institution_pages(site: SiteInput, report: YearReport, stats: YearStats) -> list[PageSpec]:
    return [institution_page(site, report, stats, r) for r in report.results]


def institution_page(site: SiteInput, report: YearReport, stats: YearStats, r: Result) -> PageSpec:
    """An institution's page; `stats` are the year's statistics (the city figures beside its own)."""
    y = report.data.year
    return _page(
        site,
        report,
        urls.institution(y, r.institution.id),
        "institution.html",
        result=r,
        rubric=report.data.rubric,
        ranked=report.ranked,
        corrections=[c for c in report.data.corrections if c.institution == r.institution.id],
        objections=objections.of_institution(report.data, r.institution.id),
        other_years=other_years(site, y, r.institution.code),
        view=institution_view(report.data.rubric, r),
        compare=stats.compare(r, report.data.rubric),
    )


def roster_page(site: SiteInput, report: YearReport) -> PageSpec:
    return _page(site, report, urls.roster(report.data.year), "roster.html", report=report, results=report.results)


def grades_page(site: SiteInput, report: YearReport) -> PageSpec:
    results = report.results
    return _page(
        site,
        report,
        urls.grades(report.data.year),
        "grades.html",
        report=report,
        tables=grade_tables(results, report.data.rubric),
        inactive=[r for r in results if not r.assessed],
    )


def rubric_page(site: SiteInput, report: YearReport, stats: YearStats) -> PageSpec:
    rubric = report.data.rubric
    return _page(
        site,
        report,
        urls.rubric(report.data.year),
        "rubric.html",
        report=report,
        rubric=rubric,
        applies_labels=APPLIES_LABELS,
        defects=item_defects(rubric),
        stats=stats,
    )


def year_page(site: SiteInput, report: YearReport, stats: YearStats, downloads: list[tuple[str, str, str]]) -> PageSpec:
    """The announcement; `downloads` are (path, label, sha256) of the year's data files."""
    y = report.data.year
    return _page(
        site,
        report,
        urls.year_index(y),
        "year.html",
        report=report,
        figures=_figures(report),
        downloads=downloads,
        announcement=site.announcements.get(y),
        tables=_tables(report),
        names={i.id: i.name for i in report.data.roster.institutions},
        stats=stats,
    )


def featured_report(site: SiteInput) -> YearReport:
    """The year the home page, the site's own pages and the crawlers' shared dates show: the latest
    approved year while some year is approved (a draft or sample year beside it stays off the front
    of the site, as it stays out of crawlers: `publish.crawl`), else the latest year."""
    approved = [r for r in site.reports if r.data.status.status == "approved"]
    return (approved or site.reports)[-1]


def home_page(site: SiteInput) -> PageSpec:
    report = featured_report(site)
    return _page(
        site,
        report,
        urls.HOME,
        "home.html",
        report=report,
        figures=_figures(report),
        tables=_tables(report),
        reports=site.reports,
    )


def content_pages(site: SiteInput) -> list[PageSpec]:
    report = featured_report(site)
    return [_page(site, report, urls.content_page(p.slug), "page.html", report=report, doc=p) for p in site.pages]


def wechat_article(site: SiteInput, report: YearReport) -> PageSpec:
    """The WeChat article before its stylesheet is inlined (no links: the editor allows none)."""
    y = report.data.year
    meta = site.announcements[y].meta  # the assessment period: the announcement's front matter
    return PageSpec(
        urls.wechat_article(y),
        "wechat/article.html",
        dict(
            meta=meta,
            status=report.data.status,
            year=y,
            figures=_figures(report),
            tables=_tables(report),
            rubric=report.data.rubric,
            config=site.config,
            vetoed=[r for r in report.results if r.vetoed],
            inactive=[r for r in report.results if not r.institution.active],
            assessed_from=meta["assessed_from"],
            assessed_to=meta["assessed_to"],
            full_results_url=urls.absolute(site.config.base_url, urls.year_index(y)),
            ledger=site.ledgers.get(y),
            phase=objections.phase_of(report.data),
        ),
    )


def wechat_preview(site: SiteInput, report: YearReport, article, fields=None) -> PageSpec:
    """The preview with the copy button; `article` is the finished fragment (Markup), `fields` what
    goes in the editor's title, 摘要 and 原文链接 (`publish.wechat.EditorFields`)."""
    return _page(
        site,
        report,
        urls.wechat_preview(report.data.year),
        "wechat/preview.html",
        report=report,
        article=article,
        fields=fields,
    )


def final_article(site: SiteInput, report: YearReport) -> PageSpec | None:
    """Once the year's results are final: a short second WeChat article (`<year>/wechat/final.html`),
    None before. Made like the first (`SiteRenderer.start_wechat`)."""
    data = report.data
    phase = objections.phase_of(data)
    if phase is None or phase.code != "final":
        return None
    y = data.year
    return PageSpec(
        urls.final_article(y),
        "wechat/final.html",
        dict(
            year=y,
            status=data.status,
            phase=phase,
            objections=data.objections,
            figures=_figures(report),
            config=site.config,
            names={i.id: i.name for i in data.roster.institutions},
            full_results_url=urls.absolute(site.config.base_url, urls.year_index(y)),
        ),
    )


def final_preview(site: SiteInput, report: YearReport, article, fields=None) -> PageSpec:
    """The final article's preview with the copy button; `article` is the finished fragment."""
    return _page(
        site,
        report,
        urls.final_preview(report.data.year),
        "wechat/preview.html",
        report=report,
        article=article,
        fields=fields,
        preview_title=f"{report.data.year}年度最终结果公众号文章预览",
    )
