"""A small rubric file written by the test that needs it, read by the rubric loader.

`small_rubric()` gives a rubric's document (a dict) that loads: two base sections, a bonus section
and a veto section; a test changes what it is about (an indicator's scoring, the grade bands) and
`load` writes and reads it. The printed totals are computed from the items, so that only the change
under test can be refused.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import Problems
from site_builder.read.datafile import Paths
from site_builder.read.rubric import load_rubric

GRADES = [
    {"grade": "A", "min": 4, "label": "4分及以上"},
    {"grade": "B", "min": 2.5, "label": "2.5分至4分以下"},
    {"grade": "C", "min": 0, "label": "2.5分以下"},
]

SECTIONS = [
    {
        "number": 1,
        "name": "第一部分",
        "kind": "base",
        "groups": [
            {
                "name": "甲组",
                "items": [
                    {"id": "1-01", "max": 1, "scoring": {"kind": "all_or_nothing"}},
                    {"id": "1-02", "max": 1, "scoring": {"kind": "deduct", "per": 0.25}},
                    {"id": "1-03", "max": 2, "scoring": {"kind": "tiers", "values": [2, 0.5, 0]}},
                ],
            }
        ],
    },
    {
        "number": 2,
        "name": "第二部分",
        "kind": "base",
        "groups": [
            {
                "name": "乙组",
                "items": [
                    {
                        "id": "2-01",
                        "max": 0.5,
                        "scoring": {
                            "kind": "composite",
                            "parts": [{"max": 0.25, "kind": "all_or_nothing"}, {"max": 0.25, "kind": "all_or_nothing"}],
                        },
                    }
                ],
            }
        ],
    },
    {
        "number": 3,
        "name": "加分项",
        "kind": "bonus",
        "groups": [{"name": "丙组", "items": [{"id": "3-01", "max": 1, "scoring": {"kind": "all_or_nothing"}}]}],
    },
    {"number": 4, "name": "否决项", "kind": "veto", "groups": [{"name": "丁组", "items": [{"id": "4-01"}]}]},
]


def small_rubric() -> dict[str, Any]:
    """The rubric's document: base 4.5 points (sections 1 and 2), bonus 1 (section 3), a veto item."""
    return {"year": 2023, "title": "测试评估表", "grades": copy.deepcopy(GRADES), "sections": copy.deepcopy(SECTIONS)}


def item(doc: dict[str, Any], ind_id: str) -> dict[str, Any]:
    """An indicator's entry in the document, to change."""
    return next(i for s in doc["sections"] for g in s["groups"] for i in g["items"] if i["id"] == ind_id)


def printed_totals(doc: dict[str, Any]) -> dict[str, Any]:
    """What the form would print for these items: their count and the base, bonus and total maxima."""

    def points(kind: str) -> Decimal:
        return sum(
            (
                Decimal(str(i["max"]))
                for s in doc["sections"]
                if s["kind"] == kind
                for g in s["groups"]
                for i in g["items"]
                if isinstance(i, dict) and _number(i.get("max"))
            ),
            Decimal(0),
        )

    base, bonus = points("base"), points("bonus")
    count = sum(len(g["items"]) for s in doc["sections"] for g in s["groups"])
    return {"items": count, "base_max": _plain(base), "bonus_max": _plain(bonus), "total_max": _plain(base + bonus)}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _Plain(yaml.SafeDumper):
    """Every value written out where it is used: the rubric loader refuses YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def load(tmp_path: Path, doc: dict[str, Any]):
    """Write the document (with its printed totals unless it has some) as tmp_path/2023.yaml and read
    it: (the rubric or None, every problem as a message shows it)."""
    doc = dict(doc)
    doc.setdefault("printed_totals", printed_totals(doc))
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.dump(doc, Dumper=_Plain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = Problems()
    rubric = load_rubric(path, Paths(tmp_path, tmp_path, tmp_path), problems)
    return rubric, [str(p) for p in problems.items]
