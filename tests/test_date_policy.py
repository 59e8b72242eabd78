"""The one date policy (site_builder/domain/dates.py): every date is checked against the dates it
follows, by the readers through `dates.ORDER`; `build --publish` refuses a date later than today."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from support.project import REPO, Project

from site_builder.domain import dates
from site_builder.domain.models import Correction, Status
from site_builder.domain.objections import check_final_on
from site_builder.errors import Problems
from site_builder.read.datafile import Paths
from site_builder.read.objections import parse_objections
from site_builder.read.project import load_roster
from site_builder.read.roster import check_dates_against_sheets, load_status

ROSTER = load_roster(REPO / "scores/2023/roster.yaml", 2023, Paths(REPO, REPO, REPO), Problems())
assert ROSTER is not None
BASE = dt.date(2024, 1, 10)
STATUS_FILE, OBJECTIONS_FILE, CORRECTIONS_FILE = "status.yaml", "objections.yaml", "corrections.yaml"

# how a message names each field (its key, or for a correction its label)
NAMES = {
    "assessed_on": ("评估日期",),
    "approved_on": ("approved_on",),
    "published_on": ("published_on", "公示日期"),
    "objection_deadline": ("objection_deadline",),
    "rectify_by": ("rectify_by",),
    "final_on": ("final_on",),
    "received_on": ("received_on", "受理日期"),
    "decided_on": ("decided_on", "办结日期"),
    "cited_correction": ("更正日期",),
}
CHECKED = [r for r in dates.ORDER if r.earlier in NAMES and r.later in NAMES]
FILE_OF = {"cited_correction": OBJECTIONS_FILE, "received_on": OBJECTIONS_FILE, "decided_on": OBJECTIONS_FILE}


def check_all(days: dict[str, dt.date]) -> list[tuple[str, str]]:
    """Every reader's check of a year whose dates are `days`: (file, message) for each problem."""
    problems = Problems()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / STATUS_FILE
        keys = ("approved_on", "published_on", "objection_deadline", "rectify_by", "final_on")
        path.write_text(
            "status: approved\napproved_by: 领导小组\n" + "".join(f"{k}: {days[k]}\n" for k in keys), encoding="utf-8"
        )
        load_status(path, Paths(Path(tmp), Path(tmp), Path(tmp)), problems)
    status = Status(
        "approved", "领导小组", *(days[k] for k in keys[:3]), STATUS_FILE, days["final_on"], days["rectify_by"]
    )
    sheet = SimpleNamespace(assessed_on=days["assessed_on"], institution="P01", path="P01.yaml")
    check_dates_against_sheets(status, [sheet], problems)  # type: ignore[list-item]
    fix = Correction(1, days["cited_correction"], "P01", (), "复核结果", "领导小组")
    objection = {
        "received_on": days["received_on"],
        "institution": "P01",
        "subject": "对指标1-02扣分有异议",
        "outcome": "upheld",
        "decided_on": days["decided_on"],
        "reply": "经复核，异议成立",
        "correction": 1,
    }
    parse_objections([objection], OBJECTIONS_FILE, ROSTER, status, [fix], CORRECTIONS_FILE, problems)
    check_final_on(status, problems)
    return [(p.file, str(p)) for p in problems.items]


day_offsets = st.fixed_dictionaries({name: st.integers(0, 6) for name in NAMES})


@settings(max_examples=300, deadline=None)
@given(day_offsets)
def test_dates_accepted_iff_the_order_holds(offsets):
    days = {k: BASE + dt.timedelta(days=v) for k, v in offsets.items()}
    broken = [r for r in CHECKED if not r.holds(days[r.earlier], days[r.later])]
    found = check_all(days)
    assert bool(found) == bool(broken), (broken, found)
    for file, message in found:
        # every refusal names its file and both fields of a rule the dates break
        assert any(
            any(n in message for n in NAMES[r.earlier])
            and any(n in message for n in NAMES[r.later])
            and file in (FILE_OF.get(r.earlier, STATUS_FILE), FILE_OF.get(r.later, STATUS_FILE), "P01.yaml")
            for r in broken
        ), (message, broken)
    for r in broken:  # and each broken rule is refused, by itself or by one it follows from
        assert any(any(n in m for n in NAMES[r.earlier]) or any(n in m for n in NAMES[r.later]) for _, m in found), (
            r,
            found,
        )


def test_every_pair_the_readers_compare_is_in_the_order():
    """`rule` raises for a pair the order does not give: a reader cannot compare outside it."""
    assert dates.rule("received_on", "decided_on").strict is False
    assert dates.rule("published_on", "objection_deadline").strict is True
    try:
        dates.rule("final_on", "received_on")
    except KeyError:
        pass
    else:  # pragma: no cover
        raise AssertionError("an unlisted pair was accepted")


# --- regression: the examples ---------------------------------------------------------------------------

OBJ = "scores/2023/objections.yaml"
COR = "scores/2023/corrections.yaml"
ST = "scores/2023/status.yaml"


def test_upheld_objection_correction_after_final_on_is_refused(project: Project):
    """Decided 01-19, its correction 01-25, final_on 01-22: no "已更正…已于…确定为最终结果"."""
    project.edit(ST, "objection_deadline: 2024-01-20", "objection_deadline: 2024-01-20\nfinal_on: 2024-01-22")
    project.write(
        COR,
        "- date: 2024-01-25\n  institution: P01\n  changes: [{indicator: 1-02, old: 0, new: 1}]\n"
        "  reason: 复核结果\n  approved_by: 领导小组\n",
    )
    project.write(
        OBJ,
        "- received_on: 2024-01-18\n  institution: P01\n  subject: 对指标1-02扣分有异议\n  outcome: upheld\n"
        "  decided_on: 2024-01-19\n  reply: 经复核，异议成立\n  correction: 1\n",
    )
    result = project.validate()
    assert result.code == 1
    assert (
        f"  {OBJ}: 机构 P01: 第 1 条异议引用的第 1 条更正日期 2024-01-25（{COR} 的 date）晚于结果确定为最终结果的日期 "
        in (result.err)
    )
    assert f"2024-01-22（{ST} 的 final_on）；异议引起的更正须在确定最终结果之前作出，请核对日期\n" in result.err, (
        result.err
    )


def test_correction_before_the_objection_decision_is_refused(project: Project):
    project.write(
        COR,
        "- date: 2024-01-18\n  institution: P01\n  changes: [{indicator: 1-02, old: 0, new: 1}]\n"
        "  reason: 复核结果\n  approved_by: 领导小组\n",
    )
    project.write(
        OBJ,
        "- received_on: 2024-01-17\n  institution: P01\n  subject: 对指标1-02扣分有异议\n  outcome: upheld\n"
        "  decided_on: 2024-01-19\n  reply: 经复核，异议成立\n  correction: 1\n",
    )
    result = project.validate()
    assert result.code == 1
    assert (
        f"  {OBJ}: 机构 P01: 第 1 条异议引用的第 1 条更正日期 2024-01-18（{COR} 的 date）早于异议办结日期 "
        "2024-01-19（decided_on）；更正须在异议办结之后作出，请核对日期或更正序号\n" in result.err
    ), result.err


def test_correction_after_decision_and_before_final_on_is_accepted(project: Project):
    project.edit(ST, "objection_deadline: 2024-01-20", "objection_deadline: 2024-01-20\nfinal_on: 2024-01-26")
    project.write(
        COR,
        "- date: 2024-01-25\n  institution: P01\n  changes: [{indicator: 1-02, old: 0, new: 1}]\n"
        "  reason: 复核结果\n  approved_by: 领导小组\n",
    )
    project.write(
        OBJ,
        "- received_on: 2024-01-18\n  institution: P01\n  subject: 对指标1-02扣分有异议\n  outcome: upheld\n"
        "  decided_on: 2024-01-19\n  reply: 经复核，异议成立\n  correction: 1\n",
    )
    result = project.validate()
    assert result.code == 0, result.err
