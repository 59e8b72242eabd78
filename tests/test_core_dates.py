"""The 公示's dates at their boundaries (the day before, the day of, the day after), through `validate`
and `build` on the mini project approved (published 2024-01-15, objections until 2024-01-20):

- an objection received after the deadline is late (逾期受理), one received on the deadline is not;
- the phase is 异议处理中 only when an objection is pending and a date in the data is after the
  deadline; 最终结果 once `final_on` is set, which may not be before the deadline;
- received_on not before published_on, decided_on not before received_on nor after final_on, an
  upheld objection's correction not dated before the objection was received.

Every message is checked whole.
"""

from __future__ import annotations

import pytest
from support.objections import CORRECTIONS, objection_project
from support.project import in_process

OBJ = "scores/2023/objections.yaml"
STATUS = "scores/2023/status.yaml"
DEADLINE = "2024-01-20"
BEFORE, AFTER = "2024-01-19", "2024-01-21"


def objection(
    received: str, outcome: str = "pending", decided: str | None = None, correction: int | None = None
) -> str:
    """One entry of objections.yaml about P01."""
    lines = [
        f"- received_on: {received}",
        "  institution: P01",
        "  subject: 对指标2-01扣分有异议",
        f"  outcome: {outcome}",
    ]
    if decided:
        lines.append(f"  decided_on: {decided}")
    if outcome != "pending":
        lines.append("  reply: 经复核，评分无误")
    if correction is not None:
        lines.append(f"  correction: {correction}")
    return "\n".join(lines) + "\n"


def correction(date: str) -> str:
    """The mini project's correction of P01 (1-02: 0 → 1), dated `date`."""
    return CORRECTIONS.replace("date: 2024-01-22", f"date: {date}")


def dated_project(tmp_path, objections: str, final_on: str | None = None, corrections: str | None = None):
    root = objection_project(tmp_path, objections, final_on=final_on, corrections=False)
    if corrections is not None:
        (root / "scores/2023/corrections.yaml").write_text(corrections, encoding="utf-8")
    return root


def stage(tmp_path, objections: str, final_on: str | None = None, corrections: str | None = None) -> str:
    """validate's line on the phase and the objections (its last line)."""
    result = in_process("validate", "--root", str(dated_project(tmp_path, objections, final_on, corrections)))
    assert (result.code, result.err) == (0, "")
    return result.out.splitlines()[-1]


def refused(tmp_path, objections: str, final_on: str | None = None, corrections: str | None = None) -> list[str]:
    """validate's problems, one line each."""
    result = in_process("validate", "--root", str(dated_project(tmp_path, objections, final_on, corrections)))
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == f"错误：数据有 {len(lines) - 1} 处问题，未写出任何文件："
    return [line.removeprefix("  ") for line in lines[1:]]


def line(phase: str, received: int, upheld: int = 0, rejected: int = 0, pending: int = 0, late: int = 0) -> str:
    tail = f"（逾期受理 {late}）" if late else ""
    return f"  阶段：{phase}；异议 {received} 件：成立 {upheld}，不成立 {rejected}，正在处理 {pending}{tail}"


# --- late objections and the phase ----------------------------------------------------------------


@pytest.mark.parametrize(
    "received, expected",
    [
        ("2024-01-15", line("公示中", 1, pending=1)),  # the day of publication
        (BEFORE, line("公示中", 1, pending=1)),
        (DEADLINE, line("公示中", 1, pending=1)),  # on the deadline: in time, and the 公示 is not over
        (AFTER, line("异议处理中", 1, pending=1, late=1)),  # the day after: late, and the 公示 is over
    ],
)
def test_a_pending_objection_by_the_day_it_was_received(tmp_path, received, expected):
    assert stage(tmp_path, objection(received)) == expected


@pytest.mark.parametrize(
    "received, expected",
    [
        (DEADLINE, line("公示中", 1, rejected=1)),
        (AFTER, line("公示中", 1, rejected=1, late=1)),  # late but decided: nothing pending
    ],
)
def test_a_decided_objection_is_late_or_not_but_leaves_the_publicity(tmp_path, received, expected):
    assert stage(tmp_path, objection(received, "rejected", decided="2024-01-25")) == expected


@pytest.mark.parametrize(
    "decided, phase",
    [(BEFORE, "公示中"), (DEADLINE, "公示中"), (AFTER, "异议处理中")],
)
def test_a_decision_after_the_deadline_ends_the_publicity(tmp_path, decided, phase):
    """An objection still pending; another decided on the given day: the decision dates the 公示's end."""
    text = objection("2024-01-16") + objection("2024-01-17", "rejected", decided=decided)
    assert stage(tmp_path, text) == line(phase, 2, rejected=1, pending=1)


@pytest.mark.parametrize(
    "dated, phase",
    [(BEFORE, "公示中"), (DEADLINE, "公示中"), (AFTER, "异议处理中")],
)
def test_a_correction_after_the_deadline_ends_the_publicity(tmp_path, dated, phase):
    assert stage(tmp_path, objection("2024-01-16"), corrections=correction(dated)) == line(phase, 1, pending=1)


def test_several_objections_are_counted_by_outcome_and_lateness(tmp_path):
    text = (
        objection("2024-01-16", "upheld", decided="2024-01-22", correction=1)
        + objection(DEADLINE, "rejected", decided="2024-01-23")
        + objection(AFTER, "rejected", decided="2024-01-23")
        + objection("2024-01-22")
        + objection("2024-01-23")
    )
    assert stage(tmp_path, text, corrections=correction("2024-01-22")) == line(
        "异议处理中", 5, upheld=1, rejected=2, pending=2, late=3
    )


def test_no_objection_no_line_until_final(tmp_path):
    result = in_process("validate", "--root", str(dated_project(tmp_path, "# 暂无异议\n")))
    assert result.out.splitlines()[-1] == "  等级：A 2，B 0，C 0，D 0，取消评价资格 1"
    assert stage(tmp_path / "final", "# 暂无异议\n", final_on=DEADLINE) == line("最终结果", 0)


# --- final results ----------------------------------------------------------------------------------

FINAL_EARLY = (
    f"{STATUS}: final_on（结果确定为最终结果的日期）{{}} 早于 objection_deadline（异议截止日期）{DEADLINE}；"
    "公示期满后才能确定最终结果"
)


@pytest.mark.parametrize("final_on", [DEADLINE, AFTER])
def test_final_on_the_deadline_or_later(tmp_path, final_on):
    text = objection("2024-01-16", "rejected", decided=DEADLINE)
    assert stage(tmp_path, text, final_on=final_on) == line("最终结果", 1, rejected=1)


def test_final_before_the_deadline_is_refused(tmp_path):
    text = objection("2024-01-16", "rejected", decided="2024-01-18")
    assert refused(tmp_path, text, final_on=BEFORE) == [FINAL_EARLY.format(BEFORE)]


def test_final_needs_the_publication_dates(tmp_path):
    """Sample data need no deadline; final results do."""
    root = dated_project(tmp_path, "# 暂无异议\n", final_on=DEADLINE)
    status = root / STATUS
    text = status.read_text(encoding="utf-8").replace("status: approved", "status: sample")
    status.write_text(text.replace(f"objection_deadline: {DEADLINE}", "objection_deadline: null"), encoding="utf-8")
    result = in_process("validate", "--root", str(root))
    assert result.err.splitlines()[1:] == [
        f"  {STATUS}: 填写 final_on（结果确定为最终结果的日期）须先填写 published_on（公示日期）和 "
        "objection_deadline（异议截止日期）"
    ]


def test_final_in_a_draft_is_refused(tmp_path):
    root = dated_project(tmp_path, "# 暂无异议\n", final_on=DEADLINE)
    status = root / STATUS
    status.write_text(status.read_text(encoding="utf-8").replace("status: approved", "status: draft"), encoding="utf-8")
    result = in_process("validate", "--root", str(root))
    assert result.err.splitlines()[1:] == [
        f"  {STATUS}: status 为 draft（草稿）时不能确定最终结果；请删去 final_on，或审定后将 status 改为 approved"
    ]


@pytest.mark.parametrize("decided, ok", [("2024-01-21", True), ("2024-01-22", True), ("2024-01-23", False)])
def test_a_decision_not_after_the_final_results(tmp_path, decided, ok):
    text = objection("2024-01-16", "rejected", decided=decided)
    if ok:
        assert stage(tmp_path, text, final_on="2024-01-22") == line("最终结果", 1, rejected=1)
    else:
        assert refused(tmp_path, text, final_on="2024-01-22") == [
            f"{OBJ}: 机构 P01: 第 1 条异议的办结日期 {decided}（decided_on）晚于结果确定为最终结果的日期 2024-01-22"
            f"（{STATUS} 的 final_on）；请核对日期"
        ]


def test_a_pending_objection_holds_the_final_results_back(tmp_path):
    assert refused(tmp_path, objection("2024-01-16"), final_on="2024-01-22") == [
        f"{OBJ}: 机构 P01: 第 1 条异议仍在处理（outcome: pending），但结果已于 2024-01-22 确定为最终结果（{STATUS} 的 "
        "final_on）；请先填写处理结果，或删去 final_on"
    ]


# --- the order of the dates -------------------------------------------------------------------------


def test_received_not_before_publication(tmp_path):
    assert stage(tmp_path, objection("2024-01-15")) == line("公示中", 1, pending=1)
    assert refused(tmp_path / "early", objection("2024-01-14")) == [
        f"{OBJ}: 机构 P01: 第 1 条异议的受理日期 2024-01-14（received_on）早于结果公示日期 2024-01-15"
        f"（{STATUS} 的 published_on）；请核对日期"
    ]


@pytest.mark.parametrize("decided", ["2024-01-17", "2024-01-18"])
def test_decided_not_before_received(tmp_path, decided):
    assert stage(tmp_path, objection("2024-01-17", "rejected", decided=decided)) == line("公示中", 1, rejected=1)


def test_decided_before_received_is_refused(tmp_path):
    assert refused(tmp_path, objection("2024-01-17", "rejected", decided="2024-01-16")) == [
        f"{OBJ}: 机构 P01: 第 1 条异议的办结日期 2024-01-16（decided_on）早于受理日期 2024-01-17（received_on）；请核对日期"
    ]


@pytest.mark.parametrize("received", ["2024-01-16", "2024-01-17"])
def test_an_upheld_objection_cites_a_correction_of_that_day_or_later(tmp_path, received):
    text = objection(received, "upheld", decided="2024-01-17", correction=1)
    assert stage(tmp_path, text, corrections=correction("2024-01-17")) == line("公示中", 1, upheld=1)


def test_an_upheld_objection_citing_an_earlier_correction_is_refused(tmp_path):
    text = objection("2024-01-18", "upheld", decided="2024-01-18", correction=1)
    assert refused(tmp_path, text, corrections=correction("2024-01-17")) == [
        f"{OBJ}: 机构 P01: 第 1 条异议引用的第 1 条更正日期 2024-01-17 早于异议受理日期 2024-01-18；请核对更正序号"
    ]


@pytest.mark.parametrize(
    "value, problems",
    [
        ("2024-02-30", [f"{OBJ}:1: 日期 2024-02-30 不存在（没有这一天）；请写实际的日期，格式 YYYY-MM-DD"]),
        (
            "'2024-02-30'",
            [f"{OBJ}: 机构 P01: 第 1 条异议的 received_on（受理日期）2024-02-30 不是真实存在的日期；请核对年、月、日"],
        ),
        (
            "2024/01/16",
            [f"{OBJ}: 机构 P01: 第 1 条异议的 received_on（受理日期）须为日期，格式 YYYY-MM-DD，实为 2024/01/16"],
        ),
        ("'2024-1-16'", []),  # quoted, one-digit month: read as 2024-01-16
        ("'2024-01-21'", None),  # quoted: a date all the same, late
    ],
)
def test_a_date_that_is_not_one(tmp_path, value, problems):
    text = objection("2024-01-16").replace("received_on: 2024-01-16", f"received_on: {value}")
    if problems is None:
        assert stage(tmp_path, text) == line("异议处理中", 1, pending=1, late=1)
    elif problems:
        assert refused(tmp_path, text) == problems
    else:
        assert stage(tmp_path, text) == line("公示中", 1, pending=1)


# --- what the pages say once the 公示 is over --------------------------------------------------------


def _phase_box(root) -> str:
    from bs4 import BeautifulSoup

    result = in_process("build", "--root", str(root), "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    page = BeautifulSoup((root / "output/2023/index.html").read_text(encoding="utf-8"), "html.parser")
    return " ".join(page.find(class_="phase-box").get_text(" ", strip=True).split())


@pytest.mark.parametrize("decided, over", [(DEADLINE, False), (AFTER, True)])
def test_the_year_page_says_when_the_publicity_is_over(tmp_path, decided, over):
    root = dated_project(tmp_path, objection("2024-01-16", "rejected", decided=decided))
    box = _phase_box(root)
    assert box.startswith("公示中 ")
    assert ("公示期已结束，最终结果待确定。" in box) is over


# --- the sentences and messages, from the records themselves --------------------------------------


@pytest.mark.parametrize(
    "counts, text",
    [
        ((0, 0, 0, 0, 0), "公示期内未收到异议。"),
        ((2, 1, 1, 0, 0), "公示期间共受理异议2件，经复核，异议成立1件，已更正相关结果；异议不成立1件。"),
        (
            (3, 1, 0, 2, 1),
            "公示期间共受理异议3件（其中逾期受理1件），经复核，异议成立1件，已更正相关结果；异议不成立0件；正在处理2件。",
        ),
    ],
)
def test_the_sentence_on_the_objections(counts, text):
    import datetime as dt

    from site_builder.domain.objections import Counts, Phase, summary_text

    phase = Phase("publicity", dt.date(2024, 1, 15), dt.date(2024, 1, 20), None, Counts(*counts), False)
    assert summary_text(phase) == text


def test_every_date_later_than_today_is_named_with_its_file_and_field():
    """`build --publish`'s refusal of dates in the future: every file and field, deadlines left alone,
    a date of today allowed."""
    import datetime as dt
    from types import SimpleNamespace as Record

    from site_builder.domain.dates import future_dates

    today, later = dt.date(2024, 1, 21), dt.date(2204, 1, 21)
    status = Record(
        path="scores/2023/status.yaml",
        approved_on=today,
        published_on=later,
        final_on=later,
        objection_deadline=later,
        rectify_by=later,
    )
    sheets = [Record(path="scores/2023/P01.yaml", institution="P01", assessed_on=later)]
    sheets.append(Record(path="scores/2023/P02.yaml", institution="P02", assessed_on=today))
    objections = [Record(path=OBJ, number=1, received_on=later, decided_on=None)]
    objections.append(Record(path=OBJ, number=2, received_on=today, decided_on=later))
    corrections = [Record(number=1, date=today), Record(number=2, date=later)]
    data = Record(status=status, sheets=sheets, objections=objections, corrections=corrections)
    end = "晚于今天（2024-01-21）；正式发布的日期不能是将来的日期，请核对年份（如把 2024 误写成 2204）"
    assert future_dates(data, today) == [
        f"{STATUS}: published_on（公示日期）2204-01-21 {end}",
        f"{STATUS}: final_on（最终结果确定日期）2204-01-21 {end}",
        f"scores/2023/P01.yaml: 机构 P01 评分表的assessed_on（评估日期）2204-01-21 {end}",
        f"{OBJ}: 第 1 条异议的received_on（受理日期）2204-01-21 {end}",
        f"{OBJ}: 第 2 条异议的decided_on（办结日期）2204-01-21 {end}",
        f"scores/2023/corrections.yaml: 第 2 条更正的 date（更正日期）2204-01-21 {end}",
    ]
    assert future_dates(data, later) == []


def test_an_objection_is_recorded_by_two_digests():
    """The whole entry's, which changes when it is decided, and its fixed fields' (received_on,
    institution, subject), which never may once published."""
    import datetime as dt

    from site_builder.domain.corrections import correction_digest
    from site_builder.domain.objections import entry_digests

    raw = {"received_on": dt.date(2024, 1, 18), "institution": "M01", "subject": "对总分有异议", "outcome": "pending"}
    whole, fixed = entry_digests(raw)
    assert whole == correction_digest(raw)
    assert fixed == correction_digest({k: raw[k] for k in ("received_on", "institution", "subject")}) != whole
    decided = {**raw, "outcome": "rejected", "decided_on": dt.date(2024, 1, 23), "reply": "经复核，评分无误"}
    assert entry_digests(decided)[1] == fixed and entry_digests(decided)[0] != whole
    for key, value in (("received_on", dt.date(2024, 1, 19)), ("institution", "M02"), ("subject", "另一事项")):
        assert entry_digests({**raw, key: value})[1] != fixed


def test_the_phase_as_the_exports_name_it_and_an_institutions_objections():
    """`phase_label` (the open data's `phase`): none before publication, then 公示中, 异议处理中 or
    最终结果, the period over once a date of the data (the final results' own included) is after
    the deadline; `of_institution`: the objections about one institution (its page), in their order."""
    import datetime as dt
    from types import SimpleNamespace as Record

    from site_builder.domain.objections import Counts, Phase, of_institution, phase_label, phase_of

    status = Record(published_on=None, objection_deadline=dt.date(2024, 1, 20), final_on=None)
    first = Record(institution="P01", outcome="pending", late=False, received_on=dt.date(2024, 1, 18), decided_on=None)
    other = Record(institution="P02", outcome="rejected", late=True, received_on=dt.date(2024, 1, 21), decided_on=None)
    last = Record(institution="P01", outcome="upheld", late=False, received_on=dt.date(2024, 1, 19), decided_on=None)
    data = Record(status=status, objections=[first, other, last], corrections=[])
    assert phase_label(data) is None
    status.published_on = dt.date(2024, 1, 15)
    assert phase_label(data) == "异议处理中"  # one pending, a date after the deadline
    data.objections = [first, last]
    assert phase_label(data) == "公示中"
    status.final_on = dt.date(2024, 1, 25)
    assert phase_label(data) == "最终结果"
    # the final results' own date after the deadline shows the period over (no page shows it today:
    # every template reads `period_over` only outside the final phase)
    data.objections = []
    published, deadline, final = dt.date(2024, 1, 15), dt.date(2024, 1, 20), dt.date(2024, 1, 25)
    assert phase_of(data) == Phase("final", published, deadline, final, Counts(0, 0, 0, 0, 0), True)
    status.final_on = dt.date(2024, 1, 20)
    assert phase_of(data).period_over is False
    data.objections = [first, other, last]
    assert of_institution(data, "P01") == [first, last]
    assert of_institution(data, "P02") == [other]
    assert of_institution(data, "P03") == []


@pytest.mark.parametrize(
    "earlier, later, strict",
    [
        ("published_on", "objection_deadline", True),  # a 公示 of at least one day
        ("published_on", "rectify_by", True),
        ("approved_on", "published_on", False),
        ("received_on", "decided_on", False),
        ("objection_deadline", "final_on", False),
    ],
)
def test_the_order_of_two_dates_on_the_same_day(earlier, later, strict):
    """A strict rule refuses the later date on the day of the earlier one, the others allow it; the
    day after is allowed by both, the day before by neither; a date not given breaks no order."""
    import datetime as dt

    from site_builder.domain.dates import out_of_order, rule

    day, next_day = dt.date(2024, 1, 15), dt.date(2024, 1, 16)
    assert [rule(earlier, later).holds(*pair) for pair in ((day, day), (day, next_day), (next_day, day))] == [
        not strict,
        True,
        False,
    ]
    assert out_of_order(earlier, day, later, day) is strict
    assert (out_of_order(earlier, day, later, next_day), out_of_order(earlier, next_day, later, day)) == (False, True)
    assert (out_of_order(earlier, None, later, day), out_of_order(earlier, next_day, later, None)) == (False, False)
