"""A small, deterministic project for the site tests: 5 institutions, hostile text included.

Its rubric is the repo's; everything else is written here. The expected HTML built from it is kept
in tests/expected/mini/ (regenerate: REGENERATE_EXPECTED=1 python -m pytest tests/test_site_expected.py).

`approved_mini` makes it approved for publication; `approve` approves one already made.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support.project import REPO
from support.yamlfiles import dump_yaml, load_yaml

HOSTILE_NAME = '<script>alert("name")</script>测试机构'
HOSTILE_REASON = "<img src=x onerror=alert(1)>缺少资料"

ROSTER = """year: 2023
institutions:
  - {{id: P01, name: 甲职业培训学校, tier: 省属, county: null, active: true, code: null}}
  - {{id: P02, name: 乙人力资源有限公司, tier: 省属, county: null, active: true, code: null}}
  - {{id: P03, name: 丙科技有限公司, tier: 省属, county: null, active: false, code: null}}
  - id: M01
    name: '{}'
    tier: 市属
    county: 原平市
    active: true
    code: null
  - {{id: M02, name: 丁职业中学校, tier: 市属, county: 代县, active: true, code: null}}
""".format(HOSTILE_NAME.replace("'", "''"))

STATUS = """status: draft
approved_by: null
approved_on: null
published_on: 2024-01-15
objection_deadline: 2024-01-20
"""

SITE = """title: 测试考核结果公示
short_title: 测试结果
publisher: 测试发布单位
office: 测试办公室
base_url: https://results.example.gov.cn/kh/
contact:
  phone: 0350-3020718
  email: xzsjdZX@163.com
  address: 忻州市长征西街人社大楼五层职业技能服务中心办公室
sponsor: 测试主办单位
site_id_code: '1409000001'
icp: 晋ICP备12345678号
"""

ANNOUNCEMENT = """---
title: 2023年度测试公告
basis: 《测试工作方案》（忻人社函〔2023〕118号）
assessor: 测试考核工作小组
assessed_from: 2023-12-21
assessed_to: 2024-01-10
---

依据忻人社函〔2023〕118号开展考核。

<script>alert("md")</script><a href="javascript:alert(2)">坏链接</a>
"""

ABOUT = """---
title: 关于
---

关于本站。<img src="https://evil.example/x.png" onerror="alert(3)">
"""


def sheet_yaml(rubric: dict, inst: str, senior: bool, online: bool, changes: dict, veto: dict) -> str:
    items = {}
    for section in rubric["sections"]:
        for group in section["groups"]:
            applies = group.get("applies", "all")
            if applies == "senior_levels" and not senior or applies == "online_exam" and not online:
                continue
            for item in group["items"]:
                if "max" in item:
                    items[item["id"]] = changes.get(item["id"], item["max"])
    doc = {
        "institution": inst,
        "assessed_on": "DATE",
        "senior_levels": senior,
        "online_exam": online,
        "items": items,
        "veto": veto,
    }
    text = dump_yaml(doc, allow_unicode=True, sort_keys=False, width=1000)
    return text.replace("DATE", "2024-01-08")


def make_mini(root: Path) -> Path:
    """Write the mini project under root; return root."""
    shutil.copytree(REPO / "rubric", root / "rubric")
    rubric = load_yaml((root / "rubric/2023.yaml").read_text(encoding="utf-8"))
    files = {
        "content/site.yaml": SITE,
        "content/2023/announcement.md": ANNOUNCEMENT,
        "content/pages/about.md": ABOUT,
        "scores/2023/roster.yaml": ROSTER,
        "scores/2023/status.yaml": STATUS,
        # P01: full marks except two deductions: 100 - 1 - 0.25 + 10 (bonus, no senior/online) = 108.75, A
        "scores/2023/P01.yaml": sheet_yaml(
            rubric,
            "P01",
            False,
            False,
            {
                "1-02": {"score": 0, "reason": HOSTILE_REASON, "self": 1},
                "2-01": {"score": 0.75, "reason": "缺1项"},
            },
            {},
        ),
        # P02: vetoed
        "scores/2023/P02.yaml": sheet_yaml(rubric, "P02", False, False, {}, {"6-04": "连续两年未开展评价工作（测试）"}),
        # M01: senior levels and online exams, all at max: 100 + 20 = 120, A
        "scores/2023/M01.yaml": sheet_yaml(rubric, "M01", True, True, {}, {}),
        # M02: no sheet (allowed in a draft)
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


APPROVED = (
    "status: approved\napproved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\napproved_on: 2024-01-15\n"
    "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n"
)
"""status.yaml of an approved mini project (published 2024-01-15, objections until 2024-01-20)."""


def approved_mini(tmp_path: Path) -> Path:
    """The mini project under tmp_path/m, approved, with M02's sheet a copy of P01's (a published
    year needs every active institution's sheet)."""
    root = make_mini(tmp_path / "m")
    (root / "scores/2023/status.yaml").write_text(APPROVED, encoding="utf-8")
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8").replace("institution: P01", "institution: M02")
    (root / "scores/2023/M02.yaml").write_text(sheet, encoding="utf-8")
    return root


def approve(root: Path) -> None:
    """Approve a mini project already made (by 测试考核工作领导小组), M02 at full marks."""
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 测试考核工作领导小组\napproved_on: 2024-01-15\n"
        "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n",
        encoding="utf-8",
    )
    rubric = load_yaml((root / "rubric/2023.yaml").read_text(encoding="utf-8"))
    (root / "scores/2023/M02.yaml").write_text(sheet_yaml(rubric, "M02", False, False, {}, {}), encoding="utf-8")
