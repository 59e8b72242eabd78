"""The hashes cache keys are made of: of bytes (`digest`), of a folder (`tree_digest`), of the
package's own code (`package_digest`), and of any value a page or a data file is made from
(`Fingerprint`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import types
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from markupsafe import Markup

PACKAGE = Path(__file__).resolve().parents[1]


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def tree_digest(folder: Path, pattern: str = "*") -> str:
    """Hash of every file under folder matching `pattern` (paths and bytes), in sorted order."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        rel = path.relative_to(folder).as_posix().encode()
        h.update(len(rel).to_bytes(8, "big") + rel)
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def package_digest(package: Path = PACKAGE) -> str:
    """The package's own code: every source file under site_builder/ (a change without a version
    bump still changes it)."""
    return tree_digest(package, "*.py")


def code_digest(package: str, templates: Path) -> str:
    """What every cached output depends on besides its own inputs: the package (its digest) and the
    templates."""
    return digest(package, tree_digest(templates))


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

    def _enc(self, obj: Any) -> bytes:
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
