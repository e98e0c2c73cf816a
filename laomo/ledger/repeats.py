"""重复登记：a single ``register achievement|activity`` identical to one already stored adds nothing
unless the caller says it is another one (cli.md "Safety", Repeated entry).

"Identical" is the same studio, the same date and the same title (achievements) or the same
kind and title (activities), among the records in force: a voided record is not "already
stored", so registering it anew adds a record.  :func:`register_entry` checks that before the
single-record register (:func:`laomo.ledger.records.register_record`) runs:

* an identical record in force, every value given equal to its own → nothing written; the
  :class:`Repeat` says which record (the command notes it and succeeds: a re-run script
  must not fail, and nothing changed);
* an identical record in force whose values differ from those given → nothing written; the
  :class:`Repeat` lists the values that differ (the command refuses: the change asked for
  was not made, and it is unclear whether it is a correction or another record);
* ``again`` (the caller says it is another one) → a second record: an achievement gets the
  next free code, an activity the next session number of that day, kind and title.

An achievement given with the code of a stored one is that achievement (a patch, as
before) — refused when that achievement is voided: a voided record is never changed.  So is
a member, 师带徒, honor or inspection score registered under the natural key of a voided one
(the key is unique: a new record cannot take it).  An activity whose day, kind and title
are only held by voided sessions becomes the next session (the voided ones keep their
numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.domain import predicates, voiding
from laomo.domain.numbers import whole
from laomo.errors import LaomoError
from laomo.ledger import values
from laomo.ledger.columns import KINDS
from laomo.ledger.importer import ImportResult
from laomo.store import audit

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

#: The kinds a repeat is looked for in, and the fields that identify a record besides the studio.
IDENTITY = {"achievements": ("date", "title"), "activities": ("date", "kind", "title")}

#: The kinds identified by their natural key alone: a register of a voided one's key is refused.
KEYED = ("members", "mentorships", "honors", "inspections")


@dataclass(frozen=True)
class Repeat:
    """A record in force identical to the one being registered."""

    kind: str  # achievements, activities
    label: str  # 成果, 活动
    key: str  # its natural key with codes: S0001/A00012, S0001/2025-03-02/training/安全培训
    code: str | None  # an achievement's 编号
    summary: str  # 「名称」，2025-03-01 …
    differs: tuple[str, ...]  # the headers of the values given that differ from the stored ones

    @property
    def same(self) -> bool:
        return not self.differs

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "same": self.same, "differs": list(self.differs)}


@dataclass(frozen=True)
class Entry:
    """What :func:`register_entry` did: ``result`` of the write (None: nothing written, see
    ``repeat``); ``repeat``: the identical record found (with ``again``: the one repeated)."""

    result: ImportResult | None
    repeat: Repeat | None


def register_entry(session: Session, *, kind: str, record: Mapping[str, Any], again: bool = False,
                   new_code: tuple[str, str] | None = None, clear: Iterable[str] = (),
                   correct: str | None = None) -> Entry:
    """Register one record of ``kind`` as :func:`~laomo.ledger.records.register_record` does, unless an
    identical achievement or activity is stored already (see the module)."""
    from laomo.ledger.records import register_record

    if kind in KEYED:
        _refuse_voided_key(session.connection(), kind, record)
    parsed = _parsed(session.connection(), kind, record) if kind in IDENTITY else None
    if parsed is None:  # another kind, or a value the register itself will refuse with its message
        return Entry(register_record(session, kind=kind, record=record, new_code=new_code, clear=clear,
                                     correct=correct), None)
    if kind == "achievements":
        _refuse_voided_code(session.connection(), parsed)
    stored = _stored(session.connection(), kind, parsed)
    in_force = [r for r in stored if r["voided_at"] is None]
    code = parsed.values.get("code")
    if kind == "achievements" and code and any(r["code"] == code for r in in_force):
        # its own 编号 given: a patch of that achievement, not a repeat of it
        return Entry(register_record(session, kind=kind, record=record, new_code=new_code, clear=clear,
                                     correct=correct), None)
    repeat = _repeat(kind, parsed, in_force) if in_force else None
    if repeat is not None and not again:
        return Entry(None, repeat)
    if kind == "activities" and stored:  # a later session of the day, kind and title
        return Entry(_add_session(session.connection(), parsed, stored), repeat)
    return Entry(register_record(session, kind=kind, record=record, new_code=new_code, clear=clear,
                                 correct=correct), repeat)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Parsed:
    kind: str
    studio_id: int
    studio: str
    values: dict[str, Any]  # column key → parsed value, of the columns given (identity included)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _parsed(conn: Connection, kind: str, record: Mapping[str, Any]) -> _Parsed | None:
    """The record's values parsed as the import parses them; None when one is missing or invalid
    (the register then refuses it with the usual message)."""
    from sqlalchemy import select

    from laomo.models import Studio

    cols = KINDS[kind].columns
    out: dict[str, Any] = {}
    for col in cols:
        raw = record.get(col.key)
        if col.ref is not None or _blank(raw):
            continue
        try:
            out[col.key] = col.parse(raw)
        except values.Invalid:
            return None
    if kind == "activities":
        out.setdefault("title", "")
    if any(k not in out for k in IDENTITY[kind]) or _blank(record.get("studio")):
        return None
    code = str(record["studio"]).strip()
    s = Studio.__table__
    sid = conn.execute(select(s.c.id).where(s.c.code == code)).scalar()
    return None if sid is None else _Parsed(kind, sid, code, out)


def _table(kind: str) -> Any:
    from laomo.models import SQLModel

    return SQLModel.metadata.tables[KINDS[kind].table]


def _stored(conn: Connection, kind: str, p: _Parsed) -> list[Mapping[str, Any]]:
    """The stored records (voided too) of the same studio and identity, in key order."""
    from sqlalchemy import select

    t = _table(kind)
    q = select(t).where(t.c.studio_id == p.studio_id, *(t.c[k] == p.values[k] for k in IDENTITY[kind]))
    order = t.c.seq if kind == "activities" else t.c.code
    return [dict(r) for r in conn.execute(q.order_by(order)).mappings()]


def _refuse_voided_code(conn: Connection, p: _Parsed) -> None:
    """An achievement registered under the code of a voided one: refused (a voided record stays as it was)."""
    from sqlalchemy import select

    code = p.values.get("code")
    if code is None:
        return
    t = _table("achievements")
    row = conn.execute(select(t.c.voided_at, t.c.void_reason).where(
        t.c.studio_id == p.studio_id, t.c.code == code, ~predicates.in_force(t))).first()
    if row is not None:
        raise LaomoError(f"成果 {p.studio}/{code} 已于 {voiding.local_day(row.voided_at).isoformat()} 作废"
                         f"（原因：{row.void_reason or '未写明'}），作废的记录不再修改；请另用一个编号登记", option="code")


def _refuse_voided_key(conn: Connection, kind: str, record: Mapping[str, Any]) -> None:
    """A member, 师带徒, honor or score registered under the key of a voided one: refused (the register
    would change a voided record, which would still count nowhere)."""
    from sqlalchemy import select

    k = KINDS[kind]
    t = _table(kind)
    conds, shown = [], []
    for target in k.key:
        col = next(c for c in k.columns if c.target == target)
        raw = record.get(col.key)
        if _blank(raw):
            return
        try:
            value = col.parse(raw)
        except values.Invalid:
            return  # the register refuses it with its own message
        shown.append(str(value))
        if col.ref is not None:
            ref = t.metadata.tables[col.ref]
            value = conn.execute(select(ref.c.id).where(ref.c.code == value)).scalar()
            if value is None:
                return
        conds.append(t.c[target] == value)
    row = conn.execute(select(t.c.voided_at, t.c.void_reason).where(*conds, ~predicates.in_force(t))).first()
    if row is not None:
        raise LaomoError(f"{k.label} {'/'.join(shown)} 已于 {voiding.local_day(row.voided_at).isoformat()} 作废"
                         f"（原因：{row.void_reason or '未写明'}）；作废的记录保持原样，不能再修改或重新登记")


def _repeat(kind: str, p: _Parsed, rows: Sequence[Mapping[str, Any]]) -> Repeat:
    """The stored record the one given repeats: one whose given values are all equal, else the first."""
    headers = {c.key: c.header for c in KINDS[kind].columns}
    given = {k: v for k, v in p.values.items() if k not in IDENTITY[kind] and k != "code"}

    def differs(row: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(headers[k] for k, v in given.items() if row[k] != v)

    row = next((r for r in rows if not differs(r)), rows[0])
    if kind == "achievements":
        key = f"{p.studio}/{row['code']}"
        summary = f"「{row['title']}」，{row['date'].isoformat()}"
        return Repeat(kind, "成果", key, row["code"], summary, differs(row))
    key = _activity_key(p.studio, row["date"], row["kind"], row["title"], row["seq"])
    figures = [f"人次 {row['participants']}" if row["participants"] is not None else "",
               f"学时 {whole(row['hours'])}" if row["hours"] is not None else ""]
    summary = "，".join(x for x in figures if x) or "未填人次、学时"
    return Repeat(kind, "活动", key, None, summary, differs(row))


def _activity_key(studio: str, date: dt.date, kind: str, title: str, seq: int) -> str:
    """An activity's key as the import and the audit log write it."""
    return f"{studio}/{date.isoformat()}/{kind}/{title}" + (f"#{seq}" if seq != 1 else "")


# --------------------------------------------------------------------------- writing


def _add_session(conn: Connection, p: _Parsed, stored: Sequence[Mapping[str, Any]]) -> ImportResult:
    """Insert the activity as the next session of its day, kind and title (audited like a register)."""
    from sqlalchemy import insert

    seq = max(r["seq"] for r in stored) + 1
    row = {"studio_id": p.studio_id, "date": p.values["date"], "kind": p.values["kind"],
           "title": p.values["title"], "seq": seq, "participants": p.values.get("participants"),
           "hours": p.values.get("hours")}
    conn.execute(insert(_table("activities")).values(**row))
    key = _activity_key(p.studio, row["date"], row["kind"], row["title"], seq)
    audit.record(conn, "activity", key, None, {k: v for k, v in row.items() if k != "studio_id"})
    result = ImportResult("activities", "命令行", "-", read=1, inserted=1, committed=True)
    result.keys.append(key)
    return result
