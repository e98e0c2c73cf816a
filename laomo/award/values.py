"""The values a caller hands to an award function, checked once: level, year, date, amount, text.

Callers may pass domain values (``dt.date``, ``int``, ``"county"``) or the strings a user
typed (``"2025年11月22日"``, ``"2万"``, ``"县级"``); both are accepted.  A value that cannot
be accepted is a :class:`~laomo.errors.UsageError` that names the argument in Chinese and
carries its keyword name in ``option`` (the command layer shows the flag).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from laomo.domain.numbers import check_year
from laomo.enums import LEVEL
from laomo.errors import UsageError

T = TypeVar("T")

#: How long a document number or batch may be; a reason may be longer.
SHORT_TEXT = 100
REASON_TEXT = 1000

#: A date as a ``dt.date`` or as text (``2025-11-22``, ``2025年11月22日``).
DateLike = dt.date | str


def parse_level(value: object, *, option: str = "level") -> str:
    """A level in Chinese or English → its English value."""
    text = "" if value is None else str(value)
    level = LEVEL.parse(text) if text.strip() else None
    if level is None:
        raise UsageError(f"级别「{text}」无效，应为 {LEVEL.choices_text()}（或 {' '.join(LEVEL.values)}）",
                         option=option)
    return level


def parse_year(value: int | str, *, option: str = "year") -> int:
    """A year in the range of :func:`laomo.domain.numbers.check_year`."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"年度「{value}」无效，应为 4 位数字", option=option) from None
    return check_year(year, option=option)


def _parsed(value: Any, parse: Callable[[Any], T], *, label: str, option: str) -> T | None:
    """``parse(value)``; ``None`` for nothing given; the parser's refusal as a usage error about ``option``."""
    from laomo.ledger.values import Invalid

    if value is None or value == "":
        return None
    try:
        return parse(value)
    except Invalid as exc:
        raise UsageError(f"{label}「{value}」无效：{exc}", option=option) from None


def parse_day(value: DateLike | None, *, label: str, option: str) -> dt.date | None:
    """A date (``None`` for nothing given); ``label`` says which date in messages (日期, 整改期限)."""
    from laomo.ledger.values import parse_date

    return _parsed(value, parse_date, label=label, option=option)


def decision_day(value: DateLike | None, *, option: str = "date") -> dt.date:
    """A designation's date (default today); a day after today is refused: a designation
    records a decision that has been made."""
    from laomo.ledger.values import future_reason, today

    now = today()
    day = parse_day(value, label="日期", option=option) or now
    if day > now:
        raise UsageError(future_reason(day, now), option=option)
    return day


def parse_money(value: int | str | None, *, option: str = "amount") -> int | None:
    """An amount of 元 (``20000``, ``2万``); ``None`` for nothing given."""
    from laomo.ledger.values import parse_amount

    return _parsed(value, parse_amount, label="金额", option=option)


def clean_text(value: str | None, *, label: str, option: str, max_len: int = SHORT_TEXT) -> str | None:
    """Text stripped of surrounding blanks; ``None`` when empty; refused when longer than ``max_len``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > max_len:
        raise UsageError(f"{label}过长（{len(text)} 个字符，最多 {max_len} 个）", option=option)
    return text


def need_reason(value: str | None, *, option: str = "reason") -> str:
    """The reason a transition must give."""
    text = clean_text(value, label="原因", option=option, max_len=REASON_TEXT)
    if not text:
        raise UsageError("必须说明原因", option=option)
    return text
