"""Deterministic .xlsx bytes: openpyxl stamps the clock into the file; this takes it out."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(wb: Workbook, when: dt.date) -> bytes:
    """Save with document dates from the data and fixed zip entry times: same input, same bytes."""
    stamp = dt.datetime(when.year, when.month, when.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "site_builder"  # not the OS user name
    wb.properties.lastModifiedBy = "site_builder"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core(data, stamp)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _fixed_core(data: bytes, stamp: dt.datetime) -> bytes:
    # openpyxl writes `modified` as the save time whatever the property says
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + iso + rb"\g<2>", data)


def set_text(cell, value) -> None:
    """Put a value in a cell; text is always a string cell, never a formula (`=…` stays text)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def safe_row(ws, values: list) -> list:
    """A write-only row where every text is a string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
