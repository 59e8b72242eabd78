"""The mini project approved, with a correction for P01, and objections through the 公示 phases
(tests/test_objections.py and the defects found around them)."""

from __future__ import annotations

import re
from pathlib import Path

from support.mini import make_mini

STATUS = (
    "status: approved\napproved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\napproved_on: 2024-01-15\n"
    "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n"
)
CORRECTIONS = (
    "- date: 2024-01-22\n  institution: P01\n  changes:\n    - {indicator: 1-02, old: 0, new: 1}\n"
    "  reason: 复核结果：机构已公告收费标准\n  approved_by: 考核工作领导小组\n"
)

UPHELD = """- received_on: 2024-01-17
  institution: P01
  subject: 对指标1-02扣分有异议
  outcome: upheld
  decided_on: 2024-01-22
  reply: 复核后确认机构已公告收费标准，予以更正
  correction: 1
"""
REJECTED = """- received_on: 2024-01-18
  institution: M01
  subject: 对总分有异议
  outcome: rejected
  decided_on: 2024-01-23
  reply: 经复核，评分无误，维持原结果
"""
LATE_PENDING = """- received_on: 2024-01-22
  institution: P01
  subject: 对指标2-01扣分有异议
  outcome: pending
"""
LATE_REJECTED = LATE_PENDING.replace(
    "outcome: pending\n", "outcome: rejected\n  decided_on: 2024-01-26\n  reply: 经复核，机构缺1项资料，扣分无误\n"
)


def objection_project(
    tmp_path: Path, objections_yaml: str | None = None, final_on: str | None = None, corrections: bool = True
) -> Path:
    """The mini project approved (STATUS), P01 corrected as CORRECTIONS says (written unless
    `corrections` is False), with these objections and final_on if given."""
    root = make_mini(tmp_path / "m")
    year = root / "scores/2023"
    (year / "status.yaml").write_text(STATUS + (f"final_on: {final_on}\n" if final_on else ""), encoding="utf-8")
    sheet = (year / "P01.yaml").read_text(encoding="utf-8")
    corrected = re.sub(r"  1-02:\n    score: 0\n    reason: .*\n    self: 1\n", "  1-02: 1\n", sheet)
    assert corrected != sheet
    (year / "P01.yaml").write_text(corrected, encoding="utf-8")
    if corrections:
        (year / "corrections.yaml").write_text(CORRECTIONS, encoding="utf-8")
    if objections_yaml is not None:
        (year / "objections.yaml").write_text(objections_yaml, encoding="utf-8")
    return root


def set_data(root: Path, objections_yaml: str, final_on: str | None = None, corrections: bool = True) -> None:
    """Rewrite the objections, the status (with final_on if given) and the corrections."""
    year = root / "scores/2023"
    if corrections:
        (year / "corrections.yaml").write_text(CORRECTIONS, encoding="utf-8")
    (year / "objections.yaml").write_text(objections_yaml, encoding="utf-8")
    (year / "status.yaml").write_text(STATUS + (f"final_on: {final_on}\n" if final_on else ""), encoding="utf-8")
