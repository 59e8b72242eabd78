"""Social supervision: objections raised during the 公示, their outcomes, and the publication phase.

`scores/<year>/objections.yaml` (optional) lists the objections received, in the shape docs/data.md
gives. Each is checked against the roster, the status dates and the corrections (an upheld
objection names the correction it led to). The phase of a year's results is computed from the data,
never from the clock:

- 最终结果 (final): `status.yaml` has `final_on`;
- 异议处理中 (objections): objections are pending and the data shows the 公示 is over (some date
  recorded in the objections or corrections is after `objection_deadline`);
- 公示中 (publicity): otherwise, once `published_on` is set. Before that there is no phase (None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.common.textcheck import REASON_LIMIT, check_text, shown, shown_id
from site_builder.common.yamlio import is_date
from site_builder.domain.models import Correction, Roster, Status, YearData
from site_builder.errors import Problems

OBJECTIONS_FILE = "objections.yaml"
"""The file under scores/<year>/; the loader reserves it and the publication ledger may read it."""

LEDGER_FILES = (OBJECTIONS_FILE,)
"""Data files of this module that belong in the publication ledger (hook for the ledger)."""

OBJECTION_KEYS = ("received_on", "institution", "subject", "outcome", "decided_on", "reply", "correction")
OUTCOMES = ("pending", "upheld", "rejected")
OUTCOME_LABELS = {"pending": "正在处理", "upheld": "异议成立", "rejected": "异议不成立"}
PRIVATE_TEXT_FIELDS = {"subject": "异议事项", "reply": "答复意见"}
"""Free text that the privacy scan checks (no personal data of the objector may be published)."""

PHASES = ("publicity", "objections", "final")
PHASE_LABELS = {"publicity": "公示中", "objections": "异议处理中", "final": "最终结果"}


@dataclass(frozen=True)
class Objection:
    """One objection (异议) to a year's published results and how it was handled."""

    number: int  # 1-based position in objections.yaml
    received_on: dt.date
    institution: str
    subject: str
    outcome: str  # pending | upheld | rejected
    decided_on: dt.date | None
    reply: str | None
    correction: int | None  # upheld: the number of the correction it led to
    late: bool  # received after the objection deadline (逾期受理)
    path: str  # the file, as messages show it
    digest: str = ""  # sha256 of the entry as written: recorded by the ledger once published
    fixed_digest: str = ""  # sha256 of received_on, institution and subject: never change once published

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def pending(self) -> bool:
        return self.outcome == "pending"


@dataclass(frozen=True)
class Counts:
    received: int
    upheld: int
    rejected: int
    pending: int
    late: int

    @classmethod
    def of(cls, objections) -> Counts:
        objections = list(objections)
        return cls(
            len(objections),
            *(sum(o.outcome == k for o in objections) for k in ("upheld", "rejected", "pending")),
            sum(o.late for o in objections),
        )


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


# --- reading and checking ------------------------------------------------------------------


def _date(
    value: Any, key: str, label: str, where: str, rel: str, inst: str | None, problems: Problems
) -> dt.date | None:
    """A date (YYYY-MM-DD); None (reported) when it is not one. YAML reading already refuses an
    impossible unquoted date; a quoted one ('2024-02-30') is reported here."""
    if is_date(value):
        return value
    text = str(value)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) if isinstance(value, str) else None
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            problems.add(
                rel, f"{where}的 {key}（{label}）{text} 不是真实存在的日期；请核对年、月、日", institution=inst
            )
            return None
    problems.add(rel, f"{where}的 {key}（{label}）须为日期，格式 YYYY-MM-DD，实为 {shown(text)}", institution=inst)
    return None


def _text(value: Any, key: str, label: str, bad) -> str | None:
    """A published free text: None when absent (reported by the caller when required) or refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        bad(f"的 {key}（{label}）须为文字")
        return None
    if not value.strip():
        return None
    problem = check_text(value, REASON_LIMIT)
    if problem:
        bad(f"的 {key}（{label}）{problem}")
        return None
    return value.strip()


def parse(
    data: Any,
    rel: str,
    roster: Roster,
    status: Status,
    corrections: tuple[Correction, ...] | list,
    corrections_rel: str,
    problems: Problems,
) -> list[Objection]:
    """Check objections.yaml (as `read` returns it) against the roster, the status and the corrections."""
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(rel, f"{OBJECTIONS_FILE} 须为列表，每条异议含 {'、'.join(OBJECTION_KEYS)}；没有异议时可删去本文件")
        return []
    fixes = {c.number: c for c in corrections}
    out: list[Objection] = []
    cited: dict[int, int] = {}  # correction number -> the objection that cites it
    for n, raw in enumerate(data, start=1):
        where = f"第 {n} 条异议"
        if not isinstance(raw, dict):
            problems.add(rel, f"{where}须为映射，含 {'、'.join(OBJECTION_KEYS)}")
            continue
        before = len(problems.items)
        inst = shown_id(raw["institution"]) if raw.get("institution") is not None else None

        def bad(message: str) -> None:
            problems.add(rel, f"{where}{message}", institution=inst)  # noqa: B023 - called in this iteration only

        for key in raw:
            if key not in OBJECTION_KEYS:
                bad(f"有未知字段 {key}；允许的字段：{'、'.join(OBJECTION_KEYS)}")
        if inst is None:
            bad("缺少 institution（被提出异议的机构编号，如 P03）")
        elif roster.get(inst) is None:
            bad(f"的机构 {inst} 不在 {roster.year} 年名单（{roster.path}）中；请核对机构编号")
        received = None
        if raw.get("received_on") is None:
            bad("缺少 received_on（受理日期，格式 YYYY-MM-DD）")
        else:
            received = _date(raw["received_on"], "received_on", "受理日期", where, rel, inst, problems)
        subject = _text(raw.get("subject"), "subject", "异议事项", bad)
        if subject is None and (raw.get("subject") is None or str(raw.get("subject")).strip() == ""):
            bad("缺少 subject（异议事项，如 对指标1-02扣分有异议；不写异议人的个人信息）")
        outcome = raw.get("outcome")
        if outcome not in OUTCOMES:
            allowed = "、".join(f"{k}（{OUTCOME_LABELS[k]}）" for k in OUTCOMES)
            shown = (
                f"{str(outcome).lower()}（YAML 把 yes/no、true/false 读作真假值）"
                if isinstance(outcome, bool)
                else outcome
            )
            bad(f"的 outcome（处理结果）为 {shown}；允许：{allowed}")
            outcome = None
        decided = None
        if raw.get("decided_on") is not None:
            decided = _date(raw["decided_on"], "decided_on", "办结日期", where, rel, inst, problems)
        reply = _text(raw.get("reply"), "reply", "答复意见", bad)
        if isinstance(raw.get("reply"), str) and not raw["reply"].strip():
            bad("的 reply（答复意见）不能为空白；尚未答复的请删去本字段")
        correction = raw.get("correction")

        if received and status.published_on is None:
            bad(f"：结果尚未公示（{status.path} 未填写 published_on），不应有异议记录")
        elif received and received < status.published_on:
            bad(
                f"的受理日期 {received}（received_on）早于结果公示日期 {status.published_on}"
                f"（{status.path} 的 published_on）；请核对日期"
            )
        if received and decided and decided < received:
            bad(f"的办结日期 {decided}（decided_on）早于受理日期 {received}（received_on）；请核对日期")
        if status.final_on and decided and decided > status.final_on:
            bad(
                f"的办结日期 {decided}（decided_on）晚于结果确定为最终结果的日期 {status.final_on}"
                f"（{status.path} 的 final_on）；请核对日期"
            )

        if outcome == "pending":
            if raw.get("decided_on") is not None:
                bad("仍在处理（outcome: pending），不应有 decided_on；已办结的请将 outcome 改为 upheld 或 rejected")
            if correction is not None:
                bad(
                    "仍在处理（outcome: pending），不应引用更正（correction）；异议成立并已更正的请将 outcome 改为 upheld"
                )
            if status.final_on:
                bad(
                    f"仍在处理（outcome: pending），但结果已于 {status.final_on} 确定为最终结果（{status.path} 的 "
                    "final_on）；请先填写处理结果，或删去 final_on"
                )
        elif outcome in ("upheld", "rejected"):
            label = f"{outcome}（{OUTCOME_LABELS[outcome]}）"
            if raw.get("decided_on") is None:
                bad(
                    f"的处理结果为 {label}，须填写 decided_on（办结日期，格式 YYYY-MM-DD）；尚未办结的请写 outcome: pending"
                )
            if raw.get("reply") is None:
                bad(f"的处理结果为 {label}，须填写 reply（答复意见：处理的理由）")
        if outcome == "rejected" and correction is not None:
            bad("异议不成立（rejected），不应引用更正（correction）；如结果因此作了更正，outcome 应为 upheld")
        if outcome == "upheld":
            if correction is None:
                bad(f"异议成立（upheld），须用 correction 写明由此作出的更正是 {corrections_rel} 中的第几条（从 1 起）")
            elif isinstance(correction, str) and correction.strip().isdigit() and correction.strip().isascii():
                bad(
                    f'的 correction（更正序号）"{correction}" 是加了引号的文字，不是数字；请去掉引号，'
                    f"写作 correction: {correction.strip()}"
                )
            elif isinstance(correction, bool) or not isinstance(correction, int) or correction < 1:
                bad(f"的 correction 须为正整数（{corrections_rel} 中更正的序号，从 1 起），实为 {correction}")
            elif correction not in fixes:
                bad(
                    f"引用第 {correction} 条更正，但 {corrections_rel} 中只有 {len(fixes)} 条更正；请核对序号，"
                    "或先登记更正"
                )
            else:
                fix = fixes[correction]
                if inst is not None and fix.institution != inst:
                    whose = f"是对机构 {fix.institution} 的更正" if fix.institution else "不是对机构考核结果的更正"
                    bad(f"针对机构 {inst}，但引用的第 {correction} 条更正{whose}；请核对更正序号")
                if received and isinstance(fix.date, dt.date) and fix.date < received:
                    bad(f"引用的第 {correction} 条更正日期 {fix.date} 早于异议受理日期 {received}；请核对更正序号")
                if correction in cited:
                    bad(
                        f"与第 {cited[correction]} 条异议引用了同一条更正（第 {correction} 条）；每条更正只能对应一条异议"
                    )
                else:
                    cited[correction] = n
        if len(problems.items) == before:
            digest, fixed = entry_digests(raw)
            out.append(
                Objection(
                    n,
                    received,
                    inst,
                    subject,
                    outcome,
                    decided,
                    reply,
                    correction,
                    bool(status.objection_deadline and received > status.objection_deadline),
                    rel,
                    digest,
                    fixed,
                )
            )
    return out


FIXED_KEYS = ("received_on", "institution", "subject")
"""What never changes once an objection is published (its decision may be filled in later)."""


def entry_digests(raw: dict) -> tuple[str, str]:
    """(the hash of the whole entry as written, the hash of its fixed fields)."""
    from site_builder.domain.corrections import correction_digest

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
    elif final < status.objection_deadline:
        problems.add(
            status.path,
            f"final_on（结果确定为最终结果的日期）{final} 早于 objection_deadline（异议截止日期）"
            f"{status.objection_deadline}；公示期满后才能确定最终结果",
        )


# --- the phase and what the pages, feed and exports show -----------------------------------


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


FEED_GUID = "{prefix}-{year}-objections"


def feed_item(rep, base: str, prefix: str, status_prefix: str) -> tuple | None:
    """The 异议处理结果 item once the year's results are final: (date, guid, title, link, description)."""
    data = rep.data
    phase = phase_of(data)
    if phase is None or phase.code != "final":
        return None
    description = f"{summary_text(phase)}{data.year}年度考核结果已于{zh_date(phase.final_on)}确定为最终结果。"
    return (
        phase.final_on,
        FEED_GUID.format(prefix=prefix, year=data.year),
        f"{status_prefix}{data.year}年度考核结果异议处理结果",
        urls.absolute(base, urls.year_index(data.year)) + "#objection-handling",
        description,
    )


# --- open data -------------------------------------------------------------------------------

CSV_HEADER = (
    "序号",
    "受理日期",
    "逾期受理",
    "机构编号",
    "机构名称",
    "异议事项",
    "处理结果",
    "办结日期",
    "答复意见",
    "更正序号",
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def objections_json(data: YearData) -> str:
    import json

    phase = phase_of(data)
    names = {i.id: i.name for i in data.roster.institutions}
    counts = Counts.of(data.objections)
    doc = {
        "year": data.year,
        "phase": phase.label if phase else None,
        "phase_code": phase.code if phase else None,
        "published_on": _iso(data.status.published_on),
        "objection_deadline": _iso(data.status.objection_deadline),
        "final_on": _iso(data.status.final_on),
        "counts": {
            "received": counts.received,
            "upheld": counts.upheld,
            "rejected": counts.rejected,
            "pending": counts.pending,
            "late": counts.late,
        },
        "objections": [
            {
                "number": o.number,
                "received_on": _iso(o.received_on),
                "late": o.late,
                "institution": o.institution,
                "institution_name": names[o.institution],
                "subject": o.subject,
                "outcome": o.outcome,
                "outcome_label": o.outcome_label,
                "decided_on": _iso(o.decided_on),
                "reply": o.reply,
                "correction": o.correction,
            }
            for o in data.objections
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def objections_csv(data: YearData) -> bytes:
    """Like results.csv: UTF-8 with a BOM so that Excel shows the Chinese; CRLF lines; text that a
    spreadsheet would take for a formula starts with an apostrophe."""
    import csv
    import io

    from site_builder.common.formats import csv_row

    names = {i.id: i.name for i in data.roster.institutions}
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_HEADER)
    for o in data.objections:
        out.writerow(
            csv_row(
                [
                    o.number,
                    o.received_on.isoformat(),
                    "是" if o.late else "否",
                    o.institution,
                    names[o.institution],
                    o.subject,
                    o.outcome_label,
                    _iso(o.decided_on) or "",
                    o.reply or "",
                    "" if o.correction is None else o.correction,
                ]
            )
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


TEMPLATE_GLOBALS = {"objection_counts": Counts.of}
"""Pure helpers the templates call (the data they show comes in each page's context: `phase`,
an institution page's `objections`)."""
TEMPLATE_GLOBALS["objection_summary"] = summary_text
