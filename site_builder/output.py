"""The one writer: every output file goes through `Writer`, into a temporary folder swapped in at the end.

A failed build leaves the previous output exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from site_builder.errors import BuildError


class Writer:
    """Collects files in a staging folder; refuses a path written twice or one outside the output."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.written: dict[str, str] = {}  # relative posix path -> sha256

    def _target(self, rel: str) -> tuple[str, Path]:
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise BuildError(f"拒绝写出输出目录之外的路径：{rel}")
        key = path.as_posix()
        if key in self.written:
            raise BuildError(f"同一路径被写了两次：{key}")
        target = self.staging.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return key, target

    def write(self, rel: str, data: str | bytes) -> str:
        key, target = self._target(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        target.write_bytes(raw)
        self.written[key] = hashlib.sha256(raw).hexdigest()
        return self.written[key]

    def link(self, rel: str, source: Path, sha: str) -> str:
        """Place a cached file (hard link; a copy across file systems)."""
        key, target = self._target(rel)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.written[key] = sha
        return sha

    def sha256(self, rel: str) -> str:
        return self.written[rel]


def atomic_write(path: Path, data: str | bytes, mode: int | None = None) -> None:
    """Replace one file at once (a temporary file beside it, then a rename): never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def publish(out_dir: Path, fill) -> dict[str, str]:
    """Run `fill(writer)` into a fresh staging folder beside out_dir, then swap it into place.

    If `fill` raises, the staging folder is removed and out_dir is untouched.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        writer = Writer(staging)
        fill(writer)
        _keep_placeholders(out_dir, writer)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return writer.written


def _keep_placeholders(out_dir: Path, writer: Writer) -> None:
    """The repo's output/ holds a committed .gitignore; carry it over so git stays clean."""
    for name in (".gitignore",):
        src = out_dir / name
        if src.is_file() and name not in writer.written:
            shutil.copy2(src, writer.staging / name)


def _swap(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    os.chmod(out_dir, 0o755)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
