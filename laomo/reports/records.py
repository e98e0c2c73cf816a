"""报表的逐行记录：台账和考核结果名单按行流式读出时每行的类型。

A streamed ledger (:func:`laomo.reports.data.ledger_stream`) yields one :class:`LedgerRecord` per
studio; the file writers read its fields by position (no dict per row: at 150,000 studios the
dicts cost more than the rest of the row's Python).  ``record._asdict()`` is the row as
:func:`laomo.reports.data.ledger` lists it, with the same keys in the same order (the JSON
export writes that dict).  Foundation-light: imports nothing of laomo, so :mod:`laomo.reports.tables`
can use it without the database layer.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class LedgerRecord(NamedTuple):
    """One studio of the ledger: the studio, its leader (masked unless asked), its status and
    levels from the designations in force, and its running totals."""

    studio: str
    name: str
    kind: str
    unit: str | None
    credit_code: str | None
    industry: str | None
    county: str | None
    founded: str | None  # ISO date
    area: Any  # int or float (whole(): 120, not 120.0)
    funds: int | None
    leader_code: str
    leader: str
    id_number: str
    phone: str
    status: str
    level: str | None  # the highest level held
    levels_held: list[str]
    demonstrative: bool
    first_named: str | None  # ISO date
    deadline: str | None  # ISO date: of the current rectification
    members: int
    achievements: int
    benefit: int
    latest_year: int | None
    latest_grade: str | None
    latest_recommendation: str | None
