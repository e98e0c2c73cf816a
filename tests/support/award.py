"""Read/write shortcuts for the award tests.

The award tests start from the ``assessed_engine`` fixture (support.fixtures): a
private copy at LAOMO_DB of the sample county assessed for 2024 then 2025
(expected.json's starting point for the naming candidates), so the ``cli``
fixture works on the same database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text
from support.db import norm

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from laomo.domain.status import State
    from laomo.errors import LaomoError

D = dt.date
CHECK_DAY = D(2025, 11, 22)  # expected.json's candidates date


def ro(engine: Engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(session, …)`` in a read session."""
    from laomo.store.db import read_session

    with read_session(engine) as session:
        return fn(session, *args, **kwargs)


def rw(engine: Engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(session, …)`` in a write session (committed on success, rolled back on error)."""
    from laomo.store.db import write_session

    with write_session(engine) as session:
        return fn(session, *args, **kwargs)


def refused(engine: Engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> LaomoError:
    """Call ``fn`` in a write session, expect a LaomoError, and check that nothing changed."""
    from laomo import errors

    before = snapshot(engine)
    with pytest.raises(errors.LaomoError) as info:
        rw(engine, fn, *args, **kwargs)
    assert snapshot(engine) == before, "a refused command changed the database"
    return info.value


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Designation and audit rows (what an award command writes)."""
    with engine.connect() as conn:
        return {t: [tuple(norm(v) for v in r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY id')]
                for t in ("designation", "audit")}


def designations(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.* FROM designation d JOIN studio s ON s.id = d.studio_id WHERE s.code = :code "
            "ORDER BY d.date, d.id"), {"code": code}).mappings().all()
    return [{k: norm(v) for k, v in r.items()} for r in rows]


def audit_entries(engine: Engine, entity: str = "designation") -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit WHERE entity = :e ORDER BY id"), {"e": entity}).mappings().all()
    out = []
    for row in rows:
        r = dict(row)
        for k in ("before", "after"):
            if isinstance(r[k], str):
                r[k] = json.loads(r[k])
        out.append(r)
    return out


def state(engine: Engine, code: str, as_of: dt.date | None = None) -> State:
    from laomo.domain import status, studios

    with engine.connect() as conn:
        sid = conn.execute(text("SELECT id FROM studio WHERE code = :code"), {"code": code}).scalar()
        if sid is None:  # no such studio: no designations, the empty state
            return status.State()
        return studios.states(conn, as_of=as_of, studio_ids=[sid]).get(sid) or status.State()
