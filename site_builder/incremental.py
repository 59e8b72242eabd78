"""A persistent page cache, so that a rebuild renders only what changed.

Each cached page is keyed by a hash of everything it is rendered from (the package version, every
template, the year's input files, the page's own inputs). Page bytes live in a content-addressed
object store; the build hard-links them into its staging folder. The manifest carries its own
checksum, and each object its size and modification time: a cache that fails any check is ignored
and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from site_builder import __version__
from site_builder.output import atomic_write

MANIFEST = "manifest.json"
FORMAT = 1


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """Hash of every file under folder (paths and bytes), in sorted order."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class PageCache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.entries: dict[str, list] = {}  # rel -> [key, sha256, size, mtime_ns]
        self.fresh: dict[str, list] = {}
        self.reused = 0  # files taken from the cache by this build
        if folder is not None:
            self._load()

    def _load(self) -> None:
        path = self.folder / MANIFEST
        if not path.exists():
            return
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            body = json.dumps(raw["entries"], sort_keys=True)
            if raw.get("format") != FORMAT or raw.get("version") != __version__ \
                    or raw.get("checksum") != hashlib.sha256(body.encode()).hexdigest():
                raise ValueError("manifest checksum, format or version differs")
            self.entries = {k: list(v) for k, v in raw["entries"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}  # not trusted: every page is rendered again
            shutil.rmtree(self.folder / "objects", ignore_errors=True)

    def _object(self, sha: str) -> Path:
        return self.folder / "objects" / sha[:2] / sha[2:]

    def get(self, rel: str, key: str) -> tuple[Path, str] | None:
        """The cached page for rel if it was rendered from exactly this key and is intact."""
        entry = self.entries.get(rel)
        if self.folder is None or entry is None or entry[0] != key:
            return None
        obj = self._object(entry[1])
        try:
            st = obj.stat()
        except OSError:
            return None
        if st.st_size != entry[2] or st.st_mtime_ns != entry[3]:
            return None  # changed behind our back: render it again
        self.fresh[rel] = entry
        self.reused += 1
        return obj, entry[1]

    def put(self, rel: str, key: str, data: bytes) -> tuple[Path, str] | None:
        if self.folder is None:
            return None
        sha = hashlib.sha256(data).hexdigest()
        obj = self._object(sha)
        # always (re)write: an object already there may be one that was tampered with
        atomic_write(obj, data, mode=0o444)
        st = obj.stat()
        self.fresh[rel] = [key, sha, st.st_size, st.st_mtime_ns]
        return obj, sha

    def save(self) -> None:
        """Keep only what this build used; drop unreferenced objects."""
        if self.folder is None:
            return
        body = json.dumps(self.fresh, sort_keys=True)
        doc = {"format": FORMAT, "version": __version__, "checksum": hashlib.sha256(body.encode()).hexdigest(),
               "entries": self.fresh}
        atomic_write(self.folder / MANIFEST, json.dumps(doc, sort_keys=True))
        used = {entry[1] for entry in self.fresh.values()}
        objects = self.folder / "objects"
        if objects.is_dir():
            for sub in objects.iterdir():
                for obj in sub.iterdir():
                    if sub.name + obj.name not in used:
                        obj.unlink(missing_ok=True)
