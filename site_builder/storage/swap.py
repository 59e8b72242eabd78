"""The swap: the only code that replaces the output folder. Its guarantees:

- one build at a time per output folder (`claim_output` takes the lock beside it), and only a folder
  `outdir.check_out_dir` allows;
- at every instant the output folder holds either the complete old site or the complete new one:
  the staging folder is flushed to disk, then exchanged with the old output in one atomic
  `renameat2(RENAME_EXCHANGE)` (two renames plus a journal where the file system lacks it);
- files written outside the output with the site (`alongside`, e.g. the publication record) land
  with it or not at all: written to temporary files first, renamed into place after the swap, and
  the site is swapped back if that fails; a crash in between is finished on the next run (journal);
- leftovers of a crashed run (staging folder, old output, journal) are recovered or removed on the
  next run, under the lock.

Each step is announced to `on_step` (its name: journaled, filled, flushed, old-moved, swapped,
placed, committed), which tests use to stop the process there.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from site_builder.storage.discard import discard
from site_builder.storage.files import (
    atomic_write,
    exchange,
    flush_tree,
    fsync_dir,
    new_file_mode,
    publish_modes,
    renamed,
    write_new,
)
from site_builder.storage.locks import Lock, output_lock
from site_builder.storage.outdir import MARKER, PLACEHOLDERS, check_out_dir, manifest_text, real
from site_builder.storage.writer import Writer

Step = Callable[[str], None]


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f"{glob.escape('.' + out.name)}.{kind}-*"))  # `o[1]` is a name, not a pattern


def _journal(out: Path) -> Path:
    return out.parent / f".{out.name}.journal.json"


def recover(out: Path) -> None:
    """Finish or undo what a crashed run left beside `out` (call under the output lock)."""
    journal = _journal(out)
    if journal.exists():
        try:
            doc = json.loads(journal.read_text(encoding="utf-8"))
            staging, ident, files, ready = Path(doc["staging"]), tuple(doc["staging_id"]), doc["files"], doc["ready"]
        except (ValueError, KeyError, TypeError):
            doc = None  # written atomically, so an unreadable one was never complete: nothing swapped
        if doc is not None:
            if ready is True and not out.exists() and staging.is_dir() and _ident(staging) == ident:
                os.replace(staging, out)  # a complete new site and no output (first build, or died between
                # the two renames of the fallback swap): finish the swap
            swapped = out.exists() and _ident(out) == ident
            for tmp, final, backup in files:
                tmp, final = Path(tmp), Path(final)
                if swapped and tmp.exists():
                    os.replace(tmp, final)  # the site is the new one: its records follow
                else:
                    tmp.unlink(missing_ok=True)
                if backup:
                    Path(backup).unlink(missing_ok=True)  # the file it replaced, kept for a rollback
                fsync_dir(final.parent)
        journal.unlink()
    if not out.exists():
        olds = _siblings(out, "old")
        if olds:
            os.replace(olds[-1], out)  # no journal: the old output is the last complete site
    for leftover in _siblings(out, "build") + _siblings(out, "old") + _siblings(out, "trash"):
        shutil.rmtree(leftover, ignore_errors=True)
    fsync_dir(out.parent)


def _ident(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


class claim_output:
    """`with claim_output(out, root, protected) as out:` checks the folder may be an output, takes the
    output lock (and `locks`), and recovers what a crashed run left; the folder is then ours.
    `as_written`: under the lock, a proof that the folder is exactly as the tool wrote it, which
    spares hashing every file (`outdir.check_out_dir`)."""

    def __init__(
        self,
        out_dir: Path,
        root: Path | None = None,
        protected: Mapping[str, Path] | None = None,
        locks: Iterable[Lock] = (),
        as_written: Callable[[Path], bool] | None = None,
    ):
        self.out = real(Path(out_dir))
        self.root, self.protected, self.as_written = root, protected, as_written
        check_out_dir(self.out, root, protected, hashes=False)  # quick, before the lock; in full under it
        self.locks = [output_lock(self.out), *locks]
        self.held: list[Lock] = []

    def __enter__(self) -> Path:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            for lock in self.locks:
                self.held.append(lock.__enter__())
            recover(self.out)
            check_out_dir(self.out, self.root, self.protected, as_written=self.as_written)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.out

    def __exit__(self, *exc: Any) -> None:
        for lock in reversed(self.held):
            lock.__exit__(*exc)
        self.held.clear()


class Staging:
    """A new site being written beside `out` (claimed with `claim_output`), in a staging folder:
    `writer` fills it, `swap` makes it the output, `abandon` drops it (as leaving a `with` block
    without a swap does). The files to be written `alongside` the site (absolute paths, outside the
    output) are named before anything is written, so that the journal lets the next run finish or
    undo whatever a crash interrupts; their bytes are given to `swap`."""

    def __init__(self, out: Path, alongside: Iterable[Path] = (), on_step: Step | None = None):
        self.out, self.on_step = out, on_step
        self.path = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
        tag = self.path.name.rsplit("-", 1)[-1]
        # (temporary file, final path, hard link to the file it replaces)
        self.plan = [
            (final.with_name(f".{final.name}.{tag}.pending"), final, final.with_name(f".{final.name}.{tag}.bak"))
            for final in sorted(alongside)
        ]
        self.swapped = self.closed = False
        try:
            self.journal = {
                "staging": str(self.path),
                "staging_id": list(_ident(self.path)),
                "files": [[str(t), str(f), str(b)] for t, f, b in self.plan],
                "ready": False,
            }
            atomic_write(_journal(out), json.dumps(self.journal))
            self._step("journaled")
            self.writer = Writer(self.path)
        except BaseException:
            self.abandon()
            raise

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.abandon()

    def _step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def abandon(self) -> None:
        """The unfinished site and the journal removed; the output as it was (nothing once swapped)."""
        if self.closed:
            return
        self.closed = True
        for tmp, _final, backup in self.plan:
            tmp.unlink(missing_ok=True)
            backup.unlink(missing_ok=True)
        if not self.swapped:
            _journal(self.out).unlink(missing_ok=True)
            shutil.rmtree(self.path, ignore_errors=True)

    def swap(
        self, alongside: Mapping[Path, bytes] | None = None, before_swap: Callable[[Path], None] | None = None
    ) -> dict[str, str]:
        """The staging folder becomes the output, the files `alongside` (path -> bytes, every path
        named when the staging began) written with it. `before_swap(staging)` sees the finished site
        just before it becomes the output. If anything fails before the swap completes, the output
        and the files alongside are as they were. Returns the files written (path -> sha256)."""
        out, staging, plan = self.out, self.path, self.plan
        try:
            for name in PLACEHOLDERS:
                if (out / name).is_file() and name not in self.writer.written:
                    shutil.copy2(out / name, staging / name)
            # the manifest: what the tool wrote, the only proof that the next build may replace it
            (staging / MARKER).write_text(manifest_text(self.writer.written), encoding="utf-8")
            publish_modes(staging)  # world-readable whatever the umask
            self._step("filled")
            for tmp, final, backup in plan:
                try:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    write_new(tmp, (alongside or {})[final])
                    os.chmod(tmp, new_file_mode(final))  # a data file keeps its mode; a new one, the umask's
                    if final.exists():
                        os.link(final, backup)
                    fsync_dir(final.parent)
                except OSError as exc:  # named by the file the user knows, not by its temporary twin
                    raise renamed(exc, final) from None
            flush_tree(staging)
            fsync_dir(out.parent)
            atomic_write(_journal(out), json.dumps({**self.journal, "ready": True}))  # complete on disk
            self._step("flushed")
            if before_swap is not None:
                before_swap(staging)
            if out.exists():
                if not exchange(staging, out):
                    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
                    os.rmdir(old)
                    os.replace(out, old)
                    self._step("old-moved")
                    os.replace(staging, out)
                    os.replace(old, staging)  # the old output is always found at the staging path afterwards
            else:
                os.replace(staging, out)
            self.swapped = True
            fsync_dir(out.parent)
            self._step("swapped")
            self._place()
            _journal(out).unlink()
            fsync_dir(out.parent)
            self._step("committed")
        finally:
            self.abandon()
            if self.swapped:
                discard(staging, out)  # the old site
        return self.writer.written

    def _place(self) -> None:
        """The files alongside renamed into place; if one fails, those placed and the old site back."""
        out, staging, placed = self.out, self.path, []
        try:
            for tmp, final, _backup in self.plan:
                os.replace(tmp, final)
                placed.append(final)
                self._step("placed")
                fsync_dir(final.parent)
        except BaseException:
            for _tmp, final, backup in self.plan:  # the files as they were, then the old site back
                if final in placed:
                    if backup.exists():
                        os.replace(backup, final)
                    else:
                        final.unlink(missing_ok=True)
            if staging.exists() and not exchange(staging, out):
                newer = out.with_name(f".{out.name}.build-rollback")
                os.replace(out, newer)
                os.replace(staging, out)
                os.replace(newer, staging)
            fsync_dir(out.parent)
            self.swapped = False
            raise


def replace_output(
    out: Path,
    fill: Callable[[Writer], None],
    alongside: Mapping[Path, bytes] | None = None,
    before_swap: Callable[[Path], None] | None = None,
    on_step: Step | None = None,
) -> dict[str, str]:
    """`fill(writer)` into a staging folder beside `out` (claimed with `claim_output`), then swapped
    in with the files in `alongside` (absolute path -> bytes, outside the output) written together:
    their paths are taken before `fill` runs and their bytes after, so that `fill` may complete them.
    Returns the files written (path -> sha256)."""
    files = alongside if alongside is not None else {}
    with Staging(out, list(files), on_step) as staging:
        fill(staging.writer)
        return staging.swap(files, before_swap)
