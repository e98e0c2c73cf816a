"""Studios named by their codes, and the studios due for a year's assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from laomo.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session


def studio_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """The id of each studio code (stripped, in the order given); NotFound names the unknown ones."""
    from sqlalchemy import select

    from laomo.models import Studio

    wanted = [c.strip() for c in codes if c and c.strip()]
    t = Studio.__table__
    found: dict[str, int] = {}
    conn = session.connection()
    for i in range(0, len(wanted), 500):
        rows = conn.execute(select(t.c.code, t.c.id).where(t.c.code.in_(wanted[i:i + 500])))
        found.update({r.code: r.id for r in rows})
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFound(f"没有编号为 {'、'.join(missing)} 的工作室")
    return {c: found[c] for c in wanted}


def due(conn: Connection, year: int, studio_ids: Iterable[int] | None = None) -> set[int]:
    """Studios assessed for Y: holding now a naming dated on or before 31 Dec Y, not revoked/closed."""
    from laomo.domain.status import studio_states

    day = dt.date(year, 12, 31)
    return {sid for sid, st in studio_states(conn, studio_ids=studio_ids).items() if st.held_on(day)}
