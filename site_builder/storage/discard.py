"""Removing the site a build replaced: at once when it is small, in a detached process when it is big."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

BACKGROUND_REMOVAL = 2000
"""A replaced site of at least this many files is removed in the background (see `discard`)."""


def _size(tree: Path) -> int:
    """How many files a site holds: the lines of its SHA256SUMS (every build writes one), else
    as many as make it big."""
    try:
        with open(tree / "SHA256SUMS", "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return BACKGROUND_REMOVAL


def discard(tree: Path, out: Path) -> None:
    """Remove the replaced site. A big one (thousands of folders; on a disk mounted with `discard`
    every unlink waits for the device) is first renamed `.<out>.trash-…` and removed by a detached
    process that holds none of the build's files or pipes, so that nobody waits for it; whatever
    is left of it is removed by the next run (`swap.recover`). Nothing the site needs is in it any more."""
    if _size(tree) < BACKGROUND_REMOVAL or not hasattr(os, "fork"):
        shutil.rmtree(tree, ignore_errors=True)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.trash-", dir=out.parent))
    try:
        os.replace(tree, trash)  # over the empty folder just made: a name nobody else uses
    except OSError:
        shutil.rmtree(tree, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
        return
    try:
        pid = os.fork()
    except OSError:  # no process to spare: removed here, as a small one is
        shutil.rmtree(trash, ignore_errors=True)
        return
    if pid == 0:  # the child starts a grandchild that nobody waits for, and leaves at once
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # not the build's terminal, pipe or log: whoever reads it sees its end
                    os.dup2(null, fd)
                os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
                shutil.rmtree(trash, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
