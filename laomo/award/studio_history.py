"""A studio's designations (oldest first), its current status and the levels it holds.

Every designation is listed, a voided one too (with when and why it was voided): the decision
stays visible.  The status and levels are folded from those not voided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.award.records import connection, state_of
from laomo.domain.voiding import voided_json
from laomo.enums import LEVEL

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class HistoryEntry:
    """One designation row; ``voided_at``/``void_reason`` when it was voided (``award void``)."""

    id: int
    action: str
    level: str | None
    year: int
    date: dt.date
    batch: str | None
    doc: str | None
    amount: int | None
    reason: str | None
    deadline: dt.date | None
    voided_at: dt.datetime | None = None
    void_reason: str | None = None
    #: from an old ledger that gave only the year: ``date`` is 31 December of it
    approximate: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "level": self.level, "year": self.year,
                "date": self.date.isoformat(), "batch": self.batch, "doc": self.doc, "amount": self.amount,
                "reason": self.reason, "deadline": self.deadline.isoformat() if self.deadline else None,
                "voided": voided_json(self.voided_at, self.void_reason), "approximate": bool(self.approximate)}


@dataclass(frozen=True)
class History:
    """cli.md "award history"."""

    studio: str
    name: str
    status: str
    level: str | None  # the highest level held
    levels_held: tuple[str, ...]  # lowest first
    demonstrative_levels: tuple[str, ...]
    deadline: dt.date | None  # of the current rectification
    designations: tuple[HistoryEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "name": self.name, "status": self.status, "level": self.level,
                "levels_held": list(self.levels_held), "demonstrative_levels": list(self.demonstrative_levels),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "designations": [d.to_json() for d in self.designations]}


def history(session: Session, *, code: str) -> History:
    """The designations of the studio ``code`` (oldest first) and its state now."""
    from sqlalchemy import select

    from laomo.domain.studios import find_one
    from laomo.models import Designation

    s = find_one(session, code)
    t = Designation.__table__
    rows = connection(session).execute(
        select(t.c.id, t.c.action, t.c.level, t.c.year, t.c.date, t.c.batch, t.c.doc, t.c.amount, t.c.reason,
               t.c.deadline, t.c.voided_at, t.c.void_reason, t.c.approximate).where(t.c.studio_id == s.id)
        .order_by(t.c.date, t.c.id)).all()
    st = state_of(session, s.id, None)
    return History(studio=s.code, name=s.name, status=st.status, level=st.level, levels_held=tuple(st.levels_held),
                   demonstrative_levels=tuple(sorted(st.demonstrative_levels, key=LEVEL.rank)), deadline=st.deadline,
                   designations=tuple(HistoryEntry(*r) for r in rows))
