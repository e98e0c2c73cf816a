"""数字的显示：每一种数一个函数（年度、数量、小数、金额元/万元、占比），所有报表格式共用。

Every renderer — the terminal table, Markdown, HTML, Word and the
spreadsheet's number formats — shows a number through this module, so a
kind of number looks the same everywhere:

* ``year`` — never grouped: 2021, not 2,021;
* ``int`` — counts, grouped: 1,234;
* ``num`` — decimals (scores, areas, hours): 1,234.5, trailing zeros dropped;
* ``money`` — whole 元: 1,234,567 元;
* ``wan`` — 万元 with two decimals: 123.46 (the label says 万元);
* ``pct`` — a ratio as a percentage with one decimal: 12.5%.

:func:`cell_text` picks the function by a column's kind
(:class:`laomo.reports.tables.Column`); :data:`XLSX_FORMATS` are the same
kinds as spreadsheet number formats.
"""

from __future__ import annotations

from typing import Any

from laomo.domain.numbers import percent

#: The spreadsheet number format of each kind of column (text and unknown kinds: none).
XLSX_FORMATS = {"money": '#,##0"元"', "wan": '#,##0.00"万元"', "int": "#,##0", "year": "0", "num": "General",
                "date": "yyyy-mm-dd", "pct": "0.0%"}


def _blank(value: Any) -> bool:
    return value is None or value == ""


def year(value: Any) -> str:
    """A year as written on a document: 2021 (never 2,021)."""
    if _blank(value):
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)


def count(value: Any) -> str:
    """A whole number, grouped by thousands: 1,234 (a fraction is kept: 2.5)."""
    if _blank(value):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def decimal(value: Any) -> str:
    """A score, an area or hours: 1,234.5 (at most two decimals, none when whole)."""
    return count(value)


def yuan(value: Any) -> str:
    """An amount in whole 元: 1,234,567 元."""
    return "" if _blank(value) else f"{count(value)} 元"


def wan(value: Any) -> str:
    """An amount in 万元 with two decimals, without the unit (the label says 万元): 123.46."""
    if _blank(value):
        return ""
    return f"{int(value) / 10000:,.2f}"


def share(value: Any) -> str:
    """A ratio as a percentage with one decimal: 0.125 → 12.5%."""
    if _blank(value):
        return ""
    return percent(value, keep_zero=True)


_BY_KIND = {"year": year, "int": count, "num": decimal, "money": yuan, "wan": wan, "pct": share}


def cell_text(value: Any, kind: str) -> str:
    """A table cell as text, by its column's kind (text, date and unknown kinds as they are)."""
    if _blank(value):
        return ""
    show = _BY_KIND.get(kind)
    return show(value) if show is not None else str(value)
