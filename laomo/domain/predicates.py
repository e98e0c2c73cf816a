"""Domain predicates, each rule written once, as SQLAlchemy Core conditions over the model tables.

rules.md ("Facts as of a date D", C3, C4) and cli.md (``report summary``) say which
rows count on a day or in a year; the facts of an assessment (:mod:`laomo.facts`) and
the reports (:mod:`laomo.reports.data`) both build their SQL from the functions here,
so a rule changed here changes both.

* A :class:`Period` is a span of days, both ends included (either end may be open):
  "in Y" as of D is :func:`year_through` (1 January of Y through D), a whole year
  :func:`whole_year`, "the last 12 months" up to D :func:`last_12_months`.
* :func:`dated_within` — a row dated within a period;
* :func:`member_active_on` — joined on or before the day (or no join date) and no
  leave date or one on or after it;
* :func:`honor_counts_on` — an honor's year is at most the year of the day;
* :func:`mentorship_running_in` (C3) — started on or before the period's last day,
  end date empty or on/after its first day, whether or not an agreement was signed;
* :func:`promoted_in` (C4) — ``promoted_on`` within the period;
* :func:`designation_in_force_on` — a designation dated on or before the day (the
  status on that day folds these);
* :func:`in_force` — a row not voided (rules.md: "Voided records and voided designations
  count nowhere"): every statement that reads honors, members, achievements, activities,
  mentorships, inspections or designations puts it in its WHERE;
* :func:`count_if` — the SQL count of the rows meeting a condition.

Callers look the functions up on this module when they build a statement
(``predicates.member_active_on(day)``), so every use goes through the one
definition.  Nothing here runs a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, extract, func, or_, true
from sqlalchemy.sql.elements import ColumnElement

from laomo.domain.numbers import years_before
from laomo.models import Designation, Honor, Member, Mentorship, Person

Condition = ColumnElement[bool]


@dataclass(frozen=True)
class Period:
    """Days from ``first`` through ``last``, both included; None: open on that side."""

    first: dt.date | None
    last: dt.date | None

    @staticmethod
    def hull(periods: Iterable[Period]) -> Period:
        """The smallest period holding every one of ``periods`` (at least one)."""
        spans = list(periods)
        firsts = [p.first for p in spans]
        lasts = [p.last for p in spans]
        return Period(None if None in firsts else min(d for d in firsts if d is not None),
                      None if None in lasts else max(d for d in lasts if d is not None))


def year_through(day: dt.date) -> Period:
    """"In Y" as of ``day`` (Y its year): 1 January of Y through ``day`` — the whole year on 31 December."""
    return Period(dt.date(day.year, 1, 1), day)


def whole_year(year: int) -> Period:
    """1 January through 31 December of ``year``."""
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def up_to(day: dt.date) -> Period:
    """Every day up to ``day`` (no first day)."""
    return Period(None, day)


def last_12_months(day: dt.date) -> Period:
    """After ``day`` minus one year, up to ``day`` (29 February goes back to 28 February)."""
    return Period(years_before(day) + dt.timedelta(days=1), day)


def _bounds(col: Any, period: Period, known: Period | None) -> list[Condition]:
    """The comparisons of "dated within ``period``", without those the rows in ``known`` all meet."""
    out = []
    if period.first is not None and (known is None or known.first is None or known.first < period.first):
        out.append(col >= period.first)
    if period.last is not None and (known is None or known.last is None or known.last > period.last):
        out.append(col <= period.last)
    return out


def dated_within(col: Any, period: Period) -> Condition:
    """The date in ``col`` is within ``period`` (both ends included)."""
    conds = _bounds(col, period, None)
    return and_(*conds) if conds else true()


def dated_within_known(col: Any, period: Period, known: Period) -> Condition | None:
    """:func:`dated_within` for rows already known to be dated within ``known`` (the statement's
    WHERE): only the bounds ``known`` does not imply; None when it implies them all."""
    conds = _bounds(col, period, known)
    return None if not conds else conds[0] if len(conds) == 1 else and_(*conds)


def year_of(col: Any) -> Any:
    """The year a dated row belongs to (dated within year Y ⇔ ``year_of`` is Y), to group rows by year."""
    return extract("year", col)


def in_force(table: Any) -> Condition:
    """A row of ``table`` (a table or an alias of one with ``voided_at``) that has not been voided.

    A record entered by mistake is voided, never deleted (cli.md "Safety"); from then on it
    counts nowhere — facts, assessments, eligibility, notices, reports — exactly as if it had
    never been entered."""
    return table.c.voided_at.is_(None)


def member_active_on(day: dt.date) -> Condition:
    """A member row active on ``day``: joined on or before it (or no join date), no leave date or one
    on or after it."""
    m = Member.__table__
    return and_(or_(m.c.joined.is_(None), m.c.joined <= day), or_(m.c.left.is_(None), m.c.left >= day))


def is_frontline() -> Condition:
    """A person flagged front-line (an empty flag counts as not front-line)."""
    return Person.__table__.c.frontline == True  # noqa: E712 - an SQL expression


def honor_counts_on(day: dt.date) -> Condition:
    """An honor counts as of ``day`` when its year is at most the year of ``day``."""
    return Honor.__table__.c.year <= day.year


def mentorship_running_in(period: Period) -> Condition:
    """C3: a mentorship started on or before the period's last day whose end date is empty or on/after
    its first day — whether or not an agreement was signed."""
    ms = Mentorship.__table__
    conds = []
    if period.last is not None:
        conds.append(ms.c.start <= period.last)
    if period.first is not None:
        conds.append(or_(ms.c.end.is_(None), ms.c.end >= period.first))
    return and_(*conds) if conds else true()


def mentorship_signed() -> Condition:
    """A mentorship with a signed agreement."""
    return Mentorship.__table__.c.agreement == True  # noqa: E712 - an SQL expression


def promoted_in(period: Period) -> Condition:
    """C4: the apprentice was promoted (``promoted_on``) within ``period``."""
    return dated_within(Mentorship.__table__.c.promoted_on, period)


def designation_in_force_on(day: dt.date) -> Condition:
    """A designation that has taken effect on ``day``: dated on or before it."""
    return Designation.__table__.c.date <= day


def count_if(cond: Condition | None) -> Any:
    """The number of rows meeting ``cond`` (every row for None); 0, never NULL, when none does."""
    return func.count() if cond is None else func.count(case((cond, 1)))
