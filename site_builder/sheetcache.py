"""Reading many score sheets fast: validated sheets cached by content, the rest parsed in parallel.

A sheet is only reused when its bytes, the rubric's and the roster's bytes and the package version
are all unchanged. The cache is plain data (marshal, no code), with a checksum; anything wrong with
it means it is ignored. Invalid sheets are never cached: they are parsed and reported on every run.
A cached sheet's items are materialised only when something reads them (a page being rendered);
scoring uses the section subtotals kept beside them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import multiprocessing
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from site_builder import __version__
from site_builder.errors import Problem, Problems
from site_builder.models import ItemScore, Roster, Rubric, Sheet, Veto
from site_builder.output import atomic_write

_STATE: tuple | None = None  # inherited by forked workers
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
            self._items = tuple(ItemScore(i, _dec(s), r, None if x is None else _dec(x)) for i, s, r, x in self._raw)
            self._raw = None
        return self._items

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


def _compact(sheet: Sheet) -> tuple:
    return (sheet.institution, sheet.assessed_on.toordinal(), sheet.senior_levels, sheet.online_exam,
            tuple((i.indicator, str(i.score), i.reason, None if i.self_score is None else str(i.self_score))
                  for i in sheet.items),
            tuple((v.indicator, v.evidence) for v in sheet.veto), sheet.path, sheet.digest,
            tuple((n, str(v)) for n, v in sheet.section_sums))


def _expand(rec: tuple) -> Sheet:
    inst, day, senior, online, items, veto, path, dig, sums = rec
    return Sheet(inst, dt.date.fromordinal(day), senior, online, LazyItems(items),
                 tuple(Veto(i, e) for i, e in veto), path, dig, tuple((n, _dec(v)) for n, v in sums))


def _parse_in_worker(path: Path) -> tuple[tuple | None, list[Problem]]:
    from site_builder.loader import load_sheet

    rubric, roster, paths = _STATE
    problems = Problems()
    sheet = load_sheet(path, rubric, roster, paths, problems)
    return (_compact(sheet) if sheet else None), problems.items


def load_sheets(sheet_paths: list[Path], rubric: Rubric, roster: Roster, paths, problems: Problems,
                context_bytes: bytes, cache_file: Path | None, workers: int) -> list[Sheet]:
    from site_builder.loader import load_sheet

    key = hashlib.sha256(__version__.encode() + b"\0" + context_bytes).hexdigest()
    cached = read_cache(cache_file, key) if cache_file else {}
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sheet_paths}
    found: dict[Path, tuple] = {}
    todo = []
    for p in sheet_paths:
        rec = cached.get((p.name, digests[p]))
        if rec is not None and rec[6] == paths.rel(p):
            found[p] = rec
        else:
            todo.append(p)
    if workers > 1 and len(todo) >= 200:
        global _STATE
        _STATE = (rubric, roster, paths)
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
            sheet = load_sheet(p, rubric, roster, paths, problems)
            if sheet:
                found[p] = _compact(sheet)
    if cache_file and todo and not problems:
        write_cache(cache_file, key, {(p.name, digests[p]): rec for p, rec in found.items()})
    return [_expand(found[p]) for p in sheet_paths if p in found]


def read_cache(cache_file: Path, key: str) -> dict:
    try:
        raw = cache_file.read_bytes()
        checksum, body = raw[:64].decode(), raw[64:]
        if hashlib.sha256(body).hexdigest() != checksum:
            return {}
        doc_key, entries = marshal.loads(body)
        return dict(entries) if doc_key == key else {}
    except Exception:  # missing, truncated or foreign: not trusted
        return {}


def write_cache(cache_file: Path, key: str, entries: dict) -> None:
    body = marshal.dumps((key, sorted(entries.items())))
    atomic_write(cache_file, hashlib.sha256(body).hexdigest().encode() + body)
