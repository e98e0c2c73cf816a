"""Bulk writes and reads on the hot paths (imports, stored assessments, exports): one statement
compiled by SQLAlchemy, run by the driver — executemany for writes, a streamed cursor for reads —
without SQLAlchemy's per-row processing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.dml import Insert, Update


class BulkStatement:
    """An INSERT or UPDATE compiled once by SQLAlchemy, run with the driver's executemany.

    Rows are sequences of values in ``names`` order, already in the driver's
    form; SQLAlchemy builds and compiles the statement (so it stays portable)
    but does no per-row parameter processing on this hot path.
    """

    def __init__(self, conn: Connection, stmt: Insert | Update, names: list[str]) -> None:
        compiled = stmt.compile(dialect=conn.dialect, column_keys=names if stmt.is_insert else None)
        self.sql = str(compiled)
        self.names = names
        self.conn = conn
        self.positional = compiled.positional
        order = list(compiled.positiontup or ()) if compiled.positional else names
        index = {n: i for i, n in enumerate(names)}
        self.reorder = None if order == names else itemgetter(*(index[n] for n in order))

    def run(self, rows: list[Any]) -> None:
        if not rows:
            return
        if not self.positional:
            params: list[Any] = [dict(zip(self.names, r)) for r in rows]
        elif self.reorder is not None:
            params = list(map(self.reorder, rows))
        else:
            params = list(map(tuple, rows))
        self.conn.exec_driver_sql(self.sql, params)


def driver_partitions(conn: Connection, stmt: Select[Any], *, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a SELECT in lists of at most ``size``, streamed (a server-side cursor where the
    database has one, :func:`cursor_batches`), as the driver gives them: SQLAlchemy compiles the
    statement (IN lists expanded) and converts its parameters with the dialect's own types, but
    builds no result row and converts no value.  So a DATE is ISO text on SQLite (as SQLAlchemy
    stores it) and a ``datetime.date`` on PostgreSQL, a SUM may be a Decimal, a JSON column text
    on SQLite: the caller takes each column as every driver may give it (a DATE: :func:`driver_date`).
    (SQLAlchemy's own result would make a Row of each: 0.29 s of the ledger's 1.63 s fetch at 150,000
    rows, under a profiler.)
    Bound parameters need plain names (SQLAlchemy's generated ones are).  SQLAlchemy's events do
    not see the statement."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if compiled.escaped_bind_names:
        raise ValueError(f"driver_partitions: bound parameter names to escape: {sorted(compiled.escaped_bind_names)}")
    values = compiled.construct_params()
    for name, bind in compiled.binds.items():
        if name in values:
            process = bind.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            if process is not None:
                values[name] = process(values[name])
    params: Any = tuple(values[n] for n in compiled.positiontup or ()) if compiled.positional else values
    return cursor_batches(conn.connection.dbapi_connection, conn.dialect.name, str(compiled), params, size=size)


def driver_cursor(raw: Any, dialect: str, *, size: int) -> Any:
    """A cursor of the DBAPI connection ``raw`` that streams ``size`` rows at a time: a named
    (server-side) one on PostgreSQL, whose rows otherwise all arrive at once."""
    if dialect == "postgresql":
        import uuid

        cursor = raw.cursor(name=f"laomo_{uuid.uuid4().hex[:12]}")
        cursor.itersize = size
    else:
        cursor = raw.cursor()
        cursor.arraysize = size
    return cursor


def cursor_batches(raw: Any, dialect: str, sql: str, params: Any, *, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Run ``sql`` on a :func:`driver_cursor` of ``raw`` and yield its rows ``size`` at a time.  The
    cursor is opened on the first batch asked for (a stream never read holds none) and closed when
    the iterator is exhausted or discarded."""
    cursor = driver_cursor(raw, dialect, size=size)
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


@overload
def driver_date(value: None) -> None: ...


@overload
def driver_date(value: Any) -> dt.date: ...


def driver_date(value: Any) -> dt.date | None:
    """A DATE column's value from :func:`driver_partitions` as a date: PostgreSQL's date as it is,
    SQLite's ISO text parsed; any other value (a date edited by hand into ``2025/3/1``, an empty
    text, a number) is refused with the ValueError or TypeError SQLAlchemy's own reading raised."""
    if value is None or value.__class__ is dt.date:
        return value
    return dt.date.fromisoformat(value)
