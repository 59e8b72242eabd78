"""Helpers for tests of published years: score and correction edits, a second year; building,
validating and the ledger as a document."""

from __future__ import annotations

import json
from pathlib import Path

from support.mini import APPROVED
from support.project import CliResult, in_process
from support.yamlfiles import dump_yaml, load_yaml

BOARD = "考核工作领导小组"


def set_item(root, inst, ind, value, year=2023):
    path = root / f"scores/{year}/{inst}.yaml"
    doc = load_yaml(path.read_text(encoding="utf-8"))
    doc["items"][ind] = value
    path.write_text(dump_yaml(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def correction(date, inst, changes, reason="复核结果", kind=None):
    lines = [f"- date: {date}"] + ([f"  kind: {kind}"] if kind else []) + ([f"  institution: {inst}"] if inst else [])
    lines.append("  changes:")
    lines += [f"    - {c}" for c in changes]
    lines += [f"  reason: {reason}", f"  approved_by: {BOARD}"]
    return "\n".join(lines) + "\n"


def write_corrections(root, *entries, year=2023):
    (root / f"scores/{year}/corrections.yaml").write_text("".join(entries), encoding="utf-8")


FIRST = correction("2024-01-25", "P01", ["{indicator: 1-02, old: 0, new: 1}"], "复核结果：补充提供公告原件")
SECOND = correction("2024-01-25", "P01", ["{indicator: 2-01, old: 0.75, new: 1}"], "复核结果：资料齐全")


def add_2024(root):
    rubric24 = (root / "rubric/2023.yaml").read_text(encoding="utf-8").replace("year: 2023", "year: 2024", 1)
    (root / "rubric/2024.yaml").write_text(rubric24, encoding="utf-8")
    y24 = root / "scores/2024"
    y24.mkdir()
    (y24 / "roster.yaml").write_text(
        "year: 2024\ninstitutions:\n"
        "  - {id: P01, name: 甲职业培训学校, tier: 省属, county: null, active: true, code: null}\n",
        encoding="utf-8",
    )
    (y24 / "status.yaml").write_text(
        APPROVED.replace("2024-01-15", "2025-01-15").replace("2024-01-20", "2025-01-20"), encoding="utf-8"
    )
    (y24 / "P01.yaml").write_text((root / "scores/2023/P01.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "content/2024").mkdir()
    (root / "content/2024/announcement.md").write_text(
        (root / "content/2023/announcement.md")
        .read_text(encoding="utf-8")
        .replace("assessed_from: 2023-12-21", "assessed_from: 2024-01-01"),  # within its year (the date policy)
        encoding="utf-8",
    )


def build(root: Path, *args: str) -> CliResult:
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def validate(root: Path) -> CliResult:
    return in_process("validate", "--root", str(root))


def problems(result: CliResult) -> list[str]:
    """A refused command's problems, one line each (the heading line dropped, the indent kept off)."""
    assert result.code == 1, result.out
    return [line.removeprefix("  ") for line in result.err.splitlines()[1:]]


def ledger_doc(root: Path, year: int = 2023) -> dict:
    return json.loads((root / f"scores/{year}/ledger.json").read_text(encoding="utf-8"))


def write_ledger(root: Path, doc: dict, year: int = 2023, rechain: bool = True) -> None:
    """Write a ledger back; with `rechain`, each entry's hash and the next one's `previous` are made
    to match again, as someone rewriting the record consistently would."""
    from site_builder.record.ledger import entry_hash, sha

    if rechain:
        previous = None
        for entry in doc["entries"]:
            entry["previous"] = sha(previous) if previous is not None else None
            entry["hash"] = entry_hash(entry)
            previous = entry
    (root / f"scores/{year}/ledger.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
