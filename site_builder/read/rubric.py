"""The rubric file (rubric/<year>.yaml): sections, groups, indicators, scoring rules, grade bands.

Every value is checked for its type before it is used: a wrong file gives messages naming the
section, group or indicator, never a KeyError. Grade names and labels come from the file; only
their shape is checked (non-empty, unique, minimums strictly decreasing down to 0).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

from site_builder.common.textcheck import shown, shown_id
from site_builder.common.yamlio import is_number, to_decimal
from site_builder.domain.models import APPLIES, GradeBand, Group, Indicator, Rubric, Rule, Section
from site_builder.domain.scoring import allowed_scores, fmt
from site_builder.errors import Problems
from site_builder.read.datafile import Paths, join, read_document, unknown_keys
from site_builder.storage.records import pack_document, unpack_document

RULE_KINDS = ("all_or_nothing", "deduct", "tiers", "composite")
SECTION_KINDS = ("base", "bonus", "veto")
RUBRIC_KEYS = ("year", "title", "subtitle", "printed_totals", "grades", "source_notes", "sections")
MAX_ALLOWED = 400
"""Most reachable scores one indicator may have (a rule that produces more is a typing error)."""


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def load_rubric(path: Path, paths: Paths, problems: Problems) -> Rubric | None:
    """The rubric; the content of a valid one is cached by the file's bytes (the rubric is the largest
    data file most builds read, and PyYAML's reader the slowest part of reading it); what is made of
    it, and every check of that, is the same either way."""
    rel = paths.rel(path)
    before = len(problems.items)
    # the cache file named by the rubric's path, its key by its bytes
    name = hashlib.sha256(rel.encode("utf-8")).hexdigest()[:16]
    cache_file, key = paths.cache_entry(path, f"rubric-{name}.marshal")
    cached = cache_file.read(key).get("document") if cache_file and key else None
    try:
        data = unpack_document(cached) if cached is not None else None
    except (ValueError, TypeError, ArithmeticError):  # a cache entry of another shape: read the file
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        data = None  # what read_document makes sure of
    packed = None
    if data is None:
        data = read_document(path, paths, problems, "rubric", "sections", "评估表文件", RUBRIC_KEYS, "评估表")
        if data is None:
            return None
        packed = pack_document(data) if cache_file and key else None
    rubric = _rubric(data, rel, problems, before)
    if rubric is not None and cache_file and key and packed is not None:
        cache_file.write(key, {"document": packed})
    return rubric


def _rubric(data: dict, rel: str, problems: Problems, before: int) -> Rubric | None:
    if not _int(data.get("year")):
        problems.add(rel, f"year 须为年份数字，如 2023，实为 {shown(data.get('year'))}")
    if not _text(data.get("title")):
        problems.add(rel, "缺少 title（评估表标题）")
    if data.get("subtitle") is not None and not isinstance(data.get("subtitle"), str):
        problems.add(rel, "subtitle 须为文字")
    notes = data.get("source_notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.add(rel, "source_notes 须为文字列表")
        notes = []

    sections: list[Section] = []
    seen_ids: set[str] = set()
    numbers: set[int] = set()
    for n, s_raw in enumerate(data["sections"], start=1):
        section = _section(s_raw, n, rel, problems, seen_ids, numbers)
        if section:
            sections.append(section)
    if not any(s.kind == "base" for s in sections) and len(problems.items) == before:
        problems.add(rel, "评估表须至少有一个 kind: base 的部分")
    grades = _grades(data.get("grades"), rel, problems)

    base_max = sum((s.max for s in sections if s.kind == "base" and s.max is not None), Decimal(0))
    bonus_max = sum((s.max for s in sections if s.kind == "bonus" and s.max is not None), Decimal(0))
    count = sum(len(s.indicators) for s in sections)
    printed = data.get("printed_totals")
    if not isinstance(printed, dict):
        problems.add(rel, "缺少 printed_totals（原表印出的 items、base_max、bonus_max、total_max），用于核对")
        printed = {}
    if sections:
        base_names = "、".join(str(s.number) for s in sections if s.kind == "base")
        for label, computed, key in (
            ("指标总数", count, "items"),
            (f"基础部分（第 {base_names} 部分）合计", base_max, "base_max"),
            ("加分项合计", bonus_max, "bonus_max"),
            ("总分", base_max + bonus_max, "total_max"),
        ):
            expected = printed.get(key)
            if not is_number(expected) or to_decimal(expected) != computed:
                problems.add(
                    rel,
                    f"{label}为 {fmt(Decimal(computed))}，与原表印出的 {shown(expected)} 不符；"
                    "评估表数据有误，请对照原表核对",
                )
    if len(problems.items) > before:
        return None
    return Rubric(
        year=data["year"],
        title=data["title"].strip(),
        subtitle=str(data.get("subtitle") or ""),
        sections=tuple(sections),
        grades=grades,
        source_notes=tuple(notes),
        base_max=base_max,
        bonus_max=bonus_max,
        total_max=base_max + bonus_max,
        path=rel,
    )


def _grades(raw: Any, rel: str, problems: Problems) -> tuple[GradeBand, ...]:
    hint = "grades 须为列表，每项如 {grade: A, min: 90, label: 90分及以上}，按分数下限从高到低排列，最后一项 min 为 0"
    if not isinstance(raw, list) or not raw:
        problems.add(rel, hint)
        return ()
    bands: list[GradeBand] = []
    for n, g in enumerate(raw, start=1):
        if not isinstance(g, dict):
            problems.add(rel, f"第 {n} 个等级不是映射；{hint}")
            continue
        unknown_keys(g, ("grade", "min", "label"), rel, problems, f"第 {n} 个等级")
        name, minimum, label = g.get("grade"), g.get("min"), g.get("label")
        ok = True
        if not _text(name) and not _int(name):
            problems.add(rel, f"第 {n} 个等级缺少 grade（等级名称，如 A 或 优秀）")
            ok = False
        if not is_number(minimum) or to_decimal(minimum) < 0:
            problems.add(rel, f"第 {n} 个等级的 min（分数下限）须为不小于 0 的数字")
            ok = False
        if not _text(label):
            problems.add(rel, f"第 {n} 个等级缺少 label（说明，如 90分及以上）")
            ok = False
        if ok and _text(label):
            bands.append(GradeBand(str(name).strip(), to_decimal(minimum), label.strip()))
    if len(bands) != len(raw):
        return ()
    names = [b.grade for b in bands]
    if len(set(names)) != len(names):
        problems.add(rel, f"等级名称重复：{join(names)}；每个等级的 grade 须不同")
    if any(a.min <= b.min for a, b in zip(bands, bands[1:])):
        problems.add(rel, f"等级的分数下限须从高到低严格递减，实为 {join(b.min for b in bands)}")
    elif bands[-1].min != 0:
        problems.add(
            rel, f"最低等级 {bands[-1].grade} 的 min 须为 0，实为 {fmt(bands[-1].min)}（否则有的总分没有等级）"
        )
    return tuple(bands)


def _section(raw: Any, n: int, rel: str, problems: Problems, seen_ids: set[str], numbers: set[int]) -> Section | None:
    if not isinstance(raw, dict):
        problems.add(rel, f"sections 的第 {n} 项须为映射，含 number、name、kind、groups")
        return None
    number, kind, name = raw.get("number"), raw.get("kind"), raw.get("name")
    if not _int(number) or not 1 <= number <= 99:
        problems.add(rel, f"sections 的第 {n} 项的 number 须为 1 至 99 的整数，实为 {shown(number)}")
        return None
    if number in numbers:
        problems.add(rel, f"部分编号 {number} 重复")
        return None
    numbers.add(number)
    where = f"第 {number} 部分"
    unknown_keys(raw, ("number", "name", "kind", "printed", "groups"), rel, problems, where)
    if kind not in SECTION_KINDS:
        problems.add(rel, f"{where}的 kind 为 {shown(kind)}；允许：{join(SECTION_KINDS)}")
        return None
    if not _text(name):
        problems.add(rel, f"{where}缺少 name（部分名称）")
        return None
    if not isinstance(raw.get("groups"), list) or not raw["groups"]:
        problems.add(rel, f"{where}须有 groups 列表")
        return None
    groups: list[Group] = []
    ordinal = 0
    for m, g_raw in enumerate(raw["groups"], start=1):
        if not isinstance(g_raw, dict) or not isinstance(g_raw.get("items"), list):
            problems.add(rel, f"{where}的第 {m} 组须为映射，含 items 列表")
            continue
        unknown_keys(g_raw, ("name", "inferred", "applies", "printed", "items"), rel, problems, f"{where}第 {m} 组")
        g_name = g_raw.get("name")
        if g_name is not None and not isinstance(g_name, str):
            problems.add(rel, f"{where}第 {m} 组的 name 须为文字或 null")
            g_name = None
        applies = g_raw.get("applies", "all")
        if applies not in APPLIES:
            problems.add(rel, f"{where}第 {m} 组的 applies 为 {shown(applies)}；允许：{join(APPLIES)}")
            continue
        indicators = []
        for i_raw in g_raw["items"]:
            ordinal += 1
            ind = _indicator(
                i_raw,
                number,
                ordinal,
                kind,
                g_name,
                bool(g_raw.get("inferred", False)),
                applies,
                rel,
                problems,
                seen_ids,
            )
            if ind:
                indicators.append(ind)
        _check_printed(g_raw.get("printed"), indicators, f"{where}“{g_name}”组", kind, rel, problems)
        groups.append(Group(g_name, bool(g_raw.get("inferred", False)), applies, tuple(indicators)))
    all_items = [i for g in groups for i in g.indicators]
    _check_printed(raw.get("printed"), all_items, f"{where}（{name}）", kind, rel, problems)
    section_max = None if kind == "veto" else sum((i.max for i in all_items if i.max is not None), Decimal(0))
    return Section(number, name.strip(), kind, tuple(groups), section_max)


def _check_printed(printed: Any, items: list[Indicator], label: str, kind: str, rel: str, problems: Problems) -> None:
    if printed is None:
        return
    if not isinstance(printed, dict):
        problems.add(rel, f"{label}的 printed 须为映射，如 {{items: 7, points: 7}}")
        return
    if "items" in printed and printed["items"] != len(items):
        problems.add(rel, f"{label}有 {len(items)} 项，原表印为 {shown(printed['items'])} 项")
    if kind != "veto" and "points" in printed:
        points = sum((i.max for i in items if i.max is not None), Decimal(0))
        if not is_number(printed["points"]) or points != to_decimal(printed["points"]):
            problems.add(rel, f"{label}合计 {fmt(points)} 分，原表印为 {shown(printed['points'])} 分")


def _indicator(
    raw: Any,
    section: int,
    ordinal: int,
    kind: str,
    group: str | None,
    inferred: bool,
    applies: str,
    rel: str,
    problems: Problems,
    seen_ids: set[str],
) -> Indicator | None:
    expected = f"{section}-{ordinal:02d}"
    if not isinstance(raw, dict):
        problems.add(rel, f"第 {section} 部分第 {ordinal} 项须为映射，含 id、text、max、scoring", indicator=expected)
        return None
    ind_id = shown_id(raw.get("id"))
    if raw.get("id") != expected:
        problems.add(
            rel, f"指标编号应为 {expected}（第 {section} 部分第 {ordinal} 项），实为 {ind_id}", indicator=expected
        )
        return None
    if ind_id in seen_ids:
        problems.add(rel, "指标编号重复", indicator=ind_id)
        return None
    seen_ids.add(ind_id)
    unknown_keys(raw, ("id", "max", "text", "rule", "scoring", "notes"), rel, problems, "指标", indicator=ind_id)
    for key in ("text", "rule"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            problems.add(rel, f"{key} 须为文字或 null", indicator=ind_id)
            return None
    notes = raw.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.add(rel, "notes 须为文字列表", indicator=ind_id)
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
            problems.add(rel, f"评分规则可得分值 {join(allowed)} 须包含 0 和满分 {fmt(max_points)}", indicator=ind_id)
            return None
    return Indicator(
        id=ind_id,
        section=section,
        group=group,
        group_inferred=inferred,
        text=raw.get("text"),
        rule_text=raw.get("rule"),
        max=max_points,
        rule=rule,
        applies=applies,
        notes=tuple(notes),
        allowed=allowed,
        section_kind=kind,
    )


def _count(rule: Rule) -> int:
    """How many scores a rule can produce at most, without listing them."""
    if rule.kind == "all_or_nothing":
        return 2
    if rule.kind == "deduct" and rule.per is not None:  # (a deduct rule always has its step)
        steps = int(rule.max / rule.per)  # max, max - per, …, max - steps×per: steps + 1 scores
        return steps + 1 + (0 if steps * rule.per == rule.max else 1)  # and 0 when the steps miss it (扣完为止)
    if rule.kind == "tiers":
        return len(rule.values)
    total = 1
    for part in rule.parts:
        total *= _count(part)
    return total


def _rule(raw: Any, max_points: Decimal, ind_id: str, rel: str, problems: Problems, depth: int = 0) -> Rule | None:
    if not isinstance(raw, dict) or raw.get("kind") not in RULE_KINDS:
        problems.add(rel, f"scoring.kind 须为 {join(RULE_KINDS)} 之一", indicator=ind_id)
        return None
    kind = raw["kind"]
    rule: Rule
    if kind == "deduct":
        per = raw.get("per")
        if not is_number(per) or to_decimal(per) <= 0:
            problems.add(rel, "deduct 规则须有正数 per（每缺一项扣分）", indicator=ind_id)
            return None
        rule = Rule(kind, max_points, per=to_decimal(per))
    elif kind == "tiers":
        values = raw.get("values")
        if not isinstance(values, list) or not values or not all(is_number(v) for v in values):
            problems.add(rel, "tiers 规则须有数值列表 values", indicator=ind_id)
            return None
        rule = Rule(kind, max_points, values=tuple(sorted(set(to_decimal(v) for v in values))))
    elif kind == "composite":
        parts = []
        raw_parts = raw.get("parts")
        if depth > 2 or not isinstance(raw_parts, list):
            problems.add(rel, "composite 规则须有 parts 列表（最多嵌套两层）", indicator=ind_id)
            return None
        for part in raw_parts:
            if not isinstance(part, dict) or not is_number(part.get("max")) or to_decimal(part["max"]) <= 0:
                problems.add(rel, "composite 规则的每一部分须有正数 max", indicator=ind_id)
                return None
            sub = _rule(part, to_decimal(part["max"]), ind_id, rel, problems, depth + 1)
            if sub is None:
                return None
            parts.append(sub)
        total = sum((p.max for p in parts), Decimal(0))
        if len(parts) < 2 or total != max_points:
            problems.add(
                rel, f"composite 规则各部分满分之和为 {fmt(total)}，须等于 {fmt(max_points)}", indicator=ind_id
            )
            return None
        rule = Rule(kind, max_points, parts=tuple(parts))
    else:
        rule = Rule(kind, max_points)
    if _count(rule) > MAX_ALLOWED:
        problems.add(rel, f"评分规则可得的分值超过 {MAX_ALLOWED} 个；请核对 per 或 values", indicator=ind_id)
        return None
    return rule
