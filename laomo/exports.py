"""Helpers shared by every CSV/XLSX writer: formula-injection neutralisation."""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


FORMULA_CHARS = ("=", "+", "-", "@")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone (a negative amount is a number, not a formula);
    only text cells are changed: those starting with ``= + - @`` or a tab/CR,
    and those whose first character after leading white space (spaces, the
    ideographic space U+3000, line breaks) is ``= + - @`` — spreadsheet
    programs that trim cells on import (LibreOffice's "trim spaces", some
    WPS versions) would otherwise still see a formula.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES)
                                   or (value[:1].isspace() and value.lstrip().startswith(FORMULA_CHARS))):
        return "'" + value
    return value
