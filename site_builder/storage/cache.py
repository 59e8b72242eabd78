"""Everything the build keeps between runs, in ROOT/.cache/site_builder/, and how it is trusted.

Two stores, one rule: a cache may only cost time, never change a byte of output.

- **Pages and data files** (`PageCache`): an output file is reused only when the key it was stored
  under equals the key of this build, and the key is a hash of the package's code (every source file
  of `site_builder/` and every template, not the version string) and of exactly what the producer
  receives (`Fingerprint` of the template context or the producer's arguments: no hand-written list
  of inputs to forget). The bytes are stored under that key, with their SHA-256 in the manifest, and
  re-hashed on every read: an object edited behind the cache's back (mtime kept or not) is not
  reused, and an edited manifest can't point a key at other bytes (only make a file miss). Objects are copied into the output, never hard-linked, so editing the live site cannot
  edit the cache. Anything wrong with the manifest means the whole cache is ignored.
- **Validated sheets and rosters** (`load_sheets`, `read_cache`/`write_cache`): plain data (marshal,
  no code) keyed by the file's bytes, the rubric's and roster's bytes and the package's code, sealed. Invalid sheets are never cached.

Every file the cache keeps (the page manifest, which holds each object's key and SHA-256, the
sheet and roster caches, the statistics) is written through `seal` and read through `unseal`: an
HMAC-SHA256 under a secret key kept outside the cache and the repo (`key_dir()`), so a cache file
rewritten together with a recomputed plain checksum is not trusted, only made again. Without a
readable key the build runs without the cache. `build --publish` never reads the cache at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import marshal
import multiprocessing
import os
import shutil
import types
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePath

from markupsafe import Markup

from site_builder.domain.models import ItemScore, Sheet, Veto
from site_builder.errors import Problem, Problems
from site_builder.storage.writer import Lock, atomic_write

MANIFEST = "manifest.json"
FORMAT = 4
PACKAGE = Path(__file__).resolve().parents[1]


# --- the secret key: every cache file is sealed with it ----------------------------------------

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


@cache
def _secret(folder: Path) -> bytes | None:
    path = folder / KEY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another build made it just now
            return _read_key(path)
        except OSError:
            return None
        data = os.urandom(32)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError:
            return None
        return data
    except OSError:
        return None
    return data if len(data) >= 32 else None


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) >= 32 else None


def cache_secret() -> bytes | None:
    """The key every cache file is sealed with (made on first use, mode 0600), or None when it can
    be neither read nor made: then the build runs without the cache."""
    return _secret(key_dir())


def seal(data: bytes, purpose: str) -> bytes:
    """data with its HMAC (under the cache key and `purpose`, e.g. the file's name) in front."""
    secret = cache_secret()
    if secret is None:
        raise OSError("no cache key")
    return hmac.new(secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest() + data


def unseal(blob: bytes, purpose: str) -> bytes | None:
    """The data sealed by `seal` for `purpose`, or None when the seal doesn't match (edited, forged,
    truncated, another key or another file's content)."""
    secret = cache_secret()
    if secret is None or len(blob) < _MAC:
        return None
    mac, data = blob[:_MAC], blob[_MAC:]
    want = hmac.new(secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest()
    return data if hmac.compare_digest(mac, want) else None


# --- hashes -------------------------------------------------------------------------------------


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
        rel = path.relative_to(folder).as_posix().encode()
        h.update(len(rel).to_bytes(8, "big") + rel)
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@cache
def package_digest() -> str:
    """The package's own code: every source file under site_builder/ (a change without a version
    bump still changes it)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix().encode()
        h.update(len(rel).to_bytes(8, "big") + rel)
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def code_digest(templates: Path) -> str:
    """What every cached output depends on besides its own inputs: the package and the templates."""
    return digest(package_digest(), tree_digest(templates))


class Unhashable(TypeError):
    """A value whose content the fingerprint cannot see (a lambda, an open file…): never cached."""


class Fingerprint:
    """A stable hash of a value: the content of dataclasses, tuples, lists, dicts (in their order),
    strings, Decimals (exact text: 1.0 differs from 1), dates, Markup, paths; a function by its
    qualified name (its code is in `package_digest`). Anything else raises `Unhashable`, and the
    caller renders the file again. Containers are memoised by identity for one build, so an object
    shown on many pages (the rubric, a result) is hashed once."""

    def __init__(self, ignore: frozenset[str] = frozenset()) -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}
        self._ignore = ignore  # dataclass fields left out: only tests use it, to show a forgotten input is caught
        self._shapes: dict[type, tuple[bytes, tuple[tuple[str, bytes], ...]]] = {}

    def _shape(self, t: type) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
        """A dataclass type's tag and its fields (each with its encoded name), worked out once."""
        shape = self._shapes.get(t)
        if shape is None:
            names = tuple((f.name, self._enc(f.name)) for f in dataclasses.fields(t) if f.name not in self._ignore)
            shape = self._shapes[t] = (b"@" + f"{t.__module__}.{t.__qualname__}".encode(), names)
        return shape

    def __call__(self, value: object) -> str:
        return hashlib.sha256(self._enc(value)).hexdigest()

    def _enc(self, obj: object) -> bytes:
        t = type(obj)
        if obj is None:
            return b"N"
        if t is bool:
            return b"T" if obj else b"F"
        if t is int:
            return b"i%d;" % obj
        if t is str or t is Markup:
            raw = obj.encode("utf-8", "surrogatepass")
            return (b"s" if t is str else b"m") + b"%d:" % len(raw) + raw
        if t is Decimal or t is float:
            raw = (str(obj) if t is Decimal else repr(obj)).encode()
            return (b"d" if t is Decimal else b"f") + b"%d:" % len(raw) + raw
        if t is dt.date or t is dt.datetime:
            return (b"D" if t is dt.date else b"Z") + obj.isoformat().encode() + b";"
        if isinstance(obj, PurePath):
            raw = str(obj).encode("utf-8", "surrogatepass")
            return b"p%d:" % len(raw) + raw
        hit = self._memo.get(id(obj))
        if hit is not None:
            return hit[1]
        h = hashlib.sha256()
        if t is tuple or t is list:
            h.update(b"(" if t is tuple else b"[")
            for item in obj:
                h.update(self._enc(item))
        elif t is dict:
            h.update(b"{")
            for key, val in obj.items():
                h.update(self._enc(key))
                h.update(self._enc(val))
        elif t is frozenset or t is set:
            h.update(b"<")
            for enc in sorted(self._enc(item) for item in obj):
                h.update(enc)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            head, names = self._shape(t)
            h.update(head)
            for name in names:
                h.update(name[1])
                h.update(self._enc(getattr(obj, name[0])))
        elif hasattr(obj, "__fingerprint__"):
            h.update(b"!" + f"{t.__module__}.{t.__qualname__}".encode())
            h.update(self._enc(obj.__fingerprint__()))
        elif isinstance(obj, types.FunctionType) and obj.__closure__ is None and "<" not in obj.__qualname__:
            h.update(b"&" + f"{obj.__module__}.{obj.__qualname__}".encode())  # a module-level function
        else:
            raise Unhashable(f"{t.__module__}.{t.__qualname__}")
        enc = b"h" + h.digest()
        self._memo[id(obj)] = (obj, enc)
        return enc


# --- the page cache -----------------------------------------------------------------------------


def cache_lock(folder: Path) -> Lock:
    lock = folder / "lock"
    return Lock(
        lock,
        f"另一个生成过程正在使用缓存目录 {folder}（锁文件 {lock}）；请等它结束后再运行，"
        "或加 --no-cache，未写出任何文件",
    )


class PageCache:
    """Output files by key. `get` returns verified bytes or None; `put` stores; `save` keeps only what
    this build used."""

    def __init__(self, folder: Path | None, code: str = ""):
        self.folder = folder
        self.code = code  # code_digest of this build: part of every key
        self.entries: dict[str, list] = {}  # rel -> [key, sha256]
        self.fresh: dict[str, list] = {}
        self.reused = 0  # files taken from the cache by this build
        if folder is not None:
            self._load()

    def key(self, kind: str, rel: str, inputs: str) -> str:
        """The key of output `rel` made by `kind` (a template or a producer) from inputs (a Fingerprint)."""
        return digest(self.code, kind, rel, inputs)

    def _load(self) -> None:
        path = self.folder / MANIFEST
        try:
            body = unseal(path.read_bytes(), MANIFEST)
            if body is None:
                raise ValueError("manifest seal differs")
            raw = json.loads(body.decode("utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError("manifest format differs")
            entries = {
                k: v
                for k, v in raw["entries"].items()
                if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
            }
            if len(entries) != len(raw["entries"]):
                raise ValueError("malformed entry")
            self.entries = entries
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}  # not trusted: every file is made again

    def _object(self, key: str) -> Path:
        """Objects are stored under their key, not their content: the manifest can't point a key
        at another file's bytes, it only holds the SHA-256 those bytes must have."""
        return self.folder / "objects" / key[:2] / key[2:]

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
            data = self._object(key).read_bytes()
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
        obj = self._object(key)
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
        if self.folder is None:
            return
        doc = {"format": FORMAT, "entries": self.fresh}
        atomic_write(self.folder / MANIFEST, seal(json.dumps(doc, sort_keys=True).encode(), MANIFEST))
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


# --- validated sheets ---------------------------------------------------------------------------

_STATE: tuple | None = None  # inherited by forked parse workers
_DECIMALS: dict[str, Decimal] = {}


def _dec(text: str) -> Decimal:
    value = _DECIMALS.get(text)
    if value is None:
        value = _DECIMALS[text] = Decimal(text)
    return value


class LazyItems(Sequence):
    """A sheet's item scores, kept compact until first read."""

    __slots__ = ("_raw", "_items")

    def __init__(self, raw: tuple):
        self._raw, self._items = raw, None

    def _load(self) -> tuple[ItemScore, ...]:
        if self._items is None:
            self._items = tuple(ItemScore(*(_dec(v[1]) if type(v) is tuple else v for v in rec)) for rec in self._raw)
        return self._items

    def __fingerprint__(self) -> str:
        return repr(self._raw)  # the exact data, without materialising the items

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self):
        return iter(self._load())

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return repr(self._load())


_SHEET_FIELDS = tuple(f.name for f in dataclasses.fields(Sheet))
_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(ItemScore))


def _pack(value):
    """Plain data for marshal: every field of every record, whatever fields the models gain."""
    t = type(value)
    if t is Decimal:
        return ("d", str(value))
    if t is dt.date:
        return ("D", value.toordinal())
    if t is tuple or isinstance(value, Sequence) and t is not str:
        return ("t", tuple(_pack(v) for v in value))
    if dataclasses.is_dataclass(value):
        return ("@", type(value).__name__, tuple(_pack(getattr(value, f.name)) for f in dataclasses.fields(value)))
    return value


_RECORDS = {"Veto": Veto, "ItemScore": ItemScore}
_PATH, _DIGEST = _SHEET_FIELDS.index("path"), _SHEET_FIELDS.index("digest")


def _unpack(value):
    if type(value) is not tuple:
        return value
    tag = value[0]
    if tag == "d":
        return _dec(value[1])
    if tag == "D":
        return dt.date.fromordinal(value[1])
    if tag == "t":
        return tuple(_unpack(v) for v in value[1])
    if tag == "@":
        return _RECORDS[value[1]](*(_unpack(v) for v in value[2]))
    raise ValueError(f"unknown tag {tag!r}")


def _compact(sheet: Sheet) -> tuple:
    """A sheet as plain data; its items as one flat tuple each (Decimals as ("d", text))."""
    return tuple(
        tuple(
            tuple(("d", str(v)) if type(v) is Decimal else v for v in (getattr(i, n) for n in _ITEM_FIELDS))
            for i in sheet.items
        )
        if name == "items"
        else _pack(getattr(sheet, name))
        for name in _SHEET_FIELDS
    )


def _expand(rec: tuple) -> Sheet:
    if len(rec) != len(_SHEET_FIELDS):
        raise ValueError("a record of another shape")
    fields = {
        name: (LazyItems(value) if name == "items" else _unpack(value)) for name, value in zip(_SHEET_FIELDS, rec)
    }
    return Sheet(**fields)


def _parse_in_worker(path: Path) -> tuple[tuple | None, list[Problem]]:
    parse = _STATE
    problems = Problems()
    sheet = parse(path, problems)
    return (_compact(sheet) if sheet else None), problems.items


def load_sheets(
    sheet_paths: list[Path],
    parse: Callable[[Path, Problems], Sheet | None],
    rel: Callable[[Path], str],
    problems: Problems,
    context_bytes: bytes,
    cache_file: Path | None,
    workers: int,
) -> list[Sheet]:
    """Every sheet, through `parse(path, problems)` unless a validated copy of exactly these bytes
    (with this rubric, roster and code: `context_bytes` and the package) is cached."""
    key = hashlib.sha256(context_bytes).hexdigest()
    cached = read_cache(cache_file, key) if cache_file else {}
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sheet_paths}
    found: dict[Path, tuple] = {}
    todo = []
    for p in sheet_paths:
        rec = cached.get((p.name, digests[p]))
        if (
            isinstance(rec, tuple)
            and len(rec) == len(_SHEET_FIELDS)
            and rec[_PATH] == rel(p)
            and rec[_DIGEST] == digests[p]
        ):
            found[p] = rec
        else:
            todo.append(p)
    if workers > 1 and len(todo) >= 200:
        global _STATE
        _STATE = parse
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_parse_in_worker, todo, chunksize=32)
        finally:
            _STATE = None
        for p, (rec, items) in zip(todo, results):
            problems.items.extend(items)
            if rec:
                found[p] = rec
    else:
        for p in todo:
            sheet = parse(p, problems)
            if sheet:
                found[p] = _compact(sheet)
    if cache_file and todo and not problems:
        write_cache(cache_file, key, {(p.name, digests[p]): rec for p, rec in found.items()})
    sheets = []
    for p in sheet_paths:
        if p in found:
            try:
                sheets.append(_expand(found[p]))
            except (TypeError, ValueError, OverflowError, KeyError, IndexError):  # malformed: parse it
                sheet = parse(p, problems)
                if sheet:
                    sheets.append(sheet)
    return sheets


def read_cache(cache_file: Path, key: str) -> dict:
    """The entries stored under `key` (and this package's code), or {} for anything doubtful."""
    try:
        body = unseal(cache_file.read_bytes(), cache_file.name)
        if body is None:
            return {}
        doc_key, entries = marshal.loads(body)
        return dict(entries) if doc_key == digest(package_digest(), key) else {}
    except Exception:  # noqa: BLE001 - a cache file missing, truncated or foreign in any way is not trusted
        return {}


def write_cache(cache_file: Path, key: str, entries: dict) -> None:
    if cache_secret() is None:
        return  # no key: nothing can be sealed, so nothing is kept
    body = marshal.dumps((digest(package_digest(), key), sorted(entries.items())))
    atomic_write(cache_file, seal(body, cache_file.name))
