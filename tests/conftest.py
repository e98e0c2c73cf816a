"""Shared fixtures: every test gets its own fresh database through LAOMO_DB (autouse).

The backend comes from the environment variable ``LAOMO_TEST_DB``:

* unset (or ``sqlite``): each database is a SQLite file in the test's
  ``tmp_path``, not yet created — :func:`laomo_db` yields its ``Path``;
* a PostgreSQL base URL (``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``,
  as ``tests/pg-cluster start`` prints): each database is a new, empty
  ``CREATE DATABASE`` on that server, dropped after the test —
  :func:`laomo_db` yields its URL (a ``str``).

Either way ``str(laomo_db)`` is what ``LAOMO_DB``/``--db`` take.  Tests read
and write the database through :func:`query`, :func:`execute` and
:func:`dump` (SQLAlchemy, either backend, values normalised), make more
databases with the ``make_db`` fixture, and copy one over another with
:func:`copy_db`.  ``@pytest.mark.sqlite_only`` tests are skipped on
PostgreSQL, ``@pytest.mark.postgres_only`` ones on SQLite.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE = SHARED / "data" / "sample-county"
BAD = SHARED / "data" / "bad-input"
ORDER = ["people", "honors", "studios", "members", "achievements", "activities",
         "mentorships", "inspections", "designations", "assessments"]

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


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    if POSTGRES:
        from sqlalchemy.engine import make_url

        return f"laomo test backend: PostgreSQL at {make_url(TEST_DB).render_as_string(hide_password=True)}"
    return "laomo test backend: SQLite"


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    skip = pytest.mark.skip(reason=f"not for the {BACKEND} backend")
    unwanted = "sqlite_only" if POSTGRES else "postgres_only"
    for item in items:
        if unwanted in item.keywords:
            item.add_marker(skip)


# --------------------------------------------------------------------------- the server


class _Server:
    """Creates and drops this run's databases on the PostgreSQL test server."""

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

    def _sql(self, *statements: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for s in statements:
                conn.execute(text(s))

    def create(self, stem: str, template: str | None = None) -> str:
        name = f"{self.prefix}{next(self.counter)}_{stem}"[:63]
        self._sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    @staticmethod
    def name(url: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(url).database  # type: ignore[return-value]

    def drop(self, url: str) -> None:
        _forget(url)
        self._sql(f'DROP DATABASE IF EXISTS "{self.name(url)}" WITH (FORCE)')

    def copy(self, src: str, dst: str) -> None:
        """``dst`` becomes a copy of ``src`` (same URL); nobody may be connected to ``src``."""
        _forget(src)
        _forget(dst)
        s, d = self.name(src), self.name(dst)
        self._sql(
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
            self._sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')


_server: _Server | None = None


def server() -> _Server:
    global _server
    if _server is None:
        _server = _Server(TEST_DB)
    return _server


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    if _server is not None:
        _server.leftovers()
        _server.admin.dispose()


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
        _forget(str(ref))


def seal_db(ref: DbRef) -> DbRef:
    """Close every connection to ``ref`` so it can be copied (SQLite: fold the WAL into the file)."""
    from laomo.store.db import dispose_all

    dispose_all()
    _forget(str(ref))
    if not POSTGRES:
        con = sqlite3.connect(ref)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")
        con.close()
    return ref


def copy_db(src: DbRef, dst: DbRef) -> DbRef:
    """Make ``dst`` a copy of the sealed database ``src``; returns ``dst``."""
    from laomo.store import db
    if POSTGRES:
        engine = db._engines.pop(db_url(dst), None)
        if engine is not None:
            engine.dispose()
        server().copy(str(src), str(dst))
    else:
        shutil.copyfile(src, dst)
    return dst


def db_exists(ref: DbRef) -> bool:
    """Whether laomo created anything there (SQLite: the file; PostgreSQL: any table)."""
    if not POSTGRES:
        return Path(ref).exists()
    from sqlalchemy import inspect

    with _engine(ref).connect() as conn:
        return bool(inspect(conn).get_table_names())


@pytest.fixture(autouse=True)
def laomo_db(tmp_path, monkeypatch):
    """Point LAOMO_DB at a fresh database; close every engine (and drop a server database) afterwards."""
    ref = fresh_db(tmp_path, "laomo")
    monkeypatch.setenv("LAOMO_DB", str(ref))
    from laomo.commands import common as cli_common
    from laomo.store import db
    cli_common.STATE.db = None
    cli_common.STATE.quiet = False
    yield ref
    db.dispose_all()
    drop_db(ref)


def _maker(folder_for: Callable[[str], Path]) -> tuple[list[DbRef], Callable[..., DbRef]]:
    """A ``make(stem)`` that makes fresh databases of the test backend, and the list of those made."""
    made: list[DbRef] = []

    def make(stem: str = "extra") -> DbRef:
        ref = fresh_db(folder_for(stem), stem)
        made.append(ref)
        return ref

    return made, make


def _drop_all(made: list[DbRef]) -> None:
    from laomo.store import db
    db.dispose_all()
    for ref in made:
        drop_db(ref)


@pytest.fixture
def make_db(tmp_path) -> Callable[[str], DbRef]:
    """``make_db("reference")``: another fresh database of the test backend, gone after the test."""
    made, make = _maker(lambda stem: tmp_path)
    yield make
    _drop_all(made)


@pytest.fixture(scope="session")
def make_session_db(tmp_path_factory) -> Callable[[str], DbRef]:
    """Like ``make_db`` for session-scoped templates (gone at the end of the session)."""
    made, make = _maker(tmp_path_factory.mktemp)
    yield make
    _drop_all(made)


# --------------------------------------------------------------------------- counting statements


@contextlib.contextmanager
def counted_statements(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """Count the SQL statements run on ``engine`` inside the block: those SQLAlchemy executes
    (``before_cursor_execute``) and the fact queries read straight from the driver's cursor
    (``laomo.facts.driver_rows``, which SQLAlchemy's events do not see).  Yields a list whose
    length is the count so far."""
    from sqlalchemy import event

    import laomo.facts

    seen: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    inner = laomo.facts.driver_rows

    def driver_rows(conn, q, **kwargs):  # type: ignore[no-untyped-def]
        if conn.engine is engine:
            seen.append(str(q))
        return inner(conn, q, **kwargs)

    monkeypatch.setattr(laomo.facts, "driver_rows", driver_rows)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        monkeypatch.setattr(laomo.facts, "driver_rows", inner)


# --------------------------------------------------------------------------- reading and writing


_engines: dict[str, Any] = {}


def _engine(ref: DbRef):  # type: ignore[no-untyped-def]
    """A plain engine without a pool (so it never keeps a database open), cached per URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = db_url(ref)
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine(url, poolclass=NullPool)
    return engine


def _forget(url_or_ref: str) -> None:
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


def query(ref: DbRef, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """Rows of a SELECT (``:name`` parameters) on either backend, values normalised by :func:`norm`."""
    from sqlalchemy import text

    with _engine(ref).connect() as conn:
        return [tuple(norm(v) for v in row) for row in conn.execute(text(sql), params or {})]


def execute(ref: DbRef, *statements: str, params: dict[str, Any] | None = None) -> None:
    """Run statements in one committed transaction (to tamper with a database behind laomo's back)."""
    from sqlalchemy import text

    with _engine(ref).begin() as conn:
        for s in statements:
            conn.execute(text(s), params or {})


def table_names(ref: DbRef) -> list[str]:
    from sqlalchemy import inspect

    with _engine(ref).connect() as conn:
        return sorted(inspect(conn).get_table_names())


def dump(ref: DbRef) -> dict[str, list]:
    """Every row of every table, for before/after comparisons (values normalised); one connection."""
    from sqlalchemy import inspect

    with _engine(ref).connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {n: [tuple(norm(v) for v in row) for row in conn.exec_driver_sql(f'SELECT * FROM "{n}" ORDER BY 1')]
                for n in names}


# --------------------------------------------------------------------------- the CLI


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self) -> str:  # shown when an assertion fails
        return f"<Run code={self.code}\nstdout={self.out[-2000:]}\nstderr={self.err[-2000:]}>"


@pytest.fixture
def cli(capsys):
    """Run ``laomo ARGS…`` in-process exactly as the console script does."""
    from laomo.cli import main

    def run(*args: str, stdin: str | None = None) -> Run:
        capsys.readouterr()
        if stdin is not None:
            import io
            import sys

            old = sys.stdin
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
            try:
                code = main([str(a) for a in args])
            finally:
                sys.stdin = old
        else:
            code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def sample_file(kind: str) -> Path:
    return SAMPLE / f"{kind}.csv"


@pytest.fixture
def sample_db(cli, laomo_db):
    """The whole sample county imported; returns the database (as ``laomo_db``)."""
    for kind in ORDER:
        r = cli("register", "import", kind, sample_file(kind), "--json")
        assert r.code == 0, r
    return laomo_db
