"""Domain errors. The library raises these; only the CLI turns them into `错误：…` and an exit status."""

from __future__ import annotations

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


class Problems:
    """Collects problems while loading; `raise_if_any` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self,
        file: str,
        message: str,
        *,
        institution: str | None = None,
        indicator: str | None = None,
        line: int | None = None,
    ) -> None:
        self.items.append(Problem(file, message, institution, indicator, line))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(self.items)
