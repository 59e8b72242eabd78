"""Renders the site: each page's spec (`pages.specs`) through Jinja, each data file through its
producer (`datafiles`), taking from the page cache what was made from exactly the same inputs, and
spreading the work over forked processes (`common.processes`). Everything it keeps for the build —
the environment, the caches, each year's statistics — is in the build's context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import chain
from typing import Any, TypeVar

from markupsafe import Markup

from site_builder.build.context import BuildContext
from site_builder.build.datafiles import ASSETS, DATA_FILES
from site_builder.common import urls
from site_builder.common.processes import Forked, map_forked
from site_builder.domain.models import SiteInput, YearReport
from site_builder.pages import search, stats
from site_builder.pages import specs as pages
from site_builder.pages.specs import PageSpec
from site_builder.pages.stats import YearStats
from site_builder.publish import privacy, wechat
from site_builder.publish.feed import feed_xml
from site_builder.storage.hashes import Fingerprint, Unhashable
from site_builder.storage.writer import Writer

T = TypeVar("T")
CHUNK = 16  # pages a worker takes at a time (`map_forked`)
BACKGROUND_FROM = 1000
"""A slow file (`make(background=True)`: the feed, results.xlsx, the WeChat articles) is made in a forked
process, while the pages render, only for a site of at least this many institutions (in the year; for the
feed, in all years). Below it such a process costs more than it saves: it imports what it needs (bs4,
lxml, feedgen, xlsxwriter) for a file made in milliseconds. Measured with --jobs 2 and --no-cache:
the repo's 48 institutions took 0.66 s of CPU a build forked against 0.52 s not, in the same time;
400 and 1,000 the same CPU and time either way; at 10,000 forking is what keeps the pages' workers
busy (docs/benchmark.md)."""


def _large(institutions: int) -> bool:
    """Whether a slow file of a site this large is made in a forked process (`BACKGROUND_FROM`)."""
    return institutions >= BACKGROUND_FROM


def _made(make: Callable[[], PageSpec]) -> PageSpec:
    """A page's spec from its maker (`SiteRenderer.many` of the year's pages)."""
    return make()


class SiteRenderer:
    def __init__(self, site: SiteInput, writer: Writer, context: BuildContext):
        self.site = site
        self.writer = writer
        self.context = context
        self.env = context.environment
        self.cache = context.pages
        self.fingerprint = Fingerprint()
        self.workers = context.workers
        self.progress = context.progress
        self.pending: list[tuple[str, str | None, Forked]] = []
        # the privacy scan of the pages as they are written: each worker process has its own copy
        self.scan = privacy.FileScan(
            privacy.Scanner(*privacy.site_contacts(site.config), codes=privacy.site_codes(site.ledgers))
        )

    # -- one file ------------------------------------------------------------------------------
    def key(self, kind: str, rel: str, inputs: object) -> str | None:
        """The cache key of `rel` made by `kind` from exactly `inputs`; None (never cached) when the
        cache is off or the inputs can't be hashed."""
        if self.cache.folder is None:
            return None
        try:
            return self.cache.key(kind, rel, self.fingerprint(inputs))
        except Unhashable:
            return None

    def make(
        self,
        rel: str,
        kind: str,
        inputs: object,
        produce: Callable[[], str | bytes],
        background: bool = False,
        as_raised: bool = False,
    ) -> None:
        """Write `rel`: from the cache when stored under the same key, else `produce()` (with
        `background`, a slow file of a large site (`BACKGROUND_FROM`), and several workers, in a forked
        process; `finish` collects it; `as_raised`: a BuildError there stops the build with its own
        message, as made here)."""
        key = self.key(kind, rel, inputs)
        data = self.cache.get(rel, key) if key else None
        if data is not None:
            self.writer.write(rel, data)
        elif background and self.workers > 1:
            self.pending.append((rel, key, Forked(produce, as_raised)))
        else:
            self._store(rel, key, produce())

    def finish(self) -> None:
        for rel, key, job in self.pending:
            self._store(rel, key, job.result(rel))
        self.pending.clear()

    def _store(self, rel: str, key: str | None, data: str | bytes) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        if key:
            self.cache.put(rel, key, data)
        self.writer.write(rel, data)

    def html(self, spec: PageSpec) -> bytes:
        return self.env.get_template(spec.template).render(**spec.context).encode("utf-8")

    def page(self, spec: PageSpec) -> None:
        self.make(spec.rel, f"template:{spec.template}", spec.context, lambda: self.html(spec))

    def many(
        self, make_spec: Callable[[T], PageSpec], items: Sequence[T], meanwhile: Callable[[], None] | None = None
    ) -> None:
        """One page per item. Each page's whole job — its context (`make_spec`), its key, the cache
        lookup or the rendering, writing it into the staging folder, the privacy scan of its text
        (`privacy.FileScan`) — runs in the worker processes when there are many; only (path, key,
        SHA-256, reused, findings) come back to be recorded (the findings in `context.scanned`, for
        `privacy.check_published`, which then reads only the pages' paths).
        `meanwhile()` runs in this process once the workers are at work (issue 27: this process
        waited for them, idle)."""
        self.progress.start(len(items))
        job = partial(self._one_page, make_spec)
        # the first page here: its templates are compiled once, before the workers are forked
        forked = map_forked(job, items[1:], self.workers, chunk=CHUNK)
        results = chain(map(job, items[:1]), forked)
        try:
            for done, (rel, key, sha, reused, hits) in enumerate(results):
                self.writer.register(rel, sha)
                if hits is not None:
                    self.context.scanned[rel] = (sha, hits)
                self.cache.record(rel, key, sha, reused)
                self.progress.step()
                if done == 1 and meanwhile is not None:  # the workers started (their first result is in)
                    meanwhile()
                    meanwhile = None
        finally:
            forked.close()  # the workers stopped if anything failed meanwhile
        if meanwhile is not None:  # fewer than two pages
            meanwhile()
        self.progress.done()

    def _one_page(
        self, make_spec: Callable[[T], PageSpec], item: T
    ) -> tuple[str, str | None, str, bool, privacy.Hits | None]:
        spec = make_spec(item)
        key = self.key(f"template:{spec.template}", spec.rel, spec.context)
        data = self.cache.lookup(spec.rel, key) if key else None
        reused = data is not None
        if data is None:
            data = self.html(spec)
            if key:
                self.cache.store(key, data)
        # a page from the cache was just checked against the SHA-256 its manifest entry holds
        rel, sha = self.writer.put(spec.rel, data, self.cache.entries[spec.rel][1] if reused else None)
        # the bytes just written, wherever they came from (rendered or from the cache)
        return rel, key, sha, reused, self.scan.scan(rel, data)

    # -- the site ------------------------------------------------------------------------------
    def render_site(self) -> None:
        # the feed (feedgen and lxml: their import is not this process's) while the years are made
        institutions = sum(len(report.results) for report in self.site.reports)
        self.make(urls.FEED, "feed", self.site, partial(feed_xml, self.site), background=_large(institutions))
        for name in ASSETS:
            rel = urls.asset(name)
            self.writer.write(rel, (self.site.templates / rel).read_bytes())
        for report in self.site.reports:
            self.render_year(report)
        self.page(pages.home_page(self.site))
        for spec in pages.content_pages(self.site):
            self.page(spec)
        self.finish()

    def year_stats(self, report: YearReport) -> YearStats:
        """The year's statistics, once per build: from the stats cache when the year's rubric and
        results are exactly those they were computed from (their cache key), else computed."""
        year = report.data.year
        if year not in self.context.stats:
            key = self.key("stats", f"{year}/stats", (report.data.rubric, report.results))
            self.context.stats[year] = stats.year_stats(report, key, self.context.cache)
        return self.context.stats[year]

    def render_year(self, report: YearReport) -> None:
        year_stats = self.year_stats(report)  # the statistics the data files and pages show
        for data_file in sorted(DATA_FILES, key=lambda f: not f.background):  # the slow ones start first
            inputs = data_file.inputs(report, year_stats)
            self.make(
                data_file.path(report.data.year),
                f"data:{data_file.name}",
                inputs,
                partial(data_file.produce, *inputs),
                background=data_file.background and _large(len(report.results)),
            )
        # the WeChat articles too (bs4 and css-inline: their import and parses are not this process's)
        articles = self.start_wechat(report) if self.site.config.wechat_article else []
        # the bulk in the workers, with the roster, grades and methodology pages, while the workbook
        # is made and this process makes the search index and page. First an institution's page (its
        # templates compiled before the workers are forked) and a chunk of them: the search starts
        # once that chunk is in, and the other pages (large at 10,000) would hold it back.
        institutions = [partial(pages.institution_page, self.site, report, year_stats, r) for r in report.results]
        others = [
            partial(pages.roster_page, self.site, report),
            partial(pages.grades_page, self.site, report),
            partial(pages.rubric_page, self.site, report, year_stats),
        ]
        ahead = 1 + CHUNK
        jobs = institutions[:ahead] + others + institutions[ahead:]
        self.many(_made, jobs, meanwhile=partial(self.render_search, report))
        self.finish()  # the year page shows the checksums of every data file
        for spec, final in articles:  # their preview pages show them
            self.wechat_preview(report, spec, final)
        y = report.data.year
        downloads = [(f.path(y), f.label, self.writer.sha256(f.path(y))) for f in DATA_FILES]
        self.page(pages.year_page(self.site, report, year_stats, downloads))

    def render_search(self, report: YearReport) -> None:
        """The year's search page and its index (cached by what the index is made from)."""
        spec = search.search_page(self.site, report)
        index: tuple[Any, ...] = (report.data.rubric, report.results)
        self.make(search.index_path(report.data.year), "search-index", index, lambda: search.index_js(report, spec.rel))
        self.page(spec)

    def start_wechat(self, report: YearReport) -> list[tuple[PageSpec, bool]]:
        """The year's WeChat article and, once the results are final, the final one: each rendered,
        its stylesheet inlined, the editor's limits checked, written (through the cache), in a forked
        process when there are workers and the year is large (`BACKGROUND_FROM`; `finish` collects
        them). Returns their specs (and whether final) for `wechat_preview`."""
        articles = [(pages.wechat_article(self.site, report), False)]
        final = pages.final_article(self.site, report)  # once the results are final
        if final is not None:
            articles.append((final, True))
        for spec, _final in articles:
            self.make(
                spec.rel,
                f"template:{spec.template}",
                spec.context,
                partial(self._article, spec),
                background=_large(len(report.results)),
                as_raised=True,
            )
        return articles

    def _article(self, spec: PageSpec) -> bytes:
        html = wechat.inline_article(self.html(spec).decode("utf-8"), wechat.article_css(self.site.templates))
        wechat.check_limits(html, spec.rel)
        return html.encode("utf-8")

    def wechat_preview(self, report: YearReport, spec: PageSpec, final: bool) -> None:
        """The preview page of an article (`start_wechat`) already written: the fragment it shows."""
        fragment = Markup(self.writer.read(spec.rel).decode("utf-8"))
        fields = wechat.editor_fields(self.site, report, final=final)
        preview = pages.final_preview if final else pages.wechat_preview
        self.page(preview(self.site, report, fragment, fields))
