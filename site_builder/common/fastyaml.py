"""A fast reader for the plain shape most data files have; `yamlio` is the reference it must equal.

A score sheet is about 140 lines of `  1-01: 1` or `  1-02: {score: 0.5, reason: 记录不完整}`.
PyYAML (even with libyaml) plus the safety pass over its events costs about 5 ms a sheet, which
is most of a 10,000-institution build. This reader accepts only a small, unambiguous subset of
YAML and returns None for anything else, so that the full reader (`yamlio.parse_yaml`) handles it,
with its checks and its messages:

- top-level `key: value` lines, and `key:` followed by one block of equally indented lines, all
  `key: value` or all `- value` (a list: a synthetic roster is one `- {…}` line per institution);
  full-line comments and blank lines;
- values: `{}` or a one-line flow mapping `{k: v, k: v}` of scalars; scalars that can mean only
  one thing: `true`/`false`, `null`, decimal numbers without leading zeros, `YYYY-MM-DD` dates,
  quoted text without escapes, plain text that contains a non-ASCII character (no YAML type
  matches those) or is a plain ASCII word that is no YAML keyword;
- no duplicate keys, tabs, CR, control characters, anchors, tags, trailing comments, document markers.

It never raises on any input: a shape it does not know is simply not its business.
`tests/test_fastyaml.py` checks it against `yamlio` on every data file of the repo, on synthetic
sheets and on generated hostile text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from site_builder.common.numbers import within_bounds

_SAFE_TEXT = re.compile(r"[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
_ITEM = re.compile(r" +- (.*)")
_LINE = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_]*|[0-9]{1,3}-[0-9]{1,3}):(?: (.*))?")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,18})")
_DEC = re.compile(r"-?(?:0|[1-9][0-9]{0,18})\.[0-9]{1,19}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_FLOW_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]{1,3}-[0-9]{1,3}")
# plain ASCII words that YAML 1.1 reads as something other than text
_KEYWORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
# characters that make a plain scalar mean something else somewhere (indicators, flow, comments)
_SPECIAL = frozenset("-?:,[]{}#&*!|>'\"%@`\\")


class _Unknown(Exception):
    """Not the plain shape: the caller falls back to the full reader."""


def parse(text: str) -> tuple[Any, list[tuple[Any, int, int]]] | None:
    """(data, []) exactly as `yamlio.parse_yaml` would return for `text`, or None when `text` is not
    the plain shape (then the full reader must be used)."""
    try:
        return _parse(text), []
    except (_Unknown, ValueError, OverflowError):
        return None


def _parse(text: str) -> dict[str, Any]:
    if _SAFE_TEXT.fullmatch(text) is None:
        raise _Unknown
    top: dict[str, Any] = {}
    block: dict[str, Any] | list[Any] | None = None  # what the indented lines under `key:` fill
    opened: str | None = None  # the `key:` whose block has no line yet
    indent = 0
    for line in text.split("\n"):
        stripped = line.strip(" ")
        if not stripped or stripped.startswith("#"):
            continue  # blank, or a comment on a line of its own
        if line[0] == " ":
            item = _ITEM.fullmatch(line)
            if opened is not None:  # the block's first line decides: a list or a mapping
                block = [] if item else {}
                top[opened], opened = block, None
                indent = len(line) - len(line.lstrip(" "))
            if block is None or len(line) - len(line.lstrip(" ")) != indent:
                raise _Unknown
            if item:
                if type(block) is not list:
                    raise _Unknown
                block.append(_value(item.group(1)))
                continue
            m = _LINE.fullmatch(line)
            if m is None or type(block) is not dict:
                raise _Unknown
            _spaces, key, value = m.groups()
            if key.lower() in _KEYWORDS or value is None or key in block:
                raise _Unknown  # `yes:` is a boolean key in YAML 1.1
            block[key] = _value(value)
            continue
        m = _LINE.fullmatch(line)
        if m is None or opened is not None:
            raise _Unknown  # not a `key: value` line, or `key:` with nothing under it (null in YAML)
        _spaces, key, value = m.groups()
        if key.lower() in _KEYWORDS or key in top or not key[0].isalpha():
            raise _Unknown
        block = None
        if value is None:
            opened = key
        else:
            top[key] = _value(value)
    if opened is not None or not top:
        raise _Unknown
    return top


def _value(raw: str) -> Any:
    if raw != raw.strip() or not raw:
        raise _Unknown
    if raw[0] == "{":
        return _flow(raw)
    return _scalar(raw)


def _flow(raw: str) -> dict[str, Any]:
    if not raw.endswith("}"):
        raise _Unknown
    inner = raw[1:-1]
    out: dict[str, Any] = {}
    if not inner.strip():
        if inner:
            raise _Unknown
        return out
    for part in _split_flow(inner):
        key, sep, value = part.partition(": ")
        if not sep or not _FLOW_KEY.fullmatch(key) or key.lower() in _KEYWORDS or key in out:
            raise _Unknown
        out[key] = _scalar(value)
    return out


def _split_flow(inner: str) -> list[str]:
    """`a: 1, b: "x, y"` → ['a: 1', 'b: "x, y"']; separators are `, ` outside quotes."""
    if '"' not in inner and "'" not in inner:
        parts = inner.split(", ")
        if any("," in part for part in parts):
            raise _Unknown  # `a: 1,b: 2` and the like: the full reader decides
        return parts
    parts, start, quote = [], 0, ""
    i = 0
    while i < len(inner):
        c = inner[i]
        if c in "\"'" and (not quote or c == quote):
            quote = "" if quote else c
        elif c == "," and not quote:
            if inner[i + 1 : i + 2] != " ":
                raise _Unknown
            parts.append(inner[start:i])
            start = i + 2
            i += 1
        i += 1
    if quote:
        raise _Unknown
    parts.append(inner[start:])
    return parts


def _scalar(raw: str) -> Any:
    if not raw or raw != raw.strip():
        raise _Unknown
    if raw[0] == '"':
        body = raw[1:-1]
        if len(raw) < 2 or raw[-1] != '"' or '"' in body or "\\" in body:
            raise _Unknown
        return body
    if raw[0] == "'":
        body = raw[1:-1]
        if len(raw) < 2 or raw[-1] != "'" or "'" in body:
            raise _Unknown  # '' inside is an escaped quote: the full reader
        return body
    if raw == "null":
        return None
    if raw == "true":
        return True
    if raw == "false":
        return False
    if _INT.fullmatch(raw):
        return int(raw)
    if _DEC.fullmatch(raw):
        value = Decimal(raw)
        if value and not within_bounds(value):
            raise _Unknown  # the full reader refuses it with its message
        return value
    m = _DATE.fullmatch(raw)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))  # ValueError (no such day): the full reader says so
    if raw.isascii():
        if _WORD.fullmatch(raw) and raw.lower() not in _KEYWORDS:
            return raw
        raise _Unknown
    if raw[0] in _SPECIAL or any(c in _SPECIAL for c in raw if c != "-") or "  " in raw:
        raise _Unknown
    return raw
