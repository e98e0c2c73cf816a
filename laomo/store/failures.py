"""The store's failures said about a database URL: :func:`explain_failure` turns a SQLite file's
failure into one Chinese line naming the file (the classifier itself is
:func:`laomo.store.errors.explain_sqlite`, the one place that reads such failures);
:func:`first_line` is the one way an exception is quoted in a message (its first line).
Neither touches the database.
"""

from __future__ import annotations

from laomo.store import engine
from laomo.store.errors import explain_sqlite
from laomo.store.location import sqlite_path


def first_line(exc: BaseException) -> str:
    """The first line of a (database) exception's text, for a one-line message."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def explain_failure(exc: BaseException, url: str) -> str | None:
    """A Chinese line for a SQLite file that cannot be written or read (locked, read-only, full,
    I/O error, cannot be opened, damaged), naming the file; None for anything else (a server)."""
    path = sqlite_path(url)
    if path is None:
        return None
    return explain_sqlite(exc, path, busy_seconds=engine.BUSY_TIMEOUT_MS // 1000)
