"""Helpers for the award tests (no tests here): the assessed sample county, read/write shortcuts.

``assessed_template`` is the sample county imported and assessed for 2024 then
2025 (expected.json's starting point for the naming candidates), built once
per test module that imports it; ``assessed_engine`` is a private copy of it
at LAOMO_DB, so the ``cli`` fixture works on the same database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from assess_support import assessed, assessed_engine, assessed_template, sample_template  # noqa: F401 - fixtures
from conftest import norm
from sqlalchemy import text

D = dt.date
CHECK_DAY = D(2025, 11, 22)  # expected.json's candidates date


def ro(engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
    """Call ``fn(session, …)`` in a read session."""
    from laomo.store.db import read_session

    with read_session(engine) as session:
        return fn(session, *args, **kwargs)


def rw(engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
    """Call ``fn(session, …)`` in a write session (committed on success, rolled back on error)."""
    from laomo.store.db import write_session

    with write_session(engine) as session:
        return fn(session, *args, **kwargs)


def refused(engine, fn: Callable[..., Any], *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Call ``fn`` in a write session, expect a LaomoError, and check that nothing changed."""
    from laomo.errors import LaomoError

    before = snapshot(engine)
    with pytest.raises(LaomoError) as info:
        rw(engine, fn, *args, **kwargs)
    assert snapshot(engine) == before, "a refused command changed the database"
    return info.value


def snapshot(engine) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Designation and audit rows (what an award command writes)."""
    with engine.connect() as conn:
        return {t: [tuple(norm(v) for v in r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY id')]
                for t in ("designation", "audit")}


def designations(engine, code: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.* FROM designation d JOIN studio s ON s.id = d.studio_id WHERE s.code = :code "
            "ORDER BY d.date, d.id"), {"code": code}).mappings().all()
    return [{k: norm(v) for k, v in r.items()} for r in rows]


def audit_entries(engine, entity: str = "designation") -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    import json

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit WHERE entity = :e ORDER BY id"), {"e": entity}).mappings().all()
    out = []
    for r in rows:
        r = dict(r)
        for k in ("before", "after"):
            if isinstance(r[k], str):
                r[k] = json.loads(r[k])
        out.append(r)
    return out


def state(engine, code: str, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    from laomo.domain.status import State, studio_states

    with engine.connect() as conn:
        sid = conn.execute(text("SELECT id FROM studio WHERE code = :code"), {"code": code}).scalar()
        return studio_states(conn, as_of=as_of, studio_ids=[sid]).get(sid) or State()
