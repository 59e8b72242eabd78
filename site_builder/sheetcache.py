"""Reading many score sheets fast: validated sheets cached by content, the rest parsed in parallel.

A sheet is only reused when its bytes, the rubric's and the roster's bytes and the package version
are all unchanged. The cache file carries a checksum; anything wrong with it means it is ignored.
Invalid sheets are never cached: they are parsed and reported on every run.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
from pathlib import Path

from site_builder import __version__
from site_builder.errors import Problem, Problems
from site_builder.models import Roster, Rubric, Sheet

_STATE: tuple | None = None  # inherited by forked workers


def _parse_in_worker(path: Path) -> tuple[Sheet | None, list[Problem]]:
    from site_builder.loader import load_sheet

    rubric, roster, paths = _STATE
    problems = Problems()
    sheet = load_sheet(path, rubric, roster, paths, problems)
    return sheet, problems.items


def load_sheets(sheet_paths: list[Path], rubric: Rubric, roster: Roster, paths, problems: Problems,
                context_bytes: bytes, cache_file: Path | None, workers: int) -> list[Sheet]:
    from site_builder.loader import load_sheet

    key = hashlib.sha256(__version__.encode() + b"\0" + context_bytes).hexdigest()
    cached = _read(cache_file, key) if cache_file else {}
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sheet_paths}
    found: dict[Path, Sheet] = {}
    todo = []
    for p in sheet_paths:
        hit = cached.get((p.name, digests[p]))
        if hit is not None and hit.path == paths.rel(p):
            found[p] = hit
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
        for p, (sheet, items) in zip(todo, results):
            problems.items.extend(items)
            if sheet:
                found[p] = sheet
    else:
        for p in todo:
            sheet = load_sheet(p, rubric, roster, paths, problems)
            if sheet:
                found[p] = sheet
    if cache_file and todo and not problems:
        _write(cache_file, key, {(p.name, digests[p]): s for p, s in found.items()})
    return [found[p] for p in sheet_paths if p in found]


def _read(cache_file: Path, key: str) -> dict:
    try:
        raw = cache_file.read_bytes()
        checksum, body = raw[:64].decode(), raw[64:]
        if hashlib.sha256(body).hexdigest() != checksum:
            return {}
        doc = pickle.loads(body)
        return doc["sheets"] if doc.get("key") == key else {}
    except Exception:  # missing, truncated or foreign: not trusted
        return {}


def _write(cache_file: Path, key: str, sheets: dict) -> None:
    body = pickle.dumps({"key": key, "sheets": sheets}, protocol=pickle.HIGHEST_PROTOCOL)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_name(cache_file.name + ".tmp")
    tmp.write_bytes(hashlib.sha256(body).hexdigest().encode() + body)
    os.replace(tmp, cache_file)
