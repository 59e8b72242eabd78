"""The shape of the record files, checked with pydantic against the TypedDicts that type them:
ledger.json (`ledger.LedgerDoc`: its entries, corrections and objections as `ledger` declares
them) and the published.json of data published before the ledger (`corrections.OldRecord`).

Strict: JSON's types as the TypedDicts name them, no bool where an integer goes, no float where an
integer goes, no key a TypedDict does not declare (published.json may hold others). A file of the
wrong shape gets one message in Chinese, the first in the order a reader would fix them: the
document, its `format`, its `year`, its `entries` and `published`, then entry by entry (its keys,
objections, numbers and texts, corrections, inputs, files), then the values of `published`; its
keys, once the rest holds, as `chain` reads them (`key_problem`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from site_builder.common.yamlio import short
from site_builder.domain.corrections import OldRecord
from site_builder.record.ledger import ENTRY_KEYS, FORMAT, OBJECTION_RECORD_KEYS, OPTIONAL_ENTRY_KEYS, LedgerDoc

if TYPE_CHECKING:
    from pydantic import TypeAdapter
    from pydantic.config import ExtraValues

TOP_KEYS = tuple(LedgerDoc.__annotations__)

# where in an entry a problem lies -> (its place in the order of checks, the message)
ENTRY_PROBLEMS = {
    "objections": (1, "第 {n} 个发布条目的 objections 须为列表，每项含且只含 " + "、".join(OBJECTION_RECORD_KEYS)),
    **dict.fromkeys(
        ("n", "date", "previous", "hash", "state_sha256"),
        (2, "第 {n} 个发布条目的 n 须为整数，date、hash、state_sha256 须为文字"),
    ),
    "corrections": (3, "第 {n} 个发布条目的 corrections 须为列表，每项含 number、date、sha256"),
    "inputs": (4, "第 {n} 个发布条目的 inputs 须为 {{文件: SHA-256}}"),
    "files": (5, "第 {n} 个发布条目的 files 须为 {{文件: SHA-256}}"),
    "site_files": (6, "第 {n} 个发布条目的 site_files 须为 {{文件: SHA-256}}"),
}
ENTRY_KEYS_PROBLEM = f"第 {{n}} 个发布条目须含且只含 {'、'.join(ENTRY_KEYS)}（可另含 {'、'.join(OPTIONAL_ENTRY_KEYS)}）"
KEY_PROBLEMS = ("missing", "extra_forbidden")  # pydantic's error types for a key missing or unknown


@cache  # made once, on first use (pure: from the types alone)
def _adapters() -> tuple[TypeAdapter[LedgerDoc], TypeAdapter[OldRecord]]:
    # imported here: a build that has no record file to read does not load pydantic
    from pydantic import TypeAdapter

    return TypeAdapter(LedgerDoc), TypeAdapter(OldRecord)


def _errors(
    adapter: TypeAdapter[Any], doc: object, extra: ExtraValues = "forbid"
) -> list[tuple[Sequence[int | str], str, object]]:
    """Every way `doc` is not of the adapter's type: (where, pydantic's error type, the value there)."""
    from pydantic import ValidationError

    try:
        adapter.validate_python(doc, strict=True, extra=extra)
    except ValidationError as exc:
        return [(e["loc"], e["type"], e["input"]) for e in exc.errors()]
    return []


def ledger_problem(doc: object, year: int) -> str | None:
    """Why `doc` (ledger.json as read) is not a ledger of the year `year`, or None when it is one."""
    found = [_ranked(where, kind, value, year) for where, kind, value in _errors(_adapters()[0], doc)]
    if isinstance(doc, dict) and type(doc.get("year")) is int and doc["year"] != year:
        found.append(_ranked(("year",), "", doc["year"], year))
    return min(found)[1] if found else None


def key_problem(text: str) -> str:
    """A key of `published` that is no published fact's (see `facts.FactKey.parse`)."""
    return f"published 的键 {short(text)} 不是已发布内容的键（如 P01/1-02/score、status/published_on）"


def _ranked(where: Sequence[int | str], kind: str, value: object, year: int) -> tuple[tuple[int, ...], str]:
    """A problem's place in the order of the checks, and its message."""
    if not where or (len(where) == 1 and kind in KEY_PROBLEMS):
        return (0,), f"须为含 {'、'.join(TOP_KEYS)} 的对象"
    if where[0] == "format":
        return (1,), f"format 须为 {FORMAT}"
    if where[0] == "year":
        return (2,), f"year 为 {value}，但文件在 {year} 年的目录中"
    if len(where) == 1:
        return (3,), "entries 须为列表，published 须为对象"
    if where[0] == "entries":
        n = int(where[1]) + 1
        if len(where) == 2 or (len(where) == 3 and kind in KEY_PROBLEMS):
            return (4, n, 0), ENTRY_KEYS_PROBLEM.format(n=n)
        check, message = ENTRY_PROBLEMS[str(where[2])]
        return (4, n, check), message.format(n=n)
    return (5,), "published 的每个值须为文字、true/false 或 null"


def old_record_problem(doc: object) -> str | None:
    """Why `doc` (published.json as read, numbers as Decimal) is not of its shape, or None."""
    if not _errors(_adapters()[1], doc, extra="ignore") and isinstance(doc, dict) and doc["corrections_included"] >= 0:
        return None
    return '须为 {"corrections_included": 整数, "institutions": {机构编号: {指标: 分值}}}'
