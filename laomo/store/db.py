"""数据库位置、连接与结构版本：全项目只有这一处决定数据库在哪里。

* Location: ``--db`` (passed in), else the environment variable ``LAOMO_DB``,
  else ``./laomo.db``.  A plain path is a SQLite file; anything with ``://`` is
  a SQLAlchemy URL (``postgresql+psycopg://…``).
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
* The schema is owned by Alembic (``laomo/migrations``).  ``open_engine``
  creates a brand-new database implicitly; an existing database whose
  revision is older than the code's is refused with a message asking for
  ``laomo init``, and one newer than the code is refused outright.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from laomo.errors import LaomoError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

ENV_VAR = "LAOMO_DB"
DEFAULT_PATH = "laomo.db"
BUSY_TIMEOUT_MS = 30_000

#: The Alembic revisions shipped with this code, oldest first.  The last one is
#: the head; ``tests/test_migrations.py`` checks this list against the scripts.
REVISIONS = ("0001",)
HEAD = REVISIONS[-1]
#: The Alembic script folder (a test points it at a copy holding a trial revision).
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of the database to use."""
    value = db or os.environ.get(ENV_VAR) or DEFAULT_PATH
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another server."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def describe(url: str) -> str:
    """The URL for messages, without a password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def explain_failure(exc: BaseException, url: str) -> str | None:
    """A Chinese line for a SQLite file that cannot be written or read (locked, read-only, full,
    I/O error, cannot be opened, damaged), naming the file; None for anything else."""
    path = sqlite_path(url)
    if path is None:
        return None
    orig = getattr(exc, "orig", None) or exc
    text = str(orig)
    low = text.lower()
    if isinstance(exc, OSError) and not isinstance(orig, sqlite3.Error):
        if exc.errno == 28:
            return f"磁盘空间不足：无法写入 {exc.filename or path}（所在磁盘已满），本次操作未改动数据库；请清理磁盘后重试"
        return None
    if "locked" in low or "busy" in low:
        return (f"数据库 {path} 正被其他程序占用（等待 {BUSY_TIMEOUT_MS // 1000} 秒后仍未释放），"
                "请稍后重试；本次操作未改动数据库")
    if "readonly" in low or "read-only" in low:
        return _read_only(path)
    if "disk is full" in low:
        return f"磁盘空间不足：无法写入数据库 {path}（所在磁盘已满），本次操作未改动数据库；请清理磁盘后重试"
    if "disk i/o error" in low:
        return (f"读写数据库文件 {path} 时出错（磁盘 I/O 错误，可能是磁盘已满、文件过大或磁盘故障），"
                "本次操作未改动数据库；请检查磁盘后用 laomo db check 检查")
    if "unable to open" in low:
        if not path.parent.is_dir():
            return f"无法打开数据库 {path}：所在目录不存在"
        if path.exists() and not os.access(path, os.R_OK):
            return f"无法打开数据库 {path}：没有读取权限"
        if _read_only_fs(path) or not os.access(path.parent, os.W_OK | os.X_OK):
            return _read_only(path)  # WAL needs -wal/-shm beside the file, even to read
        return f"无法打开数据库 {path}（{text.splitlines()[0] if text else '原因未知'}）"
    if "malformed" in low or "not a database" in low:
        return f"数据库文件 {path} 已损坏或不是 SQLite 数据库，请用 laomo db check 检查并从备份恢复"
    return None


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _read_only(path: Path) -> str:
    """Why a SQLite file cannot be written: the file, its -wal/-shm, the directory or the file system."""
    tail = "本次操作未改动数据库；查看类命令（report、db check）仍可使用"
    read_only_fs = _read_only_fs(path)
    no_wal = (f"SQLite 需要在数据库旁创建 {path.name}-wal 和 {path.name}-shm（查看也需要），"
              "本次操作未改动数据库；请把数据库复制到可写的位置再使用")
    if read_only_fs:
        return f"数据库 {path} 所在的文件系统是只读的：{no_wal}"
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists() and not os.access(p, os.W_OK):
            return f"数据库文件 {p} 只读（当前用户没有写权限），无法写入；{tail}"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"数据库 {path} 所在的目录 {path.parent} 不可写：{no_wal}，或授予该目录写权限"
    return f"数据库 {path} 只读，无法写入；{tail}"


def _create_private_file(path: Path) -> None:
    if not path.parent.exists():
        raise LaomoError(f"数据库所在目录不存在：{path.parent}")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except PermissionError:
        raise LaomoError(f"无权在此创建数据库文件：{path}") from None
    os.close(fd)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's begin event emits BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _on_sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    immediate = conn.get_execution_options().get("laomo_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: The key of the transaction-level advisory lock that serialises schema migrations.
SCHEMA_LOCK_KEY = 0x6C616F6D6F  # "laomo"


def _on_server_begin(conn) -> None:  # type: ignore[no-untyped-def]
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
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
    if options.get("laomo_schema", False):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
    else:
        conn.exec_driver_sql("LOCK TABLE audit IN EXCLUSIVE MODE")


def make_engine(url: str) -> Engine:
    """An engine with the connection set-up above; creates a new SQLite file 0600."""
    from sqlalchemy import create_engine, event

    path = sqlite_path(url)
    if path is not None:
        _create_private_file(path)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        event.listen(engine, "begin", _on_server_begin)
        return engine
    except Exception as exc:  # bad URL, missing driver
        raise LaomoError(f"无法使用数据库地址 {_safe_url(url)}：{type(exc).__name__}: "
                         f"{str(exc).replace(url, _safe_url(url))}") from None


def _safe_url(url: str) -> str:
    """The URL for a message, its password hidden even when it does not parse."""
    try:
        return describe(url)
    except Exception:
        import re

        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database; None when it has no laomo schema."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        if "alembic_version" not in names:
            if names:
                raise LaomoError("该数据库不是 laomo 数据库（缺少结构版本表），拒绝使用")
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the head revision; idempotent."""
    from alembic import command
    from alembic.config import Config

    before = current_revision(engine)
    if before == HEAD:
        return before, HEAD
    if before is not None and before not in REVISIONS:
        raise _newer_error(before)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        conn = conn.execution_options(laomo_write=True, laomo_schema=True)
        if sqlite:
            # A column change rebuilds the table (copy, DROP, rename); with foreign keys on, the
            # DROP of a table other rows point at fails.  The switch only works outside a
            # transaction; the references are checked before the upgrade commits instead.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise LaomoError(
                            f"升级数据库结构失败（{before} → {HEAD}）：表 {bad[0][0]} 第 {bad[0][1]} 行"
                            f"引用的 {bad[0][2]} 不存在（共 {len(bad)} 处）；数据库未改动")
        except LaomoError:
            raise
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                raise  # locked, read-only, disk full: cli_common explains these
            raise LaomoError(f"升级数据库结构失败（{before or '空'} → {HEAD}）：{_short(exc)}；数据库未改动") from None
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
    return before, HEAD


def _newer_error(rev: str) -> LaomoError:
    return LaomoError(
        f"数据库结构版本 {rev} 比本程序（{HEAD}）新：它由更新版本的 laomo 写入，"
        "请升级 laomo 后再使用，拒绝继续以免损坏数据"
    )


def check_schema(engine: Engine) -> None:
    """Create a brand-new database; refuse an old or newer schema with a clear message."""
    rev = current_revision(engine)
    if rev is None:
        migrate(engine)
    elif rev != HEAD:
        if rev in REVISIONS:
            raise LaomoError(
                f"数据库结构版本 {rev} 低于本程序要求的 {HEAD}，请先运行 `laomo init` 升级（数据会保留）"
            )
        raise _newer_error(rev)


_engines: dict[str, Engine] = {}
_checked: set[str] = set()  # URLs whose schema this process has checked


def open_engine(db: str | None = None, *, check: bool = True) -> Engine:
    """The engine for ``db``/``LAOMO_DB``/``./laomo.db``, schema checked once per process.

    An engine first opened with ``check=False`` (``init``, ``db check``) is
    still checked the first time it is asked for with ``check=True``.
    """
    url = resolve_url(db)
    engine = _engines.get(url)
    fresh = engine is None
    if engine is None:
        engine = make_engine(url)
    if check and url not in _checked:
        try:
            check_schema(engine)
        except Exception as exc:
            if fresh:
                engine.dispose()
            if isinstance(exc, LaomoError):
                raise
            raise LaomoError(explain_failure(exc, url) or f"无法打开数据库 {describe(url)}：{_short(exc)}") from None
        _checked.add(url)
    _engines[url] = engine
    return engine


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _checked.clear()


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


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


def backup(engine: Engine, target: Path) -> int:
    """A consistent online copy of a SQLite database (the SQLite backup API).

    Returns the size of the copy in bytes.  The copy is created with mode 0600.
    """
    src_path = sqlite_path(str(engine.url))
    if src_path is None:
        raise LaomoError("db backup 只适用于 SQLite 数据库；PostgreSQL 请使用 pg_dump")
    target = target.expanduser().resolve()
    if target == src_path:
        raise LaomoError("备份文件不能与数据库是同一个文件")
    if target.exists():
        raise LaomoError(f"备份文件已存在，拒绝覆盖：{target}")
    _create_private_file(target)
    src = sqlite3.connect(src_path, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        dst.close()
        target.unlink(missing_ok=True)
        raise LaomoError(f"备份失败：{exc}") from None
    finally:
        src.close()
    dst.close()
    return target.stat().st_size


def integrity_report(engine: Engine) -> dict[str, object]:
    """Schema version, SQLite integrity and foreign-key checks, and the audit chain."""
    from sqlalchemy import text

    from laomo.store import audit
    report: dict[str, object] = {"database": describe(str(engine.url))}
    rev = current_revision(engine)
    report["schema_version"] = rev
    report["schema_current"] = rev == HEAD
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            report["integrity"] = "ok" if rows == ["ok"] else rows[:20]
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            report["foreign_key_violations"] = [
                {"table": r[0], "rowid": r[1], "parent": r[2]} for r in fk[:50]
            ]
        else:
            conn.execute(text("SELECT 1"))
            report["integrity"] = "ok"
            report["foreign_key_violations"] = []
        if rev is not None:
            report["audit"] = audit.verify_chain(conn)
    ok = (
        report["schema_current"]
        and report["integrity"] == "ok"
        and not report["foreign_key_violations"]
        and (report.get("audit") or {}).get("ok", True)
    )
    report["ok"] = bool(ok)
    return report
