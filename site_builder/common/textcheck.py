"""Checks for every text a data file or a workbook brings in: one place, used everywhere.

A text is refused when it holds a character a reader cannot see or that changes how the text
around it is shown, or when it is longer than its field allows. Veto evidence must in addition be real
text, not a negation.

Which characters are allowed is decided by Unicode's properties, not by a list of bad ones
(`refused`). A character is refused when

1. its general category is one of the "other" ones or a line/paragraph separator: Cc (controls; tab,
   line feed and carriage return are allowed in multi-line texts such as a Markdown page), Cf (format:
   zero-width, bidi controls, soft hyphen, word joiner, tags…), Cs, Co (private use), Cn (unassigned),
   Zl, Zp; or
2. it is a Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties: the code points a renderer
   shows as nothing when it does not support them) although its category is a letter or a mark: the
   Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the combining grapheme joiner U+034F, the variation
   selectors, the Mongolian free variation selectors, the Khmer inherent vowels U+17B4/5 (`_IGNORABLE`,
   the complete list of that property outside the categories of rule 1); or
3. it is a character whose Unicode name says it is an empty cell: its name ends in "BLANK" or holds
   "FILLER" (U+2800 BRAILLE PATTERN BLANK, which is a symbol by category but prints nothing).

Spaces (Zs) are allowed: they show as space (U+3000 in Chinese text). Names are compared after NFKC,
with every refused character and every space removed (`name_key`: 山西 工程职业学院 is 山西工程职业学院),
so two names a reader cannot tell apart are one name.

An institution's name is written in Han characters and Latin letters (with digits and punctuation):
a letter of any other script — Cyrillic Ѕ for Latin S, Greek Α, Katakana エ ロ ニ カ タ ト ハ for the
Han 工 口 二 力 夕 卜 八, Hangul — is refused (`name_script_problem`). That is decided instead of a
confusables skeleton (Unicode TR39): no Chinese institution's name needs those scripts, and a
refusal naming the letter tells the clerk what to retype, where a skeleton would quietly equate
names; the script is read from the character's Unicode name (no table to keep).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from site_builder.common.yamlio import short

REASON_LIMIT = 1000
"""扣分原因, 自评扣分原因, 否决项证据, 更正原因."""
NAME_LIMIT = 100
"""An institution's name, an approver."""
SHORT_LIMIT = 50
"""County, 统一社会信用代码."""
PAGE_LIMIT = 200_000
"""A Markdown page (content/pages/*.md, an announcement), in characters."""
EVIDENCE_MIN = 5
"""Visible characters a veto's evidence needs at least (如 “连续两年未开展评价工作”)."""

_KIND = {
    "Cc": "控制字符",
    "Cf": "零宽或文字方向控制字符",
    "Zl": "行分隔符",
    "Zp": "段分隔符",
    "Co": "私用区字符",
    "Cs": "代理字符",
    "Cn": "未定义字符",
}
_MULTILINE_OK = {"\n", "\r", "\t"}
_REFUSED_CATEGORIES = frozenset(_KIND)
# Default_Ignorable_Code_Point (Unicode 15, DerivedCoreProperties.txt) whose category is not in
# _REFUSED_CATEGORIES (those are refused by category already): letters and marks that show nothing.
_IGNORABLE = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG / JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ / AA
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
    (0x180F, 0x180F),  # MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..16
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xE0100, 0xE01EF),  # VARIATION SELECTOR-17..256
)

NEGATIONS = re.compile(
    r"(无|没有|没|未发现|未见|未查到|未查见|不存在|暂无|否|不涉及|不适用|未发生|没发现|没有发现)"
    r"(此|该|相关|任何|上述)?(类)?(情况|情形|问题|违规|现象|否决情形|否决项|行为|记录)?"
    r"|0+|零|〇|none|no|null|nil|n/?a|nothing|/|x|×"
)
"""Whole texts that say “nothing found” (after spaces and punctuation are removed)."""


def refused(char: str, multiline: bool = False) -> str | None:
    """Why one character is refused (its kind, in Chinese), or None when it is allowed (module doc)."""
    if char.isascii():
        return None if char.isprintable() or (multiline and char in _MULTILINE_OK) else _KIND["Cc"]
    category = unicodedata.category(char)
    if category in _REFUSED_CATEGORIES:
        return _KIND[category]
    code = ord(char)
    if any(low <= code <= high for low, high in _IGNORABLE):
        return "不显示的填充或连接字符"
    if category[0] in "LSM":
        name = unicodedata.name(char, "")
        if name.endswith("BLANK") or "FILLER" in name:
            return "不显示的填充或连接字符"
    return None


_COMMON = (
    "\u0020-\u007e"  # printable ASCII
    "\u00b7\u00d7\u2014\u2018\u2019\u201c\u201d\u2026"  # · × — ‘ ’ “ ” …
    "\u3000-\u3003\u3008-\u3011\u3014-\u301f"  # the ideographic space, 、。〃, the brackets 《》【】〔〕…
    "\u4e00-\u9fa5"  # the CJK Unified Ideographs of GB 2312 and GBK (Unicode 1.1)
    "\uff01-\uff5e"  # the fullwidth forms: ，：；（）！？０-９
)
_SURELY_ALLOWED = re.compile(f"[{_COMMON}]*")
_SURELY_ALLOWED_LINES = re.compile(f"[{_COMMON}\t\n\r]*")
"""Texts made only of characters `refused` allows everywhere — nearly every text of the data: then no
character needs looking up (a test checks every character of these ranges against `refused`)."""


def bad_character(value: str, multiline: bool = False) -> str | None:
    """The first forbidden character of a text, described for a message; None when all are fine."""
    if (_SURELY_ALLOWED_LINES if multiline else _SURELY_ALLOWED).fullmatch(value):
        return None
    for char in value:
        kind = refused(char, multiline)
        if kind:
            return f"U+{ord(char):04X}（{kind}）"
    return None


def strip_refused(value: str) -> str:
    """The text without its refused characters (tab and line breaks kept)."""
    return "".join(c for c in value if not refused(c, multiline=True))


def marked(value: str) -> str:
    """The text as a message shows it: each refused character (invisible, or reordering the line)
    replaced by its code point in brackets, ⟨U+200B⟩; everything else as written."""
    if value.isascii() and value.isprintable():
        return value
    return "".join(f"⟨U+{ord(c):04X}⟩" if refused(c, multiline=False) else c for c in value)


def name_key(value: str) -> str:
    """A name as names are compared: NFKC, refused characters and every space removed (a space
    inside a Chinese name is not seen as a difference). Two names with the same key look the same
    to a reader."""
    text = strip_refused(unicodedata.normalize("NFKC", value))
    return "".join(text.split())


NAME_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "LATIN ", "IDEOGRAPHIC ")
"""The letters an institution's name is written in, by the start of their Unicode name (Han, Latin)."""
SCRIPT_LABELS = {
    "CYRILLIC": "西里尔字母",
    "GREEK": "希腊字母",
    "KATAKANA": "日文片假名",
    "HIRAGANA": "日文平假名",
    "HALFWIDTH KATAKANA": "日文片假名",
    "KATAKANA-HIRAGANA": "日文假名符号",
    "HANGUL": "韩文字母",
}


def name_script_problem(value: str) -> str | None:
    """Why a name holds a letter no Chinese institution's name is written in (None: it holds none):
    any letter, after NFKC, that is neither Han nor Latin."""
    for char in unicodedata.normalize("NFKC", value):
        if unicodedata.category(char)[0] != "L":
            continue
        name = unicodedata.name(char, "")
        if name.startswith(NAME_SCRIPTS):
            continue
        script = next((label for key, label in SCRIPT_LABELS.items() if name.startswith(key + " ")), "其他文字的字母")
        return (
            f"含{script} {char}（U+{ord(char):04X}），与汉字或拉丁字母外形相近，读者分辨不出；"
            "机构名称只用汉字、拉丁字母、数字和标点，请改为相应的汉字或字母重新输入"
        )
    return None


def typed(value: object) -> str:
    """A value as the clerk typed it in YAML (flow style), never a Python repr: 1.5, [1.5],
    {score: 1}, true, null, 2024-01-15, and text with its refused characters `marked`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return marked(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(typed(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{typed(k)}: {typed(v)}" for k, v in value.items()) + "}"
    return marked(str(value))  # a number (Decimal, int), a date: as written


def shown(value: object, width: int = 40) -> str:
    """A value as a message quotes it: as typed (`typed`), short."""
    text = typed(value)
    return text if len(text) <= width else text[:width] + "…"


def check_text(value: str, limit: int, multiline: bool = False) -> str | None:
    """Why a text field is refused, in Chinese, or None when it is acceptable."""
    found = bad_character(value, multiline)
    if found:
        return f"含不允许的字符 {found}；请删除它（只能有可见文字和空格）"
    if len(value) > limit:
        return f"长度 {len(value)} 字，超过上限 {limit} 字；请精简"
    return None


def visible(value: str) -> str:
    """The text without spaces and punctuation: what a reader actually sees as words."""
    return "".join(c for c in value if unicodedata.category(c)[0] not in "ZPSC")


def is_negation(value: str) -> bool:
    """True when a text only says that nothing was found (无、没有、未发现、0、— …)."""
    core = visible(value).lower()
    return not core or NEGATIONS.fullmatch(core) is not None


def check_evidence(value: str) -> str | None:
    """Why a veto's evidence is refused, or None. Checked after `check_text`."""
    if is_negation(value):
        return (
            "证据写的是“没有发现”；未发现否决情形的，不要填写本项（YAML 中删除该项，"
            "都没有时写 veto: {}；工作簿中选“否”并清空证据）。发现的，请写明事实依据，如 “连续两年未开展评价工作”"
        )
    if len(visible(value)) < EVIDENCE_MIN:
        return f"证据过短（至少 {EVIDENCE_MIN} 个字）；请写明事实依据，如 “连续两年未开展评价工作”"
    return None


def page_file_problem(path: Path) -> str | None:
    """Why a Markdown page file is not read: a link leading out of its folder, or not a regular file."""
    real = os.path.realpath(path)
    folder = os.path.realpath(path.parent)
    if not real.startswith(folder.rstrip(os.sep) + os.sep):
        return "是指向所在目录之外的符号链接，未读取；页面文件须放在 content/ 目录内（请复制文件，而不是链接）"
    if not os.path.isfile(real):
        return "不是普通文件，未读取"
    if os.path.getsize(real) > PAGE_LIMIT * 4:
        return f"文件过大（上限约 {PAGE_LIMIT} 字），未读取"
    return None


def _plain_in_id(char: str) -> bool:
    """A character an id or a name may show as itself: printable, not refused, unchanged by NFKC
    (not a full-width or compatibility form) and not a digit of another script (٠, ０), or Chinese
    full-width punctuation （）、，."""
    if char.isascii():
        return char.isprintable()
    if refused(char, multiline=False):
        return False
    if unicodedata.category(char)[0] == "P":
        return True
    return unicodedata.normalize("NFKC", char) == char and unicodedata.category(char) != "Nd"


def shown_id(value: Any) -> str:
    """An id as a message may quote it, short: a character that could pass for another (a
    full-width or other script's digit, an invisible one, a line break) as its code point, ⟨U+0660⟩;
    Chinese as written (a sheet named 杂项 is shown as 杂项)."""
    text = typed(value)
    if text.isascii() and text.isprintable():
        return short(text)
    return short("".join(c if _plain_in_id(c) else f"⟨U+{ord(c):04X}⟩" for c in text), 40)


def gate_findings(data: Any, path: str = "") -> list[tuple[str, str]]:
    """Every text of a data file's tree (keys and values, at any depth) through the gate: (field path,
    character described) of the first text holding each refused character. Line breaks and tabs are
    allowed here; a field that must be one line checks that itself (`check_text`)."""
    found: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, str):
            bad = bad_character(node, multiline=True)
            if bad and bad not in found:
                found[bad] = where or "（文件顶层）"
        elif isinstance(node, dict):
            for key, value in node.items():
                label = str(key)
                bad = bad_character(label, multiline=False) if isinstance(key, str) else None
                if bad and bad not in found:
                    found[bad] = f"{where}.{marked(label)}" if where else marked(label)
                walk(value, f"{where}.{label}" if where else label)
        elif isinstance(node, (list, tuple)):
            for n, value in enumerate(node, 1):
                walk(value, f"{where}[{n}]")

    walk(data, path)
    return [(where, bad) for bad, where in found.items()]


def gate_message(where: str, bad: str) -> str:
    """The gate's message for a field of a data file."""
    return f"字段 {shown(where, 80)} 含不允许的字符 {bad}；请删除它（只能有可见文字和空格）"
