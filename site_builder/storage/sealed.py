"""The cache folder and the key its files are sealed with.

Every file the cache keeps (the page manifest, which holds each object's key and SHA-256, the sheet
and roster caches, the statistics, the up-to-date stamp) is written through `CacheFolder.write` and
read through `CacheFolder.read`: an HMAC-SHA256 under a secret key kept outside the cache and the
repo (`key_dir()`), and under the file's name in the folder, so a cache file rewritten together with
a recomputed plain checksum (or another cache file's content) is not trusted, only made again.
Without a readable key the build runs without the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from site_builder.storage.files import atomic_write
from site_builder.storage.hashes import digest, package_digest

KEY_DIR_ENV = "SITE_BUILDER_KEY_DIR"
KEY_FILE = "cache.key"
_MAC = 32  # bytes of HMAC-SHA256 in front of every sealed file


def key_dir() -> Path:
    """Where the cache key lives: $SITE_BUILDER_KEY_DIR, else $XDG_CONFIG_HOME/site_builder, else
    ~/.config/site_builder. Never under the cache or the repo: whoever can only write those can't
    forge a cache file."""
    explicit = os.environ.get(KEY_DIR_ENV)
    if explicit:
        return Path(explicit)
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "site_builder"


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) >= 32 else None


class CacheKey:
    """The secret every cache file is sealed with."""

    def __init__(self, secret: bytes):
        self._secret = secret

    @classmethod
    def load(cls, folder: Path | None = None) -> CacheKey | None:
        """The key in `folder` (by default `key_dir()`), made on first use (mode 0600); None when it
        can be neither read nor made: then the build runs without the cache."""
        path = (folder or key_dir()) / KEY_FILE
        if not path.exists():
            secret = _make_key(path)
            if secret is not None:
                return cls(secret)
        secret = _read_key(path)
        return cls(secret) if secret is not None else None

    def seal(self, data: bytes, purpose: str) -> bytes:
        """data with its HMAC (under the key and `purpose`, e.g. the file's name) in front."""
        return hmac.new(self._secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest() + data

    def unseal(self, blob: bytes, purpose: str) -> bytes | None:
        """The data sealed by `seal` for `purpose`, or None when the seal doesn't match (edited, forged,
        truncated, another key or another file's content)."""
        if len(blob) < _MAC:
            return None
        mac, data = blob[:_MAC], blob[_MAC:]
        want = hmac.new(self._secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest()
        return data if hmac.compare_digest(mac, want) else None


def _make_key(path: Path) -> bytes | None:
    """A new key at `path`; None when another build made it just now (read it) or it can't be made."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    data = os.urandom(32)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError:
        return None
    return data


class CacheFolder:
    """One build's cache folder (ROOT/.cache/site_builder): every file in it sealed with the key,
    under its name in the folder. `package` is the digest of the package's code, part of the key of
    everything cached, worked out when first needed (a build with nothing changed needs none)."""

    def __init__(self, path: Path, key: CacheKey, package: Callable[[], str] = package_digest):
        self.path, self.key, self._package = path, key, package

    @cached_property
    def package(self) -> str:
        return self._package()

    def read(self, name: str) -> bytes | None:
        """The content of the file `name` (a path in the folder), or None when it is missing,
        unreadable, or not sealed by this key as that file."""
        try:
            blob = (self.path / name).read_bytes()
        except OSError:
            return None
        return self.key.unseal(blob, name)

    def write(self, name: str, data: bytes) -> None:
        atomic_write(self.path / name, self.key.seal(data, name))

    def entries(self, name: str) -> EntriesFile:
        return EntriesFile(self, name)


class EntriesFile:
    """A file of the cache folder holding plain-data entries (marshal: no code) under a key."""

    def __init__(self, folder: CacheFolder, name: str):
        self.folder, self.name = folder, name

    def read(self, key: str) -> dict[Any, Any]:
        """The entries kept under `key` and this package's code, or {} for anything doubtful."""
        body = self.folder.read(self.name)
        if body is None:
            return {}
        try:
            doc_key, entries = marshal.loads(body)
            return dict(entries) if doc_key == digest(self.folder.package, key) else {}
        except Exception:  # noqa: BLE001 - a cache file truncated or foreign in any way is not trusted
            return {}

    def write(self, key: str, entries: dict[Any, Any]) -> None:
        self.folder.write(self.name, marshal.dumps((digest(self.folder.package, key), sorted(entries.items()))))
