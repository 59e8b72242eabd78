"""Issue 11, data side: hostile and clumsy input to the YAML data files gives one exact message each.

Message tests call the function that produces the message (fast); a few go through `validate`.
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support.project import REPO

from site_builder.build.flow import Layout
from site_builder.commands import workbooks
from site_builder.common.yamlio import YamlProblem, parse_yaml
from site_builder.errors import DataError, Problems
from site_builder.read.datafile import Paths
from site_builder.read.project import load_project, load_roster, load_rubric, load_sheet
from site_builder.read.roster import load_status

_problems = Problems()
_paths = Paths(REPO / "rubric", REPO / "scores", REPO)
RUBRIC = load_rubric(REPO / "rubric/2023.yaml", _paths, _problems)
ROSTER = load_roster(REPO / "scores/2023/roster.yaml", 2023, _paths, _problems)
assert not _problems


def clean_sheet(inst: str = "P05") -> str:
    lines = [f"institution: {inst}", "assessed_on: 2024-01-07", "senior_levels: false", "online_exam: false", "items:"]
    lines += [f"  {i.id}: {i.max}" for i in RUBRIC.indicators if not i.is_veto and i.applies == "all"]
    lines.append("veto: {}")
    return "\n".join(lines) + "\n"


def sheet_messages(tmp_path: Path, text: str | bytes, name: str = "P05.yaml") -> list[str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    problems = Problems()
    sheet = load_sheet(path, RUBRIC, ROSTER, Paths(tmp_path, tmp_path, tmp_path), problems)
    assert (sheet is None) == bool(problems)
    return [str(p) for p in problems.items]


def edited(old: str, new: str, inst: str = "P05") -> str:
    text = clean_sheet(inst)
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


# --- YAML: aliases, merge keys, size, depth, numbers, dates ------------------------------------------------


def test_alias_is_refused_with_its_line(tmp_path):
    text = edited("  1-02: 1\n", "  1-02: &full 1\n  1-03x: *full\n")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, '&full')}: 机构 P05: 不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出"
    ]


def test_merge_key_cannot_hide_a_duplicated_indicator(tmp_path):
    text = edited("items:\n", "base: &b {1-01: 0}\nitems:\n  <<: *b\n")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, '&b')}: 机构 P05: 不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出"
    ]
    text = edited("items:\n", "items:\n  <<: {1-01: 0}\n")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, '<<')}: 机构 P05: 不允许使用 YAML 合并键（<<）；请把每个键直接写出"
    ]


def test_billion_laughs_and_many_aliases_are_refused_fast_and_short(tmp_path):
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    many = "a: &a x\nb: [" + ", ".join(["*a"] * 100_000) + "]\n"
    for text in (laughs, many):
        start = time.perf_counter()
        messages = sheet_messages(tmp_path, text)
        assert time.perf_counter() - start < 2
        assert messages == ["P05.yaml:1: 机构 P05: 不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出"]


def test_sheet_over_1_mb_is_refused_before_parsing(tmp_path):
    text = clean_sheet() + "# " + "x" * (1024 * 1024) + "\n"
    size = len(text.encode())
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml: 机构 P05: 文件大小 {size} 字节，超过上限 1 MB；请检查是否放错了文件"
    ]


def test_deep_nesting_is_refused(tmp_path):
    text = edited("veto: {}", "veto: " + "[" * 990 + "]" * 990)
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, 'veto')}: 机构 P05: 嵌套超过 32 层；数据文件不需要这么深的结构，请检查文件"
    ]


@pytest.mark.parametrize(
    "number, message",
    [
        ("1.0e+999999999999999999", "数值 1.0e+999999999999999… 超出允许范围（绝对值须小于 10^20）"),
        ("1.0e-99999999", "数值 1.0e-99999999 超出允许范围（绝对值须小于 10^20）"),
        ("9" * 5000, "数值 99999999999999999999… 超出允许范围（最多 20 位数字）"),
    ],
)
def test_numbers_of_absurd_magnitude(tmp_path, number, message):
    text = edited("  2-01: 1\n", f"  2-01: {number}\n")
    start = time.perf_counter()
    assert sheet_messages(tmp_path, text) == [f"P05.yaml:{line_of(text, '2-01')}: 机构 P05: {message}"]
    assert time.perf_counter() - start < 1


def test_exponent_without_a_dot_is_text_and_quoted_short(tmp_path):
    # YAML 1.1 reads 1e+99999999 as text: refused as not a number, in a short message
    assert sheet_messages(tmp_path, edited("  2-01: 1\n", "  2-01: 1e+99999999\n")) == [
        "P05.yaml: 机构 P05: 指标 2-01: 得分 1e+99999999 不是数字；可得 0、0.25、0.5、0.75、1"
    ]


@pytest.mark.parametrize("date", ["2024-02-30", "2024-13-01"])
def test_impossible_dates_give_file_and_line(tmp_path, date):
    text = edited("assessed_on: 2024-01-07", f"assessed_on: {date}")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:2: 机构 P05: 日期 {date} 不存在（没有这一天）；请写实际的日期，格式 YYYY-MM-DD"
    ]


def test_raw_control_byte_in_a_file(tmp_path):
    text = edited("  1-01: 1\n", "  1-01: {score: 0, reason: 缺\x1b项}\n")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, '1-01')}: 机构 P05: 文件含不允许的控制字符 U+001B；"
        "请删除它（文字中只能有可见字符、空格和换行）"
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ("0x_", "数值 0x_ 写法不对；请写普通的十进制数"),
        ("!!float abc", "不允许使用 YAML 标签（!!float）；请直接写值"),
        ("!!timestamp x", "不允许使用 YAML 标签（!!timestamp）；请直接写值"),
        ("!!map x", "不允许使用 YAML 标签（!!map）；请直接写值"),
        ("!!python/object:os.system x", "不允许使用 YAML 标签（!!python/object:os.s…）；请直接写值"),
    ],
)
def test_odd_scalars_and_tags(value, message):
    with pytest.raises(YamlProblem) as exc:
        parse_yaml(f"a: 1\nb: {value}\n")
    assert (str(exc.value), exc.value.line) == (message, 2)


@pytest.mark.parametrize(
    "value, hint", [("010", "，如 10"), ("01", "，如 1"), ("0x10", ""), ("0b1", ""), ("1:30", ""), ("1_0", "")]
)
def test_integers_yaml_would_read_as_another_value_are_refused(tmp_path, value, hint):
    """YAML 1.1 reads 010 as 8, 0x10 as 16, 1:30 as 90: such a score is refused, never published."""
    text = edited("  1-01: 1\n", f"  1-01: {value}\n")
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml:{line_of(text, '1-01')}: 机构 P05: 数值 {value} 写法不对（以 0 开头、带下划线、冒号或用十六进制等"
        f"写法的数，YAML 会读成别的值）；请写普通的十进制数{hint}"
    ]


def test_yaml_messages_are_short():
    with pytest.raises(YamlProblem) as exc:
        parse_yaml("a: [" + "x, " * 10_000)
    assert len(str(exc.value)) < 200


# --- ids -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown", [('"P05\\n"', "P05⟨U+000A⟩"), ("P𝟎𝟓", "P⟨U+1D7CE⟩⟨U+1D7D3⟩"), ("P٠٥", "P⟨U+0660⟩⟨U+0665⟩")]
)
def test_look_alike_institution_ids_in_a_sheet(tmp_path, raw, shown):
    messages = sheet_messages(tmp_path, edited("institution: P05", f"institution: {raw}"))
    assert messages[0] == (
        f"P05.yaml: 机构 {shown}: 机构编号 {shown} 格式不对；省属为 P01、P02……，市属为 M01、M02……（英文字母和半角数字）"
    )


def test_look_alike_indicator_id(tmp_path):
    messages = sheet_messages(tmp_path, edited("  1-01: 1\n", "  1-0١: 1\n"))
    assert messages == [
        "P05.yaml: 机构 P05: 指标 1-0⟨U+0661⟩: 未知指标 1-0⟨U+0661⟩；指标编号为 1-01 至 7-31（见 rubric/2023.yaml）",
        "P05.yaml: 机构 P05: 指标 1-01: 缺少本项得分（满分 1，可得 0、1）",
    ]


def roster_messages(tmp_path: Path, old: str, new: str) -> list[str]:
    text = (REPO / "scores/2023/roster.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "roster.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = Problems()
    load_roster(path, 2023, Paths(tmp_path, tmp_path, tmp_path), problems)
    return [str(p) for p in problems.items]


@pytest.mark.parametrize(
    "raw, shown", [('"M01\\n"', "M01⟨U+000A⟩"), ("M٠٢", "M⟨U+0660⟩⟨U+0662⟩"), ("M０１", "M⟨U+FF10⟩⟨U+FF11⟩")]
)
def test_look_alike_ids_in_the_roster(tmp_path, raw, shown):
    assert roster_messages(tmp_path, "  - id: M01\n", f"  - id: {raw}\n") == [
        f"roster.yaml: 第 22 个机构的编号 {shown} 格式不对；省属为 P01、P02……，市属为 M01、M02……（英文字母和半角数字）"
    ]


# --- text fields ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "escape, shown",
    [
        ("\\x1b", "U+001B（控制字符）"),
        ("\\x0b", "U+000B（控制字符）"),
        ("\\u200b", "U+200B（零宽或文字方向控制字符）"),
        ("\\u202e", "U+202E（零宽或文字方向控制字符）"),
    ],
)
def test_invisible_characters_in_a_reason(tmp_path, escape, shown):
    text = edited("  2-01: 1\n", f'  2-01: {{score: 0.5, reason: "缺{escape}项"}}\n')
    assert sheet_messages(tmp_path, text) == [
        f"P05.yaml: 机构 P05: 指标 2-01: 扣分原因含不允许的字符 {shown}；请删除它（只能有可见文字和空格）"
    ]


def test_invisible_characters_in_a_self_assessment_reason(tmp_path):
    text = edited("  2-01: 1\n", '  2-01: {score: 1, self: 0.5, self_reason: "\\u2066自评\\u2069"}\n')
    assert sheet_messages(tmp_path, text) == [
        "P05.yaml: 机构 P05: 指标 2-01: 自评扣分原因含不允许的字符 U+2066（零宽或文字方向控制字符）；请删除它（只能有可见文字和空格）"
    ]


def test_self_reason_is_read(tmp_path):
    path = tmp_path / "P05.yaml"
    path.write_text(edited("  2-01: 1\n", "  2-01: {score: 1, self: 0.5, self_reason: 未提供原件}\n"), encoding="utf-8")
    problems = Problems()
    sheet = load_sheet(path, RUBRIC, ROSTER, Paths(tmp_path, tmp_path, tmp_path), problems)
    assert not problems
    item = sheet.item("2-01")
    assert (item.self_score, item.self_reason) == (D("0.5"), "未提供原件")


def test_reason_over_1000_characters(tmp_path):
    text = edited("  2-01: 1\n", f"  2-01: {{score: 0.5, reason: {'缺' * 1001}}}\n")
    assert sheet_messages(tmp_path, text) == [
        "P05.yaml: 机构 P05: 指标 2-01: 扣分原因长度 1001 字，超过上限 1000 字；请精简"
    ]


@pytest.mark.parametrize(
    "name, message",
    [
        (
            '"忻州\\u202e学校"',
            "机构名称 name 含不允许的字符 U+202E（零宽或文字方向控制字符）；请删除它（只能有可见文字和空格）",
        ),
        ("忻州" + "学" * 100, "机构名称 name 长度 102 字，超过上限 100 字；请精简"),
        ('"  "', "机构名称 name 不能为空白"),
    ],
)
def test_bad_names_in_the_roster(tmp_path, name, message):
    assert roster_messages(tmp_path, "    name: 忻州市高级技工学校\n", f"    name: {name}\n") == [
        f"roster.yaml: 机构 M01: {message}"
    ]


# --- veto evidence ------------------------------------------------------------------------------------------------

NEGATION = (
    "证据写的是“没有发现”；未发现否决情形的，不要填写本项（YAML 中删除该项，都没有时写 veto: {}；"
    "工作簿中选“否”并清空证据）。发现的，请写明事实依据，如 “连续两年未开展评价工作”"
)


@pytest.mark.parametrize(
    "evidence", ["无", "没有", "未发现", "否", "不存在", "0", "—", "无此情况", "未发现违规", "N/A", "  -- "]
)
def test_veto_evidence_that_says_nothing_was_found(tmp_path, evidence):
    text = edited("veto: {}", f'veto: {{6-01: "{evidence}"}}')
    assert sheet_messages(tmp_path, text) == [f"P05.yaml: 机构 P05: 指标 6-01: {NEGATION}"]


def test_veto_evidence_invisible_or_too_short(tmp_path):
    assert sheet_messages(tmp_path, edited("veto: {}", 'veto: {6-01: "\\u200b"}')) == [
        "P05.yaml: 机构 P05: 指标 6-01: 证据含不允许的字符 U+200B（零宽或文字方向控制字符）；请删除它（只能有可见文字和空格）"
    ]
    assert sheet_messages(tmp_path, edited("veto: {}", "veto: {6-01: 违规}")) == [
        "P05.yaml: 机构 P05: 指标 6-01: 证据过短（至少 5 个字）；请写明事实依据，如 “连续两年未开展评价工作”"
    ]


def test_real_evidence_is_accepted(tmp_path):
    assert sheet_messages(tmp_path, edited("veto: {}", "veto: {6-04: 连续两年未开展评价工作}")) == []
    assert sheet_messages(tmp_path, edited("veto: {}", "veto: {6-04: 无证开展评价活动}")) == []


# --- status --------------------------------------------------------------------------------------------------------


def status_messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "status.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    load_status(path, Paths(tmp_path, tmp_path, tmp_path), problems)
    return [str(p) for p in problems.items]


APPROVED = (
    "status: approved\napproved_by: 忻州市人力资源和社会保障局\napproved_on: 2024-01-12\n"
    "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n"
)


def test_status_checks(tmp_path):
    assert status_messages(tmp_path, APPROVED) == []
    assert status_messages(tmp_path, APPROVED.replace("忻州市人力资源和社会保障局", '"  "')) == [
        "status.yaml: approved_by（审定单位）不能为空白"
    ]
    assert status_messages(tmp_path, APPROVED.replace("2024-01-12", "2024-01-16")) == [
        "status.yaml: published_on（公示日期）2024-01-15 早于 approved_on（审定日期）2024-01-16；须先审定后公示"
    ]
    assert status_messages(tmp_path, APPROVED.replace("2024-01-20", "2024-01-15")) == [
        "status.yaml: objection_deadline（异议截止日期）2024-01-15 须晚于 published_on（公示日期）2024-01-15，异议期至少 1 天"
    ]
    assert status_messages(tmp_path, APPROVED.replace("2024-01-20", "2024-02-30")) == [
        "status.yaml:5: 日期 2024-02-30 不存在（没有这一天）；请写实际的日期，格式 YYYY-MM-DD"
    ]


def test_publication_before_the_assessment(project):
    project.write(
        "scores/2023/status.yaml", APPROVED.replace("2024-01-12", "2024-01-05").replace("2024-01-15", "2024-01-06")
    )
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  scores/2023/status.yaml: approved_on（审定日期）2024-01-05 早于机构 P08 的评估日期 2024-01-10"
        "（scores/2023/P08.yaml）；须在全部评估之后审定和公示",
        "  scores/2023/status.yaml: published_on（公示日期）2024-01-06 早于机构 P08 的评估日期 2024-01-10"
        "（scores/2023/P08.yaml）；须在全部评估之后审定和公示",
    ]


# --- symlinks ----------------------------------------------------------------------------------------------------


def test_symlink_to_a_system_file_is_refused_without_quoting_it(project):
    os.symlink("/etc/passwd", project.path("scores/2023/P99.yaml"))
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  scores/2023/P99.yaml: 是指向项目目录之外的符号链接，未读取；数据文件须放在项目目录内（请复制文件，而不是链接）"
    ]
    assert "root" not in result.err


def test_symlinked_sheet_outside_the_project_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(project.read("scores/2023/P05.yaml"), encoding="utf-8")
    project.path("scores/2023/P05.yaml").unlink()
    os.symlink(outside, project.path("scores/2023/P05.yaml"))
    result = project.validate()
    assert result.err.splitlines()[1:] == [
        "  scores/2023/P05.yaml: 是指向项目目录之外的符号链接，未读取；数据文件须放在项目目录内（请复制文件，而不是链接）"
    ]


def test_symlink_inside_the_project_is_read(project):
    project.path("scores/2023/P05.yaml").rename(project.path("P05-copy.yaml"))
    os.symlink(project.path("P05-copy.yaml"), project.path("scores/2023/P05.yaml"))
    assert project.validate().code == 0


def test_a_device_is_not_read(tmp_path):
    os.symlink("/dev/zero", tmp_path / "P05.yaml")
    problems = Problems()
    load_sheet(tmp_path / "P05.yaml", RUBRIC, ROSTER, Paths(tmp_path, tmp_path, tmp_path), problems)
    assert [p.message for p in problems.items] == [
        "是指向项目目录之外的符号链接，未读取；数据文件须放在项目目录内（请复制文件，而不是链接）"
    ]


def test_markdown_page_with_a_control_character(project):
    project.write("content/pages/about.md", "---\ntitle: 关于\n---\n正文\x1b[31m红\n")
    result = project.validate()
    assert result.err.splitlines()[1:] == [
        "  content/pages/about.md: 页面含不允许的字符 U+001B（控制字符）；请删除它（只能有可见文字和空格）"
    ]


def test_whole_project_loads_with_the_checks(project):
    years = load_project(project.path("scores"), project.path("rubric"), base=project.root)
    assert [len(y.sheets) for y in years] == [24]


# --- messages show a value as the clerk typed it: never a Python repr, never \u escapes (attack item 15) ---------

SCALARS = [
    "1.5",
    "-0.25",
    "1e400",
    "0.1234567890123",
    "true",
    "null",
    "2024-01-07",
    "abc",
    "杂项",
    "'１．５'",
    '"a\\u200bb"',
    '"\\u202e学校"',
    '"P٠٥"',
    "'1.5'",
    '"\\t"',
    "ｘ",
]
flow_values = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(
            st.tuples(st.sampled_from(["score", "reason", "self", "x", "杂项"]), inner), min_size=1, max_size=2
        ).map(lambda kvs: "{" + ", ".join(f"{k}: {v}" for k, v in kvs) + "}"),
    ),
    max_leaves=4,
)
PLACES = [
    ("  2-01: 1\n", "  2-01: {v}\n"),
    ("  2-01: 1\n", "  2-01: {{score: {v}}}\n"),
    ("  2-01: 1\n", "  2-01: {{score: 0.5, reason: {v}}}\n"),
    ("  2-01: 1\n", "  2-01: {{score: 1, self: {v}}}\n"),
    ("  2-01: 1\n", "  2-01: {{score: 1, self: 0.5, self_reason: {v}}}\n"),
    ("institution: P05", "institution: {v}"),
    ("assessed_on: 2024-01-07", "assessed_on: {v}"),
    ("senior_levels: false", "senior_levels: {v}"),
    ("veto: {}", "veto: {v}"),
    ("veto: {}", "veto: {{6-01: {v}}}"),
]
REPR = re.compile(
    r"Decimal\(|datetime\.|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\['|\{'|\bTrue\b|\bFalse\b|\bNone\b"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(PLACES), flow_values)
def test_no_message_shows_a_python_repr_or_escape(tmp_path, place, value):
    old, new = place
    messages = sheet_messages(tmp_path, edited(old, new.format(v=value)))
    for message in messages:
        assert not REPR.search(message), (value, message)


def test_a_list_where_a_score_belongs_is_shown_as_typed(tmp_path):
    """Attack report item 15: `1-11: [1.5]` was shown as 得分 [Decimal('1.5')]."""
    assert sheet_messages(tmp_path, edited("  2-01: 1\n", "  2-01: [1.5]\n")) == [
        "P05.yaml: 机构 P05: 指标 2-01: 得分 [1.5] 不是数字；可得 0、0.25、0.5、0.75、1"
    ]


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_nesting_beyond_the_limit_names_the_limit(tmp_path, depth):
    """libyaml's own limit (1,000 levels) used to give a generic 无法解析 without the 32-level limit."""
    messages = sheet_messages(tmp_path, edited("institution: P05", "institution: " + "[" * depth + "]" * depth))
    assert messages == ["P05.yaml:1: 机构 P05: 嵌套超过 32 层；数据文件不需要这么深的结构，请检查文件"]


def test_a_hidden_extra_sheet_is_named_as_written(project):
    """Attack report item 15: a hidden sheet 杂项 was named m.xlsx!'\\u6742\\u9879'."""
    layout = Layout.from_args(root=str(project.root))
    path = project.path("m.xlsx")
    workbooks.write_workbook(layout, path, None, ["P03"], fill=True)
    wb = load_workbook(path)
    wb.create_sheet("杂项").sheet_state = "hidden"
    wb.save(path)
    with pytest.raises(DataError) as refused:
        workbooks.import_workbooks(layout, [path], None, True)
    assert [str(p) for p in refused.value.problems] == [
        "m.xlsx!杂项: 工作表“杂项”是隐藏的工作表，不导入（其中的内容在表格中看不到，无法确认是专家填写的）；"
        "请在 Excel 或 WPS 中右键工作表标签，取消隐藏后再导入，或删去这张工作表"
    ]
