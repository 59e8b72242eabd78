"""Social supervision: objections raised during the 公示, their outcomes, and the publication phase.

`scores/<year>/objections.yaml` (optional) lists the objections received, in the shape docs/data.md
gives; `site_builder.read.objections` reads it into `models.Objection` records, each checked
against the roster, the status dates and the corrections (an upheld objection names the correction
it led to). Here: the rules that need no file (`final_on`, what is fixed once published), the
counts, and the phase of a year's results, computed from the data, never from the clock:

- 最终结果 (final): `status.yaml` has `final_on`;
- 异议处理中 (objections): objections are pending and the data shows the 公示 is over (some date
  recorded in the objections or corrections is after `objection_deadline`);
- 公示中 (publicity): otherwise, once `published_on` is set. Before that there is no phase (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from site_builder.domain.corrections import correction_digest
from site_builder.domain.dates import out_of_order
from site_builder.domain.models import Objection, Status, YearData
from site_builder.errors import Problems

OBJECTIONS_FILE = "objections.yaml"
"""The file under scores/<year>/; the loader reserves it and the publication ledger may read it."""

LEDGER_FILES = (OBJECTIONS_FILE,)
"""Data files of this module that belong in the publication ledger (hook for the ledger)."""

PRIVATE_TEXT_FIELDS = {"subject": "异议事项", "reply": "答复意见"}
"""Free text that the privacy scan checks (no personal data of the objector may be published)."""

PHASES = ("publicity", "objections", "final")
PHASE_LABELS = {"publicity": "公示中", "objections": "异议处理中", "final": "最终结果"}


@dataclass(frozen=True)
class Counts:
    received: int
    upheld: int
    rejected: int
    pending: int
    late: int

    @classmethod
    def of(cls, objections: Iterable[Objection]) -> Counts:
        listed = list(objections)
        upheld, rejected, pending = (sum(o.outcome == k for o in listed) for k in ("upheld", "rejected", "pending"))
        return cls(len(listed), upheld, rejected, pending, sum(o.late for o in listed))


@dataclass(frozen=True)
class Phase:
    """Where a year's results stand in the 公示 cycle, with what the reader needs to see of it."""

    code: str  # publicity | objections | final
    published_on: dt.date
    objection_deadline: dt.date | None
    final_on: dt.date | None
    counts: Counts
    period_over: bool  # the data shows a date after the objection deadline

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.code]


FIXED_KEYS = ("received_on", "institution", "subject")
"""What never changes once an objection is published (its decision may be filled in later)."""


def entry_digests(raw: dict[str, Any]) -> tuple[str, str]:
    """(the hash of the whole entry as written, the hash of its fixed fields)."""
    return correction_digest(raw), correction_digest({k: raw.get(k) for k in FIXED_KEYS})


def check_final_on(status: Status, problems: Problems) -> None:
    """`final_on` (the day the results became final) only after a complete 公示, and not for a draft."""
    final = status.final_on
    if final is None:
        return
    if status.status == "draft":
        problems.add(
            status.path, "status 为 draft（草稿）时不能确定最终结果；请删去 final_on，或审定后将 status 改为 approved"
        )
    if status.published_on is None or status.objection_deadline is None:
        problems.add(
            status.path,
            "填写 final_on（结果确定为最终结果的日期）须先填写 published_on（公示日期）和 "
            "objection_deadline（异议截止日期）",
        )
    elif out_of_order("objection_deadline", status.objection_deadline, "final_on", final):
        problems.add(
            status.path,
            f"final_on（结果确定为最终结果的日期）{final} 早于 objection_deadline（异议截止日期）"
            f"{status.objection_deadline}；公示期满后才能确定最终结果",
        )


# --- the phase and what the pages, the feed and the exports show ----------------------------


def phase_of(data: YearData) -> Phase | None:
    """The year's phase from its data (never the clock); None while the results are not published."""
    status = data.status
    if status.published_on is None:
        return None
    objections = data.objections
    counts = Counts.of(objections)
    deadline = status.objection_deadline
    recorded = (
        [o.received_on for o in objections]
        + [o.decided_on for o in objections if o.decided_on]
        + [c.date for c in data.corrections]
        + ([status.final_on] if status.final_on else [])
    )
    period_over = deadline is not None and any(day > deadline for day in recorded)
    if status.final_on:
        code = "final"
    elif counts.pending and period_over:
        code = "objections"
    else:
        code = "publicity"
    return Phase(code, status.published_on, deadline, status.final_on, counts, period_over)


def phase_label(data: YearData) -> str | None:
    phase = phase_of(data)
    return phase.label if phase else None


def of_institution(data: YearData, institution: str) -> list[Objection]:
    return [o for o in data.objections if o.institution == institution]


def texts(data: YearData) -> list[tuple[str, str, str, str]]:
    """Every published free text of the objections as (file, institution, field, text), the field
    named as a message shows it (第 1 条异议的异议事项 subject): what the privacy scan checks."""
    return [
        (o.path, o.institution, f"第 {o.number} 条异议的{label} {key}", value)
        for o in data.objections
        for key, label in PRIVATE_TEXT_FIELDS.items()
        if (value := getattr(o, key))
    ]


def summary_text(phase: Phase) -> str:
    """One sentence on the objections handled, for the feed and the WeChat article."""
    c = phase.counts
    if not c.received:
        return "公示期内未收到异议。"
    late = f"（其中逾期受理{c.late}件）" if c.late else ""
    text = f"公示期间共受理异议{c.received}件{late}，经复核，异议成立{c.upheld}件，已更正相关结果；异议不成立{c.rejected}件"
    if c.pending:
        text += f"；正在处理{c.pending}件"
    return text + "。"


def summary_line(data: YearData) -> str | None:
    """What `validate` adds once there are objections or final results."""
    phase = phase_of(data)
    if phase is None or not (data.objections or phase.code == "final"):
        return None
    c = phase.counts
    return (
        f"  阶段：{phase.label}；异议 {c.received} 件：成立 {c.upheld}，不成立 {c.rejected}，正在处理 {c.pending}"
        + (f"（逾期受理 {c.late}）" if c.late else "")
    )
