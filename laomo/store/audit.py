"""操作日志：每次变更写一条审计记录（时间、系统用户、命令、实体、变更前后），并串成哈希链。

Entries are appended with SQLAlchemy Core in the caller's transaction, so an
audit entry exists exactly when its change was committed.  Each entry's
``hash`` is SHA-256 over its content and the previous entry's hash;
:func:`verify_chain` finds the first entry that was altered or deleted.

What is recorded per change (decided here, documented in the README):
single-record commands write one entry per changed row with before/after;
a bulk import writes one entry for the import (file, its SHA-256, counts)
plus one entry per *updated* row with before/after — inserted rows are
identified by the file hash and the entity keys in the database itself.

Personal data (decided here): ID numbers and phone numbers are stored in the
log *masked* (``110***********1234``), never in full and never hashed.  The
log is append-only and kept forever, so a full value there would outlive a
correction of the person's record; a hash of an ID number is no protection
(the space of valid numbers is small enough to enumerate).  The masked form
still shows that the field changed and roughly from what to what.  The
command line is recorded with ``--id-number``/``--phone`` masked as well.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _script_name() -> str:
    """What entries written by a library caller record as their command: the script's name."""
    arg0 = (getattr(sys, "argv", None) or [""])[0]
    if arg0 in ("", "-c", "-m"):
        return "python"
    path = Path(arg0)
    return path.parent.name if path.name == "__main__.py" else path.name


_command: ContextVar[str] = ContextVar("laomo_command", default=_script_name()[:500])
_user: str | None = None



def set_command(command: str) -> None:
    """The command line recorded with every entry of this run: ``laomo.cli.main`` sets it
    (with ``--id-number``/``--phone`` masked); a library caller may set its own."""
    _command.set(command[:500])


def os_user() -> str:
    global _user
    if _user is None:
        try:
            _user = getpass.getuser()
        except Exception:  # no passwd entry in a container
            _user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return _user


def jsonable(value: Any) -> Any:
    """Dates and other values as JSON-safe text, recursively."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


#: Fields holding personal data (the ``pii`` columns of ``laomo.ledger.columns``): masked in every entry.
PII_FIELDS = frozenset({"id_number", "phone"})


def redact(value: Any) -> Any:
    """``before``/``after`` with the values of personal fields masked."""
    if isinstance(value, Mapping) and not PII_FIELDS.isdisjoint(value):
        from laomo.safe import mask

        return {k: (mask(str(v)) if k in PII_FIELDS and v is not None else v) for k, v in value.items()}
    return value


def _digest(prev: str, entry: Mapping[str, Any]) -> str:
    payload = json.dumps(
        [prev, entry["at"].isoformat(), entry["os_user"], entry["command"], entry["entity"],
         entry["key"], entry["before"], entry["after"]],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _last_hash(conn: Connection) -> str:
    from sqlalchemy import select

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    return conn.execute(select(t.c.hash).order_by(t.c.id.desc()).limit(1)).scalar() or ""


def record_many(conn: Connection, entries: Iterable[tuple[str, str, Any, Any]], *, chunk: int = 1000) -> int:
    """Append ``(entity, key, before, after)`` entries in the caller's transaction."""
    from sqlalchemy import insert

    from laomo.models import AuditEntry

    table = AuditEntry.__table__
    prev = _last_hash(conn)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    user, command = os_user(), _command.get()
    batch: list[dict[str, Any]] = []
    count = 0
    for entity, key, before, after in entries:
        entry = {
            "at": at, "os_user": user, "command": command, "entity": entity, "key": str(key)[:200],
            "before": jsonable(redact(before)), "after": jsonable(redact(after)), "prev_hash": prev,
        }
        entry["hash"] = prev = _digest(prev, entry)
        batch.append(entry)
        count += 1
        if len(batch) >= chunk:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
    return count


def record(conn: Connection, entity: str, key: str, before: Any = None, after: Any = None) -> None:
    """Append one entry (see :func:`record_many`)."""
    record_many(conn, [(entity, key, before, after)])


def verify_chain(conn: Connection) -> dict[str, Any]:
    """Walk the chain in id order; report the first entry altered, or the first gap."""
    from sqlalchemy import select

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    prev = ""
    count = 0
    last_id = 0
    rows = conn.execute(select(t).order_by(t.c.id).execution_options(yield_per=2000))  # statement-level
    for row in rows.mappings():
        count += 1
        entry = dict(row)
        if entry["prev_hash"] != prev:
            return {"ok": False, "entries": count, "first_bad_id": entry["id"],
                    "problem": f"第 {entry['id']} 条之前的记录被删除或改动（链断开，上一条 id {last_id}）"}
        if _digest(prev, entry) != entry["hash"]:
            return {"ok": False, "entries": count, "first_bad_id": entry["id"],
                    "problem": f"第 {entry['id']} 条记录的内容被改动"}
        prev = entry["hash"]
        last_id = entry["id"]
    return {"ok": True, "entries": count}
