"""A score sheet's YAML as `import` writes it: an existing sheet edited in place, a new one in the
repo's usual format.

An existing sheet is loaded with ruamel.yaml in round-trip mode and only the values the workbook
changed are replaced: comments, key order, the quoting of every other value and the file's header
(the institution's name, the sample mark) stay, so one changed cell is one changed line of the file.
A text is written plain where the project's own reader (`common.yamlio`) reads it back as the same
text (“现场核查未达到要求”, “是”), double-quoted where it would not (“yes”, “null”, “1:20”, a text
with “: ” or “ #”, leading spaces); a score as `domain.scoring.fmt` writes it (89.75, 1, 0.5).
Whatever is written is read back with the project's reader before it is returned: the entries that
were changed must read as the new values and every other value as before (`SheetTextError` if not).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from site_builder.common.textcheck import gate_findings
from site_builder.common.yamlio import YamlProblem, parse_yaml
from site_builder.domain.scoring import fmt

ENTRY_KEYS = ("score", "reason", "self", "self_reason")
HEADER_KEYS = ("assessed_on", "senior_levels", "online_exam")
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`\\")
"""ASCII characters that mean something to YAML somewhere: a text with one is always quoted, so that no
reader (libyaml, pure-Python PyYAML, ruamel.yaml) can take it for anything but text ("1-01", "a?")."""


class SheetTextError(Exception):
    """The text made for a sheet does not read back as what was meant (a bug: nothing is written)."""


def plain_reads_back(text: str, flow: bool) -> bool:
    """Whether `text` may be written plain: it holds none of YAML's `INDICATORS`, has a character
    beyond ASCII or is ASCII letters and spaces, and the project's reader reads it back as the same
    text (not `yes`, `null`, `True`), inside a one-line flow mapping (`{score: 0, reason: TEXT}`) when
    `flow`, else as a block mapping's value (`6-04: TEXT`)."""
    if not text or text != text.strip() or not INDICATORS.isdisjoint(text) or not text.isprintable():
        return False
    if text.isascii() and not text.replace(" ", "").isalpha():  # 1e3, 0o17: numbers to some reader
        return False
    doc = f"k: {{v: {text}}}\n" if flow else f"k: {text}\n"
    try:
        data, duplicates = parse_yaml(doc)
        value = data["k"]["v"] if flow else data["k"]
    except (YamlProblem, TypeError, KeyError, IndexError):
        return False
    return not duplicates and isinstance(value, str) and value == text


def scalar(value: Any, flow: bool) -> str:
    """One value as the sheet format writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, int)):
        return fmt(Decimal(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if plain_reads_back(text, flow) else json.dumps(text, ensure_ascii=False)


def _entry_text(entry: dict) -> str:
    if set(entry) == {"score"}:
        return scalar(entry["score"], flow=False)
    return "{" + ", ".join(f"{key}: {scalar(entry[key], flow=True)}" for key in ENTRY_KEYS if key in entry) + "}"


def new_text(data: dict, name: str) -> str:
    """A new sheet in the documented format (data.md): the institution's name as a comment, the
    header fields, one line per item, the veto mapping."""
    lines = [f"# {name}", f"institution: {data['institution']}"]
    lines += [f"{key}: {scalar(data[key], flow=False)}" for key in HEADER_KEYS]
    lines.append("items:")
    lines += [f"  {ind}: {_entry_text(entry)}" for ind, entry in data["items"].items()]
    if data["veto"]:
        lines.append("veto:")
        lines += [f"  {ind}: {scalar(evidence, flow=False)}" for ind, evidence in data["veto"].items()]
    else:
        lines.append("veto: {}")
    text = "\n".join(lines) + "\n"
    _check(text, {}, data, set(data["items"]) | {"veto", *HEADER_KEYS, "institution"})
    return text


def edited_text(text: str, old: dict, new: dict) -> str:
    """`text`, an existing sheet that reads as `old`, with the values that differ in `new` replaced
    in place (both in the form of `workbook.sheet_as_data`)."""
    from ruamel.yaml import YAML  # only when a sheet changes: the round trip is slower than our readers
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.representer import RoundTripRepresenter
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, PlainScalarString

    class Representer(RoundTripRepresenter):
        """Decimals written as `fmt` writes them: 0.75, 1, never 0.74999 or 7.5E-1."""

    def decimal(representer: Any, value: Decimal) -> Any:
        lexical = fmt(value)
        kind = "float" if "." in lexical else "int"
        return representer.represent_scalar(f"tag:yaml.org,2002:{kind}", lexical)

    Representer.add_representer(Decimal, decimal)  # a subclass made per call: ruamel's own class is untouched
    yaml = YAML(typ="rt")
    yaml.Representer = Representer
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line
    yaml.allow_unicode = True
    doc = yaml.load(text)

    def value(v: Any, flow: bool) -> Any:
        """A changed text is written as a new sheet writes it, whatever quotes the old one had (ruamel
        would keep them): plain where it reads back as the same text, double-quoted otherwise."""
        if isinstance(v, str):
            return PlainScalarString(v) if plain_reads_back(v, flow) else DoubleQuotedScalarString(v)
        return v

    def entry_node(entry: dict) -> Any:
        if set(entry) == {"score"}:
            return entry["score"]
        node = CommentedMap((key, value(entry[key], flow=True)) for key in ENTRY_KEYS if key in entry)
        node.fa.set_flow_style()
        return node

    def insert(mapping: Any, key: str, node: Any, order: list[str]) -> None:
        """A new key placed after the nearest key before it in `order` that the mapping has."""
        before = order[: order.index(key)]
        keys = list(mapping)
        at = max((keys.index(k) + 1 for k in before if k in mapping), default=0)
        mapping.insert(at, key, node)

    touched: set[str] = set()
    for key in HEADER_KEYS:
        if old[key] != new[key]:
            doc[key] = new[key]
            touched.add(key)
    items = doc["items"]
    order = list(new["items"])
    for ind in [k for k in list(items) if k not in new["items"]]:
        del items[ind]
        touched.add(ind)
    for ind, entry in new["items"].items():
        before = old["items"].get(ind)
        if before == entry:
            continue
        touched.add(ind)
        node = items.get(ind) if ind in items else None
        if isinstance(node, dict) and set(entry) != {"score"}:  # a mapping stays one: only its changed fields change
            for key in [k for k in node if k not in entry]:
                del node[key]
            fields = [k for k in ENTRY_KEYS if k in entry]
            for key in fields:
                if key not in node:
                    insert(node, key, value(entry[key], flow=True), fields)
                elif (before or {}).get(key) != entry[key]:
                    node[key] = value(entry[key], flow=True)
        elif ind in items:
            items[ind] = entry_node(entry)
        else:
            insert(items, ind, entry_node(entry), order)
    if old["veto"] != new["veto"]:
        touched.add("veto")
        veto = doc.get("veto")
        if new["veto"] and isinstance(veto, dict) and veto:  # a block with entries: edited entry by entry
            veto_order = list(new["veto"])
            for ind in [k for k in list(veto) if k not in new["veto"]]:
                del veto[ind]
            for ind, evidence in new["veto"].items():
                if ind not in veto:
                    insert(veto, ind, value(evidence, flow=False), veto_order)
                elif old["veto"].get(ind) != evidence:
                    veto[ind] = value(evidence, flow=False)
        else:
            block = CommentedMap((ind, value(ev, flow=False)) for ind, ev in new["veto"].items())
            if not new["veto"]:
                block.fa.set_flow_style()  # veto: {}
            if "veto" in doc:
                doc["veto"] = block
            else:
                doc.insert(len(doc), "veto", block)
    out = io.StringIO()
    yaml.dump(doc, out)
    result = out.getvalue()
    before_data = _read(text)
    _check(result, before_data, new, touched)
    return result


def _read(text: str) -> dict:
    try:
        data, duplicates = parse_yaml(text)
    except YamlProblem as exc:
        raise SheetTextError(f"written text unreadable: {exc}") from None
    if duplicates or not isinstance(data, dict):
        raise SheetTextError("written text has duplicate keys or is not a mapping")
    return data


def _as_entry(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else {"score": value}


def _check(text: str, before: dict, new: dict, touched: set[str]) -> None:
    """`text` must read as `new` where it was changed (`touched`: header fields, item ids, 'veto') and
    as `before` (the file's previous data, as our reader reads it) everywhere else; the text gate over
    the whole file must find nothing."""
    data = _read(text)
    findings = gate_findings(data)
    if findings:
        raise SheetTextError(f"written text fails the text gate: {findings}")
    wrong = []
    for key in set(data) | set(before):
        if key in ("items", "veto") or key in touched:
            continue
        if data.get(key) != before.get(key):
            wrong.append(key)
    for key in HEADER_KEYS:
        if key in touched and data.get(key) != new[key]:
            wrong.append(key)
    items, old_items = data.get("items"), before.get("items") or {}
    if not isinstance(items, dict):
        raise SheetTextError("written text has no items mapping")
    for ind in set(items) | set(new["items"]) | set(old_items):
        if ind in touched:
            if (_as_entry(items[ind]) if ind in items else None) != new["items"].get(ind):
                wrong.append(ind)
        elif items.get(ind) != old_items.get(ind):
            wrong.append(ind)
    veto = data.get("veto") or {}
    if "veto" in touched and veto != new["veto"]:
        wrong.append("veto")
    if "veto" not in touched and data.get("veto") != before.get("veto"):
        wrong.append("veto")
    if wrong:
        raise SheetTextError(f"written text reads differently at {sorted(wrong)}")
