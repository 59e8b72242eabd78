"""Ties it together: read and validate everything, compute, then write every output in one swap."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.build.generate import SiteRenderer
from site_builder.build.workers import Progress
from site_builder.common import urls
from site_builder.domain import objections
from site_builder.domain.models import SiteInput, YearReport
from site_builder.domain.scoring import Figures, year_results
from site_builder.errors import BuildError, DataError, Problems
from site_builder.pages import meta as pagemeta
from site_builder.publish import cms, crawl, privacy
from site_builder.read.content import check_assessment_periods, grade_bands, load_content
from site_builder.read.project import Paths, load_project
from site_builder.record import ledger
from site_builder.storage import stamp as uptodate
from site_builder.storage.cache import PACKAGE, PageCache, cache_lock, cache_secret, code_digest
from site_builder.storage.writer import Writer, claim_output, describe_os_error, replace_output

PLACEHOLDER_HOSTS = {"example.org", "example.com", "example.net"}
PACKAGE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Layout:
    """Where inputs and output live. Defaults are relative to `root` (the repo)."""

    root: Path
    scores: Path
    rubric: Path
    content: Path
    out: Path
    templates: Path = PACKAGE_TEMPLATES

    @property
    def cache(self) -> Path:
        """The page cache, under the data root (git-ignored)."""
        return self.root / ".cache" / "site_builder"

    def protected(self) -> dict[str, Path]:
        """Folders an output may neither be, contain nor lie inside (label -> path)."""
        return {
            "评分数据目录": self.scores,
            "评估表目录": self.rubric,
            "页面内容目录": self.content,
            "模板目录": self.templates,
            "缓存目录": self.cache,
            "版本库": self.root / ".git",
            "程序目录": PACKAGE,
        }

    @classmethod
    def from_args(
        cls,
        root: str | None = None,
        scores: str | None = None,
        rubric: str | None = None,
        content: str | None = None,
        out: str | None = None,
    ) -> Layout:
        base = Path(root or ".")
        return cls(
            root=base,
            scores=Path(scores) if scores else base / "scores",
            rubric=Path(rubric) if rubric else base / "rubric",
            content=Path(content) if content else base / "content",
            out=Path(out) if out else base / "output",
        )


def load(layout: Layout, cache: bool = False, workers: int = 1) -> SiteInput:
    """Read and validate every year and the site content; compute the results.

    Raises DataError listing every problem in the data and the content.
    """
    problems = Problems()
    try:
        years = load_project(
            layout.scores, layout.rubric, base=layout.root, cache=layout.cache if cache else None, workers=workers
        )
    except DataError as exc:
        problems.items.extend(exc.problems)
        years = []
    rel = Paths(layout.rubric, layout.scores, layout.root).rel
    bands = {y.year: grade_bands(y.rubric) for y in years}
    config, pages, announcements = load_content(layout.content, [y.year for y in years], rel, problems, bands)
    check_assessment_periods(years, announcements, layout.content, rel, problems)
    privacy.check_site(years, config, pages, announcements, layout.content, rel, problems)
    pagemeta.check_content(years, pages, announcements, layout.content, rel, problems)
    ledgers = ledger.read_year_ledgers(years, layout.scores, rel, problems)
    problems.raise_if_any()
    reports = [YearReport(y, year_results(y)) for y in years]
    return SiteInput(config, reports, pages, announcements, layout.templates, ledgers=ledgers)


def summary(reports: list[YearReport]) -> str:
    """What `validate` prints: what would be published, at a glance."""
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
    return "\n".join(lines)


def check_publishable(site: SiteInput) -> None:
    """`build --publish` only for approved data with a sheet for every active institution."""
    problems = []
    if urlsplit(site.config.base_url).hostname in PLACEHOLDER_HOSTS:
        problems.append(
            f"content/site.yaml: base_url 仍是占位地址 {site.config.base_url}；请改为本站在局网站上的实际地址"
        )
    for key, label in (("sponsor", "主办单位"), ("site_id_code", "网站标识码")):
        if not getattr(site.config, key):
            problems.append(f"content/site.yaml: 缺少 {key}（{label}）；政府网站须标明，填写后才能正式发布")
    for rep in site.reports:
        d = rep.data
        if d.status.status != "approved":
            problems.append(
                f"{d.status.path}: status 为 {d.status.status}（{d.status.label}），"
                "只有 approved（已审定）的数据可以正式发布"
            )
        missing = [r.institution.id for r in rep.results if r.institution.active and not r.assessed]
        if missing:
            problems.append(
                f"{d.year} 年尚无评分表的开展评价机构：{'、'.join(missing)}；正式发布须每个开展评价的机构都有评分表"
            )
    if problems:
        raise BuildError("不能正式发布：\n" + "\n".join(problems))


def checksums(writer: Writer) -> str:
    """SHA256SUMS: every published file, sorted, in `sha256sum -c` format."""
    return "".join(f"{sha}  {path}\n" for path, sha in sorted(writer.written.items()))


@dataclass(frozen=True)
class BuildStats:
    files: int
    reused: int  # files taken from the cache (nothing changed: every cacheable file, kept in place)
    seconds: float
    summary: str = ""  # what would be published, at a glance (`summary`)
    unchanged: bool = False  # nothing changed since the last build: nothing was written

    def line(self) -> str:
        if self.unchanged:
            return (
                f"输出已是最新：自上次生成以来数据、模板和输出目录都没有改动（{self.files} 个文件），"
                f"未重写任何文件，用时 {self.seconds:.2f} 秒"
            )
        return f"写出 {self.files} 个文件，其中 {self.reused} 页取自缓存，用时 {self.seconds:.2f} 秒"


def build(
    layout: Layout,
    publish_mode: bool = False,
    workers: int = 1,
    cache: bool = True,
    progress: bool = False,
    previous: Path | None = None,
) -> tuple[SiteInput, dict[str, str], BuildStats]:
    """Validate everything, then write the whole output (and, publishing, the ledgers) in one swap.
    Returns the input, the files written and the build's figures. With `cache`, files whose inputs
    did not change come from the cache, and when nothing at all changed since the last build
    (`uptodate`) nothing is read or written: (None, {}, figures). An official publication never
    uses the cache (it is rendered afresh).
    Refuses to replace a publication (`previous`, by default the output) the ledgers do not hold."""
    started = time.perf_counter()
    cache = cache and not publish_mode and cache_secret() is not None  # no key: no cache, silently
    locks = [cache_lock(layout.cache)] if cache else []
    if previous is not None and not previous.is_dir():
        raise BuildError(f"--previous 指定的 {previous} 不是目录；请给出上一次发布的网站副本（含 SHA256SUMS 的目录）")
    try:
        with claim_output(layout.out, layout.root, layout.protected(), locks) as out:
            state = None
            if cache and previous is None:  # taken before anything is read (see uptodate.py)
                state = uptodate.inputs_state(
                    [layout.scores, layout.rubric, layout.content, layout.templates], f"{out}\0{layout.cache.resolve()}"
                )
                last = uptodate.unchanged(layout.cache, state, out) if state else None
                if last is not None:
                    return (
                        None,
                        {},
                        BuildStats(last["files"], last["cached"], time.perf_counter() - started, last["summary"], True),
                    )
                uptodate.forget(layout.cache)  # until this build has finished
            site = load(layout, cache=cache, workers=workers)
            rel = Paths(layout.rubric, layout.scores, layout.root).rel
            problems = Problems()
            ledger.check_previous(previous or layout.out, site.ledgers, problems, rel)
            problems.raise_if_any()
            if publish_mode:
                check_publishable(site)
            page_cache = PageCache(layout.cache if cache else None, code_digest(layout.templates) if cache else "")

            def run(site: SiteInput) -> tuple[SiteInput, dict[str, str]]:
                records = ledger.record_paths(site, layout.scores) if publish_mode else None

                def fill(writer: Writer) -> None:
                    SiteRenderer(site, writer, page_cache, workers, Progress(progress)).render_site()
                    cms.write(writer, site)  # the CMS package and the crawlers' files: after every page
                    crawl.write(writer, site)
                    for path, body in ledger.output_files(site, writer.written, publish_mode).items():
                        writer.write(path, body)
                    if records is not None:
                        records.update(ledger.record_files(site, layout.scores))  # written with the site
                    writer.write(urls.CHECKSUMS, checksums(writer))

                return site, replace_output(out, fill, records, before_swap=observe)

            observed: dict[str, str | None] = {"output": None}

            def observe(staging: Path) -> None:  # the site as this build wrote it, before it is the output
                if state:
                    observed["output"] = uptodate.output_state(out, staging)

            if publish_mode:
                inputs = {
                    r.data.year: ledger.input_hashes(r.data, layout.scores, layout.rubric, rel) for r in site.reports
                }
                _, (site, written) = ledger.publishing(site, inputs, run)
            else:
                site, written = run(site)
            text = summary(site.reports)
            try:
                page_cache.save()
                if state:
                    uptodate.keep(
                        layout.cache,
                        state,
                        observed["output"],
                        {"files": len(written), "cached": len(page_cache.fresh), "summary": text},
                    )
            except OSError:
                pass  # the site is out; a cache left unsaved only costs time next build
    except OSError as exc:
        raise BuildError(_os_message(exc, layout)) from None
    return site, written, BuildStats(len(written), page_cache.reused, time.perf_counter() - started, text)


def _os_message(exc: OSError, layout: Layout) -> str:
    text = describe_os_error(exc)
    where, cache = os.path.realpath(str(exc.filename or "")), os.path.realpath(layout.cache)
    if exc.filename and (where == cache or where.startswith(cache + os.sep)):
        text += "（这是页面缓存；也可加 --no-cache 不用缓存）"
    return text + "；输出目录保持上一次的内容，未改动"
