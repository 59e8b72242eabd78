"""Small pieces of wording shared by the messages a clerk reads: near-miss suggestions and file errors."""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

_NO_PERMISSION = (
    "没有权限",
    "没有写入权限；请检查该目录的权限，或换一个可写的位置",
)
_DISK_FULL = "磁盘空间不足（或超出配额）；请清理磁盘后重试"
# errno -> (what happened to a file, what happened to a file being written and what to do then);
# None: the system's own words (strerror)
_OS_ERRORS: dict[int, tuple[str | None, str | None]] = {
    errno.ENOENT: ("文件或文件夹不存在", None),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.EISDIR: ("这是文件夹，不是文件", None),
    errno.ENOTDIR: ("路径中有一段不是文件夹", None),
    errno.ENOSPC: ("磁盘空间已满", _DISK_FULL),
    errno.EDQUOT: (None, _DISK_FULL),
    errno.EROFS: ("所在磁盘是只读的", "所在的文件系统是只读的；请重新以可写方式挂载，或换一个可写的位置"),
    errno.EEXIST: ("已经存在", None),
    errno.ENAMETOOLONG: ("文件名太长", None),
    errno.EADDRINUSE: ("端口已被占用", None),
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


def os_error(exc: OSError, writing: bool = False) -> str:
    """An OSError in Chinese: what happened and to which file (absolute path), never `[Errno 2]`.
    `writing`: the error of a build writing its output, as one sentence naming the path as given
    and what to do (无法写入 …：没有写入权限；请检查…)."""
    what, when_writing = _OS_ERRORS.get(exc.errno or 0, (None, None))
    if writing:
        return f"无法写入 {exc.filename or '（未知路径）'}：{when_writing or exc.strerror or exc}"
    where = exc.filename
    text = f"{absolute(where)}：{what or '系统错误'}" if where else what or "系统错误"
    if what is None and exc.strerror:
        text += f"（{exc.strerror}）"
    return text
