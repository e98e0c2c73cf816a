"""数据库的保管：在线备份（db backup）与完整性检查（db check）。"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError
from laomo.store import engine as connections
from laomo.store import schema
from laomo.store.location import describe, sqlite_path

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
    target = target.expanduser().resolve()
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
