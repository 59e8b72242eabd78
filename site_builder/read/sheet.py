"""One institution's score sheet (scores/<year>/<id>.yaml), checked against the rubric and roster."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from site_builder.common.messages import did_you_mean
from site_builder.common.textcheck import REASON_LIMIT, check_evidence, check_text, shown, shown_id
from site_builder.common.yamlio import is_date
from site_builder.domain.models import FLAG_LABELS, ItemScore, Roster, Rubric, Sheet, Veto
from site_builder.domain.rules import check_item
from site_builder.domain.scoring import section_sums
from site_builder.errors import Problems
from site_builder.read.datafile import (
    Paths,
    is_indicator_id,
    is_institution_id,
    join,
    read_data,
    sample_mark,
    unknown_keys,
)

SHEET_KEYS = ("institution", "assessed_on", "senior_levels", "online_exam", "items", "veto", "sample")
ITEM_KEYS = ("score", "reason", "self", "self_reason")
ITEM_KEY_HELP = "score（得分）、reason（扣分原因）、self（自评分）、self_reason（自评扣分原因）"
FLAGS = tuple((flag, f"是否{label}") for flag, label in FLAG_LABELS.items())


def load_sheet(path: Path, rubric: Rubric, roster: Roster, paths: Paths, problems: Problems) -> Sheet | None:
    rel = paths.rel(path)
    stem = path.stem
    before = len(problems.items)
    data = read_data(path, paths, problems, "sheet", institution=shown_id(stem))
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(rel, f"评分表须为映射，含字段 {join(SHEET_KEYS)}", institution=shown_id(stem))
        return None
    raw_inst = data.get("institution")
    inst_id = shown_id(raw_inst) if raw_inst is not None else shown_id(stem)
    typos = unknown_keys(data, SHEET_KEYS, rel, problems, "评分表", institution=inst_id)

    def bad(message: str, indicator: str | None = None, field: str | None = None) -> None:
        if field not in typos:  # a misspelt field is reported once, as misspelt
            problems.add(rel, message, institution=inst_id, indicator=indicator)

    institution = roster.get(raw_inst) if is_institution_id(raw_inst) else None
    if raw_inst is None:
        bad("缺少 institution 字段（机构编号，如 P01）", field="institution")
    elif not is_institution_id(raw_inst):
        bad(f"机构编号 {inst_id} 格式不对；省属为 P01、P02……，市属为 M01、M02……（英文字母和半角数字）")
    elif institution is None:
        bad(f"不在 {roster.year} 年名单（{roster.path}）中；请核对机构编号")
    elif not institution.active:
        bad(f"名单标注该机构 {roster.year} 年未开展评价，不应有评分表；如名单有误请先更正名单")
    if is_institution_id(raw_inst) and inst_id != stem:
        bad(f"文件名 {shown_id(path.name)} 与 institution: {inst_id} 不一致；文件应命名为 {inst_id}.yaml")

    assessed_on = data.get("assessed_on")
    if assessed_on is None:
        bad("缺少 assessed_on（评估日期），格式 YYYY-MM-DD", field="assessed_on")
    elif not is_date(assessed_on):
        bad(f"assessed_on（评估日期）须为日期，格式 YYYY-MM-DD，实为 {shown(assessed_on)}")
    flags = {}
    for flag, meaning in FLAGS:
        value = data.get(flag)
        if value is None:
            bad(f"缺少 {flag}（{meaning}），填 true 或 false", field=flag)
        elif not isinstance(value, bool):
            bad(f"{flag}（{meaning}）须为 true 或 false，实为 {shown(value)}")
        flags[flag] = value is True

    items = _sheet_items(data.get("items"), rubric, flags, bad) if "items" not in typos else ()
    veto = _sheet_veto(data.get("veto"), rubric, bad)
    sample = sample_mark(data, rel, problems, institution=inst_id)
    if len(problems.items) > before or not is_institution_id(raw_inst) or not isinstance(assessed_on, dt.date):
        return None  # (an id or date of another kind is one of the problems above)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:  # removed while being read
        bad(f"无法读取文件：{exc.strerror}")
        return None
    return Sheet(
        raw_inst,
        assessed_on,
        flags["senior_levels"],
        flags["online_exam"],
        items,
        veto,
        rel,
        digest,
        section_sums(rubric, items),
        sample,
    )


def _sheet_items(raw: Any, rubric: Rubric, flags: dict[str, bool], bad) -> tuple[ItemScore, ...]:
    if not isinstance(raw, dict):
        bad("缺少 items（各指标得分），或 items 不是映射")
        return ()
    ids = [i.id for i in rubric.indicators if not i.is_veto]
    scores: dict[str, ItemScore] = {}
    for key, value in raw.items():
        ind_id = shown_id(key)
        indicator = rubric.by_id.get(key) if is_indicator_id(key) else None
        if indicator is None:
            bad(f"未知指标 {ind_id}；指标编号为 {ids[0]} 至 {ids[-1]}（见 {rubric.path}）", ind_id)
            continue
        if indicator.is_veto:
            bad("否决项不计分，请写在 veto 下并附证据", ind_id)
            continue
        entry = value if isinstance(value, dict) else {"score": value}
        unknown = [k for k in entry if k not in ITEM_KEYS]
        if unknown:
            near = did_you_mean(str(unknown[0]), [k for k in ITEM_KEYS if k not in entry])
            hint = f"您是不是要写 {near}？" if near else ""
            bad(f"未知字段 {join(shown_id(k) for k in unknown)}；{hint}允许：{ITEM_KEY_HELP}", ind_id)
            continue
        if "score" not in entry:
            bad("缺少 score（得分）", ind_id)
            continue
        applicable = indicator.applies == "all" or flags[indicator.applies]
        item, found = check_item(
            indicator,
            entry["score"],
            entry.get("reason"),
            entry.get("self"),
            entry.get("self_reason"),
            applicable,
            yaml_quotes=True,
        )
        for problem in found:
            bad(problem.message, ind_id)
        if item:
            scores[key] = item
    for indicator in rubric.indicators:
        if indicator.is_veto or indicator.id in raw:
            continue
        if indicator.applies == "all" or flags[indicator.applies]:
            for problem in check_item(indicator, None)[1]:
                bad(problem.message, indicator.id)
    return tuple(scores[i.id] for i in rubric.indicators if i.id in scores)


def _sheet_veto(raw: Any, rubric: Rubric, bad) -> tuple[Veto, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        bad("veto 须为映射，如 {6-04: 证据}；没有否决项时写 veto: {}")
        return ()
    found: dict[str, Veto] = {}
    veto_ids = [i.id for i in rubric.veto_items]
    for key, evidence in raw.items():
        ind_id = shown_id(key)
        if key not in veto_ids:
            bad(
                f"{ind_id} 不是否决项；否决项为 {veto_ids[0]} 至 {veto_ids[-1]}"
                if veto_ids
                else f"{ind_id} 不是否决项；本年度评估表没有否决项，请写 veto: {{}}",
                ind_id,
            )
            continue
        message = veto_problem(evidence)
        if message:
            bad(message, ind_id)
            continue
        found[key] = Veto(key, evidence.strip())
    return tuple(found[i] for i in veto_ids if i in found)


def veto_problem(evidence: Any) -> str | None:
    """Why a veto's evidence is refused, or None (shared with the workbook import)."""
    if not isinstance(evidence, str) or not evidence.strip():
        return "否决项须写明证据（事实依据），如 6-04: 连续两年未开展评价工作；未发现否决情形的不要写在 veto 下"
    problem = check_text(evidence, REASON_LIMIT)
    if problem:
        return f"证据{problem}"
    return check_evidence(evidence)
