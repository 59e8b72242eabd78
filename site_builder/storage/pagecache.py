"""The page cache: output files (pages and data files) by key, so that a cache may only cost time,
never change a byte of output.

A file is reused only when the key it was stored under equals the key of this build, and the key is
a hash of the package's code and the templates (`hashes.code_digest`) and of exactly what the
producer receives (a `hashes.Fingerprint` of the template context or the producer's arguments: no
hand-written list of inputs to forget). The bytes are stored under that key, with their SHA-256 in
the manifest (sealed, like every cache file), and re-hashed on every read: an object edited behind
the cache's back (mtime kept or not) is not reused, and an edited manifest can't point a key at other
bytes (only make a file miss). Objects are copied into the output, never hard-linked, so editing the
live site cannot edit the cache. Anything wrong with the manifest means the whole cache is ignored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from site_builder.storage.files import atomic_write
from site_builder.storage.hashes import digest
from site_builder.storage.sealed import CacheFolder

MANIFEST = "manifest.json"
FORMAT = 4


class PageCache:
    """Output files by key. `get` returns verified bytes or None; `put` stores; `save` keeps only what
    this build used. Without a cache folder it holds nothing and stores nothing."""

    def __init__(self, cache: CacheFolder | None = None, code: str = ""):
        self.cache = cache
        self.folder = cache.path if cache is not None else None
        self.code = code  # code_digest of this build: part of every key
        self.entries: dict[str, list[str]] = {}  # rel -> [key, sha256]
        self.fresh: dict[str, list[str]] = {}
        self.reused = 0  # files taken from the cache by this build
        if cache is not None:
            self.entries = _load(cache)

    def key(self, kind: str, rel: str, inputs: str) -> str:
        """The key of output `rel` made by `kind` (a template or a producer) from inputs (a Fingerprint)."""
        return digest(self.code, kind, rel, inputs)

    def _object(self, folder: Path, key: str) -> Path:
        """Objects are stored under their key, not their content: the manifest can't point a key
        at another file's bytes, it only holds the SHA-256 those bytes must have."""
        return folder / "objects" / key[:2] / key[2:]

    def get(self, rel: str, key: str) -> bytes | None:
        """The bytes stored for rel under exactly this key, if they still hash to what was stored."""
        data = self.lookup(rel, key)
        if data is not None:
            self.record(rel, key, self.entries[rel][1], reused=True)
        return data

    def lookup(self, rel: str, key: str) -> bytes | None:
        """`get` without the bookkeeping (a worker process looks up; the build records)."""
        entry = self.entries.get(rel)
        if self.folder is None or entry is None or entry[0] != key:
            return None
        try:
            data = self._object(self.folder, key).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry[1]:
            return None  # changed behind our back: made again
        return data

    def put(self, rel: str, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self.store(key, data)
        self.record(rel, key, hashlib.sha256(data).hexdigest(), reused=False)

    def store(self, key: str, data: bytes) -> None:
        """The object for `key` (`put` without the bookkeeping). Not flushed to disk: a cache may
        only cost time, and an object a crash truncated fails its SHA-256 and is made again."""
        if self.folder is None:
            return
        obj = self._object(self.folder, key)
        try:
            same = obj.read_bytes() == data
        except OSError:
            same = False
        if not same:  # missing, or one that was tampered with: (re)write it
            atomic_write(obj, data, mode=0o444, durable=False)

    def record(self, rel: str, key: str | None, sha: str, reused: bool) -> None:
        """This build used `rel` under `key` (kept by `save`)."""
        if self.folder is None or not key:
            return
        self.fresh[rel] = [key, sha]
        self.reused += reused

    def save(self) -> None:
        """Keep only what this build used; drop unreferenced objects."""
        if self.cache is None or self.folder is None:
            return
        doc = {"format": FORMAT, "entries": self.fresh}
        self.cache.write(MANIFEST, json.dumps(doc, sort_keys=True).encode())
        used = {entry[0] for entry in self.fresh.values()}
        objects = self.folder / "objects"
        if objects.is_dir():
            for sub in objects.iterdir():
                if not sub.is_dir():
                    sub.unlink(missing_ok=True)
                    continue
                for obj in sub.iterdir():
                    if sub.name + obj.name not in used:
                        obj.unlink(missing_ok=True)
        shutil.rmtree(self.folder / "jinja", ignore_errors=True)  # compiled templates of older versions


def _load(cache: CacheFolder) -> dict[str, list[str]]:
    """The manifest's entries; none when it is missing or not trusted (every file is made again)."""
    body = cache.read(MANIFEST)
    if body is None:
        return {}
    try:
        raw = json.loads(body.decode("utf-8"))
        if raw.get("format") != FORMAT:
            return {}
        entries = {
            k: v
            for k, v in raw["entries"].items()
            if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
        }
        return entries if len(entries) == len(raw["entries"]) else {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}
