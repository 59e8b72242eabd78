"""Validated sheets kept between builds: plain data (marshal, no code) in a sealed file (one a year)
of the cache folder, keyed by the file's bytes, the rubric's and roster's bytes and the package's
code. Invalid sheets are never cached."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from site_builder.common.processes import map_forked
from site_builder.domain.models import Sheet
from site_builder.errors import Problem, Problems
from site_builder.storage.records import Decimals, Record, describes, pack_sheet, unpack_sheet
from site_builder.storage.sealed import EntriesFile

PARALLEL_FROM = 200  # sheets to parse before it is worth forking processes for them


def load_sheets(
    sheet_paths: list[Path],
    parse: Callable[[Path, Problems], Sheet | None],
    rel: Callable[[Path], str],
    problems: Problems,
    context_bytes: bytes,
    cache: EntriesFile | None,
    workers: int,
) -> list[Sheet]:
    """Every sheet, through `parse(path, problems)` unless a validated copy of exactly these bytes
    (with this rubric, roster and code: `context_bytes` and the package) is kept in `cache`."""
    key = hashlib.sha256(context_bytes).hexdigest()
    cached = cache.read(key) if cache else {}
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sheet_paths}
    found: dict[Path, Record] = {}
    todo = []
    for p in sheet_paths:
        rec = cached.get((p.name, digests[p]))
        if describes(rec, rel(p), digests[p]):
            found[p] = rec
        else:
            todo.append(p)
    for p, (parsed, items) in zip(
        todo, map_forked(lambda p: _parse(parse, p), todo, workers, min_items=PARALLEL_FROM, chunk=32)
    ):
        problems.items.extend(items)
        if parsed:
            found[p] = parsed
    if cache and todo and not problems:
        cache.write(key, {(p.name, digests[p]): rec for p, rec in found.items()})
    sheets = []
    decimals = Decimals()
    for p in sheet_paths:
        if p in found:
            try:
                sheets.append(unpack_sheet(found[p], decimals))
            except (TypeError, ValueError, OverflowError, KeyError, IndexError):  # malformed: parse it
                sheet = parse(p, problems)
                if sheet:
                    sheets.append(sheet)
    return sheets


def _parse(parse: Callable[[Path, Problems], Sheet | None], path: Path) -> tuple[Record | None, list[Problem]]:
    """One sheet parsed (in a worker process when there are many), as plain data, with its problems."""
    problems = Problems()
    sheet = parse(path, problems)
    return (pack_sheet(sheet) if sheet else None), problems.items
