"""事实：规则读取的每个工作室的数据，集合式地一次为所有工作室算出。

:func:`compute_facts` runs a fixed number of queries whatever the number of
studios — one per fact table (studios with their leader, members, honors,
achievements, activities, mentorships, inspections, designations and
assessments) — each a single ``GROUP BY`` with conditional sums
(``SUM(CASE WHEN … THEN 1 ELSE 0 END)``), never one query per studio.  The
SQL is SQLAlchemy Core with dates passed as bound parameters, so it runs
unchanged on SQLite and PostgreSQL.

Facts as of a date D (rules.md "Facts as of a date D")
------------------------------------------------------
* The facts *for a year Y* use D = 31 December of Y.  Facts *as of a date D*
  (``assess check``, naming eligibility) use Y = the year of D.
* "In Y" means dated from 1 January of Y through D — the whole year when D is
  31 December, and the year so far for a date inside it.  Every row dated in
  that window counts, whatever the date of the run.
* Members count if they joined on or before D (or have no join date) and have
  no leave date or one on or after D.  ``team_size`` and ``frontline_members``
  leave out the studio's leader (``Studio.leader_id``); ``active_members`` and
  ``frontline_share`` include the leader when the leader is an active member.
  A person whose front-line flag is empty counts as not front-line.
* Honors count if their year ≤ the year of D; ``leader_honor_level`` is the
  highest level among the leader's honors (None without one).
* Studio flags, premises area and funds are the current values (no history);
  an empty area or funds is 0.
* ``mentorships_active`` (C3): started on or before D, end empty or on/after
  1 January of Y — whether or not an agreement was signed;
  ``apprentices_promoted_in_year`` (C4): ``promoted_on`` in Y.
* ``achievements_last_12_months``, ``activities_last_12_months``: dated after D
  minus one year, up to D.
  ``achievements_year_minus_1``/``_2``: dated in Y−1 / Y−2 (whole years).
* ``named_level`` is the highest level among the namings dated on or before D
  and not revoked by then (the status fold of :mod:`laomo.status` over the
  designations dated on or before D); ``years_named`` = Y − year of the first
  naming; ``years_at_level`` = Y − year of the naming at ``named_level``.
* ``inspection_<ITEM>`` is the on-site score entered for item ITEM and year Y
  (absent when none was entered).
* ``previous_grade`` is the stored grade of Y−1 (a run or imported history);
  ``latest_grade`` the grade of the latest stored year ≤ Y.

Each studio's facts are a plain dict (``code`` and ``name`` included) with
every vocabulary fact present; the profile-dependent ladder facts are added
by ``Engine.derive``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from .enums import ACHIEVEMENT_TYPE, ACTIVITY_KIND, HONOR_LEVELS, LEVEL
from .rules import vocab

#: Facts that every studio dict starts with (the zero values of counts).
_ZERO_FACTS = {
    name: vocab.default_value(name) for name, d in vocab.FACTS.items()
    if d.phase == "base"
}


def _connection(conn):  # type: ignore[no-untyped-def]
    if hasattr(conn, "connection") and not hasattr(conn, "exec_driver_sql"):
        return conn.connection()
    return conn


def _year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def _one_year_before(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _flag(col):  # type: ignore[no-untyped-def]
    """1 when a boolean column is true, portable across SQLite and PostgreSQL."""
    from sqlalchemy import case, true

    return case((col == true(), 1), else_=0)


def _count_if(cond):  # type: ignore[no-untyped-def]
    from sqlalchemy import case, func

    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _sum_if(cond, value):  # type: ignore[no-untyped-def]
    from sqlalchemy import case, func

    return func.coalesce(func.sum(case((cond, func.coalesce(value, 0)), else_=0)), 0)


def compute_facts(conn, year: int | None = None, *, as_of: dt.date | None = None,  # type: ignore[no-untyped-def]
                  studio_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Facts for every studio (or ``studio_ids``) for ``year`` (D = 31 Dec) or as of ``as_of``.

    Returns ``{studio_id: {"code", "name", <fact>: value, …}}``.
    """
    from sqlalchemy import and_, func, or_, select

    from .models import (
        Achievement, Activity, Assessment, Honor, Inspection, Member, Mentorship, Person, Studio,
    )
    from .status import studio_states

    if as_of is None:
        if year is None:
            raise ValueError("compute_facts needs a year or an as_of date")
        as_of = dt.date(year, 12, 31)
    D = as_of
    Y = D.year
    start = _year_start(Y)
    conn = _connection(conn)
    ids = None if studio_ids is None else list(studio_ids)

    def only(col, q):  # type: ignore[no-untyped-def]
        return q if ids is None else q.where(col.in_(ids))

    s = Studio.__table__
    p = Person.__table__
    facts: dict[int, dict[str, Any]] = {}

    # 1. studios and their leader (current values)
    q = select(
        s.c.id, s.c.code, s.c.name, s.c.unit, s.c.has_sign, s.c.has_rules, s.c.has_plan, s.c.has_display,
        s.c.has_records, s.c.has_facilities, s.c.area, s.c.funds, p.c.skill_grade,
    ).select_from(s.join(p, p.c.id == s.c.leader_id))
    for r in conn.execute(only(s.c.id, q)):
        f = dict(_ZERO_FACTS)
        f.update(
            code=r.code, name=r.name,
            has_name=bool((r.name or "").strip()), has_unit=bool((r.unit or "").strip()),
            has_sign=bool(r.has_sign), has_rules=bool(r.has_rules), has_plan=bool(r.has_plan),
            has_display=bool(r.has_display), has_records=bool(r.has_records),
            has_facilities=bool(r.has_facilities),
            premises_area=r.area or 0, annual_funds=r.funds or 0,
            leader_skill_grade=r.skill_grade,
        )
        facts[r.id] = f
    if not facts:
        return facts

    # 2. members active on D
    m = Member.__table__
    active = and_(or_(m.c.joined.is_(None), m.c.joined <= D), or_(m.c.left.is_(None), m.c.left >= D))
    is_leader = m.c.person_id == s.c.leader_id
    frontline = p.c.frontline == True  # noqa: E712 - SQL expression
    q = (
        select(
            m.c.studio_id,
            func.count().label("active"),
            _count_if(~is_leader).label("team"),
            _count_if(and_(~is_leader, frontline)).label("team_fl"),
            _count_if(frontline).label("all_fl"),
            _count_if(is_leader).label("leader"),
        )
        .select_from(m.join(s, s.c.id == m.c.studio_id).join(p, p.c.id == m.c.person_id))
        .where(active)
        .group_by(m.c.studio_id)
    )
    for r in conn.execute(only(m.c.studio_id, q)):
        f = facts.get(r.studio_id)
        if f is None:
            continue
        f["active_members"] = int(r.active)
        f["team_size"] = int(r.team)
        f["frontline_members"] = int(r.team_fl)
        f["frontline_share"] = (int(r.all_fl) / int(r.active)) if r.active else 0
        f["leader_active"] = int(r.leader) > 0

    # 3. the leader's honors up to the year of D: the highest level
    from sqlalchemy import case

    h = Honor.__table__
    rank = case({kind: LEVEL.rank(level) for kind, (_, level) in HONOR_LEVELS.items()},
                value=h.c.kind, else_=-1)
    q = (
        select(s.c.id, func.max(rank).label("rank"))
        .select_from(s.join(h, h.c.person_id == s.c.leader_id))
        .where(h.c.year <= Y)
        .group_by(s.c.id)
    )
    for r in conn.execute(only(s.c.id, q)):
        f = facts.get(r.id)
        if f is not None and r.rank is not None and r.rank >= 0:
            f["leader_honor_level"] = LEVEL.items[int(r.rank)][0]

    # 4. achievements
    a = Achievement.__table__
    in_year = a.c.date >= start
    prev1 = and_(a.c.date >= _year_start(Y - 1), a.c.date < start)
    prev2 = and_(a.c.date >= _year_start(Y - 2), a.c.date < _year_start(Y - 1))
    cols = [
        a.c.studio_id,
        func.count().label("achievements_total"),
        _count_if(in_year).label("achievements_in_year"),
        _sum_if(in_year, a.c.benefit).label("benefit_in_year"),
        _count_if(and_(in_year, a.c.stage == "promotion")).label("promoted_achievements_in_year"),
        _count_if(and_(in_year, a.c.frontline_led == True)).label("frontline_led_achievements_in_year"),  # noqa: E712
        _count_if(a.c.date > _one_year_before(D)).label("achievements_last_12_months"),
        _count_if(prev1).label("achievements_year_minus_1"),
        _count_if(prev2).label("achievements_year_minus_2"),
    ]
    cols += [_count_if(and_(in_year, a.c.type == t)).label(f"achievements_in_year_{t}")
             for t in ACHIEVEMENT_TYPE.values]
    q = select(*cols).where(a.c.date <= D).group_by(a.c.studio_id)
    _merge_rows(facts, conn.execute(only(a.c.studio_id, q)))

    # 5. activities in the last 12 months, and in Y (a part of them)
    act = Activity.__table__
    a_year = act.c.date >= start
    cols = [
        act.c.studio_id,
        func.count().label("activities_last_12_months"),
        _count_if(a_year).label("activities_in_year"),
        _sum_if(a_year, act.c.participants).label("participants_in_year"),
    ]
    for k in ACTIVITY_KIND.values:
        cols.append(_count_if(and_(a_year, act.c.kind == k)).label(f"activities_in_year_{k}"))
        cols.append(_sum_if(and_(a_year, act.c.kind == k), act.c.participants).label(f"participants_in_year_{k}"))
    q = select(*cols).where(and_(act.c.date > _one_year_before(D), act.c.date <= D)).group_by(act.c.studio_id)
    _merge_rows(facts, conn.execute(only(act.c.studio_id, q)))

    # 6. mentorships
    ms = Mentorship.__table__
    running = and_(ms.c.start <= D, or_(ms.c.end.is_(None), ms.c.end >= start))
    q = select(
        ms.c.studio_id,
        _count_if(running).label("mentorships_active"),
        _count_if(and_(running, ms.c.agreement == True)).label("mentorships_active_signed"),  # noqa: E712
        _count_if(and_(ms.c.promoted_on >= start, ms.c.promoted_on <= D)).label("apprentices_promoted_in_year"),
        _count_if(ms.c.promoted_on <= D).label("apprentices_promoted_total"),
    ).group_by(ms.c.studio_id)
    _merge_rows(facts, conn.execute(only(ms.c.studio_id, q)))

    # 7. on-site inspection scores of Y
    ins = Inspection.__table__
    q = select(ins.c.studio_id, ins.c.item, ins.c.score).where(ins.c.year == Y)
    for r in conn.execute(only(ins.c.studio_id, q)):
        f = facts.get(r.studio_id)
        if f is not None:
            f[vocab.INSPECTION_PREFIX + str(r.item).upper()] = r.score

    # 8. designations: the state on D
    for sid, state in studio_states(conn, as_of=D, studio_ids=ids).items():
        f = facts.get(sid)
        if f is None:
            continue
        level = state.level
        f["named_level"] = level
        f["demonstrative"] = state.demonstrative
        if state.first_named is not None:
            f["first_named"] = state.first_named.isoformat()
            f["years_named"] = Y - state.first_named.year
        if level is not None:
            f["years_at_level"] = Y - state.named_since[level].year

    # 9. stored assessments: Y-1 and the latest year up to Y
    t = Assessment.__table__
    q = select(t.c.studio_id, t.c.grade).where(t.c.year == Y - 1)
    for r in conn.execute(only(t.c.studio_id, q)):
        f = facts.get(r.studio_id)
        if f is not None:
            f["previous_grade"] = r.grade
    latest = (
        select(t.c.studio_id.label("sid"), func.max(t.c.year).label("y"))
        .where(t.c.year <= Y).group_by(t.c.studio_id)
    )
    latest = (latest if ids is None else latest.where(t.c.studio_id.in_(ids))).subquery()
    q = select(t.c.studio_id, t.c.grade).select_from(
        t.join(latest, and_(t.c.studio_id == latest.c.sid, t.c.year == latest.c.y)))
    for r in conn.execute(q):
        f = facts.get(r.studio_id)
        if f is not None:
            f["latest_grade"] = r.grade
    return facts


def _merge_rows(facts: dict[int, dict[str, Any]], result) -> None:  # type: ignore[no-untyped-def]
    """Copy a GROUP BY result (first column the studio id) into the facts dicts."""
    keys = list(result.keys())[1:]
    for row in result:
        f = facts.get(row[0])
        if f is None:
            continue
        for key, value in zip(keys, row[1:]):
            f[key] = value if type(value) is int else _plain(value)


def _plain(value: Any) -> Any:
    """Integers as int (SQL SUMs may come back as Decimal on PostgreSQL)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    try:
        as_int = int(value)
    except (TypeError, ValueError):
        return value
    return as_int if as_int == value else float(value)
