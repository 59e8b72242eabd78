""" "Nothing changed since the last build": how `build` can stop after a few thousand stat calls.

After a build that used the cache, a stamp is kept in the cache folder (sealed like every cache file,
`sealed.CacheFolder`): a hash of the state of every file the build read — the data (`scores/`, `rubric/`,
`content/`), the templates, the package's own code and the installed packages — and of every file in
the output as it was left, with what the build reported. The next build compares the current state
with the stamp before it reads anything; if they are equal, the output is already what this build
would write, and it is left as it is.

The state of a file is its path, type, size, inode, modification time and status-change time (ctime).
Editing a file changes its ctime, and ctime cannot be set back (`touch -d` changes it too), so an
edit to the data or to the published output with the modification time restored is still seen. The
input state is taken before the data is read, so a file changed during a build makes the next build
run in full. `--no-cache`, `--publish` and `--previous` never use the stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from site_builder.storage.hashes import PACKAGE
from site_builder.storage.sealed import CacheFolder

STAMP = "build-stamp.json"
FORMAT = 3  # 3: the output has a manifest and is world-readable (an older stamp never matches)


class LinkedFolder(Exception):
    """A symbolic link to a folder among the inputs: the stamp is not used (every build runs)."""


def _walk(h: hashlib._Hash, folder: Path) -> None:
    """Every entry under folder, depth first in name order, with its state (following links)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        h.update(b"-missing\0")
        return
    for entry in entries:
        name = os.fsencode(entry.name)
        try:
            st = entry.stat()  # follows a symbolic link: an edit of its target is seen
            link = os.fsencode(os.readlink(entry.path)) if entry.is_symlink() else b""
        except OSError:  # a dangling link, a file removed meanwhile
            h.update(b"?" + name + b"\0")
            continue
        if link and entry.is_dir():
            raise LinkedFolder(entry.path)  # what is under it could change unseen: no stamp
        is_dir = entry.is_dir(follow_symlinks=False)
        h.update(
            b"%s%s\0%s\0%d %d %d %d %d\0"
            % (b"d" if is_dir else b"f", name, link, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
        )
        if is_dir and entry.name != "__pycache__":
            _walk(h, Path(entry.path))
            h.update(b"..\0")


def _installed() -> bytes:
    """The installed distributions (name and version, from the dist-info folders on sys.path)."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return "\n".join([sys.version, *sorted(names)]).encode()


def inputs_state(folders: list[Path], settings: str) -> str | None:
    """The state of everything a build reads: `folders` (data, templates), the package, the installed
    distributions and `settings` (the build's options and paths); None when it can't be told (a
    linked folder, or a loop, among them): then the build runs and keeps no stamp."""
    h = hashlib.sha256(settings.encode() + b"\0" + _installed())
    try:
        for folder in [*folders, PACKAGE]:
            h.update(b"\0folder " + os.fsencode(str(folder.resolve())) + b"\0")
            _walk(h, folder)
    except (LinkedFolder, RecursionError, OSError):
        return None
    return h.hexdigest()


def output_state(out: Path, folder: Path | None = None) -> str | None:
    """The state of the output `out`, read from `folder` (by default `out` itself; the build reads
    the finished staging folder just before it becomes `out`, so that nothing done to the output
    after the swap can enter the stamp)."""
    h = hashlib.sha256(os.fsencode(str(out)))
    try:
        _walk(h, folder or out)
    except (LinkedFolder, RecursionError, OSError):
        return None
    return h.hexdigest()


def _stamp(cache: CacheFolder) -> dict[str, Any] | None:
    body = cache.read(STAMP)
    if body is None:
        return None
    stamp = json.loads(body)
    return stamp if isinstance(stamp, dict) and stamp.get("format") == FORMAT else None


def as_left(cache: CacheFolder, out: Path) -> str | None:
    """The state of the output `out` when it is exactly as the last build that kept a stamp left it
    (every entry with the same inode, size, modification and status-change times and mode, none added
    or removed), else None. Then every file in it is one the tool wrote, with the SHA-256 its
    manifest lists (the state was taken from the finished staging folder, manifest written), and the
    ownership check (`outdir.check_out_dir`) need not hash them: an edit changes the ctime, which
    cannot be set back."""
    try:
        stamp = _stamp(cache)
        if stamp is None or not isinstance(stamp.get("output"), str):
            return None
        now = output_state(out)
        return now if now is not None and now == stamp["output"] else None
    except (OSError, ValueError):
        return None


def unchanged(cache: CacheFolder, inputs: str, out: Path, now: str | None = None) -> dict[str, Any] | None:
    """What the last build reported, when its inputs and its output are exactly as it left them.
    `now`: the output's state, when just taken (`as_left`, under the same lock)."""
    try:
        stamp = _stamp(cache)
        if stamp is None or stamp.get("inputs") != inputs:
            return None
        now = now or output_state(out)
        if now is None or stamp.get("output") != now:
            return None
        return stamp
    except (OSError, ValueError, AttributeError):
        return None


def keep(cache: CacheFolder, inputs: str, output: str | None, report: dict[str, Any]) -> None:
    """The stamp for the build just finished: `output` is its `output_state`, taken before the swap;
    `report`, what it printed, to print it again."""
    if output is None:
        return
    doc = {"format": FORMAT, "inputs": inputs, "output": output, **report}
    cache.write(STAMP, json.dumps(doc, ensure_ascii=False, sort_keys=True).encode())


def forget(cache_folder: Path) -> None:
    """Drop the stamp (a build is starting). Not needed for correctness — a stamp only ever matches
    the exact state it describes — so a cache folder that can't be written is no error here."""
    try:
        (cache_folder / STAMP).unlink(missing_ok=True)
    except OSError:
        pass
