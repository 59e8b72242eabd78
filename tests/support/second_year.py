"""A second assessment year whose form differs from 2023's: no section 7, two bonus sections 8 and 9
(3 items, 10 points), 112 items, and grades named 优秀/良好/合格/不合格 with other bounds.

Built on top of the mini project (tests/support/mini.py), so the site has both years. P02 carries the
same stable code as 2023's P01, so its page compares an A with a 良好.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from support.mini import make_mini
from support.yamlfiles import dump_yaml, load_yaml

YEAR = 2024
GRADES = [
    {"grade": "优秀", "min": 90, "label": "90分及以上"},
    {"grade": "良好", "min": 75, "label": "75分至90分以下"},
    {"grade": "合格", "min": 60, "label": "60分至75分以下"},
    {"grade": "不合格", "min": 0, "label": "60分以下"},
]
GRADE_NAMES = [g["grade"] for g in GRADES]
SHARED_CODE = "91140900MA0K2B3C46"  # a well-formed 统一社会信用代码 (check character right)

BONUS_SECTIONS = [
    {
        "number": 8,
        "name": "创新加分",
        "kind": "bonus",
        "printed": {"items": 2, "points": 6},
        "groups": [
            {
                "name": "创新举措",
                "printed": {"items": 2, "points": 6},
                "items": [
                    {
                        "id": "8-01",
                        "max": 4,
                        "text": "开展评价方式创新试点。",
                        "rule": "开展的得4分，否则0分；",
                        "scoring": {"kind": "all_or_nothing"},
                    },
                    {
                        "id": "8-02",
                        "max": 2,
                        "text": "推广数字化考务。",
                        "rule": "每缺1项扣1分，扣完为止；",
                        "scoring": {"kind": "deduct", "per": 1},
                    },
                ],
            }
        ],
    },
    {
        "number": 9,
        "name": "服务加分",
        "kind": "bonus",
        "printed": {"items": 1, "points": 4},
        "groups": [
            {
                "name": "社会服务",
                "printed": {"items": 1, "points": 4},
                "items": [
                    {
                        "id": "9-01",
                        "max": 4,
                        "text": "面向重点群体开展公益评价。",
                        "rule": "较好得4分，一般得2分，未开展0分；",
                        "scoring": {"kind": "tiers", "values": [4, 2, 0]},
                    },
                ],
            }
        ],
    },
]

ROSTER = f"""year: 2024
institutions:
  - {{id: P01, name: 戊职业培训学校, tier: 省属, county: null, active: true, code: null}}
  - {{id: P02, name: 甲职业培训学校, tier: 省属, county: null, active: true, code: {SHARED_CODE}}}
  - {{id: M01, name: 己技工学校, tier: 市属, county: 定襄县, active: true, code: null}}
  - {{id: M02, name: 庚培训中心, tier: 市属, county: 五台县, active: true, code: null}}
  - {{id: M03, name: 辛人力资源有限公司, tier: 市属, county: 繁峙县, active: true, code: null}}
  - {{id: M04, name: 壬科技有限公司, tier: 市属, county: 宁武县, active: false, code: null}}
"""

STATUS = """status: draft
approved_by: null
approved_on: null
published_on: 2025-01-15
objection_deadline: 2025-01-20
"""

ANNOUNCEMENT = """---
title: 2024年度测试公告
basis: 《测试工作方案》（忻人社函〔2024〕1号）
assessor: 测试考核工作小组
assessed_from: 2024-12-20
assessed_to: 2025-01-10
---

依据忻人社函〔2024〕1号开展考核。
"""

# institution -> (base points deducted at least, bonus per item, veto)
PLAN = {
    "P01": (0, {}, {}),
    "P02": (20, {}, {}),
    "M01": (40, {"8-01": 0}, {}),
    "M02": (55, {"8-01": 0, "9-01": 0}, {}),
    "M03": (0, {}, {"6-04": "连续两年未开展评价工作（测试）"}),
}


def rubric_2024(rubric_2023: dict) -> dict:
    r = copy.deepcopy(rubric_2023)
    r["year"] = YEAR
    r["subtitle"] = "8大部分112项指标"
    r["grades"] = GRADES
    r["sections"] = [s for s in r["sections"] if s["number"] != 7] + copy.deepcopy(BONUS_SECTIONS)
    r["printed_totals"] = {"items": 112, "base_max": 100, "bonus_max": 10, "total_max": 110}
    return r


def _zero_allowed(scoring: dict) -> bool:
    if scoring["kind"] == "tiers":
        return 0 in scoring["values"]
    if scoring["kind"] == "composite":
        return all(_zero_allowed(p) for p in scoring["parts"])
    return True  # all_or_nothing, deduct


def sheet(rubric: dict, inst: str) -> dict:
    """Every item at full marks (senior levels and online exams: all items apply), then whole base
    items set to 0 in form order until at least the planned points are deducted."""
    deduct, bonus, veto = PLAN[inst]
    items: dict = {}
    lost = 0
    for section in rubric["sections"]:
        for group in section["groups"]:
            for item in group["items"]:
                if "max" not in item:
                    continue
                if section["kind"] == "base" and lost < deduct and _zero_allowed(item["scoring"]):
                    items[item["id"]] = {"score": 0, "reason": "未提供资料"}
                    lost += item["max"]
                else:
                    items[item["id"]] = bonus.get(item["id"], item["max"])
    return {
        "institution": inst,
        "assessed_on": dt.date(2025, 1, 8),
        "senior_levels": True,
        "online_exam": True,
        "items": items,
        "veto": veto,
    }


def make_second_year(root: Path) -> Path:
    make_mini(root)
    roster = root / "scores/2023/roster.yaml"  # P01 gets a stable code shared with 2024's P02
    text = roster.read_text(encoding="utf-8")
    roster.write_text(
        text.replace(
            "tier: 省属, county: null, active: true, code: null}",
            f"tier: 省属, county: null, active: true, code: {SHARED_CODE}}}",
            1,
        ),
        encoding="utf-8",
    )
    rubric = rubric_2024(load_yaml((root / "rubric/2023.yaml").read_text(encoding="utf-8")))
    files = {
        "rubric/2024.yaml": dump_yaml(rubric, allow_unicode=True, sort_keys=False, width=1000),
        "scores/2024/roster.yaml": ROSTER,
        "scores/2024/status.yaml": STATUS,
        "content/2024/announcement.md": ANNOUNCEMENT,
    }
    for inst in PLAN:
        files[f"scores/2024/{inst}.yaml"] = dump_yaml(
            sheet(rubric, inst), allow_unicode=True, sort_keys=False, width=1000
        )
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root
