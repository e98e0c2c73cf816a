"""打开数据库：位置 → 连接 → 结构检查，每个进程每个数据库一次。

This is the store's face: :func:`open_engine` and the names the rest of laomo
uses, each defined once in the module of its concern —

* :mod:`laomo.store.location` — where the database lives (``--db`` >
  ``LAOMO_DB`` > ``./laomo.db``) and how a message names it without a password;
* :mod:`laomo.store.engine` — connection set-up, sessions and write locks;
* :mod:`laomo.store.schema` — revisions, migrations and the schema check;
* :mod:`laomo.store.failures` — a database failure said in one Chinese line;
* :mod:`laomo.store.backup` — online backup and the integrity check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from laomo.errors import LaomoError
from laomo.store.backup import backup, integrity_report
from laomo.store.engine import (
    BUSY_TIMEOUT_MS,
    SCHEMA_LOCK_KEY,
    lost_write_race,
    make_engine,
    read_session,
    write_session,
)
from laomo.store.failures import explain_failure, first_line
from laomo.store.location import DEFAULT_PATH, ENV_VAR, describe, redact, resolve_url, sqlite_path
from laomo.store.schema import HEAD, MIGRATIONS, REVISIONS, check_schema, current_revision, migrate, newer_error

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "BUSY_TIMEOUT_MS", "DEFAULT_PATH", "ENV_VAR", "HEAD", "MIGRATIONS", "REVISIONS", "SCHEMA_LOCK_KEY",
    "backup", "check_schema", "current_revision", "describe", "dispose_all", "explain_failure",
    "first_line", "integrity_report", "lost_write_race", "make_engine", "migrate", "newer_error",
    "open_engine", "read_session", "redact", "refuse_missing", "resolve_url", "sqlite_path", "write_session",
]

_engines: dict[str, Engine] = {}
_checked: set[str] = set()  # URLs whose schema this process has checked


def open_engine(db: str | None = None, *, check: bool = True, create: bool = False) -> Engine:
    """The engine for ``db``/``LAOMO_DB``/``./laomo.db``, schema checked once per process.

    Only ``create=True`` (``init``, ``quickstart``) makes a database: otherwise
    a SQLite file that does not exist is refused before anything touches the
    disk (a mistyped path must never give an empty report that looks like
    success), and so is a database without laomo's schema.  An engine first
    opened with ``check=False`` (``init``, ``db check``) is still checked the
    first time it is asked for with ``check=True``.
    """
    url = resolve_url(db)
    engine = _engines.get(url)
    fresh = engine is None
    if check and not create and url not in _checked:
        refuse_missing(url)
    if engine is None:
        engine = make_engine(url)
    if check and url not in _checked:
        try:
            check_schema(engine, create=create)
        except Exception as exc:
            if fresh:
                engine.dispose()
            if isinstance(exc, LaomoError):
                raise
            raise LaomoError(explain_failure(exc, url) or f"无法打开数据库 {describe(url)}：{first_line(exc)}") from None
        _checked.add(url)
    _engines[url] = engine
    return engine


def refuse_missing(url: str) -> None:
    """Refuse a SQLite database file that does not exist (nothing is created)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise LaomoError(f"数据库不存在：{path}（新建台账请先运行 laomo init）")


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _checked.clear()
