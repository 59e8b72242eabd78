"""Small pieces of wording shared by the messages a clerk reads: near-miss suggestions and file errors."""

from __future__ import annotations

import difflib
import errno
import os
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


def did_you_mean(word: str, choices, prefix: str = "") -> str | None:
    """The closest choice to a mistyped word, or None when nothing is close."""
    found = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return found[0] if found else None


def suggestion(word: str, choices, verb: str = "输入") -> str:
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
