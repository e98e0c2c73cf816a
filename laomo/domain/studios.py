"""Studios as a whole: found by their codes, their states on a day (the status fold of
:mod:`laomo.domain.status`), and a county's studios.

:func:`find` is the one lookup of studios by code (:func:`find_one` for one code).
:func:`designation_rows` is the one statement whose rows the fold reads (ordered by studio,
date, id; never a voided one; only those in force on the day when a day is given);
:func:`states` folds them for every studio, some studios or a county's studios.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.domain import predicates
from laomo.domain.status import State, fold
from laomo.errors import NotFound, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

#: The most codes passed to one ``IN (…)`` by :func:`find`; more are read in chunks of this size.
MAX_IN = 500


@dataclass(frozen=True)
class StudioRef:
    """A studio as found by its code."""

    id: int
    code: str
    name: str


def connection_of(conn: Connection | Session) -> Connection:
    """``conn`` itself, or the connection of a session."""
    from sqlalchemy.orm import Session

    return conn.connection() if isinstance(conn, Session) else conn


def find(conn: Connection | Session, codes: Iterable[str], *, required: bool = False) -> list[StudioRef]:
    """The studios of ``codes`` (stripped, blanks skipped) in the order given, duplicates dropped.

    NotFound names every unknown code; with ``required``, no code at all is a usage mistake
    (without it, the answer is empty).
    """
    from sqlalchemy import select

    from laomo.models import Studio

    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if required and not wanted:
        raise UsageError("请给出至少一个工作室编号")
    conn = connection_of(conn)
    t = Studio.__table__
    found: dict[str, StudioRef] = {}
    for i in range(0, len(wanted), MAX_IN):
        query = select(t.c.id, t.c.code, t.c.name).where(t.c.code.in_(wanted[i:i + MAX_IN]))
        found.update((r.code, StudioRef(r.id, r.code, r.name)) for r in conn.execute(query))
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFound(f"没有编号为 {'、'.join(missing)} 的工作室" + case_hint(conn, missing))
    return [found[c] for c in wanted]


def case_hint(conn: Connection | Session, missing: list[str]) -> str:
    """For codes not found, the codes meant where they differ only in letter case
    (``（编号区分大小写，是否想找 S0001？）``); empty when there are none."""
    from sqlalchemy import func, select

    from laomo.models import Studio

    t = Studio.__table__
    folded = list(dict.fromkeys(c.upper() for c in missing))[:MAX_IN]
    rows = connection_of(conn).execute(select(t.c.code).where(func.upper(t.c.code).in_(folded)).order_by(t.c.code))
    near = [code for (code,) in rows if code not in missing][:10]
    return f"（编号区分大小写，是否想找 {'、'.join(near)}？）" if near else ""


def find_one(conn: Connection | Session, code: str) -> StudioRef:
    """The studio ``code``: NotFound when there is none, a usage mistake when ``code`` is blank."""
    (studio,) = find(conn, [code], required=True)
    return studio


def county_unmatched(conn: Connection | Session, *, county: str | None) -> str | None:
    """What to tell the user when no studio is in ``county`` (None when some are, or no county is
    given): the counties that have studios, the likely ones first — a part of a name (``演示`` for
    ``演示县``) matches nothing.  The report itself stays empty for such a county."""
    from sqlalchemy import select

    from laomo.models import Studio

    if not county:
        return None
    s = Studio.__table__
    conn = connection_of(conn)
    if conn.execute(select(s.c.id).where(s.c.county == county).limit(1)).first() is not None:
        return None
    counties = [c for (c,) in conn.execute(select(s.c.county).distinct().order_by(s.c.county)) if c]
    near = [c for c in counties if county in c or c in county]
    text = f"没有区县为「{county}」的工作室（区县须写全称）"
    if near:
        text += f"；是否想找：{'、'.join(near[:10])}"
    if counties:
        shown = "、".join(counties[:30]) + (f" 等 {len(counties)} 个" if len(counties) > 30 else "")
        text += f"；已登记的区县：{shown}"
    else:
        text += "；还没有登记任何工作室"
    return text


def in_county(col: Any, county: str) -> predicates.Condition:
    """The studio id in ``col`` is one of ``county``'s studios."""
    from sqlalchemy import select

    from laomo.models import Studio

    s = Studio.__table__
    return col.in_(select(s.c.id).where(s.c.county == county))


def designation_rows(*, as_of: dt.date | None = None, in_force_flag: dt.date | None = None) -> Select[Any]:
    """``(studio_id, action, level, date, deadline)`` of the designations not voided, unordered.

    ``as_of``: only those in force on that day (every one for None).  ``in_force_flag``: a sixth
    column, true for the rows in force on that day (the rows after it come last for a studio).
    A voided designation is never read: the status is derived as if it had not been written.
    """
    from sqlalchemy import select

    from laomo.models import Designation

    d = Designation.__table__
    cols: list[Any] = [d.c.studio_id, d.c.action, d.c.level, d.c.date, d.c.deadline]
    if in_force_flag is not None:
        cols.append(predicates.designation_in_force_on(in_force_flag))
    q = select(*cols).where(predicates.in_force(d))
    return q if as_of is None else q.where(predicates.designation_in_force_on(as_of))


def fold_order() -> tuple[Any, ...]:
    """The order the fold reads designations in, after the studio id: date, then id."""
    from laomo.models import Designation

    d = Designation.__table__
    return d.c.date, d.c.id


def states(conn: Connection | Session, *, as_of: dt.date | None = None, studio_ids: Iterable[int] | None = None,
           county: str | None = None) -> dict[int, State]:
    """``{studio_id: State}`` on ``as_of`` (now for None) of every studio that has designations —
    or of ``studio_ids``, or of ``county``'s studios.  A studio absent is ``registered``
    (:func:`state_of`)."""
    from laomo.models import Designation

    d = Designation.__table__
    q = designation_rows(as_of=as_of).order_by(d.c.studio_id, *fold_order())
    if studio_ids is not None:
        q = q.where(d.c.studio_id.in_(list(studio_ids)))
    if county is not None:
        q = q.where(in_county(d.c.studio_id, county))
    # a statement option, not the connection's: that one would stick to the caller's connection
    return fold(tuple(r) for r in connection_of(conn).execute(q.execution_options(yield_per=5000)))


#: The state of a studio with no designation (read only: shared).
REGISTERED = State()


def state_of(found: dict[int, State], studio_id: int) -> State:
    """A studio's state from :func:`states`: ``registered`` when it has none (do not mutate it)."""
    return found.get(studio_id) or REGISTERED
