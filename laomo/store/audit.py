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
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
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
    """``before``/``after`` as the log stores them: personal fields masked, and ID-number-like or
    mobile-like runs masked inside any other text (a note, a reason, a file name)."""
    from laomo.safe import mask, scrub

    if isinstance(value, Mapping):
        return {k: (mask(str(v)) if k in PII_FIELDS and v is not None else redact(v)) for k, v in value.items()}
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _digest(prev: str, entry: Mapping[str, Any]) -> str:
    payload = json.dumps(
        [prev, entry["at"].isoformat(), entry["os_user"], entry["command"], entry["entity"],
         entry["key"], entry["before"], entry["after"]],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: The ``setting`` row holding the chain's head: the last entry's id and hash and the number of
#: entries, written in the same transaction as every append (by :func:`record_many`, the one
#: append path), so deleting the newest entries is detected too.
HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class Head:
    """Where the chain ended after the last committed append."""

    id: int
    hash: str
    count: int

    def to_text(self) -> str:
        return json.dumps({"id": self.id, "hash": self.hash, "count": self.count}, separators=(",", ":"))


def read_head(conn: Connection) -> Head | None:
    """The chain's head, or None for a database written before heads were kept (or an empty log)."""
    from sqlalchemy import select

    from laomo.models import Setting

    t = Setting.__table__
    text = conn.execute(select(t.c.value).where(t.c.key == HEAD_KEY)).scalar()
    if text is None:
        return None
    try:
        data = json.loads(text)
        return Head(id=int(data["id"]), hash=str(data["hash"]), count=int(data["count"]))
    except (ValueError, TypeError, KeyError):
        return Head(id=-1, hash="", count=-1)  # unreadable: never matches the chain, db check reports it


def _tail(conn: Connection) -> tuple[str, int]:
    """For a database without a head: the last entry's hash and the number of entries (read once)."""
    from sqlalchemy import func, select

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    last = conn.execute(select(t.c.hash).order_by(t.c.id.desc()).limit(1)).scalar() or ""
    return last, conn.execute(select(func.count()).select_from(t)).scalar_one()


def _write_head(conn: Connection, head: Head, *, exists: bool) -> None:
    from sqlalchemy import insert, update

    from laomo.models import Setting

    t = Setting.__table__
    if exists:
        conn.execute(update(t).where(t.c.key == HEAD_KEY).values(value=head.to_text()))
    else:
        conn.execute(insert(t).values(key=HEAD_KEY, value=head.to_text()))


def record_many(conn: Connection, entries: Iterable[tuple[str, str, Any, Any]], *, chunk: int = 1000) -> int:
    """Append ``(entity, key, before, after)`` entries in the caller's transaction, and move the
    chain's head (one statement per call).  The next entry links to the head, not to whatever
    entry happens to be last, so deleted newest entries stay detectable after later writes."""
    from sqlalchemy import func, insert, select

    from laomo.models import AuditEntry
    from laomo.safe import scrub

    table = AuditEntry.__table__
    head = read_head(conn)
    prev, total = (head.hash, head.count) if head is not None else _tail(conn)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    user, command = os_user(), _command.get()
    batch: list[dict[str, Any]] = []
    count = 0
    for entity, key, before, after in entries:
        entry = {
            "at": at, "os_user": user, "command": command, "entity": entity, "key": scrub(str(key))[:200],
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
    if count:
        last_id = conn.execute(select(func.max(table.c.id))).scalar_one()
        _write_head(conn, Head(id=last_id, hash=prev, count=total + count), exists=head is not None)
    return count


def record(conn: Connection, entity: str, key: str, before: Any = None, after: Any = None) -> None:
    """Append one entry (see :func:`record_many`)."""
    record_many(conn, [(entity, key, before, after)])


def verify_chain(conn: Connection) -> dict[str, Any]:
    """Walk the chain in id order; report the first entry altered, or the first gap; then compare
    the last entry with the chain's head (newest entries deleted, inserted or replaced)."""
    from sqlalchemy import func, select

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    prev = ""
    count = 0
    last_id = 0
    rows = conn.execute(select(t).order_by(t.c.id).execution_options(yield_per=2000))  # statement-level
    entries = rows.mappings()
    while True:
        try:
            row = next(entries, None)
        except ValueError:  # a stored time or JSON that cannot be read: the entry was altered
            bad = conn.execute(select(func.min(t.c.id)).where(t.c.id > last_id)).scalar()
            return {"ok": False, "entries": count + 1, "first_bad_id": bad,
                    "problem": f"第 {bad} 条记录的内容被改动（时间或内容已无法读取）"}
        if row is None:
            break
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
    head = read_head(conn)
    if head is None:
        result: dict[str, Any] = {"ok": True, "entries": count, "head": False}
        if count:
            result["note"] = "尚无链头记录（本版本之前写入的数据库），下一次写入时建立"
        return result
    if (head.id, head.hash, head.count) == (last_id, prev, count):
        return {"ok": True, "entries": count, "head": True}
    return {"ok": False, "entries": count, "first_bad_id": min(head.id, last_id) + 1 if head.id >= 0 else None,
            "problem": _head_problem(head, last_id, count)}


def _head_problem(head: Head, last_id: int, count: int) -> str:
    """Why the last entry does not match the chain's head, in one Chinese line."""
    if head.id < 0:
        return "链头记录（setting 表 audit_head）无法读取"
    now = f"现存 {count} 条、最后一条为第 {last_id} 条"
    if count < head.count and last_id < head.id:
        missing = head.count - count
        ids = f"第 {head.id} 条" if last_id + 1 == head.id else f"第 {last_id + 1}–{head.id} 条"
        return f"最新的 {missing} 条记录（{ids}）被删除（链头记录应有 {head.count} 条，{now}）"
    if count > head.count or last_id > head.id:
        return (f"第 {head.id} 条之后被插入了链头记录之外的记录"
                f"（链头记录应有 {head.count} 条、最后一条为第 {head.id} 条，{now}）")
    return f"最新的第 {last_id} 条记录被改动或替换（与链头记录不符，{now}）"


# --- Reading the log (``laomo db log``) -------------------------------------------------

_HEX_RE = re.compile(r"[0-9a-f]{32,}")


def _shown(value: Any) -> Any:
    """A value as the log shows it: personal fields masked (again — entries are stored masked,
    this guards entries written by older versions), ID/phone-like runs in free text masked."""
    from laomo.safe import scrub

    value = redact(value)
    if isinstance(value, Mapping):
        return {str(k): _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, str) and not _HEX_RE.fullmatch(value):  # a file's SHA-256 is not an ID number
        return scrub(value)
    return value


@dataclass(frozen=True)
class LogEntry:
    """One audit entry as shown: ``at`` in UTC, personal data masked."""

    id: int
    at: dt.datetime
    os_user: str
    command: str
    entity: str
    key: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "os_user": self.os_user, "command": self.command,
                "entity": self.entity, "key": self.key, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class AuditLog:
    """The entries read (oldest first) and how many matched in all (more when a limit cut it)."""

    entries: tuple[LogEntry, ...]
    matched: int

    @property
    def left_out(self) -> int:
        return self.matched - len(self.entries)

    def to_json(self) -> dict[str, Any]:
        return {"entries": [e.to_json() for e in self.entries]}


def _entry(row: Mapping[Any, Any]) -> LogEntry:
    at = row["at"]
    if isinstance(at, dt.datetime) and at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return LogEntry(id=row["id"], at=at, os_user=_shown(row["os_user"]), command=_shown(row["command"]),
                    entity=row["entity"], key=_shown(row["key"]), before=_shown(row["before"]),
                    after=_shown(row["after"]))


def _filtered(*, entity: str | None, key: str | None, since: dt.date | None, until: dt.date | None) -> Any:
    """The WHERE clause of the filters (dates are UTC days, both ends included)."""
    from sqlalchemy import and_, true

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    terms = []
    if entity is not None:
        terms.append(t.c.entity == entity)
    if key is not None:
        terms.append(t.c.key == key)
    if since is not None:
        terms.append(t.c.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    if until is not None:
        terms.append(t.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
    return and_(true(), *terms)


def iter_log(conn: Connection, *, entity: str | None = None, key: str | None = None,
             since: dt.date | None = None, until: dt.date | None = None) -> Iterator[LogEntry]:
    """The matching entries, oldest first, streamed (any number of entries, little memory)."""
    from sqlalchemy import select

    from laomo.models import AuditEntry

    t = AuditEntry.__table__
    where = _filtered(entity=entity, key=key, since=since, until=until)
    rows = conn.execute(select(t).where(where).order_by(t.c.id).execution_options(yield_per=2000))
    for row in rows.mappings():
        yield _entry(row)


def read_log(conn: Connection, *, entity: str | None = None, key: str | None = None,
             since: dt.date | None = None, until: dt.date | None = None, limit: int | None = None) -> AuditLog:
    """The matching entries, oldest first; with ``limit`` only the newest ``limit`` of them."""
    from sqlalchemy import func, select

    from laomo.errors import UsageError
    from laomo.models import AuditEntry

    if since is not None and until is not None and since > until:
        raise UsageError(f"起始日期 {since} 晚于截止日期 {until}", option="since")
    if limit is None:
        entries = tuple(iter_log(conn, entity=entity, key=key, since=since, until=until))
        return AuditLog(entries, len(entries))
    t = AuditEntry.__table__
    where = _filtered(entity=entity, key=key, since=since, until=until)
    matched = conn.execute(select(func.count()).select_from(t).where(where)).scalar_one()
    rows = conn.execute(select(t).where(where).order_by(t.c.id.desc()).limit(limit)).mappings().all()
    return AuditLog(tuple(_entry(r) for r in reversed(rows)), matched)
