"""连接、会话与写锁：每个连接怎样设置，写入者怎样排队。

* Every SQLite connection runs in WAL mode with ``foreign_keys=ON``, a busy
  timeout and ``synchronous=FULL``.  The driver's own transaction handling is
  switched off and SQLAlchemy's ``begin`` emits ``BEGIN`` — or ``BEGIN
  IMMEDIATE`` for sessions opened with :func:`write_session`, so that a writer
  takes the write lock up front and waits (busy timeout) instead of failing
  half-way with "database is locked".
* On PostgreSQL (``postgresql+psycopg://…``) a write session's first statement
  takes the same kind of write lock (``LOCK TABLE audit IN EXCLUSIVE MODE``,
  see :func:`_on_server_begin`): writers follow one another exactly as on
  SQLite, readers never wait, and read sessions see one snapshot.
* A new SQLite file is created with mode 0600 before SQLite touches it.
* Engines are created with ``hide_parameters=True``: a database error's text
  (shown in a message or a bug report) never carries the statement's values,
  which may be personal data.  laomo itself does no logging, and never turns
  on SQLAlchemy's ``echo``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from laomo.errors import LaomoError
from laomo.store.location import describe, redact, sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 30_000

#: How long a writer first tries for the write lock before it says that it waits (milliseconds).
FIRST_TRY_MS = 300

#: Called once, with the longest wait in seconds and who holds the lock (the other laomo command,
#: where the server knows it; None on SQLite), when a writer finds another writer holding the write
#: lock and starts to wait for it (the command line says so on stderr); None: wait silently.
lock_wait_notice: Callable[[int, str | None], None] | None = None

#: The key of the transaction-level advisory lock that serialises schema migrations.
SCHEMA_LOCK_KEY = 0x6C616F6D6F  # "laomo"


def json_text(value: object) -> str:
    """How a JSON column's value is written: compact, Chinese as UTF-8 rather than ``\\uXXXX``.

    Every JSON column goes through it (the engine's ``json_serializer``; a stored run's
    rows are serialised with it ahead of time).  Against :func:`json.dumps`' default it
    makes a year's stored assessment rows at national scale about a quarter smaller
    (55 → 40 MB of JSON for 128,299 rows), which is what their insert and commit write.
    Readers parse the text, so rows written before read the same.
    """
    return _JSON.encode(value)


# made once: json.dumps with any option builds a new encoder per call (about 3 µs, per stored row)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (a database file, a backup)."""
    if not path.parent.exists():
        raise LaomoError(f"数据库所在目录不存在：{path.parent}")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except PermissionError:
        raise LaomoError(f"无权在此创建数据库文件：{path}") from None
    os.close(fd)


#: What every SQLite connection runs first, in order (the import benchmark's floor reads these too).
SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = FULL",
)


#: The page cache of a bulk import's connection, in KiB.  With the person table's two secondary
#: indexes (身份证号, 姓名) SQLite's default cache (2 MiB) thrashes: inserting 200,000 people
#: takes about 1.5× as long, 1,000,000 people 1.4× (measured with bench/bench_import.py).  The
#: cache is allocated only as pages are read, so an import's process grows by at most this.
BULK_CACHE_KIB = 32768

#: What :func:`bulk_cache` sets for the duration of a bulk import, after :data:`SQLITE_PRAGMAS`.
SQLITE_BULK_PRAGMAS = (f"PRAGMA cache_size = -{BULK_CACHE_KIB}",)
#: ``PRAGMA cache_size`` of a connection nobody set it on (SQLite's compiled-in default, 2000 KiB).
SQLITE_DEFAULT_CACHE = -2000


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's begin event emits BEGIN itself
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("laomo_write", False)
    if not immediate:
        conn.exec_driver_sql("BEGIN")
        return
    notice = lock_wait_notice
    if notice is None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    cur = raw.cursor()  # the connection's own cursor class (not SQLAlchemy's error handling: a busy first try is expected)
    cur.execute(f"PRAGMA busy_timeout = {FIRST_TRY_MS}")
    try:
        cur.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
            raise
    finally:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.close()
    notice(BUSY_TIMEOUT_MS // 1000, None)  # another writer holds the lock: say so once, then wait the full time
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _on_server_begin(conn: Connection) -> None:
    """PostgreSQL's counterpart of ``BEGIN IMMEDIATE``: a writer takes the write lock first.

    The write lock is ``LOCK TABLE audit IN EXCLUSIVE MODE``.  Every change
    appends to the audit hash chain, whose next entry depends on the last one,
    so writers must follow one another anyway; taking that one lock as the
    transaction's first statement also serialises everything the writer then
    reads to decide what to write — the next free code, the studios' current
    designations for naming, the stored rows an import compares against — so
    two clerks naming or importing at once can neither allocate the same key
    nor fork the chain.  EXCLUSIVE mode conflicts with every other writer's
    lock but not with plain ``SELECT``: readers never wait.  ``LOCK`` is not a
    query, so a REPEATABLE READ transaction (``write_session(snapshot=True)``)
    takes its snapshot only after the lock is granted, and sees everything the
    writer before it committed.  The wait is bounded like SQLite's busy
    timeout (``lock_timeout``).

    Schema migrations (``laomo_schema``) run before the audit table exists and
    take a transaction-level advisory lock instead, so that two first uses of a
    new database do not both create the tables.
    """
    options = conn.get_execution_options()
    if not options.get("laomo_write", False):
        return
    if options.get("laomo_schema", False):
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        return
    notice = lock_wait_notice
    if notice is not None and not _server_lock_at_once(conn):
        notice(BUSY_TIMEOUT_MS // 1000, _lock_holder(conn))  # said once; then the full wait
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
    conn.exec_driver_sql("LOCK TABLE audit IN EXCLUSIVE MODE")


def _server_lock_at_once(conn: Connection) -> bool:
    """Try the write lock for ``FIRST_TRY_MS`` inside a savepoint (a failed statement would abort
    the transaction); True when it was granted."""
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()  # the driver's own cursor: a busy first try is expected, not an error to wrap
    try:
        cur.execute("SAVEPOINT laomo_first_try")
        cur.execute(f"SET LOCAL lock_timeout = {FIRST_TRY_MS}")
        try:
            cur.execute("LOCK TABLE audit IN EXCLUSIVE MODE")
        except Exception as exc:  # psycopg's LockNotAvailable (SQLSTATE 55P03); anything else is re-raised
            if getattr(exc, "sqlstate", None) != "55P03":
                raise
            cur.execute("ROLLBACK TO SAVEPOINT laomo_first_try")
            return False
        cur.execute("RELEASE SAVEPOINT laomo_first_try")
        return True
    finally:
        cur.close()


def _lock_holder(conn: Connection) -> str | None:
    """The application name of the session that holds a lock on ``audit`` (a laomo command names
    itself ``laomo <command>`` when it connects), or None.  Asked on a connection of its own: a
    query here would take this transaction's REPEATABLE READ snapshot before the lock is granted."""
    try:
        with conn.engine.connect() as other:
            row = other.exec_driver_sql(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.relation = 'audit'::regclass AND l.granted AND l.mode = 'ExclusiveLock' LIMIT 1").first()
    except Exception:  # who holds the lock is a courtesy: never a reason to fail
        return None
    return row[0] if row and row[0] else None


def application_name() -> str:
    """``laomo <command> <subcommand>`` from this process's command line (its first two words that are
    not options; never values), as a server shows it to another writer that waits."""
    words = [a for a in sys.argv[1:] if not a.startswith("-")][:2]
    known = {"init", "quickstart", "db", "register", "assess", "award", "report"}
    words = words if words and words[0] in known else words[:0]
    return " ".join(["laomo", *words])[:63]


def make_engine(url: str) -> Engine:
    """An engine with the connection set-up above; creates a new SQLite file 0600."""
    from sqlalchemy import create_engine, event

    path = sqlite_path(url)
    if path is not None:
        create_private_file(path)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True,
                               json_serializer=json_text)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, json_serializer=json_text,
                               connect_args={"application_name": application_name()})
        event.listen(engine, "begin", _on_server_begin)
        return engine
    except Exception as exc:  # bad URL, missing driver
        raise LaomoError(f"无法使用数据库地址 {describe(url)}：{type(exc).__name__}: {redact(str(exc), url)}") from None


@contextmanager
def write_session(engine: Engine, *, snapshot: bool = False, deferred: bool = False) -> Iterator[Session]:
    """A session whose transaction takes the write lock up front; commits on success.

    ``snapshot=True`` (bulk imports) asks a server database for REPEATABLE READ,
    so the whole import reads one snapshot (taken after the write lock, see
    :func:`_on_server_begin`); SQLite's BEGIN IMMEDIATE already excludes other
    writers.

    ``deferred=True`` (SQLite only; a server still locks up front): a plain
    BEGIN, so the write lock is taken by the first write, not at the start —
    a long computation that writes only at its end leaves other writers free
    meanwhile.  Its first write then fails at once (:func:`lost_write_race`)
    if another writer holds the lock or committed since its first read; the
    caller repeats the whole transaction.
    """
    from sqlmodel import Session

    options: dict[str, object] = {"laomo_write": not (deferred and engine.dialect.name == "sqlite")}
    if snapshot and engine.dialect.name != "sqlite":
        options["isolation_level"] = "REPEATABLE READ"
    with Session(engine) as session:
        session.connection(execution_options=options)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def bulk_cache(conn: Connection) -> Iterator[None]:
    """A bulk import's connection with :data:`SQLITE_BULK_PRAGMAS` (a larger page cache) while the
    block runs; the connection's own setting again afterwards (it goes back to the pool).  A
    connection whose cache is not SQLite's default was set up so on purpose and keeps it.  Only
    SQLite: a server manages its own buffers."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    if before != SQLITE_DEFAULT_CACHE:
        yield
        return
    for pragma in SQLITE_BULK_PRAGMAS:
        conn.exec_driver_sql(pragma)
    try:
        yield
    finally:
        with suppress(Exception):  # a broken connection: it is discarded, not reused
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def lost_write_race(exc: BaseException) -> bool:
    """A deferred writer could not take the write lock at its first write: another writer holds it
    (SQLITE_BUSY: SQLite does not wait when a read transaction asks for the lock, as waiting could
    deadlock) or committed since this transaction's first read (SQLITE_BUSY_SNAPSHOT)."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlite_errorcode", None) in (5, 517)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that sees one consistent state of the database for all its queries.

    SQLite's read transaction already does (the WAL snapshot of its first
    read); on a server the session runs at REPEATABLE READ, so a report built
    from several queries never mixes states before and after a writer's commit.
    """
    from sqlmodel import Session

    with Session(engine) as session:
        if engine.dialect.name != "sqlite":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session
