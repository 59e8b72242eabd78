"""Writing .xlsx with XlsxWriter: same input, same bytes, text always text.

XlsxWriter builds the file in memory with fixed zip entry dates (1980-01-01) and takes the document's
dates from its `created` property, which is set here from the data, never the clock. Each formula is
written with its result (`write_formula(..., value=...)`), so that previews without a formula
engine (phones, mail, WPS's viewer, pandas) show the totals too; the caller computes the results.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter

AUTHOR = "site_builder"  # creator and last modified by: never the OS user name
OPTIONS = {
    "in_memory": True,  # no temporary files, whose permissions and dates would reach the zip
    "strings_to_formulas": False,  # text that starts with = stays text (names, reasons from the data)
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
MARGINS = {"left": 0.75, "right": 0.75, "top": 1, "bottom": 1}  # inches, as openpyxl wrote them
HEADER_FOOTER_MARGIN = 0.5
DIGIT_PIXELS = 7  # the width of a digit of the default font, Calibri 11
Cell = str | int | float | None


def new_workbook(when: dt.date) -> Any:
    """An empty in-memory workbook whose document dates are `when` (midnight, written as UTC)."""
    wb = xlsxwriter.Workbook(io.BytesIO(), OPTIONS)
    wb.set_properties({"author": AUTHOR, "created": dt.datetime(when.year, when.month, when.day)})
    return wb


def add_sheet(wb: Any, title: str) -> Any:
    """A worksheet with the page margins every sheet had before (0.75/1 inch, header and footer 0.5)."""
    ws = wb.add_worksheet(title)
    ws.set_margins(**MARGINS)
    ws.set_header("", margin=HEADER_FOOTER_MARGIN)
    ws.set_footer("", margin=HEADER_FOOTER_MARGIN)
    return ws


def workbook_bytes(wb: Any) -> bytes:
    """Close the workbook and return its bytes."""
    wb.close()
    data: bytes = wb.filename.getvalue()
    return data


def set_width(ws: Any, col: int, characters: int) -> None:
    """Store a column's width as `characters` digits of the default font, as openpyxl did (8, 60, 110).

    XlsxWriter keeps widths in pixels; a digit of Calibri 11 is 7 pixels and the file stores
    pixels / 7, so 7 × characters pixels is stored as exactly `characters`. (`set_column` would add
    Excel's 5-pixel cell padding on top, as Excel's column dialog does.)"""
    ws.set_column_pixels(col, col, characters * DIGIT_PIXELS)


def write_cell(ws: Any, row: int, col: int, value: Cell, style: Any = None) -> None:
    """One cell by its Python type (row and col from 0): text is always a string cell, never a formula
    or a link; None leaves the cell blank (kept only when it has a style)."""
    if value is None:
        if style is not None:
            ws.write_blank(row, col, None, style)
    elif isinstance(value, str):
        if value:
            ws.write_string(row, col, value, style)
        elif style is not None:
            ws.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        raise TypeError("a truth value has no cell form here; write 是/否 or true/false as text")
    else:
        ws.write_number(row, col, value, style)


def write_row(ws: Any, row: int, values: Iterable[Cell]) -> None:
    """A row of plain cells from column A."""
    for col, value in enumerate(values):
        write_cell(ws, row, col, value)
