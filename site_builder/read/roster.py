"""A year's roster (scores/<year>/roster.yaml) and status (scores/<year>/status.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from site_builder.common.textcheck import NAME_LIMIT, SHORT_LIMIT, name_key, name_script_problem, shown, shown_id
from site_builder.common.yamlio import is_date, short
from site_builder.domain.dates import out_of_order
from site_builder.domain.models import STATUSES, TIERS, Institution, Roster, Sheet, Status
from site_builder.errors import Problems
from site_builder.read.datafile import (
    Paths,
    is_institution_id,
    join,
    read_data,
    read_document,
    sample_mark,
    text_field,
    unknown_keys,
)

INSTITUTION_KEYS = ("id", "name", "tier", "county", "active", "code")
STATUS_KEYS = (
    "status",
    "approved_by",
    "approved_on",
    "published_on",
    "objection_deadline",
    "final_on",
    "rectify_by",
)
DATE_LABELS = {
    "assessed_on": "评估日期",
    "approved_on": "审定日期",
    "published_on": "公示日期",
    "objection_deadline": "异议截止日期",
    "final_on": "最终结果确定日期",
    "rectify_by": "整改期限",
}
OPTIONAL_DATES = ("final_on", "rectify_by")


def load_roster(path: Path, year: int, paths: Paths, problems: Problems) -> Roster | None:
    """The year's roster; a validated one is cached by content (a national roll-up lists thousands)."""
    rel = paths.rel(path)
    cache_file, key = paths.cache_entry(path, f"roster-{year}.marshal", str(year))
    if cache_file and key:
        entry = cache_file.read(key)
        cached = entry.get("institutions")
        if cached:
            return Roster(year, tuple(Institution(*t) for t in cached), rel, entry.get("sample") is True)
    roster = _load_roster(path, rel, year, paths, problems)
    if roster and cache_file and key:
        cache_file.write(
            key,
            {
                "institutions": tuple(
                    (i.id, i.name, i.tier, i.county, i.active, i.code, i.order) for i in roster.institutions
                ),
                "sample": roster.sample,
            },
        )
    return roster


def _load_roster(path: Path, rel: str, year: int, paths: Paths, problems: Problems) -> Roster | None:
    before = len(problems.items)
    data = read_document(
        path, paths, problems, "roster", "institutions", "名单文件", ("year", "institutions", "sample")
    )
    if data is None:
        return None
    institutions: list[Institution] = []
    keyed: list[tuple[str, str, str]] = []  # (id, name as written, name as compared)
    seen: set[str] = set()
    for order, raw in enumerate(data["institutions"], start=1):
        if not isinstance(raw, dict):
            problems.add(rel, f"第 {order} 个机构须为含 id、name、tier、active 的映射")
            continue
        raw_id = raw.get("id")
        if not is_institution_id(raw_id):
            problems.add(
                rel,
                f"第 {order} 个机构的编号 {shown_id(raw_id)} 格式不对；"
                "省属为 P01、P02……，市属为 M01、M02……（英文字母和半角数字）",
            )
            continue
        inst_id = raw_id
        if inst_id in seen:
            problems.add(rel, "机构编号重复", institution=inst_id)
            continue
        seen.add(inst_id)

        def bad(message: str, inst_id: str = inst_id) -> None:
            problems.add(rel, message, institution=inst_id)

        name, problem = text_field(raw.get("name"), "机构名称 name", NAME_LIMIT, required=True)
        problem = problem or (name_script_problem(name) if name else None)
        if problem:
            bad(problem if problem.startswith("机构名称") else f"机构名称 name {problem}")
        if isinstance(raw.get("name"), str) and name_key(raw["name"]):
            keyed.append((inst_id, raw["name"], name_key(raw["name"])))
        tier = raw.get("tier")
        if tier is None:
            bad(f"缺少 tier（层级）；允许：{join(TIERS)}")
        elif tier not in TIERS:
            bad(f"tier 为 {shown(tier)}；允许：{join(TIERS)}")
        elif inst_id[0] != ("P" if tier == "省属" else "M"):
            bad(f"编号 {inst_id} 与层级 {tier} 不符（省属用 P，市属用 M）")
        if not isinstance(raw.get("active"), bool):
            bad(f"active 须为 true 或 false（{year}年是否开展评价）")
        extra = {}
        for key, label in (("county", "county（县、市、区）"), ("code", "code（统一社会信用代码）")):
            value, problem = text_field(raw.get(key), label, SHORT_LIMIT)
            if problem:
                bad(problem)
            extra[key] = value
        unknown_keys(raw, INSTITUTION_KEYS, rel, problems, "机构条目", institution=inst_id)
        institutions.append(
            Institution(
                inst_id, name or "", str(tier), extra["county"], raw.get("active") is True, extra["code"], order
            )
        )
    named: dict[str, str] = {}
    for inst_id, _written, key in keyed:  # compared as a reader sees them (`name_key`)
        if key in named:
            problems.add(
                rel,
                f"机构名称 {key} 重复：{named[key]} 和 {inst_id} 同名；每个机构的名称须不同，请核对这两个机构的名称",
                institution=inst_id,
            )
        else:
            named[key] = inst_id
    if isinstance(data.get("year"), str):
        problems.add(rel, f'year 为加了引号的文字 "{short(data["year"])}"；year 须为数字，不加引号，如 year: {year}')
    elif data.get("year") != year:
        problems.add(rel, f"year 为 {shown(data.get('year'))}，但文件位于 {year} 年的目录中")
    sample = sample_mark(data, rel, problems)
    if len(problems.items) > before:
        return None  # a roster or problems, never both
    return Roster(year, tuple(institutions), rel, sample)


def load_status(path: Path, paths: Paths, problems: Problems) -> Status | None:
    rel = paths.rel(path)
    before = len(problems.items)
    data = read_data(path, paths, problems, "status")
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(rel, "status.yaml 须为映射，至少含 status 字段")
        return None
    typos = unknown_keys(data, STATUS_KEYS, rel, problems, "status.yaml ")
    status = data.get("status")
    if status is None:
        if "status" not in typos:
            problems.add(rel, f"缺少 status；允许：{join(STATUSES)}（示例、草稿、已审定）")
    elif status not in STATUSES:
        problems.add(rel, f"status 为 {shown(status)}；允许：{join(STATUSES)}（示例、草稿、已审定）")
    dates: dict[str, Any] = {}
    for key in ("approved_on", "published_on", "objection_deadline", *OPTIONAL_DATES):
        value = data.get(key)
        if value is not None and not is_date(value):
            problems.add(rel, f"{key} 须为日期，格式 YYYY-MM-DD，实为 {shown(value)}")
            value = None
        elif value is None and status == "approved" and key not in OPTIONAL_DATES and key not in typos:
            problems.add(rel, f"status 为 approved 时须填写 {key}")
        dates[key] = value
    approved_by, problem = text_field(
        data.get("approved_by"), "approved_by（审定单位）", NAME_LIMIT, required=status == "approved"
    )
    if problem and not (data.get("approved_by") is None and "approved_by" in typos):
        problems.add(
            rel,
            problem if data.get("approved_by") is not None else "status 为 approved 时须填写 approved_by（审定单位）",
        )
    _date_order(dates, rel, problems)
    if len(problems.items) > before or not isinstance(status, str):  # (another status is a problem above)
        return None
    return Status(
        status,
        approved_by,
        dates["approved_on"],
        dates["published_on"],
        dates["objection_deadline"],
        rel,
        final_on=dates["final_on"],
        rectify_by=dates["rectify_by"],
    )


def _date_order(dates: dict[str, dt.date | None], rel: str, problems: Problems) -> None:
    """approved_on ≤ published_on < objection_deadline, rectify_by, for the dates that are given
    (the order: `site_builder.domain.dates.ORDER`)."""
    approved, published, deadline = dates["approved_on"], dates["published_on"], dates["objection_deadline"]
    if out_of_order("approved_on", approved, "published_on", published):
        problems.add(rel, f"published_on（公示日期）{published} 早于 approved_on（审定日期）{approved}；须先审定后公示")
    rectify = dates["rectify_by"]
    if out_of_order("published_on", published, "rectify_by", rectify):
        problems.add(rel, f"rectify_by（整改期限）{rectify} 须晚于 published_on（公示日期）{published}")
    if out_of_order("published_on", published, "objection_deadline", deadline):
        problems.add(
            rel,
            f"objection_deadline（异议截止日期）{deadline} 须晚于 published_on（公示日期）{published}，异议期至少 1 天",
        )


def check_dates_against_sheets(status: Status, sheets: list[Sheet], problems: Problems) -> None:
    """No approval or publication before the last assessment of the year."""
    if not sheets:
        return
    last = max(sheets, key=lambda s: (s.assessed_on, s.institution))
    for key in ("approved_on", "published_on"):
        value = getattr(status, key)
        if out_of_order("assessed_on", last.assessed_on, key, value):
            problems.add(
                status.path,
                f"{key}（{DATE_LABELS[key]}）{value} 早于机构 {last.institution} 的评估日期 "
                f"{last.assessed_on}（{last.path}）；须在全部评估之后审定和公示",
            )
