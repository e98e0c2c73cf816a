"""作废命名/处理记录：a designation entered by mistake is voided, never deleted (cli.md "Safety").

:func:`void` stamps the row with when and why (``voided_at``, ``void_reason``) and writes the
audit entry, in the caller's write transaction.  The row stays in ``award history``, shown
as voided; everything else reads only designations in force
(:func:`laomo.domain.predicates.in_force`): the studio's status is folded again without it,
and it is left out of notices, candidates, eligibility, the assessed population and reports.

Decisions where the spec is silent
----------------------------------
* Any designation may be voided, whatever came after it: the status is simply folded
  again from the rest (a later revoke of a level no longer held, say, then changes nothing).
* A designation already voided cannot be voided again (the first void's date and reason
  are named); a void cannot be undone by laomo — the decision is entered anew.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.award.records import ACTION_TEXT, connection, state_json, state_of
from laomo.award.values import need_reason
from laomo.domain import predicates, voiding
from laomo.enums import LEVEL
from laomo.errors import LaomoError, NotFound, UsageError

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class VoidedDesignation:
    """What :func:`void` did: the designation, and the studio's state before and after."""

    id: int
    studio: str
    name: str
    action: str
    level: str | None
    year: int
    date: dt.date
    reason: str  # why it was voided
    voided_at: dt.datetime
    status_before: str
    status: str
    level_after: str | None  # the highest level held after

    def describe(self) -> str:
        """命名记录（县级，2025-03-01）."""
        return describe(self.action, self.level, self.date)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "studio": self.studio, "action": self.action, "level": self.level,
                "year": self.year, "date": self.date.isoformat(),
                "voided": voiding.voided_json(self.voided_at, self.reason),
                "status_before": self.status_before, "status": self.status, "level_after": self.level_after}


def parse_id(value: int | str) -> int:
    """A designation's id as ``award history`` shows it."""
    text = str(value).strip().lstrip("#")
    if not text.isdigit() or int(text) <= 0 or len(text) > 18:
        raise UsageError(f"命名/处理记录的编号「{value}」无效：应为 award history 列出的数字编号")
    return int(text)


def void(session: Session, *, id: int | str, reason: str | None,
         at: dt.datetime | None = None) -> VoidedDesignation:
    """Void the designation ``id`` (entered by mistake) for ``reason``; refused when it is
    unknown (NotFound) or already voided (nothing written)."""
    from sqlalchemy import select, update

    from laomo.models import Designation, Studio
    from laomo.store import audit

    rid = parse_id(id)
    why = need_reason(reason)
    conn = connection(session)
    d, s = Designation.__table__, Studio.__table__
    row = conn.execute(select(d, s.c.code, s.c.name.label("studio_name")).select_from(
        d.join(s, s.c.id == d.c.studio_id)).where(d.c.id == rid)).mappings().first()
    if row is None:
        raise NotFound(f"没有编号为 {rid} 的命名/处理记录（编号见 award history）")
    what = f"{row['code']} {row['studio_name']} 的{describe(row['action'], row['level'], row['date'])}（编号 {rid}）"
    if row["voided_at"] is not None:
        raise LaomoError(f"{what}已于 {voiding.local_day(row['voided_at']).isoformat()} 作废"
                         f"（原因：{row['void_reason'] or '未写明'}），不能再次作废")
    before = state_of(session, row["studio_id"])
    stamp = voiding.utc(at) if at is not None else voiding.now()
    conn.execute(update(d).where(d.c.id == rid, predicates.in_force(d)).values(voided_at=stamp, void_reason=why))
    after = state_of(session, row["studio_id"])
    audit.record(conn, "designation", row["code"],
                 {"id": rid, "action": row["action"], "level": row["level"], "date": row["date"].isoformat(),
                  "voided_at": None, "void_reason": None, "state": state_json(before)},
                 {"id": rid, "voided_at": stamp.isoformat(), "void_reason": why, "state": state_json(after)})
    return VoidedDesignation(id=rid, studio=row["code"], name=row["studio_name"], action=row["action"],
                             level=row["level"], year=row["year"], date=row["date"], reason=why, voided_at=stamp,
                             status_before=before.status, status=after.status, level_after=after.level)


def describe(action: str, level: str | None, date: dt.date) -> str:
    """命名记录（县级，2025-03-01）."""
    lv = f"{LEVEL.label(level)}，" if level else ""
    return f"{ACTION_TEXT.get(action, action)}记录（{lv}{date.isoformat()}）"
