"""Property-based: well-formed random sheets always load; random corruptions always give a clean error."""

from __future__ import annotations

from decimal import Decimal as D

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO

from site_builder.common.textcheck import refused
from site_builder.domain.scoring import fmt, score_sheet
from site_builder.errors import DataError, Problems
from site_builder.read.project import Paths, load_roster, load_rubric, load_sheet

_paths = Paths(REPO / "rubric", REPO / "scores", REPO)
_problems = Problems()
RUBRIC = load_rubric(REPO / "rubric/2023.yaml", _paths, _problems)
ROSTER = load_roster(REPO / "scores/2023/roster.yaml", 2023, _paths, _problems)
assert not _problems
ACTIVE = [i.id for i in ROSTER.institutions if i.active]
SCORED = [i for i in RUBRIC.indicators if not i.is_veto]
# What the text gate allows (issue 24: fillers and blanks that show nothing are refused too)
VISIBLE = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")).filter(
    lambda c: refused(c) is None
)
REASON = st.text(VISIBLE, min_size=1, max_size=20).filter(lambda t: t.strip())
"""A deduction's reason (one strategy for the module: a new one per indicator drawn was most of the time)."""
REASONS = st.lists(REASON, min_size=1, max_size=12)
"""The reasons a sheet's deductions draw from: a text drawn for each of its hundred-odd deductions
was most of a test's time, and the loader reads each reason alone (any text of them is a case)."""
ALLOWED = {ind.id: st.sampled_from(ind.allowed) for ind in SCORED}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def sheets(draw):
    senior, online = draw(st.booleans()), draw(st.booleans())
    flags = {"all": True, "senior_levels": senior, "online_exam": online}
    reasons = draw(REASONS)
    items = {}
    for ind in SCORED:
        if not flags[ind.applies]:
            continue
        score = draw(ALLOWED[ind.id])
        entry: dict = {"score": float(score) if score % 1 else int(score)}
        if score < ind.max:
            entry["reason"] = draw(st.sampled_from(reasons))
        if draw(st.booleans()):
            entry["self"] = float(ind.max)
        items[ind.id] = entry
    veto = {}
    if draw(st.integers(0, 9)) == 0:
        veto = {draw(st.sampled_from([v.id for v in RUBRIC.veto_items])): "连续两年未开展评价工作"}
    return {
        "institution": draw(st.sampled_from(ACTIVE)),
        "assessed_on": "2024-01-08",
        "senior_levels": senior,
        "online_exam": online,
        "items": items,
        "veto": veto,
    }


def _write(tmp_path, data: dict, name: str | None = None):
    # PyYAML's own emitter: libyaml's writes a character beyond U+FFFF (𠮷, an emoji) as an escape
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace("'2024-01-08'", "2024-01-08")
    path = tmp_path / f"{name or data['institution']}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@SETTINGS
@given(sheets())
def test_well_formed_sheets_always_load(tmp_path, data):
    problems = Problems()
    sheet = load_sheet(_write(tmp_path, data), RUBRIC, ROSTER, _paths, problems)
    assert not problems, [str(p) for p in problems.items]
    result = score_sheet(RUBRIC, ROSTER.get(data["institution"]), sheet)
    expected = sum((D(str(e["score"])) for e in data["items"].values()), D(0))
    assert result.total == expected
    assert result.vetoed == bool(data["veto"])
    assert D(0) <= result.base <= D(100) and D(0) <= result.bonus <= D(20)
    assert "e" not in fmt(result.total).lower()


CORRUPTIONS = st.sampled_from(
    [
        "drop_item",
        "bad_score",
        "unknown_item",
        "drop_field",
        "wrong_type",
        "stray_key",
        "veto_no_evidence",
        "not_allowed",
        "wrong_institution",
        "garbage",
    ]
)


@SETTINGS
@given(sheets(), CORRUPTIONS, st.data())
def test_corruptions_always_give_an_error_naming_the_file(tmp_path, data, corruption, draw):
    items = data["items"]
    key = draw.draw(st.sampled_from(sorted(items)))
    name = data["institution"]
    if corruption == "drop_item":
        del items[key]
    elif corruption == "bad_score":
        items[key] = {"score": draw.draw(st.sampled_from([-1, 99, "x", None, True, [1]]))}
    elif corruption == "unknown_item":
        items["8-01"] = 1
    elif corruption == "drop_field":
        del data[draw.draw(st.sampled_from(["institution", "assessed_on", "senior_levels", "items"]))]
    elif corruption == "wrong_type":
        data[draw.draw(st.sampled_from(["senior_levels", "online_exam", "items", "veto"]))] = "文本"
    elif corruption == "stray_key":
        data["备注"] = 1
    elif corruption == "veto_no_evidence":
        data["veto"] = {"6-01": ""}
    elif corruption == "not_allowed":
        items[key] = {"score": 0.1, "reason": "x"}
    elif corruption == "wrong_institution":
        data["institution"] = draw.draw(st.sampled_from(["P12", "M27", "X99", 5]))
    path = _write(tmp_path, data, name)
    if corruption == "garbage":
        path.write_bytes(draw.draw(st.sampled_from([b"items: [\n", b"\xff\xfe\x00", b"- 1\n- 2\n", b"", b": :\n"])))
    problems = Problems()
    load_sheet(path, RUBRIC, ROSTER, _paths, problems)
    assert problems, corruption
    for problem in problems.items:
        assert problem.file.endswith(f"{name}.yaml")
        assert str(problem).startswith(problem.file)
    try:
        problems.raise_if_any()
    except DataError as exc:
        assert len(exc.problems) == len(problems.items)
