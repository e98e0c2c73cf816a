"""作废误录的记录（``laomo register void KIND KEY --reason R``）。

A record entered by mistake — an achievement, activity, member, 师带徒, honor or on-site
inspection score — is voided, never deleted (cli.md "Safety"): the row stays in its table
with when and why (``voided_at``, ``void_reason``), the audit log has the entry, and from then
on it counts nowhere (:func:`laomo.domain.predicates.in_force` is in every statement that
reads these tables: facts, assessments, eligibility, reports).

KEY is the record's natural key with codes, as the audit log and the import messages write it:

=============  ==========================================  ==================================
kind           KEY                                         e.g.
=============  ==========================================  ==================================
achievement    studio/编号, or the 编号 alone when no       ``S0041/3``, ``A00012``
               other studio has an achievement of that 编号
activity       studio/date/kind/title, ``#n`` for the       ``S0001/2025-03-02/training/安全培训``
               n-th session of the same day, kind and title ``S0001/2025-03-02/培训/安全培训#2``
member         studio/person                               ``S0001/P0001``
mentorship     studio/mentor/apprentice                    ``S0001/P0001/P0002``
honor          person/kind/year                            ``P0001/省部级劳动模范/2020``
inspection     studio/year/item                            ``S0001/2025/A1``
=============  ==========================================  ==================================

Enumerated parts (activity kind, honor kind) are accepted in Chinese or English, dates in
any form the import accepts (without ``/``), an item in any case.  KIND is accepted in
English (singular or plural) or Chinese (成果 活动 成员 师带徒 荣誉 现场检查).

Refused, with nothing written: an unknown KIND or a KEY of the wrong shape (usage errors),
a key matching no record (NotFound, listing the keys of the same studio or person), an
achievement 编号 shared by several studios (the keys to choose from), a record already
voided (when and why), an empty reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.domain import predicates, voiding
from laomo.enums import ACTIVITY_KIND, HONOR_KIND
from laomo.errors import LaomoError, NotFound, UsageError
from laomo.ledger import values

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

#: The most keys listed when a key matches no record, and the most records looked at to choose them.
NEAR_KEYS = 10
NEAR_SCAN = 5000

#: The longest reason stored (``void_reason``).
REASON_MAX = 1000


@dataclass(frozen=True)
class VoidKind:
    """One kind of record that can be voided."""

    name: str  # the table, and the entity of its audit entries
    label: str  # 成果
    shape: str  # the key's parts, for messages
    example: str
    names: tuple[str, ...]  # what KIND may be written as


VOID_KINDS: dict[str, VoidKind] = {k.name: k for k in (
    VoidKind("achievement", "成果", "工作室编号/成果编号（编号在台账中唯一时可只写成果编号）", "S0001/A00012",
             ("achievement", "achievements", "成果", "创新成果")),
    VoidKind("activity", "活动", "工作室编号/日期/类型/主题（同日同类同主题的第 n 场加 #n）",
             "S0001/2025-03-02/培训/安全培训", ("activity", "activities", "活动")),
    VoidKind("member", "成员", "工作室编号/人员编号", "S0001/P0001", ("member", "members", "成员")),
    VoidKind("mentorship", "师带徒", "工作室编号/师傅编号/徒弟编号", "S0001/P0001/P0002",
             ("mentorship", "mentorships", "师带徒")),
    VoidKind("honor", "荣誉", "人员编号/荣誉/年份", "P0001/省部级劳动模范/2020", ("honor", "honors", "荣誉")),
    VoidKind("inspection", "现场检查评分", "工作室编号/年度/考核项", "S0001/2025/A1",
             ("inspection", "inspections", "现场检查", "现场检查评分")),
)}

_BY_NAME = {n: k for k in VOID_KINDS.values() for n in k.names}

#: What KIND may be, for help texts.
KIND_CHOICES = "achievement activity member mentorship honor inspection（或 成果 活动 成员 师带徒 荣誉 现场检查）"


@dataclass(frozen=True)
class VoidedRecord:
    """What :func:`void_record` did."""

    kind: str  # achievement, activity, …
    label: str  # 成果
    key: str  # the natural key with codes, as the audit log writes it
    id: int
    reason: str
    voided_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "id": self.id,
                "voided": voiding.voided_json(self.voided_at, self.reason)}


def void_kind(kind: str) -> VoidKind:
    """The kind named ``kind`` (English or Chinese); a usage mistake when there is none."""
    found = _BY_NAME.get(kind.strip().lower()) or _BY_NAME.get(kind.strip())
    if found is None:
        raise UsageError(f"不能作废「{kind}」类记录，可作废的类型：{KIND_CHOICES}")
    return found


def void_record(session: Session, *, kind: str, key: str, reason: str | None,
                at: dt.datetime | None = None) -> VoidedRecord:
    """Void the record of ``kind`` whose natural key is ``key``, for ``reason`` (audited).

    ``at``: the moment stamped (default now).  Refused, with nothing written, as the module
    says.
    """
    from sqlalchemy import update

    from laomo.store import audit

    k = void_kind(kind)
    why = _reason(reason)
    conn = session.connection()
    found = _find(conn, k, key)
    if found.voided_at is not None:
        raise LaomoError(f"{k.label} {found.key} 已于 {voiding.local_day(found.voided_at).isoformat()} 作废"
                         f"（原因：{found.void_reason or '未写明'}），不能再次作废")
    stamp = voiding.utc(at) if at is not None else voiding.now()
    table = _table(k.name)
    conn.execute(update(table).where(table.c.id == found.id, predicates.in_force(table))
                 .values(voided_at=stamp, void_reason=why))
    audit.record(conn, k.name, found.key, {"voided_at": None, "void_reason": None},
                 {"voided_at": stamp.isoformat(), "void_reason": why})
    return VoidedRecord(kind=k.name, label=k.label, key=found.key, id=found.id, reason=why, voided_at=stamp)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise UsageError("作废必须说明原因（将记入操作日志）", option="reason")
    if len(text) > REASON_MAX:
        raise UsageError(f"作废原因过长（最多 {REASON_MAX} 个字符）", option="reason")
    if any(ord(c) < 32 and c not in "\t" for c in text):
        raise UsageError("作废原因不能包含换行或控制字符", option="reason")
    return text


def _table(name: str) -> Any:
    from laomo.models import SQLModel

    return SQLModel.metadata.tables[name]


# --------------------------------------------------------------------------- finding the record


@dataclass(frozen=True)
class _Found:
    id: int
    key: str
    voided_at: dt.datetime | None
    void_reason: str | None


@dataclass(frozen=True)
class _Lookup:
    """How a kind's records are read: the statement (``id, voided_at, void_reason``, then the key's
    parts with codes), the key's columns to filter on, and how the KEY's parts are parsed."""

    statement: Select[Any]
    columns: Sequence[Any]
    parsers: Sequence[Callable[[str], Any]]
    owner: str  # what the first part is, for "no such …": 工作室 or 人员


def _lookup(kind: str) -> _Lookup:
    """The statement and key columns of ``kind`` (codes joined from studio and person)."""
    from sqlalchemy import select

    s, p = _table("studio"), _table("person")
    t = _table(kind)
    head = (t.c.id, t.c.voided_at, t.c.void_reason)
    code = values.parse_code
    if kind == "achievement":
        return _Lookup(select(*head, s.c.code, t.c.code).select_from(t.join(s, s.c.id == t.c.studio_id)),
                       (s.c.code, t.c.code), (code, code), "工作室")
    if kind == "activity":
        return _Lookup(select(*head, s.c.code, t.c.date, t.c.kind, t.c.title, t.c.seq)
                       .select_from(t.join(s, s.c.id == t.c.studio_id)),
                       (s.c.code, t.c.date, t.c.kind, t.c.title), (code, _date, _activity_kind, _title), "工作室")
    if kind == "member":
        return _Lookup(select(*head, s.c.code, p.c.code).select_from(
            t.join(s, s.c.id == t.c.studio_id).join(p, p.c.id == t.c.person_id)),
            (s.c.code, p.c.code), (code, code), "工作室")
    if kind == "mentorship":
        mentor, apprentice = p.alias("mentor"), p.alias("apprentice")
        return _Lookup(select(*head, s.c.code, mentor.c.code, apprentice.c.code).select_from(
            t.join(s, s.c.id == t.c.studio_id).join(mentor, mentor.c.id == t.c.mentor_id)
            .join(apprentice, apprentice.c.id == t.c.apprentice_id)),
            (s.c.code, mentor.c.code, apprentice.c.code), (code, code, code), "工作室")
    if kind == "honor":
        return _Lookup(select(*head, p.c.code, t.c.kind, t.c.year).select_from(t.join(p, p.c.id == t.c.person_id)),
                       (p.c.code, t.c.kind, t.c.year), (code, _honor_kind, _year), "人员")
    return _Lookup(select(*head, s.c.code, t.c.year, t.c.item).select_from(t.join(s, s.c.id == t.c.studio_id)),
                   (s.c.code, t.c.year, t.c.item), (code, _year, _item), "工作室")


def _date(text: str) -> dt.date:
    return values.parse_date(text)


def _activity_kind(text: str) -> str:
    value = ACTIVITY_KIND.parse(text)
    if value is None:
        raise values.Invalid(f"活动类型「{text}」无效，可选：{ACTIVITY_KIND.choices_text()}")
    return value


def _honor_kind(text: str) -> str:
    value = HONOR_KIND.parse(text)
    if value is None:
        raise values.Invalid(f"荣誉「{text}」无效，可选：{HONOR_KIND.choices_text()}")
    return value


def _title(text: str) -> str:
    return text.strip()


def _year(text: str) -> int:
    if not text.strip().isdigit():
        raise values.Invalid(f"年份「{text}」无效")
    return int(text)


def _item(text: str) -> str:
    return values.parse_code(text, "考核项").upper()


_SEQ_RE = re.compile(r"#(\d{1,6})$")


def _split(k: VoidKind, key: str, parsers: Sequence[Callable[[str], Any]]) -> tuple[list[Any], int]:
    """The KEY's parts parsed (None: an achievement's studio left out), and the session number."""
    text = key.strip()
    seq = 1
    if k.name == "activity":
        m = _SEQ_RE.search(text)
        if m:
            seq, text = int(m.group(1)), text[:m.start()]
        raw = text.split("/", 3)
        if len(raw) == 3:
            raw.append("")  # an activity without a title
        optional = {3}
    else:
        raw = text.split("/")
        if k.name == "achievement" and len(raw) == 1:
            raw = ["", raw[0]]  # the 编号 alone
        optional = {0} if k.name == "achievement" else set()
    if len(raw) != len(parsers) or seq < 1 or any(not r.strip() for i, r in enumerate(raw) if i not in optional):
        raise UsageError(f"{k.label}的 KEY「{key}」格式不对，应写作 {k.shape}，如 {k.example}")
    parts: list[Any] = []
    for i, (r, parse) in enumerate(zip(raw, parsers)):
        if k.name == "achievement" and i == 0 and not r.strip():
            parts.append(None)
            continue
        try:
            parts.append(parse(r))
        except values.Invalid as exc:
            raise UsageError(f"{k.label}的 KEY「{key}」中「{r}」无效：{exc}（应写作 {k.shape}）") from None
    return parts, seq


def _key_text(parts: Sequence[Any], seq: int | None = None) -> str:
    """A record's key as the audit log writes it: its parts joined by ``/``, ``#n`` for a later session."""
    text = "/".join("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in parts)
    return text + (f"#{seq}" if seq not in (None, 1) else "")


def _row_key(k: VoidKind, row: Sequence[Any]) -> str:
    """The key of a row of :func:`_lookup`'s statement."""
    parts = row[3:]
    return _key_text(parts[:4], parts[4]) if k.name == "activity" else _key_text(parts)


def _find(conn: Connection, k: VoidKind, key: str) -> _Found:
    """The one record of ``k`` whose key is ``key``, or NotFound/LaomoError saying which keys exist."""
    look = _lookup(k.name)
    parts, seq = _split(k, key, look.parsers)
    q = look.statement.where(*(c == v for c, v in zip(look.columns, parts) if v is not None))
    if k.name == "activity":
        q = q.where(_table("activity").c.seq == seq)
    rows = conn.execute(q.order_by(*look.columns).limit(NEAR_KEYS + 1)).all()
    if len(rows) == 1:
        r = rows[0]
        return _Found(r[0], _row_key(k, r), r[1], r[2])
    if rows:  # only an achievement's 编号 alone can match several
        keys = "、".join(_row_key(k, r) for r in rows[:NEAR_KEYS])
        raise LaomoError(f"成果编号 {parts[1]} 在多个工作室都有，请写成 工作室编号/成果编号：{keys}")
    raise NotFound(f"没有{k.label} {key.strip()}" + _near(conn, look, k, parts))


def _near(conn: Connection, look: _Lookup, k: VoidKind, parts: Sequence[Any]) -> str:
    """"；工作室 S0001 的成果中最接近的有：…" — the keys stored under the same studio or person, those
    sharing most parts with the KEY (then the nearest dates) first."""
    from sqlalchemy import select

    owner = parts[0]
    if owner is None:
        return f"（没有哪个工作室有编号为 {parts[1]} 的成果）"
    owner_table = _table("studio" if look.owner == "工作室" else "person")
    if conn.execute(select(owner_table.c.id).where(owner_table.c.code == owner)).first() is None:
        return f"（没有编号为 {owner} 的{look.owner}）"
    rows = list(conn.execute(look.statement.where(look.columns[0] == owner).limit(NEAR_SCAN)))
    if not rows:
        return f"（{look.owner} {owner} 没有{k.label}记录）"

    def closeness(row: Sequence[Any]) -> tuple[Any, ...]:
        stored = row[3:3 + len(parts)]
        same = sum(a == b for a, b in zip(stored, parts))
        days = min((abs((a - b).days) for a, b in zip(stored, parts)
                    if isinstance(a, dt.date) and isinstance(b, dt.date)), default=0)
        return -same, days, _row_key(k, row)

    rows.sort(key=closeness)
    keys = [_row_key(k, r) + ("（已作废）" if r[1] is not None else "") for r in rows[:NEAR_KEYS]]
    more = "……" if len(rows) > NEAR_KEYS else ""
    return f"；{look.owner} {owner} 的{k.label}中最接近的有：{'、'.join(keys)}{more}"


# --------------------------------------------------------------------------- listing


def voided_records(conn: Connection, *, studio_id: int, person_ids: Iterable[int] = ()) -> list[VoidedRecord]:
    """The voided achievements, activities, members, 师带徒 and inspection scores of a studio, and
    the voided honors of ``person_ids`` (its people), in the order they were voided."""
    found: list[VoidedRecord] = []
    people = sorted(set(person_ids))
    for k in VOID_KINDS.values():
        t = _table(k.name)
        if k.name == "honor":
            if not people:
                continue
            mine = t.c.person_id.in_(people)
        else:
            mine = t.c.studio_id == studio_id
        for r in conn.execute(_lookup(k.name).statement.where(mine, ~predicates.in_force(t))):
            found.append(VoidedRecord(kind=k.name, label=k.label, key=_row_key(k, r), id=r[0],
                                      reason=r[2] or "", voided_at=voiding.utc(r[1])))
    found.sort(key=lambda v: (v.voided_at, v.kind, v.id))
    return found
