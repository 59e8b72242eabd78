"""Reading `scores/<year>/objections.yaml` (optional; the shape is in the README): each objection
checked against the roster, the status's dates and the year's corrections, into `models.Objection`
records. The rules that need no file and the phase are in `site_builder.domain.objections`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from site_builder.common.textcheck import REASON_LIMIT, check_text, shown, shown_id
from site_builder.common.yamlio import is_date
from site_builder.domain.corrections import CORRECTIONS_FILE
from site_builder.domain.dates import out_of_order
from site_builder.domain.models import OUTCOME_LABELS, OUTCOMES, Correction, Objection, Roster, Status
from site_builder.domain.objections import OBJECTIONS_FILE, check_final_on, entry_digests
from site_builder.errors import Problems
from site_builder.read.datafile import Paths, read_data

OBJECTION_KEYS = ("received_on", "institution", "subject", "outcome", "decided_on", "reply", "correction")


def load_objections(
    year_dir: Path, paths: Paths, roster: Roster, status: Status, fixes: Sequence[Correction], problems: Problems
) -> tuple[Objection, ...]:
    """The year's objections (none without the file), checked; also checks `final_on`.
    `paths` is the loader's Paths (reading limits, messages' relative paths)."""
    check_final_on(status, problems)
    path = year_dir / OBJECTIONS_FILE
    if not path.is_file():
        return ()
    data = read_data(path, paths, problems, "objections", allow_empty=True)
    return tuple(
        parse_objections(data, paths.rel(path), roster, status, fixes, paths.rel(year_dir / CORRECTIONS_FILE), problems)
    )


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


def _text(value: Any, key: str, label: str, bad: Callable[[str], None]) -> str | None:
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


def parse_objections(
    data: Any,
    rel: str,
    roster: Roster,
    status: Status,
    corrections: Sequence[Correction],
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
        received: dt.date | None = None
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
            written = (
                f"{str(outcome).lower()}（YAML 把 yes/no、true/false 读作真假值）"
                if isinstance(outcome, bool)
                else outcome
            )
            bad(f"的 outcome（处理结果）为 {written}；允许：{allowed}")
            outcome = None
        decided = None
        if raw.get("decided_on") is not None:
            decided = _date(raw["decided_on"], "decided_on", "办结日期", where, rel, inst, problems)
        reply = _text(raw.get("reply"), "reply", "答复意见", bad)
        if isinstance(raw.get("reply"), str) and not raw["reply"].strip():
            bad("的 reply（答复意见）不能为空白；尚未答复的请删去本字段")
        correction = raw.get("correction")

        published_on = status.published_on
        if received and published_on is None:
            bad(f"：结果尚未公示（{status.path} 未填写 published_on），不应有异议记录")
        elif out_of_order("published_on", published_on, "received_on", received):
            bad(
                f"的受理日期 {received}（received_on）早于结果公示日期 {status.published_on}"
                f"（{status.path} 的 published_on）；请核对日期"
            )
        if out_of_order("received_on", received, "decided_on", decided):
            bad(f"的办结日期 {decided}（decided_on）早于受理日期 {received}（received_on）；请核对日期")
        if out_of_order("decided_on", decided, "final_on", status.final_on):
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
                bad(f"的 correction 须为正整数（{corrections_rel} 中更正的序号，从 1 起），实为 {shown(correction)}")
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
                if out_of_order("received_on", received, "cited_correction", fix.date):
                    bad(f"引用的第 {correction} 条更正日期 {fix.date} 早于异议受理日期 {received}；请核对更正序号")
                elif out_of_order("decided_on", decided, "cited_correction", fix.date):
                    bad(
                        f"引用的第 {correction} 条更正日期 {fix.date}（{corrections_rel} 的 date）早于异议办结日期 "
                        f"{decided}（decided_on）；更正须在异议办结之后作出，请核对日期或更正序号"
                    )
                if out_of_order("cited_correction", fix.date, "final_on", status.final_on):
                    bad(
                        f"引用的第 {correction} 条更正日期 {fix.date}（{corrections_rel} 的 date）晚于结果确定为最终结果"
                        f"的日期 {status.final_on}（{status.path} 的 final_on）；异议引起的更正须在确定最终结果之前作出，"
                        "请核对日期"
                    )
                if correction in cited:
                    bad(
                        f"与第 {cited[correction]} 条异议引用了同一条更正（第 {correction} 条）；每条更正只能对应一条异议"
                    )
                else:
                    cited[correction] = n
        # without a problem, every required field is there (each one missing or refused is reported)
        if (
            len(problems.items) == before
            and received is not None
            and inst is not None
            and subject is not None
            and outcome is not None
        ):
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
