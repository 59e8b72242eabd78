"""Reading a ledger and checking its chain: each entry numbered in turn, holding the hash of the one
before it and its own, dated no earlier than the one before; the corrections it includes numbered
in turn; `published` as the last entry's hash of it says. Every problem is reported, never raised."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from site_builder.domain.facts import NotAKey
from site_builder.errors import Problems
from site_builder.read.datafile import load_json
from site_builder.record.ledger import HEAD_LEN, Entry, Ledger, entry_hash, sha
from site_builder.record.shape import key_problem, ledger_problem


def restore_hint(rel: str) -> str:
    return "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- " + rel + "）"


def read_ledger(path: Path, rel: str, year: int, problems: Problems) -> Ledger | None:
    """Read a ledger; report (never raise) a file of the wrong shape or a broken chain."""
    restore = restore_hint(rel)
    doc, problem = load_json(path)
    if problem:
        problems.add(rel, f"发布记录无法读取：{problem}；{restore}")
        return None
    shape = ledger_problem(doc, year)
    if shape:
        problems.add(rel, f"发布记录格式不对：{shape}；{restore}")
        return None
    entries = cast(list[Entry], doc["entries"])  # of the shape `Entry` gives: checked just above
    ledger = Ledger(year, entries, doc["published"], rel)
    try:
        ledger.facts  # noqa: B018 - each key read once, here, where a key that is no fact's is reported
    except NotAKey as exc:
        problems.add(rel, f"发布记录格式不对：{key_problem(exc.text)}；{restore}")
        return None
    before = len(problems.items)
    previous: Entry | None = None
    for n, e in enumerate(ledger.entries, start=1):
        if e["n"] != n:
            problems.add(rel, f"第 {n} 个发布条目的序号为 {e['n']}；发布条目只能依次追加；{restore}")
        want_prev = sha(previous) if previous is not None else None
        if e["previous"] != want_prev:
            problems.add(
                rel,
                f"第 {n} 次发布的 previous 与第 {n - 1} 次发布的校验值不符：发布记录的链条断了"
                f"（前面的条目被改动、删除或调换过）；{restore}",
            )
        if e["hash"] != entry_hash(e):
            problems.add(rel, f"第 {n} 次发布的内容与它的校验值 {e['hash'][:HEAD_LEN]} 不符：该条目被改动过；{restore}")
        if previous is not None and e["date"] < previous["date"]:
            problems.add(rel, f"第 {n} 次发布的日期 {e['date']} 早于第 {n - 1} 次的 {previous['date']}；{restore}")
        previous = e
    numbers = [c["number"] for c in ledger.included]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.add(rel, f"发布记录所含更正的序号不连续：{numbers}；{restore}")
    if ledger.entries and sha(ledger.published) != ledger.entries[-1]["state_sha256"]:
        problems.add(rel, "发布记录中的已发布内容（published）与最后一次发布的校验值不符：它被改动过；" + restore)
    return ledger if len(problems.items) == before else None
