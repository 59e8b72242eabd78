"""Parse and validate the rubric, roster, status and score sheets into frozen records.

Every problem in every file is collected; `load_project` raises one DataError listing them all.
Nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from site_builder import __version__, corrections
from site_builder.errors import Problems
from site_builder.models import (
    APPLIES,
    STATUSES,
    TIERS,
    GradeBand,
    Group,
    Indicator,
    Institution,
    ItemScore,
    Roster,
    Rubric,
    Rule,
    Section,
    Sheet,
    Status,
    Veto,
    YearData,
)
from site_builder.scoring import allowed_scores, fmt, section_sums
from site_builder.sheetcache import load_sheets, read_cache, write_cache
from site_builder.wording import did_you_mean
from site_builder.yamlio import YamlProblem, is_number, read_yaml, to_decimal

INDICATOR_ID = re.compile(r"^(\d)-(\d{2})$")
INSTITUTION_ID = re.compile(r"^[PM]\d{2,}$")
YEAR_DIR = re.compile(r"^\d{4}$")
RESERVED_FILES = {"roster.yaml", "status.yaml", "corrections.yaml", "published.json"}
SHEET_KEYS = ("institution", "assessed_on", "senior_levels", "online_exam", "items", "veto")
ITEM_KEYS = ("score", "reason", "self")
STATUS_KEYS = ("status", "approved_by", "approved_on", "published_on", "objection_deadline")
RULE_KINDS = ("all_or_nothing", "deduct", "tiers", "composite")


@dataclass(frozen=True)
class Paths:
    """Where the data lives. `rel` makes paths in messages short and stable."""

    rubric: Path
    scores: Path
    base: Path
    cache: Path | None = None  # where validated sheets are cached (None: no cache)
    workers: int = 1  # processes for parsing many sheets

    def rel(self, path: Path) -> str:
        """Path relative to the base when inside it (as messages show it), else as given."""
        base = _abs(str(self.base))
        full = _abs(str(path))
        if full == base or full.startswith(base.rstrip(os.sep) + os.sep):
            return Path(os.path.relpath(full, base)).as_posix()
        return Path(full).as_posix()  # outside the data root: absolute, so that it is never ambiguous


@lru_cache(maxsize=None)
def _abs_dir(folder: str) -> str:
    return os.path.realpath(folder)


def _abs(path: str) -> str:
    """Absolute path with symbolic links in its folder resolved (one realpath per folder, cached)."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(_abs_dir(folder), name) if name else _abs_dir(folder)


def join(values) -> str:
    return "、".join(fmt(v) if isinstance(v, Decimal) else str(v) for v in values)


def _yaml(path: Path, paths: Paths, problems: Problems, institution: str | None = None,
          allow_empty: bool = False) -> Any:
    """Read a YAML file, reporting syntax errors and duplicate keys. Returns None when unusable."""
    rel = paths.rel(path)
    try:
        data, duplicates = read_yaml(path)
    except YamlProblem as exc:
        problems.add(rel, str(exc), institution=institution, line=exc.line)
        return None
    except OSError as exc:
        problems.add(rel, f"无法读取文件：{exc.strerror}", institution=institution)
        return None
    if data is None:
        if not allow_empty:
            problems.add(rel, "文件为空", institution=institution)
        return None
    for key, first, again in duplicates:
        problems.add(rel, f"键 {key} 重复出现（第 {first} 行和第 {again} 行）；每个键只能写一次",
                     institution=institution, indicator=str(key) if INDICATOR_ID.match(str(key)) else None,
                     line=again)
    return data


def _unknown_keys(data: dict, allowed: tuple[str, ...], rel: str, problems: Problems, what: str,
                  institution: str | None = None, indicator: str | None = None) -> set[str]:
    """Report unknown fields, suggesting the field meant. Returns the missing fields a typo accounts
    for, so that the caller does not report them a second time as missing."""
    meant = set()
    for key in data:
        if key not in allowed:
            near = did_you_mean(str(key), [k for k in allowed if k not in data])
            hint = f"您是不是要写 {near}？" if near else ""
            if near:
                meant.add(near)
            problems.add(rel, f"{what}中有未知字段 {key!s}；{hint}允许的字段：{join(allowed)}",
                         institution=institution, indicator=indicator)
    return meant


# --- rubric ---------------------------------------------------------------------------------

def load_rubric(path: Path, paths: Paths, problems: Problems) -> Rubric | None:
    rel = paths.rel(path)
    data = _yaml(path, paths, problems)
    if data is None:
        return None
    before = len(problems.items)
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        problems.add(rel, "评估表文件须包含 sections 列表")
        return None

    sections: list[Section] = []
    seen_ids: set[str] = set()
    for s_raw in data["sections"]:
        section = _rubric_section(s_raw, rel, problems, seen_ids)
        if section:
            sections.append(section)

    grades = tuple(
        GradeBand(str(g["grade"]), to_decimal(g["min"]), str(g["label"])) for g in data.get("grades", [])
    )
    if [g.grade for g in grades] != ["A", "B", "C", "D"] or any(
        a.min <= b.min for a, b in zip(grades, grades[1:])
    ):
        problems.add(rel, "grades 须依次为 A、B、C、D，且分数下限递减")

    printed = data.get("printed_totals", {})
    base_max = sum((s.max for s in sections if s.kind == "base" and s.max is not None), Decimal(0))
    bonus_max = sum((s.max for s in sections if s.kind == "bonus" and s.max is not None), Decimal(0))
    count = sum(len(s.indicators) for s in sections)
    for label, computed, key in (("指标总数", count, "items"), ("1-5部分合计", base_max, "base_max"),
                                  ("加分项合计", bonus_max, "bonus_max"),
                                  ("总分", base_max + bonus_max, "total_max")):
        expected = printed.get(key)
        if expected is None or to_decimal(expected) != computed:
            problems.add(rel, f"{label}为 {fmt(Decimal(computed))}，与原表印出的 {expected} 不符；"
                              "评估表数据有误，请对照原表核对")
    if len(problems.items) > before:
        return None
    return Rubric(
        year=int(data["year"]),
        title=str(data["title"]),
        subtitle=str(data.get("subtitle", "")),
        sections=tuple(sections),
        grades=grades,
        source_notes=tuple(str(n) for n in data.get("source_notes", [])),
        base_max=base_max,
        bonus_max=bonus_max,
        total_max=base_max + bonus_max,
        path=rel,
    )


def _rubric_section(raw: dict, rel: str, problems: Problems, seen_ids: set[str]) -> Section | None:
    number, kind = raw.get("number"), raw.get("kind")
    if kind not in ("base", "bonus", "veto"):
        problems.add(rel, f"第 {number} 部分的 kind 为 {kind}；允许：base、bonus、veto")
        return None
    groups: list[Group] = []
    ordinal = 0
    for g_raw in raw.get("groups", []):
        applies = g_raw.get("applies", "all")
        indicators = []
        for i_raw in g_raw.get("items", []):
            ordinal += 1
            ind = _rubric_indicator(i_raw, number, ordinal, kind, g_raw, applies, rel, problems, seen_ids)
            if ind:
                indicators.append(ind)
        _check_printed(g_raw.get("printed"), indicators, f"第 {number} 部分“{g_raw.get('name')}”组",
                       kind, rel, problems)
        groups.append(Group(g_raw.get("name"), bool(g_raw.get("inferred", False)), applies,
                            tuple(indicators)))
    all_items = [i for g in groups for i in g.indicators]
    _check_printed(raw.get("printed"), all_items, f"第 {number} 部分（{raw.get('name')}）", kind, rel, problems)
    section_max = None if kind == "veto" else sum((i.max for i in all_items), Decimal(0))
    return Section(int(number), str(raw["name"]), kind, tuple(groups), section_max)


def _check_printed(printed: dict | None, items: list[Indicator], label: str, kind: str, rel: str,
                   problems: Problems) -> None:
    if not printed:
        return
    if "items" in printed and printed["items"] != len(items):
        problems.add(rel, f"{label}有 {len(items)} 项，原表印为 {printed['items']} 项")
    if kind != "veto" and "points" in printed:
        points = sum((i.max for i in items), Decimal(0))
        if points != to_decimal(printed["points"]):
            problems.add(rel, f"{label}合计 {fmt(points)} 分，原表印为 {fmt(to_decimal(printed['points']))} 分")


def _rubric_indicator(raw: dict, section: int, ordinal: int, kind: str, group: dict, applies: str,
                      rel: str, problems: Problems, seen_ids: set[str]) -> Indicator | None:
    ind_id = str(raw.get("id"))
    expected = f"{section}-{ordinal:02d}"
    if ind_id != expected:
        problems.add(rel, f"指标编号应为 {expected}（第 {section} 部分第 {ordinal} 项），实为 {ind_id}",
                     indicator=ind_id)
        return None
    if ind_id in seen_ids:
        problems.add(rel, "指标编号重复", indicator=ind_id)
        return None
    seen_ids.add(ind_id)
    if applies not in APPLIES:
        problems.add(rel, f"applies 为 {applies}；允许：{join(APPLIES)}", indicator=ind_id)
        return None
    rule: Rule | None = None
    allowed: tuple[Decimal, ...] = ()
    max_points: Decimal | None = None
    if kind == "veto":
        if "max" in raw or "scoring" in raw:
            problems.add(rel, "否决项不计分值，不应有 max 或 scoring", indicator=ind_id)
            return None
    else:
        if not is_number(raw.get("max")) or to_decimal(raw["max"]) <= 0:
            problems.add(rel, "max 须为正数", indicator=ind_id)
            return None
        max_points = to_decimal(raw["max"])
        rule = _rule(raw.get("scoring"), max_points, ind_id, rel, problems)
        if rule is None:
            return None
        allowed = allowed_scores(rule)
        if allowed[-1] != max_points or allowed[0] != 0:
            problems.add(rel, f"评分规则可得分值 {join(allowed)} 须包含 0 和满分 {fmt(max_points)}",
                         indicator=ind_id)
            return None
    return Indicator(
        id=ind_id,
        section=section,
        group=group.get("name"),
        group_inferred=bool(group.get("inferred", False)),
        text=raw.get("text"),
        rule_text=raw.get("rule"),
        max=max_points,
        rule=rule,
        applies=applies,
        notes=tuple(raw.get("notes") or ()),
        allowed=allowed,
    )


def _rule(raw: Any, max_points: Decimal, ind_id: str, rel: str, problems: Problems) -> Rule | None:
    if not isinstance(raw, dict) or raw.get("kind") not in RULE_KINDS:
        problems.add(rel, f"scoring.kind 须为 {join(RULE_KINDS)} 之一", indicator=ind_id)
        return None
    kind = raw["kind"]
    if kind == "deduct":
        per = raw.get("per")
        if not is_number(per) or to_decimal(per) <= 0:
            problems.add(rel, "deduct 规则须有正数 per（每缺一项扣分）", indicator=ind_id)
            return None
        return Rule(kind, max_points, per=to_decimal(per))
    if kind == "tiers":
        values = raw.get("values")
        if not isinstance(values, list) or not values or not all(is_number(v) for v in values):
            problems.add(rel, "tiers 规则须有数值列表 values", indicator=ind_id)
            return None
        return Rule(kind, max_points, values=tuple(sorted(to_decimal(v) for v in values)))
    if kind == "composite":
        parts = []
        for part in raw.get("parts") or []:
            if not isinstance(part, dict) or not is_number(part.get("max")):
                problems.add(rel, "composite 规则的每一部分须有 max", indicator=ind_id)
                return None
            sub = _rule(part, to_decimal(part["max"]), ind_id, rel, problems)
            if sub is None:
                return None
            parts.append(sub)
        total = sum((p.max for p in parts), Decimal(0))
        if len(parts) < 2 or total != max_points:
            problems.add(rel, f"composite 规则各部分满分之和为 {fmt(total)}，须等于 {fmt(max_points)}",
                         indicator=ind_id)
            return None
        return Rule(kind, max_points, parts=tuple(parts))
    return Rule(kind, max_points)


# --- roster and status ---------------------------------------------------------------------

def load_roster(path: Path, year: int, paths: Paths, problems: Problems) -> Roster | None:
    """The year's roster; a validated one is cached by content (a national roll-up lists thousands)."""
    rel = paths.rel(path)
    cache_file = paths.cache / f"roster-{year}.marshal" if paths.cache else None
    key = hashlib.sha256(__version__.encode() + b"\0" + str(year).encode() + b"\0" + path.read_bytes()).hexdigest()
    if cache_file:
        cached = read_cache(cache_file, key).get("institutions")
        if cached:
            return Roster(year, tuple(Institution(*t) for t in cached), rel)
    roster = _load_roster(path, rel, year, paths, problems)
    if roster and cache_file:
        write_cache(cache_file, key, {"institutions": tuple(
            (i.id, i.name, i.tier, i.county, i.active, i.code, i.order) for i in roster.institutions)})
    return roster


def _load_roster(path: Path, rel: str, year: int, paths: Paths, problems: Problems) -> Roster | None:
    data = _yaml(path, paths, problems)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("institutions"), list):
        problems.add(rel, "名单文件须包含 institutions 列表")
        return None
    before = len(problems.items)
    institutions: list[Institution] = []
    seen: set[str] = set()
    for order, raw in enumerate(data["institutions"], start=1):
        if not isinstance(raw, dict):
            problems.add(rel, f"第 {order} 个机构须为含 id、name、tier、active 的映射")
            continue
        inst_id = str(raw.get("id"))
        if not INSTITUTION_ID.match(inst_id):
            problems.add(rel, f"机构编号 {inst_id} 格式不对；省属为 P01、P02……，市属为 M01、M02……")
            continue
        if inst_id in seen:
            problems.add(rel, "机构编号重复", institution=inst_id)
            continue
        seen.add(inst_id)
        name, tier = raw.get("name"), raw.get("tier")
        if not isinstance(name, str) or not name.strip():
            problems.add(rel, "缺少机构名称 name", institution=inst_id)
        if tier is None:
            problems.add(rel, f"缺少 tier（层级）；允许：{join(TIERS)}", institution=inst_id)
        elif tier not in TIERS:
            problems.add(rel, f"tier 为 {tier}；允许：{join(TIERS)}", institution=inst_id)
        elif inst_id[0] != ("P" if tier == "省属" else "M"):
            problems.add(rel, f"编号 {inst_id} 与层级 {tier} 不符（省属用 P，市属用 M）", institution=inst_id)
        if not isinstance(raw.get("active"), bool):
            problems.add(rel, "active 须为 true 或 false（2023年是否开展评价）", institution=inst_id)
        for key in ("county", "code"):
            if raw.get(key) is not None and not isinstance(raw.get(key), str):
                problems.add(rel, f"{key} 须为文字或 null", institution=inst_id)
        _unknown_keys(raw, ("id", "name", "tier", "county", "active", "code"), rel, problems, "机构条目",
                      institution=inst_id)
        institutions.append(Institution(inst_id, str(name).strip(), str(tier), raw.get("county"),
                                        bool(raw.get("active")), raw.get("code"), order))
    if data.get("year") != year:
        problems.add(rel, f"year 为 {data.get('year')}，但文件位于 {year} 年的目录中")
    if len(problems.items) > before:
        return None
    return Roster(year, tuple(institutions), rel)


def load_status(path: Path, paths: Paths, problems: Problems) -> Status | None:
    rel = paths.rel(path)
    data = _yaml(path, paths, problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(rel, "status.yaml 须为映射，至少含 status 字段")
        return None
    before = len(problems.items)
    typos = _unknown_keys(data, STATUS_KEYS, rel, problems, "status.yaml ")
    status = data.get("status")
    if status is None and "status" not in typos:
        problems.add(rel, f"缺少 status；允许：{join(STATUSES)}（示例、草稿、已审定）")
    elif status not in STATUSES and status is not None:
        problems.add(rel, f"status 为 {status}；允许：{join(STATUSES)}（示例、草稿、已审定）")
    dates = {}
    for key in ("approved_on", "published_on", "objection_deadline"):
        value = data.get(key)
        if value is not None and not (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            problems.add(rel, f"{key} 须为日期，格式 YYYY-MM-DD，实为 {value}")
        elif value is None and status == "approved" and key not in typos:
            problems.add(rel, f"status 为 approved 时须填写 {key}")
        dates[key] = value
    approved_by = data.get("approved_by")
    if approved_by is not None and not isinstance(approved_by, str):
        problems.add(rel, "approved_by 须为文字")
    if status == "approved" and not approved_by and "approved_by" not in typos:
        problems.add(rel, "status 为 approved 时须填写 approved_by（审定单位）")
    if dates["published_on"] and dates["objection_deadline"] and dates["objection_deadline"] < dates["published_on"]:
        problems.add(rel, "objection_deadline（异议截止日期）早于 published_on（公示日期）")
    if len(problems.items) > before:
        return None
    return Status(status, approved_by, dates["approved_on"], dates["published_on"],
                  dates["objection_deadline"], rel)


# --- score sheets --------------------------------------------------------------------------

def load_sheet(path: Path, rubric: Rubric, roster: Roster, paths: Paths, problems: Problems) -> Sheet | None:
    rel = paths.rel(path)
    stem = path.stem
    data = _yaml(path, paths, problems, institution=stem)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(rel, f"评分表须为映射，含字段 {join(SHEET_KEYS)}", institution=stem)
        return None
    before = len(problems.items)
    raw_inst = data.get("institution")
    inst_id = str(raw_inst) if raw_inst is not None else stem
    typos = _unknown_keys(data, SHEET_KEYS, rel, problems, "评分表", institution=inst_id)

    def bad(message: str, indicator: str | None = None, field: str | None = None) -> None:
        if field not in typos:  # a misspelt field is reported once, as misspelt
            problems.add(rel, message, institution=inst_id, indicator=indicator)

    institution = roster.get(inst_id)
    if raw_inst is None:
        bad("缺少 institution 字段（机构编号，如 P01）", field="institution")
    elif institution is None:
        bad(f"不在 {roster.year} 年名单（{roster.path}）中；请核对机构编号")
    elif not institution.active:
        bad(f"名单标注该机构 {roster.year} 年未开展评价，不应有评分表；如名单有误请先更正名单")
    if raw_inst is not None and inst_id != stem:
        bad(f"文件名 {path.name} 与 institution: {inst_id} 不一致；文件应命名为 {inst_id}.yaml")

    assessed_on = data.get("assessed_on")
    if assessed_on is None:
        bad("缺少 assessed_on（评估日期），格式 YYYY-MM-DD", field="assessed_on")
    elif not (isinstance(assessed_on, dt.date) and not isinstance(assessed_on, dt.datetime)):
        bad(f"assessed_on（评估日期）须为日期，格式 YYYY-MM-DD，实为 {assessed_on}")
    flags = {}
    for flag, meaning in (("senior_levels", "是否评价技师/高级技师"), ("online_exam", "是否使用在线机考")):
        value = data.get(flag)
        if value is None:
            bad(f"缺少 {flag}（{meaning}），填 true 或 false", field=flag)
        elif not isinstance(value, bool):
            bad(f"{flag}（{meaning}）须为 true 或 false，实为 {value}")
        flags[flag] = value is True

    items = _sheet_items(data.get("items"), rubric, flags, bad) if "items" not in typos else ()
    veto = _sheet_veto(data.get("veto"), rubric, bad)
    if len(problems.items) > before:
        return None
    return Sheet(inst_id, assessed_on, flags["senior_levels"], flags["online_exam"], items, veto, rel,
                 hashlib.sha256(path.read_bytes()).hexdigest(), section_sums(rubric, items))


def _applies(indicator: Indicator, flags: dict[str, bool]) -> bool:
    return indicator.applies == "all" or flags[indicator.applies]


def _sheet_items(raw: Any, rubric: Rubric, flags: dict[str, bool], bad) -> tuple[ItemScore, ...]:
    if not isinstance(raw, dict):
        bad("缺少 items（各指标得分），或 items 不是映射")
        return ()
    scores: dict[str, ItemScore] = {}
    for key, value in raw.items():
        ind_id = str(key)
        indicator = rubric.by_id.get(ind_id)
        if indicator is None:
            bad(f"未知指标 {ind_id}；指标编号为 1-01 至 7-31（见 {rubric.path}）", ind_id)
            continue
        if indicator.is_veto:
            bad("否决项不计分，请写在 veto 下并附证据", ind_id)
            continue
        if not _applies(indicator, flags):
            flag = indicator.applies
            bad(f"本项仅适用于{_flag_label(flag)}，而评分表 {flag}: false；请删除本项或将 {flag} 改为 true",
                ind_id)
            continue
        item = _item_score(indicator, value, bad)
        if item:
            scores[ind_id] = item
    for indicator in rubric.indicators:
        if indicator.is_veto or not _applies(indicator, flags):
            continue
        if indicator.id not in raw:
            bad(f"缺少本项得分（满分 {fmt(indicator.max)}，可得 {join(indicator.allowed)}）", indicator.id)
    return tuple(scores[i.id] for i in rubric.indicators if i.id in scores)


def _flag_label(flag: str) -> str:
    return {"senior_levels": "评价技师/高级技师的机构", "online_exam": "使用在线机考的机构"}[flag]


def _item_score(indicator: Indicator, value: Any, bad) -> ItemScore | None:
    ind_id = indicator.id
    reason = self_score = None
    if isinstance(value, dict):
        unknown = [k for k in value if k not in ITEM_KEYS]
        if unknown:
            near = did_you_mean(str(unknown[0]), [k for k in ITEM_KEYS if k not in value])
            hint = f"您是不是要写 {near}？" if near else ""
            bad(f"未知字段 {join(unknown)}；{hint}允许：score（得分）、reason（扣分原因）、self（自评分）", ind_id)
            return None
        if "score" not in value:
            bad("缺少 score（得分）", ind_id)
            return None
        score, reason, self_score = value.get("score"), value.get("reason"), value.get("self")
    else:
        score = value
    if not is_number(score):
        bad(f"得分 {score!s} 不是数字；可得 {join(indicator.allowed)}", ind_id)
        return None
    score = to_decimal(score)
    ok = True
    if score < 0 or score > indicator.max:
        bad(f"得分 {fmt(score)} 超出 0 至 {fmt(indicator.max)} 的范围；可得 {join(indicator.allowed)}", ind_id)
        ok = False
    elif score not in indicator.allowed:
        bad(f"得分 {fmt(score)} 不是本项评分规则可得的分值；可得 {join(indicator.allowed)}", ind_id)
        ok = False
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        bad("reason（扣分原因）须为非空文字", ind_id)
        ok = False
    if ok and score < indicator.max and indicator.section <= 5 and not (isinstance(reason, str) and reason.strip()):
        if reason is None:
            bad(f"得分 {fmt(score)} 低于满分 {fmt(indicator.max)}，须写明扣分原因："
                f"{{score: {fmt(score)}, reason: …}}", ind_id)
        ok = False
    if self_score is not None:
        if not is_number(self_score) or not 0 <= to_decimal(self_score) <= indicator.max:
            bad(f"自评分 self: {self_score!s} 须为 0 至 {fmt(indicator.max)} 之间的数字", ind_id)
            ok = False
        else:
            self_score = to_decimal(self_score)
    if not ok:
        return None
    return ItemScore(ind_id, score, reason.strip() if isinstance(reason, str) else None, self_score)


def _sheet_veto(raw: Any, rubric: Rubric, bad) -> tuple[Veto, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        bad("veto 须为映射，如 {6-04: 证据}；没有否决项时写 veto: {}")
        return ()
    found: dict[str, Veto] = {}
    veto_ids = [i.id for i in rubric.veto_items]
    for key, evidence in raw.items():
        ind_id = str(key)
        if ind_id not in veto_ids:
            bad(f"{ind_id} 不是否决项；否决项为 {veto_ids[0]} 至 {veto_ids[-1]}", ind_id)
            continue
        if not isinstance(evidence, str) or not evidence.strip():
            bad("否决项须写明证据（事实依据），如 6-04: 连续两年未开展评价工作", ind_id)
            continue
        found[ind_id] = Veto(ind_id, evidence.strip())
    return tuple(found[i] for i in veto_ids if i in found)


# --- a year and the whole project ----------------------------------------------------------

def load_year(year_dir: Path, paths: Paths, problems: Problems) -> YearData | None:
    year = int(year_dir.name)
    rubric_path = paths.rubric / f"{year}.yaml"
    rel_dir = paths.rel(year_dir)
    if not rubric_path.is_file():
        problems.add(paths.rel(rubric_path), f"缺少 {year} 年的评估表文件")
        rubric = None
    else:
        rubric = load_rubric(rubric_path, paths, problems)
        if rubric is not None and rubric.year != year:
            problems.add(paths.rel(rubric_path), f"year 为 {rubric.year}，但文件是 {year} 年的评估表")
            rubric = None
    roster = status = None
    for name in ("roster.yaml", "status.yaml"):
        if not (year_dir / name).is_file():
            problems.add(f"{rel_dir}/{name}", f"缺少 {year} 年的{'机构名单' if name == 'roster.yaml' else '状态文件'}")
    if (year_dir / "roster.yaml").is_file():
        roster = load_roster(year_dir / "roster.yaml", year, paths, problems)
    if (year_dir / "status.yaml").is_file():
        status = load_status(year_dir / "status.yaml", paths, problems)

    sheet_paths = []
    for path in sorted(year_dir.iterdir()):
        if path.name.startswith(".") or path.name in RESERVED_FILES:
            continue
        if path.suffix != ".yaml" or not path.is_file():
            problems.add(paths.rel(path), "不认识的文件；评分表须命名为 <机构编号>.yaml（如 P01.yaml）")
            continue
        sheet_paths.append(path)
    if rubric is None or roster is None:
        return None  # sheets cannot be checked without both; their problems are reported above
    context = rubric_path.read_bytes() + b"\0" + (year_dir / "roster.yaml").read_bytes()
    cache_file = paths.cache / f"sheets-{year}.marshal" if paths.cache else None
    sheets = load_sheets(sheet_paths, rubric, roster, paths, problems, context, cache_file, paths.workers)
    corrections_path = year_dir / corrections.CORRECTIONS_FILE
    fixes = []
    if corrections_path.is_file():
        raw = _yaml(corrections_path, paths, problems, allow_empty=True)
        fixes = corrections.parse_corrections(raw, paths.rel(corrections_path), rubric, roster, problems)
    if status is None:
        return None
    order = {inst.id: inst.order for inst in roster.institutions}
    sheets.sort(key=lambda s: order[s.institution])
    data = YearData(year, rubric, roster, status, tuple(sheets), tuple(fixes))
    record_path = year_dir / corrections.RECORD_FILE
    if record_path.is_file() and len(sheets) == len(sheet_paths):  # a sheet refused above is not "missing"
        record = corrections.parse_record(record_path, paths.rel(record_path), problems)
        if record is not None:
            corrections.check_against_record(data, record, paths.rel(record_path), paths.rel(corrections_path),
                                             problems)
    return data


def list_year_dirs(scores_dir: Path) -> list[Path]:
    """The year folders (named like 2023) under a scores folder, oldest first."""
    if not scores_dir.is_dir():
        return []
    return sorted(p for p in scores_dir.iterdir() if p.is_dir() and YEAR_DIR.match(p.name))


def load_project(scores_dir: Path, rubric_dir: Path, base: Path | None = None, cache: Path | None = None,
                 workers: int = 1) -> list[YearData]:
    """Load every year under scores_dir (folders named like 2023). Raises DataError on any problem."""
    paths = Paths(rubric=rubric_dir, scores=scores_dir, base=base or Path.cwd(), cache=cache, workers=workers)
    problems = Problems()
    for folder, what in ((scores_dir, "评分数据目录（各年度的名单、状态和评分表）"), (rubric_dir, "评估表目录")):
        if not folder.is_dir():  # every missing input in one run, with a path that cannot be misread
            problems.add(os.path.abspath(folder), f"{what}不存在")
    problems.raise_if_any()
    year_dirs = list_year_dirs(scores_dir)
    if not year_dirs:
        problems.add(paths.rel(scores_dir), "没有年度目录（如 scores/2023/）")
    years = [y for d in year_dirs if (y := load_year(d, paths, problems))]
    problems.raise_if_any()
    return years
