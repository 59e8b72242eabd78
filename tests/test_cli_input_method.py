"""Options and commands typed with a Chinese input method on: pointed out with what to type, by the
kind of character (Unicode category and width), never guessed at or run."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.project import in_process

from site_builder.cli.parser import ascii_typed

USAGE = (
    "用法：python -m site_builder build [-h] [--root DIR] [--scores DIR]\n"
    "                                [--rubric DIR] [--content DIR] [--out DIR]\n"
    "                                [--jobs N] [--no-cache] [--publish]\n"
    "                                [--year YYYY [YYYY ...]] [--previous DIR]\n"
)


@pytest.mark.parametrize(
    ("typed", "kinds"),
    [
        ("——publish", "破折号或全角减号"),
        ("—publish", "破折号或全角减号"),
        ("－－publish", "全角字符"),
        ("--ｐｕｂｌｉｓｈ", "全角字符"),
        ("--publish\u3000", "全角空格"),
        ("\u2010\u2010publish", "破折号或全角减号"),
        ("\u2212\u2212publish", "破折号或全角减号"),
    ],
)
def test_an_option_typed_in_chinese_is_pointed_out(typed: str, kinds: str) -> None:
    result = in_process("build", typed)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        USAGE + f"错误：“{typed}”里有中文输入法打出的{kinds}；请切换到英文输入法，写成 --publish\n"
        "用 python -m site_builder build --help 查看说明。\n"
    )


def test_a_command_typed_in_full_width_letters_is_pointed_out() -> None:
    result = in_process("ｖａｌｉｄａｔｅ")
    assert result.code == 1
    assert "错误：“ｖａｌｉｄａｔｅ”里有中文输入法打出的全角字符；请切换到英文输入法，写成 validate\n" in result.err


DASHES = st.sampled_from(
    ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uff0d", "\ufe63"]
)


@given(
    st.lists(DASHES, min_size=2, max_size=2),
    st.sampled_from(["publish", "no-cache", "root"]),
    st.sampled_from(["", " ", "\u3000", "\u00a0"]),
)
def test_any_dash_and_space_an_input_method_types_reads_as_the_option(dashes, name, space) -> None:
    plain, kinds = ascii_typed("".join(dashes) + name + space)
    assert plain == f"--{name}"
    assert bool(kinds) == (dashes != ["-", "-"] or space != "")
