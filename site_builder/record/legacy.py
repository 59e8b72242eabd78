"""The record of publications made before the ledger: `scores/<year>/published.json`, each
institution's published scores and how many corrections they included. A year that has it and no
ledger yet is checked against it (`corrections.check_against_record`); its first `build --publish`
writes the ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import cast

from site_builder.domain.corrections import OldRecord
from site_builder.errors import Problems
from site_builder.read.datafile import load_json
from site_builder.record.shape import old_record_problem


def parse_record(path: Path, rel: str, problems: Problems) -> OldRecord | None:
    record, problem = load_json(path, parse_float=Decimal)
    if problem:
        problems.add(rel, f"发布记录无法读取：{problem}；它由 build --publish 写出，请从版本库恢复")
        return None
    shape = old_record_problem(record)
    if shape:
        problems.add(rel, f"发布记录格式不对：{shape}；它由 build --publish 写出，请从版本库恢复")
        return None
    return cast(OldRecord, record)  # of this shape: checked just above
