"""数据库结构版本：结构只由 Alembic 迁移建立和升级，一个函数做这件事。

* The schema is owned by Alembic (``laomo/store/migrations``).  :func:`upgrade`
  runs it to the head inside a transaction opened by :func:`schema_transaction`;
  both ``laomo init`` (:func:`migrate`) and ``laomo db copy``'s target go
  through these two and nothing else.
* On SQLite a column change rebuilds the table (copy, DROP, rename); with
  foreign keys on, the DROP of a table other rows point at fails.  The switch
  only works outside a transaction, so :func:`schema_transaction` turns foreign
  keys off for its transaction and checks every reference before it commits.
* Only ``init`` and ``quickstart`` create a database (``open_engine(create=True)``);
  any other command refuses a missing one.  An existing database whose revision is older than the code's is refused with
  a message asking for ``laomo init``, and one newer than the code is refused
  outright.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from laomo.errors import LaomoError
from laomo.store.failures import first_line

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

#: The Alembic revisions shipped with this code, oldest first.  The last one is
#: the head; ``tests/test_migrations.py`` checks this list against the scripts.
REVISIONS = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]
#: The Alembic script folder (a test points it at a copy holding a trial revision).
MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic's table holding the revision; a database with tables but without it is not laomo's.
VERSION_TABLE = "alembic_version"


class ForeignDatabase(LaomoError):
    """The database has tables but no schema revision: it is not a laomo database."""


def stored_revision(conn: Connection) -> str | None:
    """The schema revision stored in the database; None when it has no tables at all.

    Raises :class:`ForeignDatabase` for a database holding other tables.
    """
    from sqlalchemy import inspect, text

    names = inspect(conn).get_table_names()
    if VERSION_TABLE not in names:
        if names:
            raise ForeignDatabase("该数据库不是 laomo 数据库（缺少结构版本表），拒绝使用")
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database; None when it has no laomo schema."""
    with engine.connect() as conn:
        return stored_revision(conn)


def newer_error(rev: str) -> LaomoError:
    """The refusal of a database written by a newer laomo."""
    return LaomoError(
        f"数据库结构版本 {rev} 比本程序（{HEAD}）新：它由更新版本的 laomo 写入，"
        "请升级 laomo 后再使用，拒绝继续以免损坏数据"
    )


def _foreign_keys(conn: Connection, on: bool) -> None:
    """Switch SQLite's foreign keys; on the driver's connection, since SQLAlchemy would open a
    transaction first and SQLite ignores the switch inside one."""
    driver = conn.connection.driver_connection
    if driver is not None:
        driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


@contextmanager
def schema_transaction(conn: Connection, *, failed: str, unchanged: str) -> Iterator[Connection]:
    """The transaction a schema upgrade runs in, committed when the block ends without error.

    It takes the write lock up front (SQLite ``BEGIN IMMEDIATE``; on a server the
    schema lock, as the audit table may not exist yet).  On SQLite foreign keys
    are off inside it and every reference is checked before the commit; a
    dangling one raises ``「failed」：表 … 第 … 行引用的 … 不存在（共 n 处）；「unchanged」``
    and nothing is committed.
    """
    conn = conn.execution_options(laomo_write=True, laomo_schema=True)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(conn, False)
    try:
        with conn.begin():
            yield conn
            if sqlite:
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise LaomoError(f"{failed}：表 {bad[0][0]} 第 {bad[0][1]} 行"
                                     f"引用的 {bad[0][2]} 不存在（共 {len(bad)} 处）；{unchanged}")
    finally:
        if sqlite:
            _foreign_keys(conn, True)


def upgrade(conn: Connection) -> None:
    """Run the Alembic migrations to the head on ``conn``, in the caller's :func:`schema_transaction`."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the head revision; idempotent."""
    before = current_revision(engine)
    if before == HEAD:
        return before, HEAD
    if before is not None and before not in REVISIONS:
        raise newer_error(before)
    with engine.connect() as conn:
        try:
            with schema_transaction(conn, failed=f"升级数据库结构失败（{before} → {HEAD}）",
                                    unchanged="数据库未改动") as schema_conn:
                upgrade(schema_conn)
        except LaomoError:
            raise
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                raise  # locked, read-only, disk full: the command layer explains these
            raise LaomoError(f"升级数据库结构失败（{before or '空'} → {HEAD}）：{first_line(exc)}；数据库未改动") from None
    return before, HEAD


def check_schema(engine: Engine, *, create: bool = False) -> None:
    """Refuse an old or newer schema with a clear message; a database without laomo's schema is
    created (``create``, for ``init`` and ``quickstart``) or refused."""
    rev = current_revision(engine)
    if rev is None:
        if not create:
            from laomo.store.location import describe

            raise LaomoError(f"数据库 {describe(str(engine.url))} 中还没有 laomo 台账（新建台账请先运行 laomo init）")
        migrate(engine)
    elif rev != HEAD:
        if rev in REVISIONS:
            raise LaomoError(
                f"数据库结构版本 {rev} 低于本程序要求的 {HEAD}，请先运行 `laomo init` 升级（数据会保留）"
            )
        raise newer_error(rev)
