"""Checks for every text a data file or a workbook brings in: one place, used everywhere.

A text is refused when it holds a character a reader cannot see or that changes how the text
around it is shown (control, zero-width, bidi-override and other format characters), or when it is
longer than its field allows. Veto evidence must in addition be real text, not a negation.
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

NEGATIONS = re.compile(
    r"(无|没有|没|未发现|未见|未查到|未查见|不存在|暂无|否|不涉及|不适用|未发生|没发现|没有发现)"
    r"(此|该|相关|任何|上述)?(类)?(情况|情形|问题|违规|现象|否决情形|否决项|行为|记录)?"
    r"|0+|零|〇|none|no|null|nil|n/?a|nothing|/|x|×"
)
"""Whole texts that say “nothing found” (after spaces and punctuation are removed)."""


def bad_character(value: str, multiline: bool = False) -> str | None:
    """The first forbidden character of a text, described for a message; None when all are fine."""
    for char in value:
        if char.isprintable() or char == " " or (multiline and char in _MULTILINE_OK):
            continue
        category = unicodedata.category(char)
        if category.startswith("Z") and category not in _KIND:  # other spaces (U+3000…) are fine
            continue
        kind = _KIND.get(category, "不可见字符")
        return f"U+{ord(char):04X}（{kind}）"
    return None


def shown(value: object, width: int = 40) -> str:
    """A value as a message quotes it: short, and escaped when it holds invisible characters."""
    text = str(value)
    if bad_character(text):
        text = ascii(text)
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


def shown_id(value: Any) -> str:
    """An id as a message may quote it: escaped when it holds anything unusual, and short."""
    text = str(value)
    if text.isascii() and text.isprintable():
        return short(text)
    return short(ascii(text), 40)
