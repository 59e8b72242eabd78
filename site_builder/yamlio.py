"""YAML reading for data files: exact decimals, duplicate keys reported with their lines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's C loader when present: same results, faster
    _Base = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that reads floats as Decimal and records duplicate mapping keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int, int]] = []  # (key, first line, repeated line)

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML signature
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except Exception:  # an unhashable key is reported by PyYAML itself below
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append((key, seen[key], line))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return float(yaml.SafeLoader.construct_yaml_float(loader, node))  # .inf, .nan
    return value if value.is_finite() else float("nan")


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def _syntax_problem(text: str, exc: yaml.MarkedYAMLError) -> YamlProblem:
    """A syntax error in our own words, at the line of the mistake (see yamlhints)."""
    from site_builder.yamlhints import explain

    def line(mark) -> int | None:  # noqa: ANN001
        return mark.line + 1 if mark else None

    message, at = explain(text, exc.problem, exc.context, line(exc.problem_mark), line(exc.context_mark))
    return YamlProblem(message, at)


def read_yaml(path: Path) -> tuple[Any, list[tuple[Any, int, int]]]:
    """Parse one YAML file. Returns (data, duplicate keys). Raises YamlProblem on a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlProblem("文件不是 UTF-8 编码；请以 UTF-8 保存", None) from None
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(text, exc) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML 格式错误：{exc}", None) from None
    finally:
        loader.dispose()
    return data, loader.duplicates


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
