"""`register list`：按编号、姓名/名称、单位或身份证号查找人员和工作室（身份证号、手机号打码）。

A clerk reconciling an enterprise file needs to see which codes exist before anything
is imported: who is P0109, is there already a 郑卫东, which studio is 周振兰工匠人才创新工作室.
``search`` matches part of the code, the name or the unit (case-insensitive for
Latin letters); a whole 18-character ID number matches that person exactly (an ID
number is never searched by parts: the listing would be a way to guess numbers).
Records come in code order, at most ``limit`` of them; ``total`` counts them all.
Enumerations (gender, studio kind, status) are the English values, as in every JSON.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from laomo.errors import UsageError
from laomo.safe import mask

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

WHAT = {"people": "people", "person": "people", "人员": "people",
        "studios": "studios", "studio": "studios", "工作室": "studios"}


@dataclass(frozen=True)
class Listing:
    what: str
    search: str | None
    total: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "search": self.search, "total": self.total, "shown": len(self.rows),
                "records": self.rows}


def list_records(session: Session, *, what: str, search: str | None = None, limit: int = 200) -> Listing:
    """People or studios matching ``search`` (see the module docstring)."""
    from sqlalchemy import func, or_, select

    from laomo.domain.studios import state_of, states
    from laomo.ledger.values import Invalid, parse_id_number
    from laomo.models import Person, Studio

    kind = WHAT.get(what.strip().lower()) or WHAT.get(what.strip())
    if kind is None:
        raise UsageError(f"只能列出 people（人员）或 studios（工作室），不是「{what}」", option="what")
    if limit < 1:
        raise UsageError("条数须为正整数", option="limit")
    text = (search or "").strip()
    if kind == "people":
        t = Person.__table__
        cols: list[Any] = [t.c.code, t.c.name, t.c.gender, t.c.id_number, t.c.phone, t.c.unit, t.c.post]
    else:
        t = Studio.__table__
        p = Person.__table__.alias("leader")
        cols = [t.c.id, t.c.code, t.c.name, t.c.kind, t.c.unit, t.c.county, p.c.code.label("leader_code"),
                p.c.name.label("leader_name")]
    where = []
    if text:
        like = f"%{text.lower()}%"
        where.append(or_(func.lower(t.c.code).like(like), func.lower(t.c.name).like(like),
                         func.lower(t.c.unit).like(like)))
        if kind == "people":
            with contextlib.suppress(Invalid):  # a whole ID number also finds its person
                where = [or_(where[0], t.c.id_number == parse_id_number(text))]
    base = select(*cols)
    if kind == "studios":
        base = base.join(p, p.c.id == t.c.leader_id)
    conn = session.connection()
    total = conn.execute(select(func.count()).select_from(base.where(*where).subquery())).scalar_one()
    rows = [dict(r._mapping) for r in conn.execute(base.where(*where).order_by(t.c.code).limit(limit))]
    found = states(conn, studio_ids=[r["id"] for r in rows]) if kind == "studios" and rows else {}
    for r in rows:
        if kind == "people":
            r["id_number"] = mask(r["id_number"]) if r["id_number"] else None
            r["phone"] = mask(r["phone"]) if r["phone"] else None
        else:
            r["status"] = state_of(found, r.pop("id")).status
    return Listing(kind, text or None, total, rows)
