"""登记（单条记录）与数据库初始化的核心函数：只接受 session/engine，不依赖命令行。"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError, UsageError
from laomo.ledger.columns import KINDS
from laomo.ledger.importer import ImportResult, RecordSource, clear_keys, import_source
from laomo.models import UNION_SETTING
from laomo.store import audit

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session


def register_record(session: Session, *, kind: str, record: Mapping[str, Any],
                    new_code: tuple[str, str] | None = None, clear: Iterable[str] = (),
                    correct: str | None = None) -> ImportResult:
    """Insert or update one record of ``kind`` exactly as a one-row import would.

    ``record`` maps column keys (English aliases, e.g. ``id_number``) to raw
    values; keys absent from it (or None) leave an existing record's fields
    untouched: a record giving only some required fields patches a stored
    one, and raises :class:`~laomo.ledger.importer.MissingFields` (naming the
    fields a new record needs) when its key is not stored.  ``clear``: fields
    (English keys or Chinese headers) to empty.  ``correct``: the reason of a
    deliberate correction of a person's name or ID number (audited).
    Each change gets its own audit entry with before/after.  ``new_code``
    (table, prefix) gives a record without a ``code`` the next free one —
    allocated here, in the caller's write session, so that two clerks
    registering at once can never be handed the same code (the second would
    silently overwrite the first's record).
    """
    kind_def = KINDS[kind]
    cleared = clear_keys(kind_def, clear)
    given = {k: v for k, v in record.items() if v is not None}
    both = [kind_def.column(k).header for k in cleared if k in given and given[k] != ""]
    if both:
        raise UsageError(f"{'、'.join(both)}不能既给出新值又清空", option="clear")
    given.update(dict.fromkeys(cleared, ""))
    if new_code is not None and not given.get("code"):
        table, prefix = new_code
        given["code"] = next_code(session, table=table, prefix=prefix)
    patch = any(c.required and c.key not in given for c in kind_def.columns)
    source = RecordSource(kind, [given])
    return import_source(session, source, kind=kind, audit_inserts=True, clear=cleared, patch=patch,
                         correct=correct)


def next_code(session: Session, *, table: str, prefix: str, width: int = 5) -> str:
    """The next free code like ``A00543`` for records registered without one.

    Call it in the write session that inserts the record: the session's write
    lock (``laomo.store.db.write_session``) keeps another writer from taking the
    same code before this one commits.  Codes are compared case-sensitively
    on every backend (the ``LIKE`` only narrows the scan; SQLite's ``LIKE`` is
    case-insensitive, so the pattern decides).
    """
    from sqlalchemy import select

    from laomo.models import SQLModel

    t = SQLModel.metadata.tables[table]
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    highest = 0
    rows = session.connection().execute(select(t.c.code).where(t.c.code.like(f"{prefix}%")))
    for (code,) in rows:
        m = pattern.match(code)
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{prefix}{highest + 1:0{width}d}"


def get_setting(session: Session, *, key: str, default: str | None = None) -> str | None:
    from laomo.models import Setting

    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(session: Session, *, key: str, value: str) -> bool:
    """Store a setting; audited.  Returns True when it changed."""
    from laomo.models import Setting

    row = session.get(Setting, key)
    before = row.value if row is not None else None
    if before == value:
        return False
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    audit.record(session.connection(), "setting", key, {"value": before}, {"value": value})
    return True


def init_database(engine: Engine, *, union: str | None = None) -> dict[str, Any]:
    """Create or upgrade the schema (idempotent) and record the union's name."""
    from laomo.store import db
    before, after = db.migrate(engine)
    changed_union = False
    with db.write_session(engine) as session:
        if before != after:
            audit.record(session.connection(), "database", "schema", {"revision": before}, {"revision": after})
        if union is not None:
            union = union.strip()
            if not union:
                raise LaomoError("工会名称不能为空", option="union")
            changed_union = set_setting(session, key=UNION_SETTING, value=union)
        current_union = get_setting(session, key=UNION_SETTING)
    return {"database": db.describe(str(engine.url)), "from": before, "to": after,
            "created": before is None, "upgraded": before is not None and before != after,
            "union": current_union, "union_changed": changed_union}


def ledger_counts(session: Session) -> dict[str, int]:
    """Row counts of the ledger's tables (one COUNT per table); voided records are not counted."""
    from sqlalchemy import func, select

    from laomo.domain.predicates import in_force
    from laomo.models import SQLModel

    names = ("person", "honor", "studio", "member", "achievement", "activity",
             "mentorship", "inspection", "designation", "assessment")
    conn = session.connection()
    counts: dict[str, int] = {}
    for n in names:
        t = SQLModel.metadata.tables[n]
        q = select(func.count()).select_from(t)
        counts[n] = conn.execute(q.where(in_force(t)) if "voided_at" in t.c else q).scalar_one()
    return counts
