"""A published fact: its typed key, and how its value reads.

The publication ledger records everything a year publishes as facts, one value per key (see
`site_builder.record.state`), and a correction names the fact each of its changes changes by the
same key. `FactKey` is that key. Its `text` is the key as ledger.json writes it (`P01/1-02/score`,
`P01/name`, `status/published_on`, `rubric/1-02/max`, `rubric/grade/A/min`, `rubric/title`) and
`FactKey.parse` reads such a text back: the one place where a key becomes text and back, so that
the file and its hashes stay as they are.

A value is kept in one canonical form (`Fact`: exact decimal and ISO date strings, true/false or
null; see `corrections.norm`); `show` is how a message or a page writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple, TypeAlias

Fact: TypeAlias = str | bool | None
"""A published value as the ledger stores and compares it."""

RUBRIC: Final = "rubric"  # the rubric: its title, a grade band, an indicator's definition
STATUS: Final = "status"  # the announcement's dates and approver (status.yaml)
INSTITUTION: Final = "institution"  # an institution's roster entry, its sheet and its items


_new = tuple.__new__


class FactKey(NamedTuple):
    """Which published fact: of the rubric, of the status or of an institution (`part`), which
    `field`, and where it is: the institution, the indicator (an institution's item or a rubric
    indicator), the grade band. A tuple: a year's state has a hundred thousand of them, and the
    ledger's checks look each up several times."""

    part: str  # RUBRIC | STATUS | INSTITUTION
    field: str
    institution: str | None = None
    indicator: str | None = None
    grade: str | None = None

    # made with tuple.__new__: a third of the time of the generated __new__, for as many keys

    @classmethod
    def of_rubric(cls, field: str, indicator: str | None = None, grade: str | None = None) -> FactKey:
        return _new(cls, (RUBRIC, field, None, indicator, grade))

    @classmethod
    def of_status(cls, field: str) -> FactKey:
        return _new(cls, (STATUS, field, None, None, None))

    @classmethod
    def of_institution(cls, institution: str, field: str, indicator: str | None = None) -> FactKey:
        return _new(cls, (INSTITUTION, field, institution, indicator, None))

    @property
    def text(self) -> str:
        """The key as ledger.json writes it."""
        if self.part == RUBRIC:
            if self.grade is not None:
                return f"rubric/grade/{self.grade}/{self.field}"
            return f"rubric/{self.indicator}/{self.field}" if self.indicator is not None else f"rubric/{self.field}"
        if self.part == STATUS:
            return f"status/{self.field}"
        where = f"{self.institution}/{self.indicator}" if self.indicator is not None else f"{self.institution}"
        return f"{where}/{self.field}"

    @classmethod
    def parse(cls, text: str) -> FactKey | None:
        """The key `text` writes, or None when it writes none: `parse(key.text) == key` (the ids of
        institutions and indicators hold no slash; a grade's name may)."""
        parts = text.split("/")
        if len(parts) == 3:
            first, middle, field = parts
            if first == RUBRIC:
                return _new(cls, (RUBRIC, field, None, middle, None))
            return _new(cls, (INSTITUTION, field, first, middle, None))
        if len(parts) == 2:
            first, field = parts
            part = first if first in (RUBRIC, STATUS) else INSTITUTION
            return _new(cls, (part, field, None if part != INSTITUTION else first, None, None))
        if len(parts) >= 4 and parts[0] == RUBRIC and parts[1] == "grade":
            return _new(cls, (RUBRIC, parts[-1], None, None, "/".join(parts[2:-1])))
        return None

    def __fingerprint__(self) -> str:
        """What a page's cache key sees of it (see `storage.hashes.Fingerprint`): its text."""
        return self.text


def to_text(facts: dict[FactKey, Fact]) -> dict[str, Fact]:
    """Facts as ledger.json keys them."""
    return {key.text: value for key, value in facts.items()}


class NotAKey(ValueError):
    """A text that is no fact's key (`FactKey.parse`): `text`."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a published fact's key: {text!r}")
        self.text = text


def from_text(facts: Mapping[str, Fact]) -> dict[FactKey, Fact]:
    """ledger.json's facts by their keys. Raises NotAKey for a key that is no fact's."""
    out: dict[FactKey, Fact] = {}
    for text, value in facts.items():
        key = FactKey.parse(text)
        if key is None:
            raise NotAKey(text)
        out[key] = value
    return out


def show(field: str, value: object) -> str:
    """A stored value as a reader reads it."""
    if value is None:
        return "（无）"
    if field == "veto":
        return "存在" if value not in ("0", 0) else "未发现"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
