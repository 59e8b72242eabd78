"""Small pieces of wording shared by the messages a clerk reads: near-miss suggestions and file errors."""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

_OS_ERRORS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "所在磁盘是只读的",
    errno.EEXIST: "已经存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EADDRINUSE: "端口已被占用",
}


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def did_you_mean(word: str, choices: Iterable[object]) -> str | None:
    """The closest choice to a mistyped word (fewest edits, a swap of two letters counting as one),
    or None when nothing is close."""
    options = [str(c) for c in choices]
    if not options:
        return None
    started = [c for c in options if c.startswith(word) and len(word.strip("-")) >= 2]
    if len(started) == 1:  # a shortened option: --pub for --publish
        return started[0]
    best = min(options, key=lambda c: (_distance(word, c), -difflib.SequenceMatcher(None, word, c).ratio(), c))
    edits = _distance(word, best)
    close = edits <= max(1, len(best) // 4) or difflib.SequenceMatcher(None, word, best).ratio() >= 0.75
    return best if close else None


def suggestion(word: str, choices: Iterable[object], verb: str = "输入") -> str:
    """`您是不是要输入 build？` for a near miss; empty when nothing is close."""
    near = did_you_mean(word, choices)
    return f"您是不是要{verb} {near}？" if near else ""


def absolute(path: Path | str) -> str:
    """A path as an absolute one, for messages where a relative path would be ambiguous."""
    return os.path.abspath(str(path))


def os_error(exc: OSError) -> str:
    """An OSError in Chinese: what happened and to which file (absolute path), never `[Errno 2]`."""
    what = _OS_ERRORS.get(exc.errno or 0, "系统错误")
    where = exc.filename
    text = f"{absolute(where)}：{what}" if where else what
    if exc.errno not in _OS_ERRORS and exc.strerror:
        text += f"（{exc.strerror}）"
    return text
