"""The build flow: check the output folder, stop early when nothing changed, read and validate
everything, write every output into a staging folder, and swap it in (with, publishing, the
ledgers written back into the data) in one step.

Publishing is two more steps of the same flow: the ledgers get their new entries (`publishing.propose`)
before the site is written, since the pages show each year's head; and if the files written differ
from those an earlier publication recorded while the data did not (new templates or code), those
years get a new entry too and the site is written again with it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder.build.context import open_cache
from site_builder.build.layout import Layout
from site_builder.common import urls
from site_builder.common.messages import os_error
from site_builder.errors import BuildError, Problems
from site_builder.storage import stamp as uptodate
from site_builder.storage.hashes import code_digest
from site_builder.storage.locks import cache_lock
from site_builder.storage.outdir import MARKER, read_manifest
from site_builder.storage.pagecache import PageCache
from site_builder.storage.swap import Staging, Step, claim_output
from site_builder.storage.writer import Writer

if TYPE_CHECKING:  # the rest is imported by the build that runs: one with nothing changed stops before
    from site_builder.build.context import BuildContext
    from site_builder.domain.models import SiteInput
    from site_builder.publish.privacy import Hits

__all__ = ["BuildStats", "Layout", "build"]  # the build as the commands and tests call it (and `load`, `summary`)


def __getattr__(name: str) -> Any:
    """`load` and `summary` (`validate`), as the tests call them: imported when first asked for."""
    if name in ("load", "summary"):
        from site_builder.build import validate

        return getattr(validate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    replaced: tuple[tuple[int, int], ...] = ()  # the official publication (year, number) a preview replaced

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
    on_step: Step | None = None,
    today: dt.date | None = None,
    years: Collection[int] | None = None,
    keep_compiled: bool = True,
) -> tuple[SiteInput | None, dict[str, str], BuildStats]:
    """Validate everything, then write the whole output (and, publishing, the ledgers) in one swap.
    Returns the input, the files written and the build's figures. With `cache`, files whose inputs
    did not change come from the cache, and when nothing at all changed since the last build
    (`uptodate`) nothing is read or written: (None, {}, figures). An official publication never
    uses the cache (it is rendered afresh). With `keep_compiled` (not publishing), compiled templates
    are kept in the cache folder even without `cache`: code, not output (`verify` keeps none).
    Refuses to replace a publication (`previous`, by default the output) the ledgers do not hold.
    `on_step` is told each step of the swap (`swap.Staging`; tests stop the process there).
    `today` (required to publish: the CLI passes `date.today()`) is the day no published date may follow.
    Publishing, `years` are the years published (default: every approved one, `publishable_years`);
    the others are written as a plain build writes them, and their ledgers are left as they are."""
    if publish_mode and today is None:
        raise ValueError("build(publish_mode=True) needs today")
    started = time.perf_counter()
    caches = open_cache(layout.cache) if cache and not publish_mode else None  # no key: no cache, silently
    locks = [cache_lock(layout.cache)] if caches else []
    if previous is not None and not previous.is_dir():
        raise BuildError(f"--previous 指定的 {previous} 不是目录；请给出上一次发布的网站副本（含 SHA256SUMS 的目录）")
    left: dict[Path, str] = {}  # the output's state, when exactly as the last build left it

    def as_written(folder: Path) -> bool:  # under the output lock: the ownership check need not hash
        state = uptodate.as_left(caches, folder) if caches else None
        if state is not None:
            left[folder] = state
        return state is not None

    try:
        with claim_output(layout.out, layout.root, layout.protected(), locks, as_written) as out:
            state = None
            if caches and previous is None:  # taken before anything is read (see stamp.py)
                state = uptodate.inputs_state(
                    [layout.scores, layout.rubric, layout.content, layout.templates], f"{out}\0{layout.cache.resolve()}"
                )
                last = uptodate.unchanged(caches, state, out, left.get(out)) if state else None
                if last is not None:
                    seconds = time.perf_counter() - started
                    return None, {}, BuildStats(last["files"], last["cached"], seconds, last["summary"], True)
                uptodate.forget(layout.cache)  # until this build has finished
            from site_builder.build.context import BuildContext
            from site_builder.build.progress import Progress
            from site_builder.build.validate import check_publishable, ignored, load, summary
            from site_builder.read.project import Paths
            from site_builder.record import previous as previous_site

            context = BuildContext(layout, caches, workers, Progress(progress))
            # compiled templates are code, not output: kept even with --no-cache, never publishing
            context.compiled = None if publish_mode or not keep_compiled else caches or open_cache(layout.cache)
            site = load(layout, context)
            rel = Paths(layout.rubric, layout.scores, layout.root).rel
            problems = Problems()
            # --previous names the copy to trust; else the output folder and the default one
            sites = [previous] if previous is not None else [layout.out, layout.root / "output"]
            previous_site.check_history(sites, layout.scores, site.ledgers, problems, rel)
            problems.raise_if_any()
            chosen: list[int] = []
            if publish_mode:
                assert today is not None  # (checked above)
                chosen = check_publishable(site, today, years)
            if caches:
                context.pages = PageCache(caches, code_digest(caches.package, layout.templates))
            observed: dict[str, str | None] = {"output": None}
            replaced: tuple[tuple[int, int], ...] = ()

            def observe(staging: Path, written_site: SiteInput) -> None:
                # the site as this build wrote it (publishing: with the new ledger heads), before it is the output
                check_published(written_site, layout, staging, context.scanned)
                if state:
                    observed["output"] = uptodate.output_state(out, staging)

            if publish_mode:
                site, written = publish(site, context, out, observe, on_step, chosen)
            else:
                official = previous_site.publications_in(read_manifest(out) or {}, site.ledgers)
                with Staging(out, on_step=on_step) as staging:
                    write_site(site, context, staging.writer)
                    finish_site(site, staging.writer, publish_mode=False)
                    written = staging.swap(before_swap=lambda folder: observe(folder, site))
                if official and previous_site.publications_in(written, site.ledgers) != official:
                    replaced = tuple(official)
            text = summary(site.reports, ignored(layout))
            try:
                context.pages.save()
                if caches and state:
                    report = {"files": len(written), "cached": len(context.pages.fresh), "summary": text}
                    uptodate.keep(caches, state, observed["output"], report)
            except OSError:
                pass  # the site is out; a cache left unsaved only costs time next build
    except OSError as exc:
        raise BuildError(_os_message(exc, layout)) from None
    seconds = time.perf_counter() - started
    return site, written, BuildStats(len(written), context.pages.reused, seconds, text, replaced=replaced)


def check_published(
    site: SiteInput, layout: Layout, staging: Path, scanned: dict[str, tuple[str, Hits]] | None = None
) -> None:
    """The privacy scan of what is published (`privacy.check_published`): every file and path of the
    finished staging folder, just before it becomes the output; a finding stops the build (exit 1)
    with the output as it was. The pages the workers scanned as they wrote them (`scanned`: path ->
    (SHA-256, findings)) are not read again when the staging folder's manifest lists them with the
    same SHA-256 (a publication that writes its site twice scans the second one's own pages)."""
    from site_builder.publish import privacy

    sources = [layout.scores, layout.rubric, layout.content, layout.templates]
    written = read_manifest(staging) or {}
    done = {rel: hits for rel, (sha, hits) in (scanned or {}).items() if written.get(rel) == sha}
    contacts, codes = privacy.site_contacts(site.config), privacy.site_codes(site.ledgers)
    privacy.check_published(staging, contacts, sources, layout.root, done, codes)


def write_site(site: SiteInput, context: BuildContext, writer: Writer) -> None:
    """Every file but the ledgers and SHA256SUMS: the pages and data files, then the CMS package,
    the crawlers' files (after every page) and the save list (`savelist`: every file's address). (Imported here: a build with nothing changed renders nothing.)"""
    from site_builder.build.datafiles import DATA_FILES
    from site_builder.build.generate import SiteRenderer
    from site_builder.publish import cms, crawl
    from site_builder.publish.savelist import SAVE_LIST, save_list
    from site_builder.record.ledger import LEDGER_FILE

    SiteRenderer(site, writer, context).render_site()
    cms.write(writer, site, context.environment, {f.name: f.label for f in DATA_FILES})
    crawl.write(writer, site)
    ledgers = [urls.data_file(rep.data.year, LEDGER_FILE) for rep in site.reports]
    names = [n for n in writer.written if n != MARKER] + ledgers + [urls.CHECKSUMS, SAVE_LIST]
    writer.write(SAVE_LIST, save_list(site.config.base_url, names))  # every file: written last but these


def finish_site(site: SiteInput, writer: Writer, publish_mode: bool) -> None:
    """The ledgers (publishing, their new entries record the files written) and SHA256SUMS, last."""
    from site_builder.record import publishing

    for path, body in publishing.output_files(site, writer.written, publish_mode).items():
        writer.write(path, body)
    writer.write(urls.CHECKSUMS, checksums(writer))


def publish(
    site: SiteInput,
    context: BuildContext,
    out: Path,
    observe: Callable[[Path, SiteInput], None],
    on_step: Step | None,
    years: list[int],
) -> tuple[SiteInput, dict[str, str]]:
    """`build --publish`: the site written with the ledgers as this publication leaves them, and
    swapped in together with each year's ledger written back into the data (`publishing.record_files`).
    Only `years` get new entries; a year left out that was published before and has something new
    to publish stops it (`held_back`, or its files found stale): its pages would no longer be what
    its ledger records. Returns the site with those ledgers and the files written."""
    from site_builder.read.project import Paths
    from site_builder.record import publishing

    layout = context.layout
    rel = Paths(layout.rubric, layout.scores, layout.root).rel
    inputs = {r.data.year: publishing.input_hashes(r.data, layout.scores, layout.rubric, rel) for r in site.reports}
    _refuse_held_back(publishing.held_back(site, inputs, years), years)
    proposed = publishing.propose(site, inputs, years=years)
    records = list(publishing.record_paths(proposed, layout.scores))
    staging = Staging(out, records, on_step)
    try:
        write_site(proposed, context, staging.writer)
        stale = publishing.stale_years(proposed, staging.writer.written, years)
        if stale:  # the files changed without the data: a new entry records them, the pages show its head
            _refuse_held_back([y for y in stale if y not in years], years)
            staging.abandon()
            proposed = publishing.propose(site, inputs, force=frozenset(stale), years=years)
            staging = Staging(out, records, on_step)
            write_site(proposed, context, staging.writer)
        finish_site(proposed, staging.writer, publish_mode=True)
        written = staging.swap(
            publishing.record_files(proposed, layout.scores), before_swap=lambda folder: observe(folder, proposed)
        )
    finally:
        staging.abandon()
    return proposed, written


def _refuse_held_back(held: list[int], years: list[int]) -> None:
    if not held:
        return
    names = "、".join(f"{y} 年度" for y in held)
    asked = "、".join(f"{y} 年度" for y in years)
    every = " ".join(str(y) for y in sorted(set(held) | set(years)))
    raise BuildError(
        f"不能只发布 {asked}：{names}已正式发布过，现有尚未发布的改动（更正、异议或网页内容）；"
        f"只发布 {asked}，网站上的{names}就与其发布记录不符。请一并发布：build --publish --year {every}"
    )


def _os_message(exc: OSError, layout: Layout) -> str:
    text = os_error(exc, writing=True)
    where, cache = os.path.realpath(str(exc.filename or "")), os.path.realpath(layout.cache)
    if exc.filename and (where == cache or where.startswith(cache + os.sep)):
        text += "（这是页面缓存；也可加 --no-cache 不用缓存）"
    return text + "；输出目录保持上一次的内容，未改动"
