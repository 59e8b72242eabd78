"""Each kind of bad input is refused with its exact message, exit status 1, and nothing written."""

from __future__ import annotations

import pytest

HEADER = "错误：数据有 {n} 处问题，未写出任何文件：\n"


def expect_errors(project, *lines: str) -> None:
    result = project.validate()
    assert result.code == 1
    assert result.out == ""
    assert result.err == HEADER.format(n=len(lines)) + "".join(f"  {line}\n" for line in lines)


def test_sample_data_is_valid(project):
    result = project.validate()
    assert result.code == 0, result.err
    assert result.err == ""


def test_yaml_that_does_not_parse_names_its_line(clean):
    clean.write("scores/2023/P05.yaml", "institution: P05\nitems: [1,\n")
    expect_errors(
        clean,
        "scores/2023/P05.yaml:2: 机构 P05: YAML 格式错误：方括号 [ ] 没有正确结束：各项之间用英文逗号分隔，最后要写上 ]；值里含有冒号或逗号时请给它加引号",
    )


def test_unknown_missing_and_duplicated_indicators(clean):
    text = clean.read("scores/2023/P05.yaml")
    lines = text.splitlines()
    line_of = {line.split(":")[0].strip(): n for n, line in enumerate(lines, start=1)}
    text = text.replace("  1-05: 1\n", "").replace("  1-06: 1\n", "  1-06: 1\n  1-99: 1\n  1-06: 1\n")
    clean.write("scores/2023/P05.yaml", text)
    dup_line = line_of["1-06"] + 1  # 1-05 removed above it, then 1-06 and 1-99 precede the repeat
    expect_errors(
        clean,
        f"scores/2023/P05.yaml:{dup_line}: 机构 P05: 指标 1-06: 键 1-06 重复出现（第 {line_of['1-06'] - 1} 行和第 {dup_line} 行）；每个键只能写一次",
        "scores/2023/P05.yaml: 机构 P05: 指标 1-99: 未知指标 1-99；指标编号为 1-01 至 7-31（见 rubric/2023.yaml）",
        "scores/2023/P05.yaml: 机构 P05: 指标 1-05: 缺少本项得分（满分 1，可得 0、1）",
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ('"abc"', "得分 abc 不是数字；可得 0、0.25、0.5、0.75、1"),
        ("true", "得分 true 不是数字；可得 0、0.25、0.5、0.75、1"),
        ("-0.25", "得分 -0.25 超出 0 至 1 的范围；可得 0、0.25、0.5、0.75、1"),
        ("1.25", "得分 1.25 超出 0 至 1 的范围；可得 0、0.25、0.5、0.75、1"),
        ("{score: 0.7, reason: 缺项}", "得分 0.7 不是本项评分规则可得的分值；可得 0、0.25、0.5、0.75、1"),
        ("0.5", "得分 0.5 低于满分 1，须写明扣分原因"),
        ("{score: 0.5, reason: '  '}", "扣分原因须为非空文字"),
        ("{score: 1, self: 2}", "自评分 2 须为 0 至 1 之间的数字"),
        (
            "{score: 1, note: x}",
            "未知字段 note；允许：score（得分）、reason（扣分原因）、self（自评分）、self_reason（自评扣分原因）",
        ),
        ("{reason: x}", "缺少 score（得分）"),
    ],
)
def test_bad_scores(clean, value, message):
    clean.edit("scores/2023/P05.yaml", "  2-01: 1\n", f"  2-01: {value}\n")
    expect_errors(clean, f"scores/2023/P05.yaml: 机构 P05: 指标 2-01: {message}")


def test_score_the_rule_cannot_produce_on_an_all_or_nothing_item(clean):
    clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", "  1-01: {score: 0.7, reason: 部分完成}\n")
    expect_errors(clean, "scores/2023/P05.yaml: 机构 P05: 指标 1-01: 得分 0.7 不是本项评分规则可得的分值；可得 0、1")


def test_bonus_items_need_no_reason_below_max(clean):
    clean.edit("scores/2023/P05.yaml", "  7-31: 0.25\n", "  7-31: 0\n")
    assert clean.validate().code == 0


def test_sheet_for_institution_not_on_roster_or_inactive(clean):
    sheet = clean.read("scores/2023/P05.yaml")
    clean.write("scores/2023/P12.yaml", sheet.replace("institution: P05", "institution: P12"))
    clean.write("scores/2023/P99.yaml", sheet.replace("institution: P05", "institution: P99"))
    expect_errors(
        clean,
        "scores/2023/P12.yaml: 机构 P12: 名单标注该机构 2023 年未开展评价，不应有评分表；如名单有误请先更正名单",
        "scores/2023/P99.yaml: 机构 P99: 不在 2023 年名单（scores/2023/roster.yaml）中；请核对机构编号",
    )


def test_file_name_must_match_institution(clean):
    clean.path("scores/2023/P05.yaml").rename(clean.path("scores/2023/p05.yaml"))
    expect_errors(
        clean, "scores/2023/p05.yaml: 机构 P05: 文件名 p05.yaml 与 institution: P05 不一致；文件应命名为 P05.yaml"
    )


def test_unknown_veto_and_veto_without_evidence(clean):
    clean.edit("scores/2023/P05.yaml", "veto: {}", "veto: {6-04: '', 6-11: 证据, 1-01: 证据}")
    expect_errors(
        clean,
        "scores/2023/P05.yaml: 机构 P05: 指标 6-04: 否决项须写明证据（事实依据），如 6-04: 连续两年未开展评价工作；未发现否决情形的不要写在 veto 下",
        "scores/2023/P05.yaml: 机构 P05: 指标 6-11: 6-11 不是否决项；否决项为 6-01 至 6-10",
        "scores/2023/P05.yaml: 机构 P05: 指标 1-01: 1-01 不是否决项；否决项为 6-01 至 6-10",
    )


def test_veto_item_in_items_is_refused(clean):
    clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", "  1-01: 1\n  6-04: 0\n")
    expect_errors(clean, "scores/2023/P05.yaml: 机构 P05: 指标 6-04: 否决项不计分，请写在 veto 下并附证据")


def test_applicability_flags(clean):
    # P05 evaluates no senior levels and uses no online exams: 7-01 and 7-06 must be absent.
    clean.edit("scores/2023/P05.yaml", "  7-12:", "  7-01: 1\n  7-06: 0.5\n  7-12:")
    expect_errors(
        clean,
        "scores/2023/P05.yaml: 机构 P05: 指标 7-01: 本项仅适用于评价技师（高级技师）的机构，而本表的 senior_levels 标明该机构不评价技师（高级技师）；请删除本项得分，或更正该标记",
        "scores/2023/P05.yaml: 机构 P05: 指标 7-06: 本项仅适用于使用在线机考的机构，而本表的 online_exam 标明该机构不使用在线机考；请删除本项得分，或更正该标记",
    )


def test_applicable_item_missing_when_flag_is_true(clean):
    clean.edit("scores/2023/P05.yaml", "online_exam: false", "online_exam: true")
    expect_errors(clean, "scores/2023/P05.yaml: 机构 P05: 指标 7-06: 缺少本项得分（满分 0.5，可得 0、0.5）")


def test_header_fields(clean):
    clean.edit("scores/2023/P05.yaml", "senior_levels: false", "senior_levels: 否\nfoo: 1")
    clean.edit("scores/2023/P05.yaml", "assessed_on: 2024-01-07", "assessed_on: 1月7日")
    expect_errors(
        clean,
        "scores/2023/P05.yaml: 机构 P05: 评分表中有未知字段 foo；允许的字段：institution、assessed_on、senior_levels、online_exam、items、veto、sample",
        "scores/2023/P05.yaml: 机构 P05: assessed_on（评估日期）须为日期，格式 YYYY-MM-DD，实为 1月7日",
        "scores/2023/P05.yaml: 机构 P05: senior_levels（是否评价技师（高级技师））须为 true 或 false，实为 否",
    )


def test_status_other_than_the_three(clean):
    clean.edit("scores/2023/status.yaml", "status: sample", "status: final")
    expect_errors(
        clean, "scores/2023/status.yaml: status 为 final；允许：sample、draft、approved（示例、草稿、已审定）"
    )


def test_approved_status_needs_approver_and_dates(clean):
    clean.write("scores/2023/status.yaml", "status: approved\npublished_on: 2024-01-15\n")
    expect_errors(
        clean,
        "scores/2023/status.yaml: status 为 approved 时须填写 approved_on",
        "scores/2023/status.yaml: status 为 approved 时须填写 objection_deadline",
        "scores/2023/status.yaml: status 为 approved 时须填写 approved_by（审定单位）",
    )


def test_stray_file_is_not_skipped_silently(clean):
    clean.write("scores/2023/P05.yml", "institution: P05\n")
    expect_errors(
        clean,
        "scores/2023/P05.yml: 不认识的文件，工具不读取它；scores/2023/ 只放评分表 <机构编号>.yaml（如 P01.yaml）和 "
        "roster.yaml、status.yaml、corrections.yaml、objections.yaml、ledger.json；请改名、移到数据目录之外或删去",
    )


def test_every_problem_in_every_file_is_reported_in_one_run(clean):
    clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", "  1-01: 2\n")
    clean.edit("scores/2023/M01.yaml", "veto: {}", "veto: {6-04: ''}")
    clean.edit("scores/2023/status.yaml", "status: sample", "status: done")
    result = clean.validate()
    assert result.code == 1
    assert result.err.count("\n  ") == 3
    assert "P05.yaml: 机构 P05: 指标 1-01" in result.err
    assert "M01.yaml: 机构 M01: 指标 6-04" in result.err
    assert "status.yaml: status 为 done" in result.err


def test_build_with_bad_data_writes_nothing(clean):
    out = clean.path("output")
    clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", "  1-01: 2\n")
    result = clean.cli("build")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.startswith("错误：数据有 1 处问题，未写出任何文件：\n")
    assert not out.exists()
    assert not [p for p in clean.root.iterdir() if p.name.startswith(".output")]


def test_empty_sheet_is_refused_not_skipped(clean):
    clean.write("scores/2023/P05.yaml", "")
    expect_errors(clean, "scores/2023/P05.yaml: 机构 P05: 文件为空")
