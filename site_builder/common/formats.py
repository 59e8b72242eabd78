"""How values are written for readers and for open data: one helper each, used everywhere.

Points for pages are `scoring.fmt`; these are the rest: a date in Chinese, a section number in
Chinese, and a Decimal as a JSON / spreadsheet number.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

_DIGITS = "零一二三四五六七八九"


def zh_date(value: dt.date | None) -> str:
    """2024-01-15 -> 2024年1月15日; '' for None."""
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


def zh_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (section numbers, 0-99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON or spreadsheet number: an int when whole, else the float whose repr is the
    exact decimal (scores have at most a few decimals, so nothing is lost; checked)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    result = float(value)
    assert Decimal(repr(result)) == value, value
    return result


# --- CSV cells for spreadsheet programs (results.csv, indicators.csv, objections.csv) ----------
# Ids are written as they are (no trailing tab): datapackage.json types them as text.


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a CSV cell as a formula (OWASP: CSV injection)."""


def csv_text(value: object) -> object:
    """A CSV cell that Excel, WPS and LibreOffice show as text: a leading ' before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: list[object]) -> list[object]:
    return [csv_text(v) for v in values]
