"""Cached values for the workbook's formulas, so that every viewer shows the totals.

openpyxl writes a formula with an empty value; Excel and LibreOffice recalculate on opening, but
previews (phones, mail, WPS's viewer, pandas) show what is stored: nothing. `formula_values`
evaluates the formulas this package writes (`=SUM(I8:I63)`, `=I7+I64+…`) from the cells' values,
and `with_cached_values` stores the results in the saved file. Decimal throughout.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

_TOKEN = re.compile(r"\s*(?:(SUM)\(([A-Z]+\d+:[A-Z]+\d+)\)|([A-Z]+\d+)|(\d+(?:\.\d+)?)|([+\-]))", re.I)
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


class FormulaError(ValueError):
    """A formula outside the small language this package writes."""


def _number(value) -> Decimal:  # noqa: ANN001
    if isinstance(value, bool) or value is None:
        return Decimal(0)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return Decimal(0)  # text counts as nothing, as in SUM


def _is_formula(c) -> bool:  # noqa: ANN001
    """A formula cell (text that merely starts with = is a string cell, see xlsxio.set_text)."""
    return c.data_type == "f" and isinstance(c.value, str) and c.value.startswith("=")


def sheet_values(ws) -> dict[str, Decimal]:  # noqa: ANN001
    """Every formula cell of a worksheet with its value."""
    done: dict[str, Decimal] = {}

    def cell(ref: str, depth: int = 0) -> Decimal:
        found = ws._cells.get(coordinate_to_tuple(ref))  # reading ws[ref] would create empty cells
        value = found.value if found is not None else None
        if found is not None and _is_formula(found):
            if ref not in done:
                if depth > 50:
                    raise FormulaError(f"{ref}: 公式循环引用")
                done[ref] = evaluate(value[1:], lambda r: cell(r, depth + 1))
            return done[ref]
        return _number(value)

    for row in ws.iter_rows():
        for c in row:
            if _is_formula(c):
                cell(c.coordinate)
    return done


def evaluate(formula: str, cell) -> Decimal:  # noqa: ANN001
    """`SUM(A1:B9)`, cell references and numbers joined by + and -."""
    pos, total, sign, expect_term = 0, Decimal(0), 1, True
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        if not m:
            raise FormulaError(f"不支持的公式：={formula}")
        pos = m.end()
        if m.group(5):
            if expect_term and m.group(5) == "-":
                sign = -sign
                continue
            if expect_term:
                raise FormulaError(f"不支持的公式：={formula}")
            sign, expect_term = (1 if m.group(5) == "+" else -1), True
            continue
        if not expect_term:
            raise FormulaError(f"不支持的公式：={formula}")
        if m.group(1):
            min_col, min_row, max_col, max_row = range_boundaries(m.group(2).upper())
            term = sum(
                (
                    cell(f"{get_column_letter(c)}{r}")
                    for r in range(min_row, max_row + 1)
                    for c in range(min_col, max_col + 1)
                ),
                Decimal(0),
            )
        elif m.group(3):
            term = cell(m.group(3).upper())
        else:
            term = Decimal(m.group(4))
        total += sign * term
        sign, expect_term = 1, False
    if expect_term:
        raise FormulaError(f"不支持的公式：={formula}")
    return total


def formula_values(wb) -> dict[str, dict[str, Decimal]]:  # noqa: ANN001
    """{worksheet title: {cell: value}} for every formula in the workbook."""
    return {ws.title: values for ws in wb.worksheets if (values := sheet_values(ws))}


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def with_cached_values(data: bytes, values: dict[str, dict[str, Decimal]]) -> bytes:
    """The same .xlsx with each formula's value stored beside it (entry order, names and dates kept)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = _sheet_parts(src)
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            title = parts.get(info.filename)
            if title in values:
                body = _store(body, values[title])
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            dst.writestr(copy, body)
    return out.getvalue()


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """{part name in the zip: worksheet title}."""
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        t = target.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        out[t.lstrip("/") if t.startswith("/") else f"xl/{t}"] = sheet.get("name")
    return out


def _store(xml: bytes, values: dict[str, Decimal]) -> bytes:
    def repl(m: re.Match) -> bytes:
        ref = m.group(2).decode()
        if ref not in values:
            return m.group(0)
        return m.group(1) + m.group(3) + b"<v>" + _text(values[ref]).encode() + b"</v>"

    return re.sub(rb'(<c r="([A-Z]+\d+)"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v>[^<]*</v>)?', repl, xml)
