"""Bulk writes on the hot paths (imports, stored assessments): one statement compiled by
SQLAlchemy, run with the driver's executemany."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


