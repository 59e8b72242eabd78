"""Sheets and data files as plain data and back: what the sheet and rubric caches keep (marshal: plain
data, no code), and the item scores of a sheet read from it, kept compact until they are read
(`LazyItems`).

This module owns the compact form of an item score: ItemScore's fields in `ITEM_FIELDS` order, a
Decimal as ("d", its text). Code that reads one field of many items without building them (the
statistics, the privacy scan) asks `item_column`, never the records themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any, TypeGuard, get_args, get_type_hints, overload

from site_builder.domain.models import ItemScore, Sheet, Veto

ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(ItemScore))
SHEET_FIELDS = tuple(f.name for f in dataclasses.fields(Sheet))
_DECIMAL_FIELDS = frozenset(
    name for name, hint in get_type_hints(ItemScore).items() if Decimal in (get_args(hint) or (hint,))
)
_RECORDS: dict[str, type] = {"Veto": Veto, "ItemScore": ItemScore}
_PATH, _DIGEST = SHEET_FIELDS.index("path"), SHEET_FIELDS.index("digest")

Record = tuple[Any, ...]


class Decimals(dict[str, Decimal]):
    """Each distinct decimal text made a Decimal once: the same few values recur on every sheet."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


class LazyItems(Sequence[ItemScore]):
    """A sheet's item scores as compact records (see the module doc), built into `ItemScore`s the
    first time one is read. `column` reads one field of every item without building any."""

    __slots__ = ("_records", "_items", "_decimals")

    def __init__(self, records: tuple[Record, ...], decimals: Decimals):
        if not all(type(rec) is tuple and len(rec) == len(ITEM_FIELDS) for rec in records):
            raise ValueError("an item record of another shape")
        self._records, self._decimals = records, decimals
        self._items: tuple[ItemScore, ...] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the items have been built (a page read them)."""
        return self._items is not None

    def _load(self) -> tuple[ItemScore, ...]:
        if self._items is None:
            dec = self._decimals
            self._items = tuple(ItemScore(*_values(rec, dec)) for rec in self._records)
        return self._items

    def column(self, name: str) -> list[Any]:
        """The field `name` of every item, in order (a Decimal field as Decimals)."""
        values = list(map(itemgetter(ITEM_FIELDS.index(name)), self._records))
        if name in _DECIMAL_FIELDS:
            dec = self._decimals
            return [dec[v[1]] if type(v) is tuple else v for v in values]
        return values

    def __fingerprint__(self) -> str:
        return repr(self._records)  # the exact data, without building the items

    @overload
    def __getitem__(self, index: int) -> ItemScore: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ItemScore]: ...
    def __getitem__(self, index: int | slice) -> ItemScore | Sequence[ItemScore]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[ItemScore]:
        return iter(self._load())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return repr(self._load())


def _values(rec: Record, dec: Decimals) -> list[Any]:
    """An item's fields from its compact record."""
    return [dec[v[1]] if type(v) is tuple else v for v in rec]


def item_column(items: Sequence[ItemScore], name: str) -> list[Any]:
    """The field `name` of every item, in order: from the compact records of items read from the
    sheet cache (without building them), else from the items."""
    if isinstance(items, LazyItems):
        return items.column(name)
    return [getattr(item, name) for item in items]


def _pack(value: Any) -> Any:
    """Plain data for marshal: every field of every record, whatever fields the models gain."""
    t = type(value)
    if t is Decimal:
        return ("d", str(value))
    if t is dt.date:
        return ("D", value.toordinal())
    if t is dt.datetime:
        return ("Z", value.isoformat())
    if t is tuple or isinstance(value, Sequence) and t is not str:
        return ("t", tuple(_pack(v) for v in value))
    if dataclasses.is_dataclass(value):
        return ("@", type(value).__name__, tuple(_pack(getattr(value, f.name)) for f in dataclasses.fields(value)))
    return value


def _unpack(value: Any, decimals: Decimals) -> Any:
    if type(value) is not tuple:
        return value
    tag = value[0]
    if tag == "d":
        return decimals[value[1]]
    if tag == "D":
        return dt.date.fromordinal(value[1])
    if tag == "Z":
        return dt.datetime.fromisoformat(value[1])
    if tag == "t":
        return tuple(_unpack(v, decimals) for v in value[1])
    if tag == "@":
        return _RECORDS[value[1]](*(_unpack(v, decimals) for v in value[2]))
    raise ValueError(f"unknown tag {tag!r}")


_SCALAR_TAGS = frozenset("dDZ")  # `_pack`'s tags of a Decimal, a date, a date and time


def pack_document(value: Any) -> Any:
    """A data file's content as `yamlio` reads it (mappings, lists, text, numbers, dates, true/false,
    null) as plain data for marshal, mappings and lists kept as they are, a Decimal or a date as
    `_pack` writes it. A YAML document holds no tuple, so a tuple is always one of those."""
    t = type(value)
    if t is dict:
        return {pack_document(k): pack_document(v) for k, v in value.items()}
    if t is list:
        return [pack_document(v) for v in value]
    if t in (str, int, float, bool) or value is None:
        return value
    if t in (Decimal, dt.date, dt.datetime):
        return _pack(value)
    raise TypeError(f"not a YAML value: {t.__name__}")


def unpack_document(value: Any, decimals: Decimals | None = None) -> Any:
    """The content `pack_document` made `value` of. Raises ValueError, TypeError, ArithmeticError… for
    another shape."""
    decimals = Decimals() if decimals is None else decimals
    t = type(value)
    if t is dict:
        return {unpack_document(k, decimals): unpack_document(v, decimals) for k, v in value.items()}
    if t is list:
        return [unpack_document(v, decimals) for v in value]
    if t is tuple:
        if len(value) != 2 or value[0] not in _SCALAR_TAGS:
            raise ValueError(f"not a packed value: {value[:1]!r}")
        return _unpack(value, decimals)
    return value


def pack_sheet(sheet: Sheet) -> Record:
    """A sheet as plain data; its items as one flat record each."""
    return tuple(
        tuple(
            tuple(("d", str(v)) if type(v) is Decimal else v for v in (getattr(i, n) for n in ITEM_FIELDS))
            for i in sheet.items
        )
        if name == "items"
        else _pack(getattr(sheet, name))
        for name in SHEET_FIELDS
    )


def unpack_sheet(rec: Record, decimals: Decimals) -> Sheet:
    """The sheet `pack_sheet` made `rec` of, its items kept compact (`LazyItems`). Raises ValueError,
    TypeError, KeyError… for a record of another shape."""
    if len(rec) != len(SHEET_FIELDS):
        raise ValueError("a record of another shape")
    fields: dict[str, Any] = {
        name: (LazyItems(value, decimals) if name == "items" else _unpack(value, decimals))
        for name, value in zip(SHEET_FIELDS, rec)
    }
    return Sheet(**fields)


def describes(rec: object, path: str, digest: str) -> TypeGuard[Record]:
    """Whether `rec` is a sheet record made from the file `path` with these bytes (its SHA-256)."""
    return isinstance(rec, tuple) and len(rec) == len(SHEET_FIELDS) and rec[_PATH] == path and rec[_DIGEST] == digest
