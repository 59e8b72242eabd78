"""Publishing (`build --publish`): the ledgers as this publication leaves them, each year with a
new entry where something new is published; the entry's files filled in once the site is written;
the ledgers written back into the data and into the site."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from site_builder.common import urls
from site_builder.domain import objections
from site_builder.domain.corrections import CORRECTIONS_FILE
from site_builder.domain.facts import to_text
from site_builder.domain.models import Objection, SiteInput, YearData
from site_builder.record.ledger import (
    LEDGER_FILE,
    Entry,
    Ledger,
    ObjectionRecord,
    entry_hash,
    of_year,
    sha,
    split_files,
)
from site_builder.record.state import published_state

T = TypeVar("T")


def input_hashes(data: YearData, scores: Path, rubric_dir: Path, root_rel: Callable[[Path], str]) -> dict[str, str]:
    year_dir = scores / str(data.year)
    files = [rubric_dir / f"{data.year}.yaml"] + [
        year_dir / n for n in ("roster.yaml", "status.yaml", CORRECTIONS_FILE, *objections.LEDGER_FILES)
    ]
    out = {root_rel(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    out.update({s.path: s.digest for s in data.sheets})
    return dict(sorted(out.items()))


def _objection_record(o: Objection) -> ObjectionRecord:
    return {
        "number": o.number,
        "received_on": o.received_on.isoformat(),
        "institution": o.institution,
        "outcome": o.outcome,
        "sha256": o.digest,
        "fixed_sha256": o.fixed_digest,
    }


def propose(
    site: SiteInput,
    inputs: dict[int, dict[str, str]],
    force: frozenset[int] = frozenset(),
    years: Collection[int] | None = None,
) -> SiteInput:
    """The ledgers as this publication leaves them: a new entry for each year published (`years`,
    default all) whose published content or corrections changed (or whose files did: `force`); its
    files are filled in later. A year not published keeps its ledger as it is."""
    ledgers: dict[int, Ledger] = {}
    for rep in site.reports:
        data = rep.data
        old = of_year(site.ledgers, data.year) or Ledger(data.year)
        if years is not None and data.year not in years:
            ledgers[data.year] = replace(old, new_entry=False)
            continue
        state = to_text(published_state(data))
        new_corrections = data.corrections[len(old.included) :]
        records = [_objection_record(o) for o in data.objections]
        recorded = old.objections or []
        if (
            old.entries
            and not new_corrections
            and sha(state) == old.entries[-1]["state_sha256"]
            and records == recorded
            and data.year not in force
        ):
            ledgers[data.year] = replace(old, new_entry=False)
            continue
        last = old.entries[-1] if old.entries else None
        if last is None:
            first_day = data.status.published_on or data.status.approved_on
            if first_day is None:  # only approved data is published, and approved data has both dates
                raise ValueError(f"{data.year}: published without a date")
            date = first_day.isoformat()
        else:
            date = max([last["date"]] + [c.date.isoformat() for c in new_corrections])
        entry: Entry = {
            "n": len(old.entries) + 1,
            "date": date,
            "previous": sha(last) if last else None,
            "corrections": [
                {
                    "number": c.number,
                    "date": c.date.isoformat(),
                    "kind": c.kind,
                    "institution": c.institution,
                    "sha256": c.digest,
                }
                for c in new_corrections
            ],
            "inputs": inputs[data.year],
            "state_sha256": sha(state),
            "hash": "",
            "files": {},
        }
        if records:
            entry["objections"] = records
        entry["hash"] = entry_hash(entry)
        ledgers[data.year] = replace(old, entries=old.entries + [entry], published=state, new_entry=True)
    return replace(site, ledgers=ledgers)


def _recorded(site: SiteInput, written: dict[str, str]) -> tuple[dict[int, dict[str, str]], dict[str, str]]:
    """The files written, by published year and shared. A year never published (a draft beside a
    published one) has no entry to record its folder: its files are shared ones, recorded in the
    `site_files` of the publication that carried them (every published byte is recorded)."""
    return split_files(written, [y for y, ledger in site.ledgers.items() if ledger.entries])


def held_back(site: SiteInput, inputs: dict[int, dict[str, str]], years: Collection[int]) -> list[int]:
    """The years not being published (`years` leaves them out) that were published before and now
    have something new to publish (corrections, objections, changed content): publishing the others
    alone would leave their pages other than their ledger records, so they must be published too."""
    others = [y for y, ledger in site.ledgers.items() if y not in years and ledger.entries]
    if not others:
        return []
    proposed = propose(site, inputs, years=others)
    return sorted(y for y in others if (ledger := of_year(proposed.ledgers, y)) is not None and ledger.new_entry)


def stale_years(site: SiteInput, written: dict[str, str], years: Collection[int] | None = None) -> list[int]:
    """Publishing: the years whose last entry, left by an earlier publication, records other files
    than those just written (new templates or code, the data unchanged). Each needs a new entry
    (`propose(..., force=...)`), and the pages its head: the site is written again.
    The shared files (`site_files`) too: when no year gets a new entry and the shared files just
    written are those no year's last entry records (or the entries are older than `site_files`),
    the latest year published (of `years`, default all) gets one. A year not published that has no
    entry is not stale: nothing of it is recorded."""
    by_year, shared = _recorded(site, written)
    stale, fresh = [], False
    recorded_shared = []
    chosen = [rep.data.year for rep in site.reports if years is None or rep.data.year in years]
    for rep in site.reports:
        year = rep.data.year
        ledger = of_year(site.ledgers, year) or Ledger(year)
        if not ledger.entries and year not in chosen:
            continue
        if ledger.new_entry:
            fresh = True
            continue
        if ledger.entries[-1]["files"] != by_year[year]:
            stale.append(year)
        recorded_shared.append(ledger.entries[-1].get("site_files"))
    if not stale and not fresh and chosen and shared not in recorded_shared:
        stale.append(chosen[-1])
    return stale


def output_files(site: SiteInput, written: dict[str, str], publish_mode: bool) -> dict[str, bytes]:
    """`<year>/data/ledger.json` for every year. Publishing, the new entries get the files just
    written, their year's (`files`) and the shared ones (`site_files`); none of the years is
    `stale_years`."""
    by_year, shared = _recorded(site, written)
    out = {}
    for rep in site.reports:
        year = rep.data.year
        ledger = of_year(site.ledgers, year) or Ledger(year)
        if publish_mode and ledger.new_entry:
            ledger.entries[-1]["files"] = by_year[year]
            ledger.entries[-1]["site_files"] = shared
        out[urls.data_file(year, LEDGER_FILE)] = ledger.to_json()
    return out


def record_paths(site: SiteInput, scores: Path) -> dict[Path, bytes | None]:
    """Where `build --publish` writes each year's ledger (absolute paths), before their bytes are
    known: they record the files the build writes (see `record_files`)."""
    return {
        (scores / str(year) / LEDGER_FILE).resolve(): None
        for year, ledger in sorted(site.ledgers.items())
        if ledger.entries  # a year never published has no record
    }


def record_files(site: SiteInput, scores: Path) -> dict[Path, bytes]:
    """What `build --publish` writes back into the data: each year's ledger (path → bytes)."""
    out: dict[Path, bytes] = {}
    for year in sorted(site.ledgers):
        ledger = of_year(site.ledgers, year)
        if ledger is not None and ledger.entries:  # a year never published has no record
            out[(scores / str(year) / LEDGER_FILE).resolve()] = ledger.to_json()
    return out
