"""Issue 24, point 2: one text gate, by Unicode property, for every text of every input.

The chokepoint: `textcheck.refused` (which characters), applied to every key and text of every data
file (`datafile.read_data` → `datafile.gate`, which the roster, status, sheets, corrections,
objections and the rubric all go through), to every text of `content/site.yaml` (`config.load_config`),
to every Markdown page (`content._page`, multi-line) and to every page's file name; and names compared
by `textcheck.name_key` (NFKC, the refused characters removed)."""

from __future__ import annotations

import sys
import unicodedata

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.project import copy_project, in_process

from site_builder.common import textcheck
from site_builder.common.textcheck import bad_character, gate_findings, name_key, name_script_problem, refused

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15), written out here
# independently of the code: the oracle the gate is checked against.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]  # fmt: skip
BLANKS = [0x2800]  # BRAILLE PATTERN BLANK: a symbol by category, prints nothing
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]  # a whole validate per example: report, do not shrink
REFUSED_CATEGORIES = ["Cc", "Cf", "Co", "Cn", "Zl", "Zp"]


def expected_refused(char: str) -> bool:
    code = ord(char)
    if char in "\t\n\r":
        return True  # on one line
    return (
        unicodedata.category(char) in REFUSED_CATEGORIES + ["Cs"]
        or any(a <= code <= b for a, b in DEFAULT_IGNORABLE)
        or code in BLANKS
        or "FILLER" in unicodedata.name(char, "")
        and unicodedata.category(char)[0] in "LSM"
    )


refused_chars = st.one_of(
    st.characters(categories=REFUSED_CATEGORIES),
    st.sampled_from([chr(c) for a, b in DEFAULT_IGNORABLE for c in (a, b)] + [chr(c) for c in BLANKS]),
    st.sampled_from(["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800", "\u034f", "\u202e", "\u2066", "\ufe0f"]),
).filter(lambda c: c not in "\t\n\r")
allowed_chars = st.characters(categories=["L", "M", "N", "P", "S", "Zs"]).filter(lambda c: not expected_refused(c))
allowed_text = st.text(allowed_chars, min_size=1, max_size=30)


@settings(max_examples=300)
@given(st.characters(max_codepoint=sys.maxunicode))
def test_refused_is_the_unicode_rule(char):
    assert (refused(char) is not None) == expected_refused(char)


@given(allowed_text, refused_chars, st.data())
def test_any_refused_character_anywhere_is_named_by_code_point(text, char, data):
    at = data.draw(st.integers(0, len(text)))
    value = text[:at] + char + text[at:]
    assert bad_character(value) == f"U+{ord(char):04X}（{refused(char)}）"
    assert bad_character(text) is None


def test_the_common_characters_read_without_a_lookup_are_each_allowed():
    """`bad_character` lets a text made only of common characters (ASCII, CJK, fullwidth punctuation)
    through without looking up each one: every character that shortcut accepts, of all of Unicode, is
    one `refused` allows."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for pattern, multiline in ((textcheck._SURELY_ALLOWED, False), (textcheck._SURELY_ALLOWED_LINES, True)):
        taken = "".join(pattern.findall(every))
        assert len(taken) > 20_000  # the CJK ideographs at least
        assert [c for c in taken if refused(c, multiline)] == []


@given(st.text(st.characters(max_codepoint=sys.maxunicode), max_size=40), st.booleans())
def test_the_shortcut_gives_what_each_character_gives(text, multiline):
    first = next((c for c in text if refused(c, multiline)), None)
    assert bad_character(text, multiline) == (
        None if first is None else f"U+{ord(first):04X}（{refused(first, multiline)}）"
    )


FIELD_PATH = st.lists(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), min_size=1, max_size=4, unique=True)


@given(FIELD_PATH, allowed_text, refused_chars, st.data())
def test_the_gate_names_the_field_at_any_depth(path, text, char, data):
    at = data.draw(st.integers(0, len(text)))
    tree: object = text[:at] + char + text[at:]
    for key in reversed(path):
        tree = {key: tree} if data.draw(st.booleans()) else {key: [tree]}
    found = gate_findings(tree)
    assert len(found) == 1
    where, bad = found[0]
    assert [p.split("[")[0] for p in where.split(".")] == path
    assert bad == f"U+{ord(char):04X}（{refused(char)}）"


# Every input a clerk writes: (file, how the text is put in, field as the message names it).
def _roster_name(p, v):
    p.edit("scores/2023/roster.yaml", "name: 山西工程职业学院", f"name: {_q(v)}")


def _edit(rel, old, new_prefix):
    """Replace the whole line that starts with `old` (comments included) by `new_prefix` + the value."""

    def put(p, v):
        lines = p.read(rel).split("\n")
        at = next(n for n, line in enumerate(lines) if line.lstrip().startswith(old))
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines[at] = indent + new_prefix + _q(v)
        p.write(rel, "\n".join(lines))

    return put


def _q(v: str) -> str:
    return yaml.safe_dump(v, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()


INPUTS = [
    ("scores/2023/roster.yaml", _roster_name, "机构名称 name"),
    ("content/site.yaml", _edit("content/site.yaml", "title: 忻州市职业技能等级评价机构年度绩效考核结果公示", "title: "), "字段 title"),
    ("content/site.yaml", _edit("content/site.yaml", "office: 忻州市", "office: "), "字段 office"),
    ("rubric/2023.yaml", _edit("rubric/2023.yaml", "title: 忻州市职业技能人才评价机构综合考核评估表", "title: "), "字段 title"),
    (
        "rubric/2023.yaml",
        _edit("rubric/2023.yaml", "text: 认定公告符合《职业技能等级认定工作规程（试行）》和制定年度工作计划。", "text: "),
        "字段 sections[1].groups[1].items[1].text",
    ),
    ("scores/2023/status.yaml", _edit("scores/2023/status.yaml", "approved_by: ", "approved_by: "), "approved_by"),
]  # fmt: skip


@pytest.fixture(scope="module")
def gate_project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("gate") / "p")


@settings(max_examples=20, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(range(len(INPUTS))), st.text(st.characters(categories=["Lo"]).filter(
    lambda c: not expected_refused(c)), min_size=2, max_size=8), refused_chars.filter(
    lambda c: unicodedata.category(c) != "Cs"), st.data())  # fmt: skip
def test_every_input_field_refuses_it_naming_file_field_and_code_point(gate_project, which, text, char, data):
    rel, put, field = INPUTS[which]
    original = gate_project.read(rel)
    at = data.draw(st.integers(0, len(text)))
    try:
        put(gate_project, text[:at] + char + text[at:])
        result = in_process("validate", "--root", str(gate_project.root))
    finally:
        gate_project.write(rel, original)
    assert result.code == 1
    code = f"U+{ord(char):04X}"
    lines = [line for line in result.err.splitlines() if code in line]
    assert lines, result.err
    assert any(line.strip().startswith(rel) and field in line for line in lines), result.err


@given(st.text(st.characters(categories=["Lo"]).filter(lambda c: not expected_refused(c)), min_size=1, max_size=10),
       st.lists(refused_chars.filter(lambda c: unicodedata.category(c) != "Cs"), max_size=3), st.data())  # fmt: skip
def test_names_equal_after_normalisation_have_one_key(name, extra, data):
    other = name
    for char in extra:
        at = data.draw(st.integers(0, len(other)))
        other = other[:at] + char + other[at:]
    assert name_key(other) == name_key(name)
    assert name_key(unicodedata.normalize("NFKD", name)) == name_key(name)


def _validate_with_p02_named(gate_project, name: str):
    """`validate` with P02 renamed `name` in the roster, the roster put back afterwards."""
    rel = "scores/2023/roster.yaml"
    original = gate_project.read(rel)
    try:
        gate_project.edit(rel, "name: 山西国智职业培训学校", f"name: {_q(name)}")
        return in_process("validate", "--root", str(gate_project.root))
    finally:
        gate_project.write(rel, original)


@settings(max_examples=8, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(refused_chars.filter(lambda c: unicodedata.category(c) not in ("Cs", "Cc")), st.booleans())
def test_two_names_equal_after_normalisation_are_refused_as_duplicates(gate_project, char, inside):
    twin = "山西工程职业学院" + char if not inside else "山西工程" + char + "职业学院"  # at the end, or inside
    result = _validate_with_p02_named(gate_project, twin)
    assert result.code == 1
    assert (
        "scores/2023/roster.yaml: 机构 P02: 机构名称 山西工程职业学院 重复：P01 和 P02 同名；每个机构的名称须不同，"
        "请核对这两个机构的名称"
    ) in result.err


SPACES = [c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Zs"]


@settings(max_examples=8, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SPACES), st.integers(1, 7))
def test_two_names_that_differ_only_by_a_space_are_duplicates(gate_project, space, at):
    """Attack report item 12: 山西 工程职业学院 was accepted beside 山西工程职业学院."""
    twin = "山西工程职业学院"[:at] + space + "山西工程职业学院"[at:]
    result = _validate_with_p02_named(gate_project, twin)
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  scores/2023/roster.yaml: 机构 P02: 机构名称 山西工程职业学院 重复：P01 和 P02 同名；每个机构的名称须不同，"
        "请核对这两个机构的名称"
    ], result.err


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return "han" if name.startswith(("CJK UNIFIED IDEOGRAPH", "IDEOGRAPHIC ")) else name.split(" ")[0]


letters = st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo"]).filter(
    lambda c: unicodedata.normalize("NFKC", c) == c and not refused(c)
)


@settings(max_examples=500, deadline=None)
@given(letters, st.sampled_from(["山西{}程职业学院", "{}hanxi", "山西工程{}"]))
def test_a_name_is_refused_iff_it_holds_a_letter_neither_han_nor_latin(char, form):
    problem = name_script_problem(form.format(char))
    assert (problem is None) == (_script(char) in ("han", "LATIN")), (char, unicodedata.name(char, ""), problem)
    if problem:
        assert f"{char}（U+{ord(char):04X}）" in problem


@pytest.mark.parametrize(
    "twin, script, char",
    [("Ѕhanxi", "西里尔字母", "Ѕ"), ("山西エ程职业学院", "日文片假名", "エ"), ("山西工程职业学院ニ", "日文片假名", "ニ"),
     ("山西ロ程职业学院", "日文片假名", "ロ"), ("Αnhui", "希腊字母", "Α"), ("山西공정", "韩文字母", "공")],
)  # fmt: skip
def test_a_lookalike_letter_in_a_roster_name_is_refused(project, twin, script, char):
    """Attack report item 12: Ѕhanxi (Cyrillic Ѕ) and 山西エ程职业学院 (Katakana エ) were accepted."""
    project.edit("scores/2023/roster.yaml", "name: 山西国智职业培训学校", f"name: {twin}")
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        f"  scores/2023/roster.yaml: 机构 P02: 机构名称 name 含{script} {char}（U+{ord(char):04X}），与汉字或拉丁字母"
        "外形相近，读者分辨不出；机构名称只用汉字、拉丁字母、数字和标点，请改为相应的汉字或字母重新输入"
    ], result.err


# The issue's examples, with their exact messages.
HINT = "；请删除它（只能有可见文字和空格）"


@pytest.mark.parametrize(
    "char, kind",
    [("\u3164", "不显示的填充或连接字符"), ("\u2800", "不显示的填充或连接字符"), ("\u115f", "不显示的填充或连接字符"),
     ("\u034f", "不显示的填充或连接字符")],
)  # fmt: skip
def test_issue_roster_name_with_a_filler(project, char, kind):
    project.edit("scores/2023/roster.yaml", "name: 山西国智职业培训学校", f"name: 山西工程职业学院{char}")
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        f"  scores/2023/roster.yaml: 机构 P02: 机构名称 name 含不允许的字符 U+{ord(char):04X}（{kind}）{HINT}",
        "  scores/2023/roster.yaml: 机构 P02: 机构名称 山西工程职业学院 重复：P01 和 P02 同名；每个机构的名称须不同，"
        "请核对这两个机构的名称",
    ]


def test_issue_bidi_control_in_site_yaml_and_rubric(project):
    project.edit("content/site.yaml", "publisher: 忻州市", "publisher: \u202e忻州市")
    project.edit(
        "rubric/2023.yaml", "text: 认定公告各项信息设置准确无误。", "text: 认定公告\u2066各项信息设置准确无误。"
    )
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        f"  rubric/2023.yaml: 字段 sections[1].groups[1].items[2].text 含不允许的字符 U+2066（零宽或文字方向控制字符）{HINT}",
        f"  content/site.yaml: 字段 publisher 含不允许的字符 U+202E（零宽或文字方向控制字符）{HINT}",
    ]


def test_issue_invisible_character_in_a_page_file_name(project):
    project.write("content/pages/ab\u200bout.md", "---\ntitle: 关于\n---\n正文\n")
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        f"  content/pages/ab⟨U+200B⟩out.md: 页面文件名含不允许的字符 U+200B（零宽或文字方向控制字符）{HINT}",
    ]


def test_a_field_checked_by_its_reader_is_named_once_in_its_words(project):
    """The gate's generic finding gives way to the reader's own (institution, indicator, field)."""
    project.edit("scores/2023/roster.yaml", "name: 山西国智职业培训学校", "name: 山西国智\u200b职业培训学校")
    result = project.validate()
    assert result.err.splitlines()[1:] == [
        f"  scores/2023/roster.yaml: 机构 P02: 机构名称 name 含不允许的字符 U+200B（零宽或文字方向控制字符）{HINT}",
    ]


def test_names_equal_after_nfkc_are_duplicates(project):
    """Full-width and compatibility forms are one name with the plain one (NFKC)."""
    project.edit("scores/2023/roster.yaml", "name: 山西工程职业学院", "name: 山西工程职业学院(A)")
    project.edit("scores/2023/roster.yaml", "name: 山西国智职业培训学校", "name: 山西工程职业学院（Ａ）")
    result = project.validate()
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  scores/2023/roster.yaml: 机构 P02: 机构名称 山西工程职业学院(A) 重复：P01 和 P02 同名；每个机构的名称须不同，"
        "请核对这两个机构的名称",
    ]
