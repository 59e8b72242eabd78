"""YAML reading for data files: exact decimals, duplicate keys reported with their lines.

Data files are read defensively. Before anything is built from a file:
- its size is bounded (checked on the file, before reading it);
- one pass over the parser's events refuses anchors/aliases (`&a`, `*a`), merge keys (`<<`) and
  nesting deeper than MAX_DEPTH, so that neither an alias bomb nor a deep list reaches the
  constructor;
- numbers of absurd magnitude and impossible dates are refused by the constructors, with their line.
Every refusal is a short YamlProblem; no message quotes more than a few characters of the file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError

from site_builder.common import fastyaml
from site_builder.common.numbers import MAX_DIGITS, within_bounds

if TYPE_CHECKING:  # to the type checker both are a SafeLoader: the same constructor, another parser
    _Base = yaml.SafeLoader
else:
    try:  # libyaml's C loader when present: same results, faster
        _Base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover
        _Base = yaml.SafeLoader

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings in any data file (the rubric needs about 10)."""
MB = 1024 * 1024
DEFAULT_LIMIT = 1 * MB
CORE_TAG = "tag:yaml.org,2002:"
MERGE_TAG = CORE_TAG + "merge"


def size_text(limit: int) -> str:
    """A file size limit as people write it: 1 MB, 64 KB."""
    if limit % MB == 0:
        return f"{limit // MB} MB"
    return f"{limit // 1024} KB"


def short(text: str, width: int = 20) -> str:
    """At most `width` characters of a value, for messages."""
    return text if len(text) <= width else text[:width] + "…"


class _Loader(_Base):
    """SafeLoader that reads floats as Decimal and records duplicate mapping keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int, int]] = []  # (key, first line, repeated line)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except ConstructorError:
                raise
            except Exception:  # noqa: BLE001 - an unhashable key is reported by PyYAML itself below
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append((key, seen[key], line))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _Refused(ConstructorError):
    """A value the constructors refuse (its message is complete, not a YAML syntax error)."""


def _refuse(node: yaml.Node, message: str) -> ConstructorError:
    return _Refused(None, None, message, node.start_mark)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if len(text) > 2 * MAX_DIGITS + 10:
        raise _refuse(node, f"数值 {short(text)} 过长；分值最多两位小数")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return float(yaml.SafeLoader.construct_yaml_float(loader, node))  # .inf, .nan
    if not value.is_finite():
        return float("nan")
    if value and not within_bounds(value):
        raise _refuse(node, f"数值 {short(text)} 超出允许范围（绝对值须小于 10^{MAX_DIGITS}）")
    return value


_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    if len(text.replace("_", "").lstrip("+-")) > MAX_DIGITS:
        raise _refuse(node, f"数值 {short(text)} 超出允许范围（最多 {MAX_DIGITS} 位数字）")
    try:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # 0x_ and the like match YAML 1.1's pattern but are no number
        raise _refuse(node, f"数值 {short(text)} 写法不对；请写普通的十进制数") from None
    if not _DECIMAL_INT.fullmatch(text):  # YAML 1.1 reads 010 as 8, 0x10 as 16, 1:30 as 90, 1_0 as 10
        digits = text.lstrip("+-").lstrip("0") or "0"
        hint = f"，如 {'-' if text.startswith('-') else ''}{digits}" if digits.isdigit() else ""
        raise _refuse(
            node,
            f"数值 {short(text)} 写法不对（以 0 开头、带下划线、冒号或用十六进制等写法的数，"
            f"YAML 会读成别的值）；请写普通的十进制数{hint}",
        )
    return value


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _refuse(node, f"日期 {short(text)} 不存在（没有这一天）；请写实际的日期，格式 YYYY-MM-DD") from None


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def _check_events(text: str) -> None:
    """Refuse anchors, aliases, merge keys and deep nesting before anything is constructed."""
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem("不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出", line)
        tag = getattr(event, "tag", None)  # node events have one (None when implicit), the others none
        if tag == MERGE_TAG or (isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]):
            raise YamlProblem("不允许使用 YAML 合并键（<<）；请把每个键直接写出", line)
        if tag is not None:
            raise YamlProblem(f"不允许使用 YAML 标签（{short(str(tag).replace(CORE_TAG, '!!'))}）；请直接写值", line)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"嵌套超过 {MAX_DEPTH} 层；数据文件不需要这么深的结构，请检查文件", line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _syntax_problem(text: str, exc: yaml.MarkedYAMLError) -> YamlProblem:
    """A syntax error in our own words, at the line of the mistake (see yamlhints)."""
    from site_builder.common.yamlhints import explain

    def line(mark: yaml.Mark | None) -> int | None:
        return mark.line + 1 if mark else None

    if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000 levels) met before our count
        return YamlProblem(f"嵌套超过 {MAX_DEPTH} 层；数据文件不需要这么深的结构，请检查文件", line(exc.problem_mark))
    message, at = explain(text, exc.problem, exc.context, line(exc.problem_mark), line(exc.context_mark))
    return YamlProblem(message, at)


def read_text(path: Path, limit: int = DEFAULT_LIMIT) -> str:
    """A data file's text: a regular file, at most `limit` bytes, UTF-8. Raises YamlProblem otherwise."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise YamlProblem(f"无法读取文件：{exc.strerror}", None) from None
    if not stat.S_ISREG(info.st_mode):
        raise YamlProblem("不是普通文件；数据文件须为普通文本文件", None)
    if info.st_size > limit:
        raise YamlProblem(f"文件大小 {info.st_size} 字节，超过上限 {size_text(limit)}；请检查是否放错了文件", None)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise YamlProblem(f"无法读取文件：{exc.strerror}", None) from None
    if len(raw) > limit:  # grew while being read
        raise YamlProblem(f"文件超过上限 {size_text(limit)}；请检查是否放错了文件", None)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise YamlProblem("文件不是 UTF-8 编码；请以 UTF-8 保存", None) from None


def read_yaml(path: Path, limit: int = DEFAULT_LIMIT) -> tuple[Any, list[tuple[Any, int, int]]]:
    """Parse one YAML file. Returns (data, duplicate keys). Raises YamlProblem on anything unsafe or invalid."""
    return parse_yaml(read_text(path, limit))


def parse_yaml(text: str) -> tuple[Any, list[tuple[Any, int, int]]]:
    """Parse YAML text with the checks described in the module docstring. Text of the plain shape
    `fastyaml` knows is read by it (the same result, five times faster); the rest by PyYAML."""
    if text.startswith("\ufeff"):
        text = text[1:]
    fast = fastyaml.parse(text)  # the plain shape of most files, read without PyYAML
    if fast is not None:
        return fast
    loader = None
    try:
        _check_events(text)
        loader = _Loader(text)
        data = loader.get_single_data()
    except YamlProblem:
        raise
    except _Refused as exc:
        raise YamlProblem(str(exc.problem), exc.problem_mark.line + 1 if exc.problem_mark else None) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(text, exc) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise YamlProblem(_reader_problem(exc), line) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise YamlProblem(f"嵌套超过 {MAX_DEPTH} 层；请检查文件", None) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):  # pragma: no cover - a constructor's gap
        raise YamlProblem("YAML 内容无法读取；请只写文字、数字、日期、true/false、列表和映射", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, loader.duplicates


def _reader_problem(exc: yaml.YAMLError) -> str:
    """A reader error without the position text PyYAML appends."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        return f"文件含不允许的控制字符 U+{code:04X}；请删除它（文字中只能有可见字符、空格和换行）"
    return "YAML 格式错误：" + short(str(exc).splitlines()[0], 120)


def is_number(value: Any) -> bool:
    """A real score value: int or Decimal from YAML, never a bool, NaN or infinity."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, Decimal):
        return value.is_finite()
    return False


def to_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(int(value))


def is_date(value: Any) -> bool:
    """A calendar date (not a date with a time)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
