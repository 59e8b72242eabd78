"""The bound on numbers in data files: one constant and one test, used by both YAML readers (which
refuse a number beyond it) and by the messages that quote a value (which show one beyond it as
written, never expanded to dozens of digits)."""

from __future__ import annotations

from decimal import Decimal

MAX_DIGITS = 20
"""Numbers are refused when their magnitude or their decimals go beyond 10^20."""


def within_bounds(value: Decimal) -> bool:
    """A finite Decimal whose magnitude lies within 10^±MAX_DIGITS (its adjusted exponent in
    [-MAX_DIGITS, MAX_DIGITS)). Zero's own exponent counts: callers that accept any zero say so."""
    return -MAX_DIGITS <= value.adjusted() < MAX_DIGITS
