"""What the award functions read and write: states, the rules profile, designation rows.

Studios are found by code with :func:`laomo.domain.studios.find` (and ``find_one``).

Every write is a new :class:`~laomo.models.Designation` row plus its audit entry (who: the
OS user, also in the ``operator`` column; why: the reason), in the caller's transaction.
The state of a studio is never stored: it is folded from its rows by :func:`laomo.domain.studios.states`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from laomo.enums import LEVEL, STATUS
from laomo.errors import LaomoError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from laomo.domain.status import State
    from laomo.rules import Profile
    from laomo.rules.profile import Naming

#: What each action is called in messages and listings.
ACTION_TEXT = {"name": "命名", "demonstrate": "命名示范性", "rectify": "限期整改", "warn": "通报",
               "restore": "恢复命名", "revoke": "摘牌", "close": "撤销"}

#: The most studio ids passed to one ``IN (…)``; above it, every studio is read and the rest ignored.
MAX_IN = 500

#: ``(entity, key, before, after)`` as :func:`laomo.store.audit.record_many` takes it.
AuditEntry = tuple[str, str, Any, Any]


def connection(session: Session) -> Connection:
    return session.connection()


def rules_profile(session: Session, profile: str | Profile | None) -> Profile:
    """The profile to judge with: ``profile`` (a name, a file or a Profile), else the database's."""
    from laomo.assess import resolve_profile

    resolved: Profile = resolve_profile(session, profile)
    return resolved


def naming_rules(prof: Profile) -> Naming:
    """The ``[naming]`` section of ``prof``; refused when the profile has none."""
    if prof.naming is None:
        raise LaomoError(f"规则 {prof.name} 没有命名条件（[naming] 部分），无法判断命名资格；"
                         "请在规则文件中加上 [naming]，或使用继承 henan-2015 的规则")
    return prof.naming


def wanted_ids(ids: Iterable[int] | None) -> list[int] | None:
    """``ids`` as a list for an ``IN (…)``, or ``None`` (read every studio) when there are too many."""
    if ids is None:
        return None
    ids = list(ids)
    return ids if len(ids) <= MAX_IN else None


def states(session: Session, as_of: dt.date | None, ids: Iterable[int] | None = None) -> dict[int, State]:
    """The states folded from the designations dated on or before ``as_of`` (``None``: every row); with
    more ``ids`` than :data:`MAX_IN`, those of every studio."""
    from laomo.domain import studios

    return studios.states(connection(session), as_of=as_of, studio_ids=wanted_ids(ids))


def state_of(session: Session, studio_id: int, as_of: dt.date | None = None) -> State:
    """One studio's state on ``as_of`` (now for None); ``registered`` when it has no designation."""
    from laomo.domain import studios

    return studios.state_of(states(session, as_of, [studio_id]), studio_id)


def state_text(state: State) -> str:
    """The state in words: 限期整改（整改期限 …），持有县级命名."""
    text = STATUS.label(state.status)
    if state.status == "rectification" and state.deadline:
        text += f"（整改期限 {state.deadline.isoformat()}）"
    held = "、".join(LEVEL.label(lv) for lv in state.levels_held)
    if held and state.status not in ("revoked",):
        text += f"，持有{held}命名"
    return text


def state_json(state: State) -> dict[str, Any]:
    """The state as an audit entry's ``before``."""
    return {"status": state.status, "level": state.level, "levels_held": state.levels_held,
            "demonstrative_levels": sorted(state.demonstrative_levels, key=LEVEL.rank),
            "deadline": state.deadline.isoformat() if state.deadline else None}


def row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A designation row as an audit entry's ``after`` (dates as ISO text, no studio id)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if k != "studio_id"}


def write_designations(session: Session, rows: Sequence[Mapping[str, Any]], audits: Iterable[AuditEntry]) -> int:
    """Insert designation rows and their audit entries in the caller's transaction; the number written."""
    from sqlalchemy import insert

    from laomo.models import Designation
    from laomo.store import audit

    if not rows:
        return 0
    conn = connection(session)
    now, user = dt.datetime.now(dt.UTC), audit.os_user()
    full = [{"level": None, "batch": None, "doc": None, "amount": None, "reason": None, "deadline": None,
             **r, "operator": user, "created_at": now} for r in rows]
    for i in range(0, len(full), 1000):
        conn.execute(insert(Designation.__table__), full[i:i + 1000])
    audit.record_many(conn, audits)
    return len(full)
