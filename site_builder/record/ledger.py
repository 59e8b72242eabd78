"""The publication ledger: `scores/<year>/ledger.json`, an append-only, hash-chained record of
every publication of a year, committed with the data and published as `<year>/data/ledger.json`.
This module is the document itself: its fields, its hashes and its bytes. Reading and checking it
is `chain` (its shape: `shape`), what it records `state`, the checks of the data against it
`reconcile` and of a previous publication `previous`, making a new entry `publishing`.

Each entry (one `build --publish` that published something new) holds:

- `n`, `date` (the first publication: the status's `published_on`; later ones: the date of the
  newest correction they include), `previous` (SHA-256 of the whole previous entry, null for the
  first), `corrections` (the corrections it newly includes, each with the SHA-256 of its text),
  `inputs` (SHA-256 of the year's data files: rubric, roster, status, sheets, corrections, objections),
  `state_sha256` (SHA-256 of everything published, see `state.published_state`), `hash`;
- `files`: the SHA-256 of every file of the year in SHA256SUMS (`<year>/…`, the ledger itself
  excepted). `hash` covers every field but `files` and itself: every page of the year shows the
  first 12 hex digits of the last entry's hash (the ledger head), so the pages cannot be part of it.
  The next entry's `previous` covers the whole entry, files included.
- `site_files` (format 1, added later: an entry without it was written before): the SHA-256 of every
  other file of the publication, outside the published years' folders (home page, about, assets,
  feed, sitemap, robots.txt, the save list, and the folder of a year not published yet, a draft), SHA256SUMS and the output marker excepted. Every entry a
  publication makes records the same `site_files`; a copy's shared files must be exactly those one
  of its years' last entries records (`shared_of`). Like `files`, it is outside `hash`. An old
  entry without it records only its year's files: its shared files are checked by the rebuild
  alone, and the next `build --publish` adds an entry that records them (`publishing.stale_years`).

The document also holds `published`: everything published as of the last entry (scores, veto
findings, reasons, evidence, names and roster status, the rubric's rules, maxima and grade bands,
the announcement's dates), one key per fact (`domain.facts.FactKey`). A build starts from it,
applies the corrections made since, and must arrive exactly at the current data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import (
    Literal,
    NotRequired,  # pydantic reads TypedDicts from here before Python 3.12
)

from typing_extensions import TypedDict

from site_builder.common import urls
from site_builder.domain.facts import Fact, FactKey, from_text
from site_builder.domain.models import PublicationRecord
from site_builder.storage.outdir import MARKER

LEDGER_FILE = "ledger.json"
FORMAT: Literal[1] = 1
ENTRY_KEYS = ("n", "date", "previous", "corrections", "inputs", "state_sha256", "hash", "files")
OPTIONAL_ENTRY_KEYS = ("objections", "site_files")
"""`objections`: every objection published by the entry (number, received_on, institution, outcome,
the SHA-256 of the entry as written and of its fixed fields); only where the year has objections."""
OBJECTION_RECORD_KEYS = ("number", "received_on", "institution", "outcome", "sha256", "fixed_sha256")
HEAD_LEN = 12


class CorrectionRecord(TypedDict):
    """A correction as an entry records it."""

    number: int
    date: str
    sha256: str  # of the corrections.yaml entry as written
    kind: NotRequired[str]
    institution: NotRequired[str | None]


class ObjectionRecord(TypedDict):
    """An objection as an entry records it (`OBJECTION_RECORD_KEYS`)."""

    number: int
    received_on: str
    institution: str
    outcome: str
    sha256: str  # of the objections.yaml entry as written
    fixed_sha256: str  # of its fields that never change once published


class Entry(TypedDict):
    """One publication (`ENTRY_KEYS`, and `objections` where the year has any)."""

    n: int
    date: str
    previous: str | None
    corrections: list[CorrectionRecord]
    inputs: dict[str, str]
    state_sha256: str
    hash: str
    files: dict[str, str]
    objections: NotRequired[list[ObjectionRecord]]
    site_files: NotRequired[dict[str, str]]


class LedgerDoc(TypedDict):
    """ledger.json."""

    format: Literal[1]  # FORMAT
    year: int
    entries: list[Entry]
    published: dict[str, Fact]


def canonical(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha(obj: object) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def entry_hash(entry: Entry) -> str:
    """The entry's own hash: every field but `files` (see the module doc) and `hash`."""
    return sha({k: v for k, v in entry.items() if k not in ("hash", "files", "site_files")})


UNRECORDED = (urls.CHECKSUMS, MARKER)
"""Files of a site no entry records: the checksums (derived from the files) and the output marker
(the build's, not a published file: a saved copy need not hold it)."""


def year_of(path: str, years: Collection[int]) -> int | None:
    """The year whose folder holds a site file (None: a shared file)."""
    first = path.split("/", 1)[0]
    return int(first) if "/" in path and first.isdigit() and int(first) in years else None


def is_ledger(path: str) -> bool:
    """A year's published ledger (`<year>/data/ledger.json`): checked by its chain, not recorded."""
    parts = path.split("/")
    return len(parts) == 3 and parts[0].isdigit() and parts[1:] == ["data", LEDGER_FILE]


def split_files(files: Mapping[str, str], years: Collection[int]) -> tuple[dict[int, dict[str, str]], dict[str, str]]:
    """A site's files (path -> SHA-256) as entries record them: by year (`files`, for `years`: the
    years published, those with an entry) and the shared ones (`site_files`: every other file,
    a folder of a year never published included); the ledgers and `UNRECORDED` left out."""
    by_year: dict[int, dict[str, str]] = {y: {} for y in years}
    shared: dict[str, str] = {}
    for path, digest in sorted(files.items()):
        if path in UNRECORDED or is_ledger(path):
            continue
        year = year_of(path, years)
        (shared if year is None else by_year[year])[path] = digest
    return by_year, shared


@dataclass
class Ledger:
    year: int
    entries: list[Entry] = field(default_factory=list)
    published: dict[str, Fact] = field(default_factory=dict)  # the state as of the last entry, as the file keys it
    rel: str = ""
    new_entry: bool = False  # the last entry is being made by this build (its files are filled in)

    @property
    def head(self) -> str | None:
        """The ledger head shown on every page: the first 12 hex digits of the last entry's hash."""
        return self.entries[-1]["hash"][:HEAD_LEN] if self.entries else None

    @property
    def included(self) -> list[CorrectionRecord]:
        """Every correction the published entries include, in order."""
        return [c for e in self.entries for c in e["corrections"]]

    @property
    def objections(self) -> list[ObjectionRecord] | None:
        """The objections the latest entry that records them holds (None: no entry does)."""
        return next((e["objections"] for e in reversed(self.entries) if "objections" in e), None)

    @cached_property
    def facts(self) -> dict[FactKey, Fact]:
        """`published` by typed key (read once; NotAKey for a key that is no fact's)."""
        return from_text(self.published)

    def to_json(self) -> bytes:
        doc: LedgerDoc = {"format": FORMAT, "year": self.year, "entries": self.entries, "published": self.published}
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def of_year(ledgers: Mapping[int, PublicationRecord], year: int) -> Ledger | None:
    """A year's ledger, as the site's input holds it (the domain layer knows it only by what the
    pages show of it)."""
    ledger = ledgers.get(year)
    if ledger is not None and not isinstance(ledger, Ledger):
        raise TypeError(f"{year}: not a publication ledger: {type(ledger).__name__}")
    return ledger
