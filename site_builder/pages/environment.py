"""The Jinja environment (autoescape, StrictUndefined) the pages are rendered with.

One is made per build (the build context holds it). Compiled templates are kept between builds in
the project's cache folder (`SealedBytecode`, issue 27: compiling them cost 0.25 s a build): Jinja's
bytecode cache runs the code it finds there, so every file is sealed like every cache file
(`sealed.CacheFolder`, an HMAC under the user's key), and one edited or forged is not loaded but
compiled again; a tampered cache never changes the output (issue 11). Keyed by the package's code,
Jinja's and Python's versions and the template's name, file and source. `build --publish` keeps none."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import jinja2

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.domain import objections
from site_builder.domain.presentation import FILTERS
from site_builder.domain.scoring import fmt
from site_builder.pages import meta as pagemeta
from site_builder.pages.fragments import IndicatorRows
from site_builder.storage.hashes import digest
from site_builder.storage.sealed import CacheFolder

COMPILED = "compiled-templates"  # the folder in the cache


class SealedBytecode(jinja2.BytecodeCache):
    """Compiled templates in the cache folder, sealed: `COMPILED/<code>/<template key>`, where
    <code> is the package's code and Jinja's and Python's versions; a folder of other code is removed
    when this one is first written. A file that is missing, edited or forged (its seal fails) is
    compiled again."""

    def __init__(self, cache: CacheFolder):
        self.cache = cache
        self.code = digest(cache.package, jinja2.__version__, sys.version)[:32]
        self.tidied = False

    def _name(self, bucket: jinja2.bccache.Bucket) -> str:
        return f"{COMPILED}/{self.code}/{digest(bucket.key, bucket.checksum)}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.read(self._name(bucket))  # None unless sealed by this key as this file
        if data is not None:
            bucket.bytecode_from_string(data)  # checks Jinja's magic and the source's checksum again

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            if not self.tidied:
                self.tidied = True
                folder = self.cache.path / COMPILED
                for old in folder.iterdir() if folder.is_dir() else ():
                    if old.name != self.code:
                        shutil.rmtree(old, ignore_errors=True)
            self.cache.write(self._name(bucket), bucket.bytecode_to_string())
        except OSError:
            pass  # not kept: only costs the compilation next time


def environment(templates: Path, compiled: CacheFolder | None = None) -> jinja2.Environment:
    """A new environment reading the templates in `templates`: autoescape and StrictUndefined, the
    filters and globals the templates use; compiled templates kept in `compiled` (`SealedBytecode`)."""
    env = jinja2.Environment(
        bytecode_cache=SealedBytecode(compiled) if compiled is not None else None,
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pts"] = fmt
    env.filters["zh_date"] = zh_date
    env.filters.update(FILTERS)
    env.globals.update(pagemeta.GLOBALS)  # page metadata, 发布时间/来源, 落款
    env.globals.update(objection_counts=objections.Counts.of, objection_summary=objections.summary_text)
    env.globals["indicator_anchor"] = urls.indicator_anchor  # the id of an indicator's row: urls.indicator links it
    env.globals["indicator_rows"] = IndicatorRows(env)  # memoised rows: the indicator rows institution pages share
    return env
