"""The public site: builds each page's context, renders it, hands it to the writer."""

from __future__ import annotations

import multiprocessing
import sys

from markupsafe import Markup

from site_builder import wechat
from site_builder.errors import BuildError
from site_builder.feed import feed_xml
from site_builder.incremental import PageCache, digest
from site_builder.models import APPLIES_LABELS, Result, Rubric, SiteInput, YearReport
from site_builder.output import Writer
from site_builder.pagemeta import PageMeta
from site_builder.render import environment, relative
from site_builder.scoring import GRADE_ORDER, Figures, fmt

ASSETS = ("assets/site.css", "assets/filter.js", "assets/wechat-copy.js", "assets/elder-mode.js")


def grade_tables(results: list[Result]) -> list[tuple[str, list[Result]]]:
    """One list per grade and for 取消评价资格, highest total first (ties in roster order)."""
    tables = []
    for outcome in GRADE_ORDER:
        rows = [r for r in results if r.assessed and r.outcome == outcome]
        rows.sort(key=lambda r: (-r.total, r.institution.order))
        tables.append((outcome, rows))
    return tables


def change_value(rubric: Rubric, indicator: str, value) -> str:
    """A corrected value as a reader understands it: points, or 存在/未发现 for a veto item."""
    if rubric.by_id[indicator].is_veto:
        return "存在" if value else "未发现"
    return fmt(value)


def movement(other_year: int, other: Result, year: int, current: Result) -> str:
    """The grade movement between two years, earlier year first, e.g. 2023年度 B → 2024年度 A."""
    if not (other.assessed and current.assessed):
        return "—"
    (y1, r1), (y2, r2) = sorted([(other_year, other), (year, current)], key=lambda p: p[0])
    change = ""
    if r1.grade and r2.grade and r1.grade != r2.grade:
        change = "（上升）" if r2.grade < r1.grade else "（下降）"
    elif r1.outcome == r2.outcome:
        change = "（持平）"
    return f"{y1}年度 {r1.outcome} → {y2}年度 {r2.outcome}{change}"


def item_defects(rubric: Rubric) -> list[tuple[str, list[str]]]:
    """Each source defect noted on items, once, with the items it concerns (form order)."""
    by_note: dict[str, list[str]] = {}
    for item in rubric.indicators:
        for note in item.notes:
            by_note.setdefault(note, []).append(item.id)
    return list(by_note.items())


_POOL_STATE: tuple | None = None  # what forked render workers inherit


def _render_in_worker(index: int) -> bytes:
    renderer, report, template, jobs = _POOL_STATE
    rel, _key, ctx = jobs[index]
    return renderer.page_html(rel, template, report, **ctx).encode("utf-8")


class Forked:
    """One file produced in a forked child (which inherits the loaded data); only its bytes come back."""

    def __init__(self, produce):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=Forked._run, args=(produce, send), daemon=True)
        self.process.start()
        send.close()

    @staticmethod
    def _run(produce, send) -> None:
        try:
            data = produce()
            send.send_bytes(b"\x01" + (data.encode("utf-8") if isinstance(data, str) else data))
        except Exception as exc:  # reported by the parent as a build error, never as a traceback
            send.send_bytes(b"\x00" + str(exc).encode("utf-8"))
        finally:
            send.close()

    def result(self, rel: str) -> bytes:
        try:
            raw = self.receive.recv_bytes()
        except EOFError:
            raw = b"\x00" + "生成进程意外退出".encode("utf-8")
        self.process.join()
        if raw[:1] != b"\x01":
            raise BuildError(f"生成 {rel} 失败：{raw[1:].decode('utf-8')}")
        return raw[1:]


class SiteRenderer:
    def __init__(self, site: SiteInput, writer: Writer, cache: PageCache | None = None, workers: int = 1,
                 progress: Progress | None = None):
        self.site = site
        self.writer = writer
        self.env = environment(site.templates, cache.folder / "jinja" if cache and cache.folder else None)
        PageMeta(site).install(self.env)
        self.latest = site.reports[-1]
        self.cache = cache or PageCache(None)
        self.workers = workers
        self.progress = progress or Progress(False)
        self.pending: list[tuple[str, str, Forked]] = []

    # -- helpers -----------------------------------------------------------------------------
    def emit(self, rel: str, produce, background: bool = False) -> None:
        """Write a file that depends on the whole site's input: from the cache when nothing changed.

        With `background` (and more than one worker) it is produced in a forked process while the
        build goes on; `finish` collects it.
        """
        key = digest(self.site.site_key, rel)
        hit = self.cache.get(rel, key)
        if hit:
            self.writer.link(rel, *hit)
        elif background and self.workers > 1:
            self.pending.append((rel, key, Forked(produce)))
        else:
            self._store(rel, key, produce())

    def finish(self) -> None:
        for rel, key, job in self.pending:
            self._store(rel, key, job.result(rel))
        self.pending.clear()

    def _store(self, rel: str, key: str, data: str | bytes) -> None:
        """A freshly produced file: into the cache (and linked from there) or written directly."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        stored = self.cache.put(rel, key, data)
        if stored:
            self.writer.link(rel, *stored)
        else:
            self.writer.write(rel, data)

    def render(self, out_path: str, template: str, report: YearReport | None, **ctx) -> None:
        self.emit(out_path, lambda: self.page_html(out_path, template, report, **ctx))

    def render_many(self, template: str, report: YearReport, jobs: list[tuple[str, str, dict]]) -> None:
        """Pages of one template: taken from the cache where their key matches, the rest rendered
        (in worker processes when there are many) and stored in the cache."""
        misses = []
        for rel, key, ctx in jobs:
            hit = self.cache.get(rel, key)
            if hit:
                self.writer.link(rel, *hit)
            else:
                misses.append((rel, key, ctx))
        self.progress.start(len(misses))
        for (rel, key, _ctx), data in zip(misses, self._render_all(template, report, misses)):
            self._store(rel, key, data)
            self.progress.step()
        self.progress.done()

    def _render_all(self, template: str, report: YearReport, jobs: list):
        if self.workers <= 1 or len(jobs) < 32:
            for rel, _key, ctx in jobs:
                yield self.page_html(rel, template, report, **ctx).encode("utf-8")
            return
        global _POOL_STATE
        _POOL_STATE = (self, report, template, jobs)
        try:
            with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                yield from pool.imap(_render_in_worker, range(len(jobs)), chunksize=16)
        finally:
            _POOL_STATE = None

    def page_html(self, out_path: str, template: str, report: YearReport | None, **ctx) -> str:
        report = report or self.latest
        year = report.data.year
        status = report.data.status
        page = {
            "path": out_path,
            "url": lambda target: relative(out_path, target),
            "config": self.site.config,
            "report": report,
            "year": report.data.year,
            "status": status,
            "published_on": status.published_on,
            "years": [r.data.year for r in self.site.reports],
            "nav_pages": self.site.pages,
            "change_value": lambda indicator, value: change_value(report.data.rubric, indicator, value),
            "movement": lambda other_year, other, current: movement(other_year, other, year, current),
        }
        return self.env.get_template(template).render(page=page, **page, **ctx)

    # -- pages -------------------------------------------------------------------------------
    def write_all(self) -> None:
        for asset in ASSETS:
            self.writer.write(asset, (self.site.templates / asset).read_bytes())
        for report in self.site.reports:
            self.write_year(report)
        self.write_home()
        self.emit("feed.xml", lambda: feed_xml(self.site))
        for page in self.site.pages:
            self.render(f"{page.slug}/index.html", "page.html", None, doc=page)

    def write_home(self) -> None:
        report = self.latest
        self.render("index.html", "home.html", report, figures=Figures.of(report.results),
                    tables=grade_tables(report.results), reports=self.site.reports)

    def write_year(self, report: YearReport) -> None:
        y = report.data.year
        results = report.results
        figures = Figures.of(results)
        announcement = self.site.announcements.get(y)
        self.write_institutions(report)  # the bulk: first, while the workbook is made in the background
        self.render(f"{y}/roster/index.html", "roster.html", report, results=results)
        self.render(f"{y}/grades/index.html", "grades.html", report, tables=grade_tables(results),
                    inactive=[r for r in results if not r.assessed])
        self.render(f"{y}/rubric/index.html", "rubric.html", report, rubric=report.data.rubric,
                    applies_labels=APPLIES_LABELS, defects=item_defects(report.data.rubric))
        if self.site.config.wechat_article:
            self.write_wechat(report, figures, announcement)
        self.finish()  # the year page shows the checksums of every data file
        downloads = [
            (f"{y}/data/{name}", label, self.writer.sha256(f"{y}/data/{name}"))
            for name, label in (("results.xlsx", "考核结果和各指标得分（Excel 工作簿）"),
                                ("results.csv", "考核结果（CSV，Excel 可直接打开）"),
                                ("results.json", "考核结果（JSON）"),
                                ("rubric.json", "评估表指标（JSON）"))
        ]
        self.render(f"{y}/index.html", "year.html", report, figures=figures, downloads=downloads,
                    announcement=announcement, tables=grade_tables(results),
                    names={i.id: i.name for i in report.data.roster.institutions})

    def write_institutions(self, report: YearReport) -> None:
        y = report.data.year
        results = report.results
        ranked = sum(r.rank is not None for r in results)
        year_key = digest(self.site.input_digests.get(y, ""), *(str(yr) for yr in sorted(self.site.input_digests)))
        jobs = []
        for result in results:
            inst = result.institution
            ctx = dict(result=result, rubric=report.data.rubric, ranked=ranked,
                       corrections=[c for c in report.data.corrections if c.institution == inst.id],
                       other_years=self.other_years(y, inst.code))
            # everything the page shows follows from these: the year's inputs, this sheet, the rank
            key = digest(year_key, repr(inst), result.sheet.digest if result.sheet else "-", str(result.rank),
                         str(ranked), repr(ctx["corrections"]),
                         repr([(oy, o.institution.id, o.outcome, str(o.total)) for oy, o in ctx["other_years"]]))
            jobs.append((f"{y}/institutions/{inst.id}/index.html", key, ctx))
        self.render_many("institution.html", report, jobs)

    def other_years(self, year: int, code: str | None) -> list[tuple[int, Result]]:
        """The same institution (same stable code) in every other year, ascending."""
        if not code:
            return []
        return [(rep.data.year, r) for rep in self.site.reports if rep.data.year != year
                for r in rep.results if r.institution.code == code]


    def write_wechat(self, report: YearReport, figures: Figures, announcement) -> None:
        """The paste-ready article fragment and the preview page with the copy button."""
        y = report.data.year
        made = {}

        def article() -> str:
            if "html" not in made:
                dates = [s.assessed_on for s in report.data.sheets]
                html = self.env.get_template("wechat/article.html").render(
                    meta=announcement.meta, status=report.data.status, year=y, figures=figures,
                    tables=grade_tables(report.results), rubric=report.data.rubric, config=self.site.config,
                    vetoed=[r for r in report.results if r.vetoed],
                    inactive=[r for r in report.results if not r.institution.active],
                    assessed_from=min(dates, default=None), assessed_to=max(dates, default=None),
                    full_results_url=f"{self.site.config.base_url}{y}/index.html",
                )
                made["html"] = wechat.inline_article(html, wechat.article_css(self.site.templates))
                wechat.check_limits(made["html"], f"{y}/wechat/article.html")
            return made["html"]

        self.emit(f"{y}/wechat/article.html", article)
        self.emit(f"{y}/wechat/index.html", lambda: self.page_html(
            f"{y}/wechat/index.html", "wechat/preview.html", report, article=Markup(article())))


class Progress:
    """A progress line on stderr for long builds on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.total = self.count = 0

    def start(self, total: int) -> None:
        self.total, self.count = total, 0
        self.enabled_now = self.enabled and total >= 200

    def step(self) -> None:
        self.count += 1
        if self.enabled_now and (self.count % 50 == 0 or self.count == self.total):
            width = 30
            filled = width * self.count // self.total
            sys.stderr.write(f"\r渲染机构页 [{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total}")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled_now:
            sys.stderr.write("\n")

