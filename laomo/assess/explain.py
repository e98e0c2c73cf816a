"""One studio's assessment item by item (考核说明): the points, the rule in words, the facts behind them.

``explain`` shows the stored result of that year when there is one (what the
studio actually got, cap included) and recomputes the items from the facts to
explain them, flagging an item whose recomputed points differ from the stored
ones (data or profile changed since the run).  Without a stored result it
computes one; its grade is then before the 优秀 cap, which needs every studio.

With ``run`` it shows that run's result instead: the current one, or a
superseded run's kept in ``assessment_superseded`` (the results the designations
of an applied year quote, :mod:`laomo.assess.runs`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.assess.profiles import ProfileArg, resolve_profile
from laomo.assess.studios import due
from laomo.rules.engine import Engine, engine_for, num

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, RowMapping
    from sqlmodel import Session

    from laomo.rules import Profile


@dataclass(frozen=True)
class Explanation:
    """cli.md's ``assess explain`` JSON (:meth:`to_json`): the studio's result (stored, else computed
    now), its facts, each item's details, its checks and failures, and notes on what was compared."""

    year: int
    profile: str
    profile_hash: str
    result: dict[str, Any]  # the keys of a run's result (see laomo.assess.outcome.StudioResult)
    facts: dict[str, Any]
    details: list[dict[str, Any]]
    checks: dict[str, bool]
    failures: list[str]
    stored: bool  # the result is the stored one
    due: bool  # the studio is due for the year
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "profile": self.profile, "profile_hash": self.profile_hash,
                "results": [self.result], "facts": self.facts, "details": self.details, "checks": self.checks,
                "failures": self.failures, "stored": self.stored, "due": self.due, "notes": self.notes}


def explain(session: Session, *, code: str, year: int, profile: ProfileArg = None,
            run: str | None = None) -> Explanation:
    """One studio's items for ``year``: points, the rule in words and the facts behind them.

    ``run``: the result of that stored run of ``year`` (current or superseded and kept);
    NotFound when there is no such run or it has no result for the studio, an error when
    the run was superseded without its results being kept."""
    from laomo.domain.studios import find_one
    from laomo.facts import compute_facts
    from laomo.rules.expr import format_value

    prof = resolve_profile(session, profile)
    engine = engine_for(prof)
    sid = find_one(session, code).id
    conn = session.connection()
    f = compute_facts(conn, year, studio_ids=[sid])[sid]
    engine.derive(f)
    checks = engine.check(f)
    items, total = engine.score(f, checks)
    notes: list[str] = []
    row = _stored_row(conn, sid, year, run, code, notes)
    is_due = sid in due(conn, year, [sid])
    if row is not None:
        result, stored_items = _stored(row, f, year, prof, notes)
    else:
        result = _computed(engine, f, year, items, total)
        notes.append(f"尚未保存 {year} 年度的考核结果：以下为按当前数据计算的结果，等级未经优秀比例限制"
                     + ("" if is_due else f"；该工作室不在 {year} 年度的考核范围内"))
        stored_items = {}
    details = engine.explain_items(f, checks, items)
    for d in details:
        if stored_items and d["item"] in stored_items and _n(stored_items[d["item"]]) != d["points"]:
            d["stored_points"] = stored_items[d["item"]]
            notes.append(f"{d['item']} 重新计算为 {format_value(d['points'])} 分，保存的结果为 "
                         f"{format_value(stored_items[d['item']])} 分（数据或规则已变化）")
    return Explanation(year, prof.name, prof.hash, result, _jsonable_facts(f), details, checks,
                       engine.failure_texts(f, checks), row is not None, is_due, notes)


def _stored_row(conn: Connection, sid: int, year: int, run: str | None, code: str,
                notes: list[str]) -> RowMapping | None:
    """The stored result of the studio for ``year`` — of the run ``run`` when given (see :func:`explain`)."""
    from sqlalchemy import select

    from laomo.assess.runs import find_run
    from laomo.errors import LaomoError, NotFound
    from laomo.models import Assessment, SupersededAssessment

    t = Assessment.__table__
    if run is None:
        return conn.execute(select(t).where(t.c.studio_id == sid, t.c.year == year)).mappings().first()
    found = find_run(conn, run, year=year)
    if found.current:
        q = select(t).where(t.c.studio_id == sid, t.c.year == year, t.c.run_id == found.run_id)
    elif found.kept:
        k = SupersededAssessment.__table__
        q = select(k).where(k.c.studio_id == sid, k.c.year == year, k.c.run_id == found.run_id)
        notes.append(f"考核运行 {found.run_id} 已被 {found.superseded_by} 替换；以下为其保留的结果")
    else:
        raise LaomoError(f"考核运行 {found.run_id} 已被 {found.superseded_by} 替换，其结果未保留"
                         "（替换时该年度的处理建议尚未执行）", option="run")
    row = conn.execute(q).mappings().first()
    if row is None:
        raise NotFound(f"考核运行 {found.run_id} 中没有工作室 {code} 的结果", option="run")
    return row


def _stored(row: RowMapping, f: dict[str, Any], year: int, prof: Profile,
            notes: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored result and its items; sets the facts' grade and total to the stored ones and says
    in ``notes`` when the items cannot be compared."""
    stored_items = dict(row["items"] or {})
    result = {"studio": f["code"], "name": f["name"], "total": _n(row["total"]), "grade": row["grade"],
              "items": stored_items, "recommendation": row["recommendation"] or "none",
              "reasons": list(row["reasons"] or [])}
    f["grade"], f["total"] = row["grade"], row["total"]
    if row["imported"]:
        notes.append(f"{year} 年度的结果是导入的历史数据，没有分项；下面的分项按当前规则和数据重新计算")
    elif row["profile_hash"] != prof.hash:
        notes.append(f"{year} 年度的结果由规则 {row['profile']}（哈希 {str(row['profile_hash'])[:12]}…）"
                     f"算出，与当前规则 {prof.name}（{prof.hash[:12]}…）不同")
    standards = row["standards"]
    result["deadline"] = (standards or {}).get("deadline") if isinstance(standards, dict) else None
    return result, stored_items


def _computed(engine: Engine, f: dict[str, Any], year: int, items: dict[str, int | float],
              total: int | float) -> dict[str, Any]:
    """The result computed now (before the cap); sets the facts' grade and total."""
    grade = engine.grade(total)
    f["grade"], f["total"] = grade, total
    rec, reasons, deadline = engine.recommend(f, year)
    return {"studio": f["code"], "name": f["name"], "total": total, "grade": grade, "items": items,
            "recommendation": rec, "reasons": reasons, "deadline": deadline.isoformat() if deadline else None}


def _n(x: Any) -> Any:
    return num(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x


def _jsonable_facts(f: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in f.items():
        if k in ("code", "name"):
            continue
        out[k] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
    return dict(sorted(out.items()))
