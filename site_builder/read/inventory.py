"""Every file under content/, rubric/ and scores/ is either read, refused, or named as ignored:
never a silently skipped record.

`entries` is the one place a reader lists a folder: each entry it will read is returned; each other
one is refused by name with what the folder may hold (`content/2023/extra.md`, `rubric/2023.yml`,
`scores/2023/notes.txt`), except the files an editor or the system leaves beside the clerk's work
(`ignorable`: a vim swap file `.P03.yaml.swp`, a backup `P03.yaml~`, `.DS_Store`, `Thumbs.db`,
`desktop.ini`, Office's `~$…` lock files, and every dotfile): refusing them would stop every build
while a file is open in an editor, so they are left alone and `ignored_files` names them in the
summary `validate` and `build` print (a page hidden as `.about.md` is named there, not published).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from site_builder.common.textcheck import marked
from site_builder.errors import Problems

SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def ignorable(name: str) -> bool:
    """A file an editor or the operating system leaves beside the data: never read, never refused."""
    return name.startswith((".", "~$")) or name.endswith("~") or name.lower() in SYSTEM_FILES


def entries(
    folder: Path,
    wanted: Callable[[Path], str | None],
    rel: Callable[[Path], str],
    problems: Problems,
) -> list[Path]:
    """The entries of `folder` the reader reads, sorted by name. `wanted(path)` returns None for an
    entry that is read, else the message refusing it (what the folder may hold, what to do)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if ignorable(path.name):
            continue
        refusal = wanted(path)
        if refusal is None:
            found.append(path)
        else:
            problems.add(marked(rel(path)), refusal)
    return found


def unknown(allowed: str) -> str:
    """The message for an entry a folder does not hold: what it may hold, what to do."""
    return f"不认识的文件，工具不读取它；{allowed}；请改名、移到数据目录之外或删去"


def ignored_files(folders: list[Path], rel: Callable[[Path], str], depth: int = 2) -> list[str]:
    """Every ignorable file under the data folders (at the depths the readers read), for the summary."""
    found: list[str] = []

    def walk(folder: Path, level: int) -> None:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        for name in names:
            path = folder / name
            if ignorable(name):
                found.append(marked(rel(path)))
            elif level < depth and path.is_dir() and not path.is_symlink():
                walk(path, level + 1)

    for folder in folders:
        walk(folder, 1)
    return found


def ignored_line(names: list[str]) -> str:
    """The summary's line naming the ignored files ('' when there are none)."""
    if not names:
        return ""
    return f"已忽略（编辑器或系统留下的文件，以及以 . 开头的文件，不读取、不发布）：{'、'.join(names)}"
