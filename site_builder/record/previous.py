"""The evidence of earlier publications checked against the ledgers before anything is written: the
previous publication (a site folder: `--previous`, the output folder, the default output/), and the
ledgers of the project's last git commit. None may show a publication the repo's ledgers do not
hold, nor others, or the record was lost or rewritten: publishing then would start a new history.
And which publications a site folder is exactly (`publications_in`: a preview build replacing one is named)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from site_builder.domain.models import PublicationRecord
from site_builder.errors import Problems
from site_builder.record.ledger import HEAD_LEN, LEDGER_FILE, of_year, split_files

HEAD_MARK = re.compile(r'data-ledger-head="([0-9a-f]{12})"')
"""How a page shows the ledger head (templates/base.html)."""
GIT_SECONDS = 10


def publications_in(files: Mapping[str, str], ledgers: Mapping[int, PublicationRecord]) -> list[tuple[int, int]]:
    """The publications a site (its files, path -> SHA-256, as the tool's manifest lists them) is
    exactly: (year, number) of each year whose folder holds the files its latest entry records,
    with the shared files of one of the latest entries (where they record them); [] when the site
    is not, or no longer, an official publication (a preview build, a draft, a later change)."""
    latest = {y: e.entries[-1] for y in ledgers if (e := of_year(ledgers, y)) is not None and e.entries}
    if not latest:
        return []
    by_year, shared = split_files(files, sorted(latest))
    recorded_shared = [e["site_files"] for e in latest.values() if "site_files" in e]
    if recorded_shared and shared not in recorded_shared:
        return []
    return [(y, e["n"]) for y, e in sorted(latest.items()) if by_year[y] == e["files"]]


def check_history(
    sites: Iterable[Path],
    scores: Path,
    ledgers: Mapping[int, PublicationRecord],
    problems: Problems,
    rel: Callable[[Path], str],
) -> None:
    """Every evidence of an earlier publication the tool can check, against the repo's ledgers: each
    site folder of `sites` that exists (`check_previous`; the same folder once), and each year's
    ledger as the last git commit holds it (`check_committed`, when the data is in a git work tree
    and git is installed)."""
    seen: set[str] = set()
    for site in sites:
        key = os.path.realpath(site)
        if key not in seen:
            seen.add(key)
            check_previous(site, ledgers, problems, rel)
    check_committed(scores, ledgers, problems, rel)


def check_committed(
    scores: Path, ledgers: Mapping[int, PublicationRecord], problems: Problems, rel: Callable[[Path], str]
) -> None:
    """Each year's ledger as the project's last git commit (HEAD) holds it must be the start of the
    repo's: a ledger deleted, or replaced by a shorter or another chain, is refused. Without git, a
    git work tree or a committed ledger there is nothing to compare, and nothing is said."""
    years = {y for y in ledgers} | {
        int(p.name) for p in (scores.iterdir() if scores.is_dir() else []) if re.fullmatch(r"\d{4}", p.name)
    }
    for year in sorted(years):
        folder = scores / str(year)
        committed = _committed_hashes(folder)
        if not committed:
            continue
        mine = of_year(ledgers, year)
        have = [e["hash"] for e in mine.entries] if mine else []
        repo_rel = mine.rel if mine else rel(folder / LEDGER_FILE)
        _compare(have, committed, repo_rel, "版本库最近一次提交", "git HEAD", problems)


def _committed_hashes(folder: Path) -> list[str]:
    """The entries' hashes of `folder`'s ledger.json in the last commit, or [] (no git, no work
    tree, no commit, no such file, or not a ledger)."""
    if not folder.is_dir():
        return []
    try:
        shown = subprocess.run(
            ["git", "-C", str(folder), "show", f"HEAD:./{LEDGER_FILE}"],
            capture_output=True,
            timeout=GIT_SECONDS,
            check=False,
            env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.SubprocessError):  # git not installed, or hanging
        return []
    if shown.returncode != 0:
        return []
    try:
        entries = json.loads(shown.stdout.decode("utf-8-sig"))["entries"]
        hashes = [e["hash"] for e in entries]
    except (ValueError, KeyError, TypeError, RecursionError):
        return []
    return [h for h in hashes if isinstance(h, str)]


def _compare(
    have: Sequence[Any],
    theirs: Sequence[Any],
    repo_rel: str,
    name: str,
    where: str,
    problems: Problems,
    hash_of: Callable[[Any], Any] = lambda h: h,
) -> None:
    """The repo's ledger (`have`: hashes, or entries with `hash_of` giving their hash) must begin
    with what the evidence `theirs` shows, entry for entry."""
    restore = f"已发布的记录不能丢失或改写；请从版本库恢复 {repo_rel}（git checkout -- {repo_rel}）"
    if not theirs:
        return
    if not have:
        problems.add(repo_rel, f"发布记录不见了，但{name}（{where}）已有 {len(theirs)} 次发布；{restore}")
    elif len(have) < len(theirs):
        problems.add(
            repo_rel,
            f"发布记录只有 {len(have)} 次发布，少于{name}（{where}）所示的 {len(theirs)} 次；{restore}",
        )
    else:
        for n, (mine, their) in enumerate(zip(have, theirs), start=1):
            if mine != their:
                problems.add(
                    repo_rel,
                    f"发布记录的第 {n} 次发布（校验码 {str(hash_of(mine))[:HEAD_LEN]}）与{name}"
                    f"（{where}，校验码 {str(hash_of(their))[:HEAD_LEN]}）不同；{restore}",
                )
                break


def check_previous(
    previous: Path, ledgers: Mapping[int, PublicationRecord], problems: Problems, rel: Callable[[Path], str]
) -> None:
    """Refuse to go on when the previous publication (a site folder) shows more publications than
    the repo's ledgers hold, or others: the record was lost or rewritten."""
    if not previous.is_dir():
        return
    for year_dir in sorted(p for p in previous.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        year = int(year_dir.name)
        mine = of_year(ledgers, year)
        have = mine.entries if mine else []
        repo_rel = mine.rel if mine else f"scores/{year}/{LEDGER_FILE}"
        published = year_dir / "data" / LEDGER_FILE
        shown = rel(published)
        restore = f"已发布的记录不能丢失或改写；请从版本库恢复 {repo_rel}（git checkout -- {repo_rel}）"
        if not published.is_file():
            page = year_dir / "index.html"
            head = None
            if page.is_file():
                m = HEAD_MARK.search(page.read_text(encoding="utf-8", errors="replace"))
                head = m.group(1) if m else None
            if head and not any(e["hash"].startswith(head) for e in have):
                problems.add(
                    repo_rel,
                    f"上一次发布的网站（{rel(page)}）显示发布记录校验码 {head}，但发布记录中没有这一次发布；{restore}",
                )
            continue
        try:
            doc = json.loads(published.read_bytes().decode("utf-8-sig"))
            entries = doc["entries"]
            hashes = [e["hash"] for e in entries]
            if not all(isinstance(h, str) for h in hashes):
                raise TypeError("an entry's hash is no text")
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            problems.add(shown, "上一次发布的网站中的发布记录无法读取；请用 --previous 指定一份完好的已发布网站副本")
            continue
        _compare(have, entries, repo_rel, "上一次发布的网站", shown, problems, lambda e: e.get("hash"))
