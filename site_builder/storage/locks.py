"""Locks: one build at a time per output folder, and per cache folder; a second one is refused."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from site_builder.errors import BuildError
from site_builder.storage.files import renamed
from site_builder.storage.outdir import real


class Lock:
    """An exclusive lock (flock on a lock file); a second holder is refused with `message`.

    The holder removes the file when it is done, so nothing is left behind; whoever locked a file
    that was removed meanwhile sees that its inode is no longer the path's and tries again."""

    def __init__(self, path: Path, message: str):
        self.path, self.message = path, message
        self.fd: int | None = None

    def __enter__(self) -> Lock:
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise renamed(exc, self.path) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                current = os.stat(self.path).st_ino if self.path.exists() else None
            except BlockingIOError:
                os.close(fd)
                raise BuildError(self.message) from None
            except BaseException:
                os.close(fd)
                raise
            if current == os.fstat(fd).st_ino:
                self.fd = fd
                return self
            os.close(fd)  # its holder removed it while we waited for it: lock the new one

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass  # a read-only folder: the file stays, harmlessly
            os.close(self.fd)
            self.fd = None


def output_lock(out: Path) -> Lock:
    out = real(out)
    lock = out.parent / f".{out.name}.lock"
    return Lock(lock, f"另一个生成过程正在写入输出目录 {out}（锁文件 {lock}）；请等它结束后再运行，未写出任何文件")


def cache_lock(folder: Path) -> Lock:
    lock = folder / "lock"
    return Lock(
        lock,
        f"另一个生成过程正在使用缓存目录 {folder}（锁文件 {lock}）；请等它结束后再运行，"
        "或加 --no-cache，未写出任何文件",
    )
