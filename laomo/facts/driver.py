"""Rows of a SELECT as plain tuples straight from the driver's cursor (the facts' hot path)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection, Dialect

#: Rows fetched per round trip (a server-side cursor on PostgreSQL).
STREAM_ROWS = 2000


def driver_rows(conn: Connection, q: Select[Any], *, typed: bool = True,
                batch: int = STREAM_ROWS) -> Iterator[tuple[Any, ...]]:
    """:func:`driver_batches`' rows one by one."""
    return chain.from_iterable(driver_batches(conn, q, typed=typed, batch=batch))


def driver_batches(conn: Connection, q: Select[Any], *, typed: bool = True,
                   batch: int = STREAM_ROWS) -> Iterator[list[tuple[Any, ...]]]:
    """Stream a SELECT's rows as lists of plain tuples (``batch`` at a time) straight from the
    driver's cursor.

    SQLAlchemy compiles the statement and converts the bound parameters and
    the result columns whose type needs it (dates on SQLite, say), but builds
    no ``Row`` per row: at national scale that per-row work cost about as much
    as the queries themselves.  On PostgreSQL the cursor is a named
    (server-side) one, so rows arrive ``batch`` at a time as with
    ``yield_per``.  The cursor is closed when the iterator is exhausted or
    discarded.  ``typed=False``: the driver's values as they are (SQLite's 0/1
    for booleans, text for dates), for a caller that converts them itself.
    """
    dialect = conn.dialect
    compiled = q.compile(dialect=dialect)
    values = compiled.construct_params()
    params: dict[str, Any] = {}
    for name, value in values.items():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        params[name] = process(value) if process is not None and value is not None else value
    positions = compiled.positiontup
    args: Any = tuple(params[n] for n in positions) if compiled.positional and positions is not None else params
    types = [c.type.dialect_impl(dialect) for c in q.selected_columns] if typed else []
    return _drain(conn.connection.dbapi_connection, str(compiled), args, types, dialect, batch)


def _drain(raw: Any, sql: str, args: Any, types: list[Any], dialect: Dialect,
           batch: int) -> Iterator[list[tuple[Any, ...]]]:
    from laomo.store.bulk import driver_cursor

    # the cursor is opened here, on the first row asked for: a stream never read holds none
    cursor = driver_cursor(raw, dialect.name, size=batch)
    try:
        cursor.execute(sql, args)
        # the result processors SQLAlchemy itself would pick, from the driver's column type codes
        processors = [(i, f) for i, f in (
            (i, t.result_processor(dialect, d[1])) for i, (t, d) in enumerate(zip(types, cursor.description)))
            if f is not None]
        batches = iter(lambda: cursor.fetchmany(batch), [])
        if not processors:
            yield from batches
            return

        def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
            out = list(row)
            for i, f in processors:
                value = out[i]
                if value is not None:
                    out[i] = f(value)
            return tuple(out)
        for rows in batches:
            yield list(map(convert, rows))
    finally:
        cursor.close()
