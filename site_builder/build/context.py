"""One build's context: what a build keeps while it runs, made by `flow.build` (or for `validate.load`
alone) and passed down to whoever needs a part of it; nothing of it outlives the build, and no module
keeps any of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.build.layout import Layout
from site_builder.build.progress import Progress
from site_builder.storage.hashes import package_digest
from site_builder.storage.pagecache import PageCache
from site_builder.storage.sealed import CacheFolder, CacheKey

if TYPE_CHECKING:
    import jinja2

    from site_builder.pages.stats import YearStats
    from site_builder.publish.privacy import Hits


def open_cache(folder: Path) -> CacheFolder | None:
    """The cache folder, its files sealed with the user's key (`sealed.CacheKey`); None when there is
    no readable key: then the build runs without the cache, silently."""
    key = CacheKey.load()
    return CacheFolder(folder, key, package_digest) if key is not None else None


@dataclass
class BuildContext:
    """What one build keeps while it runs: the caches (the cache folder, the pages cache), the Jinja
    environment, each year's statistics, and how the work is spread (processes, progress line)."""

    layout: Layout
    cache: CacheFolder | None = None  # None: no cache (--no-cache, --publish, no key)
    workers: int = 1
    progress: Progress = field(default_factory=lambda: Progress(False))
    pages: PageCache = field(default_factory=PageCache)  # the page cache, once the build renders (`flow`)
    stats: dict[int, YearStats] = field(default_factory=dict)  # by year, made by the renderer
    compiled: CacheFolder | None = None  # where compiled templates are kept (also with --no-cache; not publishing)
    # the privacy scan's findings in each page a worker wrote, by path: (its SHA-256, the findings)
    scanned: dict[str, tuple[str, Hits]] = field(default_factory=dict)
    _environment: jinja2.Environment | None = field(default=None, repr=False)

    @property
    def environment(self) -> jinja2.Environment:
        """The Jinja environment of this build, made when first needed (`validate` and a build with
        nothing changed render nothing, and never import Jinja)."""
        if self._environment is None:
            from site_builder.pages.environment import environment

            self._environment = environment(self.layout.templates, self.compiled)
        return self._environment
