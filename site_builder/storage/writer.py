"""The one writer: every output file goes through `Writer`, into the staging folder of a build
(`swap.Staging`), which becomes the output at the end."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from site_builder.errors import BuildError
from site_builder.storage.files import named


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
        key, sha = self.put(rel, data)
        self.register(key, sha)
        return sha

    def put(self, rel: str, data: str | bytes, sha: str | None = None) -> tuple[str, str]:
        """Write one file without recording it: (its path, its sha256). A worker process writes its
        pages this way; the build records them with `register`, which refuses a path written twice.
        `sha`: the SHA-256 of `data` when the caller has just checked it (a verified cache object)."""
        key, target = self._target(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            target.write_bytes(raw)
        except OSError as exc:
            raise named(exc, target) from None
        return key, sha or hashlib.sha256(raw).hexdigest()

    def register(self, key: str, sha: str) -> None:
        if key in self.written:
            raise BuildError(f"同一路径被写了两次：{key}")
        self.written[key] = sha

    def sha256(self, rel: str) -> str:
        return self.written[rel]

    def read(self, rel: str) -> bytes:
        """A file already written by this build."""
        return self.staging.joinpath(*PurePosixPath(rel).parts).read_bytes()
