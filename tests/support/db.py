"""The test backend, and making, copying and reading databases on it.

The backend comes from the environment variable ``LAOMO_TEST_DB``:

* unset (or ``sqlite``): each database is a SQLite file in the test's
  ``tmp_path``, not yet created (a ``Path``);
* a PostgreSQL base URL (``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``,
  as ``tests/pg-cluster start`` prints): each database is a new, empty
  ``CREATE DATABASE`` on that server, dropped after the test (its URL, a ``str``).

Either way ``str(ref)`` is what ``LAOMO_DB``/``--db`` take.  Tests read and
write a database through :func:`query`, :func:`execute` and :func:`dump`
(SQLAlchemy, either backend, values normalised by :func:`norm`), and copy one
over another with :func:`copy_db` after :func:`seal_db`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import itertools
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

#: The test backend's base URL; empty for SQLite.
TEST_DB = os.environ.get("LAOMO_TEST_DB", "").strip()
if TEST_DB.lower() in ("", "sqlite"):
    BACKEND = "sqlite"
elif TEST_DB.startswith("postgresql"):
    BACKEND = "postgresql"
else:  # pragma: no cover - a typo must not silently test SQLite
    raise pytest.UsageError(f"LAOMO_TEST_DB must be unset, 'sqlite' or a postgresql URL, not {TEST_DB!r}")
POSTGRES = BACKEND == "postgresql"

#: What a test database is: a SQLite file's path, or a server database's URL.
DbRef = Union[Path, str]


# --------------------------------------------------------------------------- the server


class Server:
    """Creates and drops this process's databases on the PostgreSQL test server.

    Their names start with ``lt<pid>_``, so parallel test processes (pytest-xdist
    workers) never meet, and :meth:`leftovers` drops only this process's."""

    def __init__(self, base: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.base = make_url(base)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"lt{os.getpid()}_"
        self.counter = itertools.count(1)

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def sql(self, *statements: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for s in statements:
                conn.execute(text(s))

    def create(self, stem: str, template: str | None = None) -> str:
        name = f"{self.prefix}{next(self.counter)}_{stem}"[:63]
        self.sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    @staticmethod
    def name(url: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(url).database or ""

    def drop(self, url: str) -> None:
        forget(url)
        self.sql(f'DROP DATABASE IF EXISTS "{self.name(url)}" WITH (FORCE)')

    def copy(self, src: str, dst: str) -> None:
        """``dst`` becomes a copy of ``src`` (same URL); nobody may be connected to ``src``."""
        forget(src)
        forget(dst)
        s, d = self.name(src), self.name(dst)
        self.sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{s}' "
            "AND pid <> pg_backend_pid()",
            f'DROP DATABASE IF EXISTS "{d}" WITH (FORCE)',
            f'CREATE DATABASE "{d}" TEMPLATE "{s}"',
        )

    def leftovers(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": self.prefix + "%"}).scalars().all()
        for n in names:
            self.sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')

    def close(self) -> None:
        self.leftovers()
        self.admin.dispose()


_server: Server | None = None


def server() -> Server:
    """This process's connection to the PostgreSQL test server (made on first use)."""
    global _server
    if _server is None:
        _server = Server(TEST_DB)
    return _server


def close_server() -> None:
    """Drop what this process left on the server (end of the session); nothing if it never connected."""
    if _server is not None:
        _server.close()


def describe_backend() -> str:
    if POSTGRES:
        from sqlalchemy.engine import make_url

        return f"PostgreSQL at {make_url(TEST_DB).render_as_string(hide_password=True)}"
    return "SQLite"


# --------------------------------------------------------------------------- databases


def db_url(ref: DbRef) -> str:
    """The SQLAlchemy URL of a test database (what laomo.store.db.resolve_url makes of it)."""
    from laomo.store.db import resolve_url

    return resolve_url(str(ref))


def fresh_db(folder: Path, stem: str) -> DbRef:
    """A new empty database of the test backend (SQLite: a path not yet created)."""
    if POSTGRES:
        return server().create(stem)
    return folder / f"{stem}.db"


def drop_db(ref: DbRef) -> None:
    if POSTGRES:
        server().drop(str(ref))
    else:
        forget(str(ref))


def seal_db(ref: DbRef) -> DbRef:
    """Close every connection to ``ref`` so it can be copied (SQLite: fold the WAL into the file)."""
    from laomo.store.db import dispose_all

    dispose_all()
    forget(str(ref))
    if not POSTGRES:
        seal_file(Path(ref))
    return ref


def seal_file(path: Path) -> Path:
    """Fold a SQLite file's WAL into it (no connection may be open), so a plain file copy is the database.

    The file stays in WAL mode, as laomo leaves it (a reader without write access to it can
    then still open it, which a file in rollback-journal mode would refuse)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def copy_db(src: DbRef, dst: DbRef) -> DbRef:
    """Make ``dst`` a copy of the sealed database ``src``; returns ``dst``."""
    if POSTGRES:
        from laomo.store.db import dispose_all

        dispose_all()  # laomo's engines may still hold connections to dst, which is dropped now
        server().copy(str(src), str(dst))
    else:
        shutil.copyfile(src, dst)
    return dst


def db_exists(ref: DbRef) -> bool:
    """Whether laomo created anything there (SQLite: the file; PostgreSQL: any table)."""
    if not POSTGRES:
        return Path(ref).exists()
    from sqlalchemy import inspect

    with plain_engine(ref).connect() as conn:
        return bool(inspect(conn).get_table_names())


# --------------------------------------------------------------------------- counting statements


@contextlib.contextmanager
def counted_statements(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Count the SQL statements run on ``engine`` inside the block: those SQLAlchemy executes
    (``before_cursor_execute``) and the fact queries read straight from the driver's cursor
    (``laomo.facts.driver_batches``, which SQLAlchemy's events do not see).  Yields a list whose
    length is the count so far."""
    from sqlalchemy import event

    import laomo.facts

    seen: list[str] = []

    def before(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    inner = laomo.facts.driver_batches

    def driver_batches(conn: Connection, q: Any, **kwargs: Any) -> Any:
        if conn.engine is engine:
            seen.append(str(q))
        return inner(conn, q, **kwargs)

    monkeypatch.setattr(laomo.facts, "driver_batches", driver_batches)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        monkeypatch.setattr(laomo.facts, "driver_batches", inner)


# --------------------------------------------------------------------------- reading and writing


_engines: dict[str, Engine] = {}


def plain_engine(ref: DbRef) -> Engine:
    """A plain engine without a pool (so it never keeps a database open), cached per URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = db_url(ref)
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine(url, poolclass=NullPool)
    return engine


def forget(url_or_ref: str) -> None:
    """Drop the cached :func:`plain_engine` of a database (before it is dropped or replaced)."""
    engine = _engines.pop(db_url(url_or_ref), None)
    if engine is not None:
        engine.dispose()


def norm(value: Any) -> Any:
    """A value as SQLite's own driver returns it, so results compare the same on both backends.

    Booleans become 0/1, dates ISO text, timestamps ``YYYY-MM-DD HH:MM:SS.ffffff``
    in UTC, JSON values the text SQLAlchemy stores, exact numerics int or float.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def query(ref: DbRef, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a SELECT (``:name`` parameters) on either backend, values normalised by :func:`norm`."""
    from sqlalchemy import text

    with plain_engine(ref).connect() as conn:
        return [tuple(norm(v) for v in row) for row in conn.execute(text(sql), params or {})]


def execute(ref: DbRef, *statements: str, params: dict[str, Any] | None = None) -> None:
    """Run statements in one committed transaction (to tamper with a database behind laomo's back)."""
    from sqlalchemy import text

    with plain_engine(ref).begin() as conn:
        for s in statements:
            conn.execute(text(s), params or {})


def table_names(ref: DbRef) -> list[str]:
    from sqlalchemy import inspect

    with plain_engine(ref).connect() as conn:
        return sorted(inspect(conn).get_table_names())


def dump(ref: DbRef) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for before/after comparisons (values normalised); one connection."""
    from sqlalchemy import inspect

    with plain_engine(ref).connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {n: [tuple(norm(v) for v in row) for row in conn.exec_driver_sql(f'SELECT * FROM "{n}" ORDER BY 1')]
                for n in names}
