"""Domain errors. The library raises these; only the CLI turns them into `错误：…` and an exit status."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    file: str
    message: str
    institution: str | None = None
    indicator: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.institution:
            parts.append(f"机构 {self.institution}")
        if self.indicator:
            parts.append(f"指标 {self.indicator}")
        parts.append(self.message)
        return ": ".join(parts)


class SiteBuilderError(Exception):
    """Base class of every error the package raises on purpose."""


class DataError(SiteBuilderError):
    """The input data is invalid. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(SiteBuilderError):
    """The build cannot go on (a publishing precondition, an output limit, a write guard)."""


_CHARACTER = re.compile(r"含不允许的字符 (U\+[0-9A-F]{4,6})")


class Problems:
    """Collects problems while loading; `raise_if_any` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        # (file, code point) -> index in items of the text gate's generic finding (`generic=True`): a
        # later finding of the same character in the same file by a field's own check (which names the
        # institution, indicator and field in the reader's words) takes its place.
        self._generic: dict[tuple[str, str], int] = {}

    def add(
        self,
        file: str,
        message: str,
        *,
        institution: str | None = None,
        indicator: str | None = None,
        line: int | None = None,
        generic: bool = False,
    ) -> None:
        problem = Problem(file, message, institution, indicator, line)
        found = _CHARACTER.search(message)
        if found:
            key = (file, found.group(1))
            if generic:
                if key in self._generic:
                    return
                self._generic[key] = len(self.items)
            elif self._generic.get(key, -1) >= 0:
                index = self._generic[key]
                self._generic[key] = -1  # taken: a further field with it is its own finding
                if index < len(self.items) and self.items[index].file == file:
                    del self.items[index]  # the field's own finding is appended where it was always
                    self._generic = {k: i - 1 if i > index else i for k, i in self._generic.items()}
        self.items.append(problem)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(self.items)
