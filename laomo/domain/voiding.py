"""作废：a record or designation entered by mistake is voided, never deleted (cli.md "Safety").

The row stays in its table (and the audit log) with ``voided_at`` (when, UTC) and
``void_reason`` (why); from then on it counts nowhere — every statement that reads the
ledger's tables keeps only the rows of :func:`laomo.domain.predicates.in_force`.  What is
written here once: the moment a void is stamped with (:func:`now`, injectable in tests),
how a stored moment reads back (:func:`utc`; SQLite returns it without its zone), and how
a void is shown (:func:`voided_json`, :func:`voided_text`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def now() -> dt.datetime:
    """The moment a void is stamped with: now, in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc(at: dt.datetime) -> dt.datetime:
    """A stored moment in UTC (a value read back without its zone is UTC)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def local_day(at: dt.datetime) -> dt.date:
    """The day (local time) of a stored moment: what a clerk calls the day it was voided."""
    return utc(at).astimezone().date()


def voided_json(at: dt.datetime | None, reason: str | None) -> dict[str, Any] | None:
    """``"voided"`` in JSON: null when in force, else ``{"reason", "at"}`` (ISO 8601, UTC)."""
    return None if at is None else {"reason": reason or "", "at": utc(at).isoformat()}


def voided_text(at: dt.datetime, reason: str | None) -> str:
    """已作废（2025-06-01，原因：…）."""
    why = f"，原因：{reason}" if reason else ""
    return f"已作废（{local_day(at).isoformat()}{why}）"
