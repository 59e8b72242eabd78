"""Durable file operations: a file replaced at once, flushed to disk, two folders exchanged in one step.

Every OSError names the path it concerns (a failed write() names none), so that the message the
user reads says which file."""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import tempfile
from pathlib import Path

_LIBC = ctypes.CDLL(None, use_errno=True)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def flush_tree(folder: Path) -> None:
    """Every file and folder under `folder` on disk: one syncfs(2) of its file system (far cheaper
    than an fsync per file for thousands of pages), else an fsync of each file and folder."""
    syncfs = getattr(_LIBC, "syncfs", None)
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            fsync_file(Path(dirpath, name))
        fsync_dir(Path(dirpath))


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(path: Path) -> int:
    """The mode a file written at `path` gets: the one it has (a data file keeps its mode when it
    is rewritten), else what the umask gives a new file (never the 0600 of a temporary file)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~umask()


def publish_modes(folder: Path) -> None:
    """Every file under `folder` 0644 and every folder 0755: a published site is readable by a web
    server whatever the umask it was built under."""
    os.chmod(folder, 0o755)
    for dirpath, dirs, names in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o755, follow_symlinks=False)
        for name in names:
            full = os.path.join(dirpath, name)
            if not os.path.islink(full):
                os.chmod(full, 0o644)


def atomic_write(path: Path, data: str | bytes, mode: int | None = None, durable: bool = True) -> None:
    """Replace one file at once (a temporary file beside it, then a rename): never half-written, and
    two writers of the same file never trip over each other's temporary file. `durable`: flushed to
    disk first (a cache object need not be: it is verified by its SHA-256 whenever it is read).
    `mode`: by default the file's own (`new_file_mode`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = new_file_mode(path)
    tmp = _write_temp(path, data.encode("utf-8") if isinstance(data, str) else data, durable=durable)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def _write_temp(path: Path, raw: bytes, suffix: str = ".tmp", durable: bool = True) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        os.unlink(name)
        raise named(exc, path) from None
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def write_new(path: Path, raw: bytes) -> None:
    """A new file, flushed to disk."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise named(exc, path) from None


def named(exc: OSError, path: Path | str) -> OSError:
    """The error with the path it concerns (a failed write() names none)."""
    if exc.filename:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(path))


def renamed(exc: OSError, path: Path | str) -> OSError:
    """The error named by `path` whatever it named (the file the user knows, not its temporary twin)."""
    return type(exc)(exc.errno, exc.strerror, str(path))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2). False where the system can't."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))
