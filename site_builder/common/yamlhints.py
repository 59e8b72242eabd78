"""YAML syntax errors in our own words: the line where the mistake is, and what to do about it.

PyYAML (and libyaml, whose wording differs) reports where it gave up, often the line after the
mistake, in English. `explain` looks at the text around that place and names the usual mistakes of
people who type YAML by hand: no space after a colon, a full-width colon, a colon inside a value,
indentation, a tab, an unclosed quote or bracket.
"""

from __future__ import annotations

import re

_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s:：#'\"]+\s*：")
_NO_SPACE = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_\-]+):(?!\s|$|//)(.*)$")
_COLON_IN_VALUE = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"]+:\s+[^'\"{\[#].*?:\s")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_content_line(lines: list[str], line: int) -> int | None:
    for n in range(line - 1, 0, -1):
        stripped = lines[n - 1].strip()
        if stripped and not stripped.startswith("#"):
            return n
    return None


def _open_bracket_line(lines: list[str], upto: int) -> tuple[int, str] | None:
    """The last line up to `upto` where a [ or { is opened and not closed again."""
    depth: list[tuple[int, str]] = []
    for n, text in enumerate(lines[:upto], start=1):
        quote = None
        for ch in text:
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth.append((n, ch))
            elif ch in "]}" and depth:
                depth.pop()
    return depth[-1] if depth else None


def explain(
    text: str, problem: str | None, context: str | None, problem_line: int | None, context_line: int | None
) -> tuple[str, int | None]:
    """(message, line) for a YAML syntax error; the message starts with `YAML 格式错误：`."""
    lines = text.splitlines()
    problem = (problem or "").lower()
    context = (context or "").lower()
    line = problem_line or context_line

    def at(n: int | None) -> str:
        return lines[n - 1] if n and 0 < n <= len(lines) else ""

    def result(hint: str, where: int | None = line) -> tuple[str, int | None]:
        return f"YAML 格式错误：{hint}", where

    # a full-width colon or a missing space after a colon, on this line or just above it
    if line:
        for n in range(line, max(0, line - 4), -1):
            if _FULLWIDTH_KEY.match(at(n)):
                return result("用了中文冒号“：”；键后面要用英文冒号加空格，如 institution: P05", n)
        for n in range(line, max(0, line - 4), -1):
            m = _NO_SPACE.match(at(n))
            if m and ("mapping values" in problem or "expected ':'" in problem):
                return result(f"冒号后要有空格：应写成“{m.group(1)}: {m.group(2).strip()}”", n)
    if "cannot start any token" in problem:
        if "\t" in at(line):
            return result("用了 Tab 键缩进；YAML 只能用空格缩进")
        return result("值以 @、` 或 % 等特殊字符开头；请给整个值加引号")
    if "quoted scalar" in context:
        return result("引号没有配对：这一行开始的引号没有结束；请在值的末尾补上同样的引号", context_line or line)
    if "flow mapping" in context or "flow sequence" in context or "flow node" in context:
        opened = _open_bracket_line(lines, line or len(lines))
        where = opened[0] if opened else context_line or line
        pair = "花括号 { }" if (opened and opened[1] == "{") or "mapping" in context else "方括号 [ ]"
        if re.search(r":\s[^,{}\[\]'\"]*:\s", at(where)):
            return result(f'{pair} 里的值含有“: ”；请给这个值加引号，如 {{score: 0, reason: "原因: 说明"}}', where)
        return result(
            f"{pair} 没有正确结束：各项之间用英文逗号分隔，最后要写上 {pair[-1]}；值里含有冒号或逗号时请给它加引号",
            where,
        )
    if "mapping values" in problem:
        if _COLON_IN_VALUE.match(at(line)):
            return result('值里含有“: ”；请给整个值加引号，如 reason: "原因: 说明"')
        previous = _previous_content_line(lines, line) if line else None
        if previous and _indent(at(line)) > _indent(at(previous)):
            return result("缩进不对：这一行比上一行多缩进了；同一层的键要左对齐")
        return result("这里不能出现冒号；请检查冒号后是否有空格，值里含冒号时是否加了引号")
    if "expected key" in problem or "block end" in problem or "block mapping" in context:
        return result("缩进不对：同一层的键要左对齐（用空格，不用 Tab）")
    if "'-' indicator" in problem or "block collection" in context:
        return result("列表的各项要以“- ”开头，并且上下对齐")
    if "alias" in problem:
        return result("以 * 或 & 开头的值须加引号（在 YAML 中它们有特殊含义）")
    if "could not find expected ':'" in problem:
        return result("这一行缺少冒号，或冒号后没有空格；键和值之间写“: ”", context_line or line)
    return result("无法解析；请检查这一行和上一行的缩进、冒号（后面要有空格）和引号")
