"""What every data-file loader shares: where the data lives, reading one YAML file safely, ids.

Reading a data file refuses, before parsing it: a file whose real location is outside the project
(a symbolic link leaving it), anything that is not a regular file, and a file over its size limit.
Messages never quote the content of a file that was not read as data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

from site_builder import __version__
from site_builder.common.messages import did_you_mean
from site_builder.common.textcheck import check_text, gate_findings, gate_message, shown, shown_id
from site_builder.common.yamlio import MB, YamlProblem, read_yaml
from site_builder.domain.scoring import fmt
from site_builder.errors import Problems
from site_builder.storage.sealed import CacheFolder, EntriesFile

INDICATOR_ID = re.compile(r"\d-\d{2}", re.ASCII)
INSTITUTION_ID = re.compile(r"[PM]\d{2,}", re.ASCII)
YEAR_DIR = re.compile(r"\d{4}", re.ASCII)

LIMITS = {
    "sheet": 1 * MB,
    "roster": 16 * MB,
    "rubric": 4 * MB,
    "status": 64 * 1024,
    "corrections": 4 * MB,
    "objections": 4 * MB,
}
"""Largest file of each kind (a national roll-up's roster lists tens of thousands of institutions)."""


def is_institution_id(value: Any) -> TypeGuard[str]:
    """P01, M12, P0123: ASCII letters and digits only (no look-alike digits, no trailing newline)."""
    return isinstance(value, str) and INSTITUTION_ID.fullmatch(value) is not None


def is_indicator_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and INDICATOR_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Paths:
    """Where the data lives. `rel` makes paths in messages short and stable.

    The real path of each folder (links resolved) is looked up once per `Paths`, that is once per
    load of a project: a folder replaced by a link between two loads is seen by the second."""

    rubric: Path
    scores: Path
    base: Path
    cache: CacheFolder | None = None  # where validated sheets, rosters and rubrics are cached (None: no cache)
    workers: int = 1  # processes for parsing many sheets
    _real: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def rel(self, path: Path) -> str:
        """Path relative to the base when inside it (as messages show it), else as given."""
        base = self._abs(str(self.base))
        full = self._abs(str(path))
        if full == base or full.startswith(base.rstrip(os.sep) + os.sep):
            return Path(os.path.relpath(full, base)).as_posix()
        return Path(full).as_posix()  # outside the data root: absolute, so that it is never ambiguous

    def inside(self, path: Path) -> bool:
        """False for a file in the data folders whose real location (links followed) is outside them.

        A path the caller gives outside the project is taken as given; a link inside the project
        that leads out of it is not.
        """
        roots = [str(r) for r in (self.base, self.scores, self.rubric)]
        real = os.path.realpath(path)
        if any(_under(real, self._abs_dir(r)) for r in roots):
            return True
        given = os.path.abspath(path)
        return not any(_under(given, os.path.abspath(r)) or _under(given, self._abs_dir(r)) for r in roots)

    def cache_entry(self, path: Path, name: str, *salt: str) -> tuple[EntriesFile | None, str | None]:
        """The cache file `name` a data file's validated content is kept in, and its key: the package's
        version, `salt` and the file's bytes. (None, None) without the cache, for a file outside the
        project (refused when read) or one that cannot be read."""
        if self.cache is None or not self.inside(path):
            return None, None
        try:
            content = path.read_bytes()
        except OSError:
            return None, None
        parts = [__version__.encode(), *(s.encode() for s in salt), content]
        return self.cache.entries(name), hashlib.sha256(b"\0".join(parts)).hexdigest()

    def _abs_dir(self, folder: str) -> str:
        folder = os.path.abspath(folder)  # absolute first: a relative name means another folder after a chdir
        real = self._real.get(folder)
        if real is None:
            real = self._real[folder] = os.path.realpath(folder)
        return real

    def _abs(self, path: str) -> str:
        """Absolute path with symbolic links in its folder resolved (one realpath per folder)."""
        folder, name = os.path.split(os.path.abspath(path))
        return os.path.join(self._abs_dir(folder), name) if name else self._abs_dir(folder)


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def outside_message() -> str:
    return "是指向项目目录之外的符号链接，未读取；数据文件须放在项目目录内（请复制文件，而不是链接）"


def join(values) -> str:
    return "、".join(fmt(v) if isinstance(v, Decimal) else str(v) for v in values)


def read_data(
    path: Path, paths: Paths, problems: Problems, kind: str, institution: str | None = None, allow_empty: bool = False
) -> Any:
    """Read a YAML data file, reporting syntax errors and duplicate keys. Returns None when unusable."""
    rel = paths.rel(path)
    if not paths.inside(path):
        problems.add(rel, outside_message(), institution=institution)
        return None
    try:
        data, duplicates = read_yaml(path, LIMITS[kind])
    except YamlProblem as exc:
        problems.add(rel, str(exc), institution=institution, line=exc.line)
        return None
    if data is None:
        if not allow_empty:
            problems.add(rel, "文件为空", institution=institution)
        return None
    for key, first, again in duplicates:
        problems.add(
            rel,
            f"键 {shown_id(key)} 重复出现（第 {first} 行和第 {again} 行）；每个键只能写一次",
            institution=institution,
            indicator=shown_id(key) if is_indicator_id(key) else None,
            line=again,
        )
    gate(data, rel, problems, institution)
    return data


def gate(data: Any, rel: str, problems: Problems, institution: str | None = None) -> None:
    """The text gate over a whole data file (every key and text, `textcheck.gate_findings`): a field a
    reader checks itself reports the character in its own words instead (`Problems.add(generic=...)`)."""
    for where, bad in gate_findings(data):
        problems.add(rel, gate_message(where, bad), institution=institution, generic=True)


def read_document(
    path: Path,
    paths: Paths,
    problems: Problems,
    kind: str,
    list_key: str,
    what: str,
    keys: tuple[str, ...],
    where: str | None = None,
) -> dict | None:
    """A data file that is a mapping holding a `list_key` list (the roster's institutions, the rubric's
    sections), with unknown keys reported; None when it is not one."""
    rel = paths.rel(path)
    data = read_data(path, paths, problems, kind)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get(list_key), list):
        problems.add(rel, f"{what}须包含 {list_key} 列表")
        return None
    unknown_keys(data, keys, rel, problems, where or what)
    return data


def unknown_keys(
    data: dict,
    allowed: tuple[str, ...],
    rel: str,
    problems: Problems,
    what: str,
    institution: str | None = None,
    indicator: str | None = None,
) -> set[str]:
    """Report unknown fields, suggesting the field meant. Returns the missing fields a typo accounts
    for, so that the caller does not report them a second time as missing."""
    meant = set()
    for key in data:
        if key not in allowed:
            near = did_you_mean(str(key), [k for k in allowed if k not in data])
            if near:
                meant.add(near)
            hint = f"您是不是要写 {near}？" if near else ""
            problems.add(
                rel,
                f"{what}中有未知字段 {shown_id(key)}；{hint}允许的字段：{join(allowed)}",
                institution=institution,
                indicator=indicator,
            )
    return meant


def text_field(value: Any, label: str, limit: int, *, required: bool = False) -> tuple[str | None, str | None]:
    """A text field: (stripped text or None, problem or None). Missing is a problem only when required."""
    sep = " " if label[-1].isascii() and label[-1].isalnum() else ""
    if value is None:
        return None, (f"缺少 {label}" if required else None)
    if not isinstance(value, str):
        return None, f"{label}{sep}须为文字"
    if not value.strip():
        return None, (f"{label}{sep}不能为空白" if required else None)
    problem = check_text(value, limit)
    if problem:
        return None, f"{label}{sep}{problem}"
    return value.strip(), None


def load_json(path: Path, **options: Any) -> tuple[Any, str | None]:
    """A JSON file (a BOM tolerated) and, when it cannot be read, why, in Chinese."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "文件不是 UTF-8 编码"
    except OSError:
        return None, "文件无法打开"
    if not text.strip():
        return None, "文件是空的"
    try:
        return json.loads(text, **options), None
    except json.JSONDecodeError as exc:
        return None, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列有误）"
    except RecursionError:
        return None, "嵌套层数过多"


SAMPLE_KEY = "sample"  # `sample: true` at the top of a data file (or a page's front matter): 示例数据


def sample_mark(data: dict, rel: str, problems: Problems, institution: str | None = None) -> bool:
    """Whether a data file marks itself as sample data (`sample: true`); `--publish` refuses every
    file that does. Any other value than true or false is a problem."""
    value = data.get(SAMPLE_KEY, False)
    if not isinstance(value, bool):
        problems.add(
            rel,
            f"sample 为 {shown(value)}；示例数据文件写 sample: true，正式数据请删去这一行",
            institution=institution,
        )
        return False
    return value
