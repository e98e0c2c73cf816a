"""Numbers and year arithmetic shared by facts, rules, awards and reports (written once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from laomo.errors import UsageError

FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a ledger may name (registration, assessment, naming)


def check_year(year: int, *, option: str = "year") -> int:
    """``year`` when it lies in FIRST_YEAR–LAST_YEAR, else a usage error about the argument ``option``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"年度 {year} 超出范围 {FIRST_YEAR}–{LAST_YEAR}", option=option)
    return year


def whole(value: Any) -> Any:
    """A number as ``int`` when it is whole, else as ``float``; ``None`` and non-numbers unchanged.

    SQL sums come back as ``Decimal`` on PostgreSQL and as ``float`` from an average;
    reports and JSON show ``3``, not ``3.0`` or ``Decimal('3')``.
    """
    c = value.__class__
    if c is int or value is None:  # the common cases first (a report calls this per cell)
        return value
    if c is float:
        return int(value) if value.is_integer() else value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        f = float(value)
        return int(f) if f.is_integer() else f
    return value


def percent(value: Any, *, keep_zero: bool = False) -> str:
    """A proportion 0–1 as a percentage with at most one decimal: 0.5 → 50%, 1/6 → 16.7%.

    ``keep_zero``: always one decimal (50.0%), for a column of percentages that line up."""
    text = f"{float(value) * 100:.1f}"
    if not keep_zero and text.endswith(".0"):
        text = text[:-2]
    return f"{text}%"


def years_before(day: dt.date, years: int = 1) -> dt.date:
    """The same day ``years`` years earlier; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def complete_years(since: dt.date, day: dt.date) -> int:
    """Whole years from ``since`` to ``day``: n when ``since`` is on or before the same day n years
    before ``day`` (29 February counts as 28 February in a year without it, as in :func:`years_before`)."""
    n = day.year - since.year - ((day.month, day.day) < (since.month, since.day))
    return max(n, 0)
