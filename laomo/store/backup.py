"""数据库的保管：在线备份（db backup）与完整性检查（db check）。"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError
from laomo.store import engine as connections
from laomo.store import schema
from laomo.store.location import describe, expand, sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def backup(engine: Engine, target: Path) -> int:
    """A consistent online copy of a SQLite database (the SQLite backup API).

    Returns the size of the copy in bytes.  The copy is created with mode 0600.
    """
    src_path = sqlite_path(str(engine.url))
    if src_path is None:
        raise LaomoError("db backup 只适用于 SQLite 数据库；PostgreSQL 请使用 pg_dump")
    from laomo.store.targets import DATABASE_SUFFIXES, check_target

    check_target(target, label="备份文件", database=[Path(f"{src_path}{s}") for s in DATABASE_SUFFIXES])
    target = expand(target).resolve()
    if not target.parent.is_dir():
        raise LaomoError(f"备份文件所在的目录不存在：{target.parent}（请先建好该目录，或换一个已有的目录）")
    if target.exists():
        raise LaomoError(f"备份文件已存在，拒绝覆盖：{target}")
    connections.create_private_file(target)
    src = sqlite3.connect(src_path, timeout=connections.BUSY_TIMEOUT_MS / 1000)
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


def integrity_report(engine: Engine) -> dict[str, Any]:
    """Schema version, SQLite integrity and foreign-key checks, and the audit chain."""
    from sqlalchemy import text

    from laomo.store import audit

    report: dict[str, Any] = {"database": describe(str(engine.url))}
    rev = schema.current_revision(engine)
    report["schema_version"] = rev
    report["schema_current"] = rev == schema.HEAD
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            report["integrity"] = "ok" if rows == ["ok"] else rows[:20]
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            report["foreign_key_violations"] = [
                {"table": r[0], "rowid": r[1], "parent": r[2]} for r in fk[:50]
            ]
            if rev == schema.HEAD:  # the check reads the columns the code knows
                report["values"] = unreadable_values(conn)
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
        and not report.get("values")
    )
    report["ok"] = bool(ok)
    return report


#: SQLite keeps whatever is written into a column; these conditions find values that SQLAlchemy
#: cannot read back as the column's type (a date edited by hand into 2025/3/1, text in an
#: integer column, JSON that does not parse), by column type.
_UNREADABLE = {
    "DATE": "NOT (typeof({c}) = 'text' AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')",
    "DATETIME": "NOT (typeof({c}) = 'text' AND {c} GLOB "
                "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*')",
    "JSON": "NOT json_valid({c})",
    "BOOLEAN": "{c} NOT IN (0, 1)",
    "INTEGER": "typeof({c}) <> 'integer'",
    "FLOAT": "typeof({c}) NOT IN ('integer', 'real')",
}
MAX_LISTED = 20


def unreadable_values(conn: Any) -> list[dict[str, Any]]:
    """Stored values of a SQLite database that cannot be read as their column's type: one query
    per typed column, the first ``MAX_LISTED`` found (table, row id, column, value)."""
    from laomo.models import SQLModel

    found: list[dict[str, Any]] = []
    prep = conn.dialect.identifier_preparer
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            cond = _UNREADABLE.get(_kind(column.type) or "")
            if cond is None or column.primary_key:
                continue
            c = prep.quote(column.name)
            key = "rowid" if "id" not in table.c else "id"
            rows = conn.exec_driver_sql(
                f"SELECT {key}, {c} FROM {prep.format_table(table)} WHERE {c} IS NOT NULL AND "
                f"{cond.format(c=c)} LIMIT {MAX_LISTED - len(found)}").fetchall()
            found += [{"table": table.name, "id": r[0], "column": column.name, "value": str(r[1])[:60]}
                      for r in rows]
            if len(found) >= MAX_LISTED:
                return found
    return found


def _kind(type_: Any) -> str | None:
    """The key of ``_UNREADABLE`` for a column type (a TypeDecorator by the type it stores as)."""
    from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer
    from sqlalchemy.types import TypeDecorator

    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for cls, kind in ((DateTime, "DATETIME"), (Date, "DATE"), (JSON, "JSON"), (Boolean, "BOOLEAN"),
                      (Integer, "INTEGER"), (Float, "FLOAT")):
        if isinstance(type_, cls):
            return kind
    return None
