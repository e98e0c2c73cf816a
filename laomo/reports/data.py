"""报表的数据层：每个报表一个函数，返回普通的 dict/list，不依赖 Typer、Rich 或模板。

Every function takes a SQLModel session (or a Connection) and returns plain
data — English enumeration values, ISO dates, whole 元 — that every renderer
(text, md, html, json, csv, xlsx, docx) reads.  Nothing here formats for
display, and nothing here runs a query per studio: each report is a fixed
number of set-based queries (``GROUP BY`` aggregates, or one ordered scan)
plus cheap Python over their results.

Studio status and levels come from :func:`laomo.domain.studios.states` (the status fold
of :mod:`laomo.domain.status`, for every studio, some or a county's): the one place that
derives them.  Which member is active, which mentorship runs in a year and which
apprentice was promoted in it are the predicates of :mod:`laomo.domain.predicates`,
the same the assessment's facts use.

Voided records and voided designations count nowhere: every statement here keeps only
the rows in force (:func:`laomo.domain.predicates.in_force`) — totals, trends, notices,
the ledger and the dossier alike.

Personal data (ID numbers, phones) is masked *here*, unless ``show_pii``, so
no renderer can leak it.

Decisions where the spec is silent
----------------------------------
* ``summary``: without ``year`` the year is the latest year that has
  achievements, activities, assessments or designations (never after the
  current year; the current year when the database has none).  The status of
  each studio is taken as of 31 December of that year (``as_of``), so the
  summary of a past year shows that year's picture; for the current year that
  is every designation so far.
* ``summary`` adds keys to the cli.md shape (adding is allowed): ``union``,
  ``as_of``, ``achievements.by_type``, ``activities`` (all kinds),
  ``assessment.assessed``/``by_recommendation``, ``designations`` (the year's
  namings and revocations by level) and ``trends`` (one entry per year found
  in the data).  Counts of zero are left out of every ``by_*`` mapping.
* ``ledger --level L`` keeps studios whose *highest* level held is L (the
  level the ledger shows); ``--status`` is the derived status now.
* ``notice``: the namings (``name``) or revocations (``revoke``) whose
  designation year is Y; ``--level`` keeps that level (a revocation without a
  level removes every level, so it matches any ``--level``).  Without
  ``--level`` the rows must be of one level, else the caller is asked to
  choose.  The 文号 is ``--doc``, else the one document number the rows share;
  rows with several different numbers leave it blank with a warning.  The
  date (落款) is the latest designation date of the rows.  The attachment is
  grouped by county when the studios span more than one county, else by
  industry section (``group_by`` forces either).  Titles: 关于命名{Y}年度{级别}{类型}的决定
  and 关于撤销部分{级别}{类型}命名的决定, where 类型 is 劳模创新工作室 or
  工匠人才创新工作室 when every studio listed is of that kind, else
  劳模和工匠人才创新工作室.  主送 follows the kind of union keeping the ledger
  (county, district, city, province or national, from its name).  A
  revocation of at most three studios also names each reason in the body; the
  attachment always does.
* ``studio``: the honors listed are those of every person who is or was a
  member (the leader included); members are listed leader first, then core
  members, then the rest, by joining date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from laomo.domain import predicates
from laomo.domain.numbers import whole
from laomo.domain.studios import in_county, state_of, states
from laomo.enums import (
    ACHIEVEMENT_TYPE,
    ACTIVITY_KIND,
    GRADE,
    INDUSTRY,
    LEVEL,
    RECOMMENDATION,
    STATUS,
    Enumeration,
)
from laomo.errors import NotFound, UsageError
from laomo.reports.notice_text import addressees, cn_date, kind_title, notice_text
from laomo.reports.records import LedgerRecord

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from laomo.domain.status import State

#: Statuses whose studios hold a naming in force (cli.md ``by_level``).
ACTIVE_STATUSES = ("named", "rectification", "warned")

# --------------------------------------------------------------------------- helpers


def _conn(session: Session | Connection) -> Connection:
    from sqlalchemy.orm import Session

    return session.connection() if isinstance(session, Session) else session


def _int(value: Any) -> int:
    """SQL SUM/COUNT results as int (PostgreSQL may return Decimal; SUM of nothing is NULL)."""
    return int(value or 0)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _ordered(counts: dict[str, int], enum: Enumeration) -> dict[str, int]:
    """Non-zero counts in the enumeration's order (unknown values last, sorted)."""
    known = [v for v in enum.values if counts.get(v)]
    rest = sorted(k for k in counts if k not in enum.values and counts[k])
    return {k: counts[k] for k in known + rest}


def _scoper(county: str | None) -> Callable[[Select[Any], Any], Select[Any]]:
    """``scoped(q, col)``: ``q`` kept to ``county``'s studios (``col``: its studio id column)."""
    def scoped(q: Select[Any], col: Any) -> Select[Any]:
        return q.where(in_county(col, county)) if county else q
    return scoped


def union_name(session: Session | Connection) -> str | None:
    """The union keeping this ledger (``laomo init --union``), for 落款."""
    from sqlalchemy import select

    from laomo.models import UNION_SETTING, Setting

    t = Setting.__table__
    return _conn(session).execute(select(t.c.value).where(t.c.key == UNION_SETTING)).scalar() or None


# --------------------------------------------------------------------------- summary

#: Per year, per type or kind: (rows, their summed amount).
Yearly = dict[int, dict[str, tuple[int, int]]]


def _studio_counts(conn: Connection, county: str | None) -> tuple[Counter[str], Counter[str]]:
    """Studios by industry section, and by county."""
    from sqlalchemy import func, select

    from laomo.models import Studio

    s = Studio.__table__
    q = select(s.c.industry, s.c.county, func.count().label("n")).group_by(s.c.industry, s.c.county)
    if county:
        q = q.where(s.c.county == county)
    by_industry: Counter[str] = Counter()
    by_county: Counter[str] = Counter()
    for r in conn.execute(q):
        by_industry[r.industry] += r.n
        by_county[r.county] += r.n
    return by_industry, by_county


def _yearly(conn: Connection, scoped: Callable[[Select[Any], Any], Select[Any]], table: Any, by: str,
            amount: str) -> Yearly:
    """Rows of a dated table (achievements, activities) by the year they are dated in and ``by``:
    their number and the sum of ``amount``."""
    from sqlalchemy import func, select

    year = predicates.year_of(table.c.date)
    q = scoped(select(year.label("y"), table.c[by].label("by"), func.count().label("n"),
                      func.coalesce(func.sum(table.c[amount]), 0).label("amount"))
               .where(predicates.in_force(table)).group_by(year, table.c[by]), table.c.studio_id)
    out: Yearly = defaultdict(dict)
    for r in conn.execute(q):
        out[int(r.y)][r.by] = (_int(r.n), _int(r.amount))
    return out


def _assessments_by_year(conn: Connection, scoped: Callable[[Select[Any], Any], Select[Any]],
                         ) -> tuple[dict[int, Counter[str]], dict[int, Counter[str]]]:
    """Stored assessments by year: by grade, and by recommendation."""
    from sqlalchemy import func, select

    from laomo.models import Assessment

    t = Assessment.__table__
    q = scoped(select(t.c.year, t.c.grade, t.c.recommendation, func.count().label("n"))
               .group_by(t.c.year, t.c.grade, t.c.recommendation), t.c.studio_id)
    grades: dict[int, Counter[str]] = defaultdict(Counter)
    recs: dict[int, Counter[str]] = defaultdict(Counter)
    for r in conn.execute(q):
        grades[int(r.year)][r.grade] += r.n
        recs[int(r.year)][r.recommendation or "none"] += r.n
    return grades, recs


def _designations_by_year(conn: Connection, scoped: Callable[[Select[Any], Any], Select[Any]],
                          ) -> dict[int, dict[str, Counter[str]]]:
    """Designations by year, action and level (``all`` for a revocation of every level)."""
    from sqlalchemy import func, select

    from laomo.models import Designation

    d = Designation.__table__
    q = scoped(select(d.c.year, d.c.action, d.c.level, func.count().label("n")).where(predicates.in_force(d))
               .group_by(d.c.year, d.c.action, d.c.level), d.c.studio_id)
    out: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for r in conn.execute(q):
        out[int(r.year)][r.action][r.level or "all"] += r.n
    return out


def _mentorships_in(conn: Connection, scoped: Callable[[Select[Any], Any], Select[Any]], year: int) -> dict[str, int]:
    """cli.md: ``active`` — running in the year as in C3; ``promoted`` — promoted in the year (C4)."""
    from sqlalchemy import select

    from laomo.models import Mentorship

    ms = Mentorship.__table__
    period = predicates.whole_year(year)
    q = scoped(select(predicates.count_if(predicates.mentorship_running_in(period)).label("active"),
                      predicates.count_if(predicates.promoted_in(period)).label("promoted"))
               .where(predicates.in_force(ms)), ms.c.studio_id)
    row = conn.execute(q).one()
    return {"active": _int(row.active), "promoted": _int(row.promoted)}


def _studios_on(conn: Connection, day: dt.date, county: str | None, total: int) -> dict[str, Any]:
    """Studios by status and by level held (with the demonstrative ones) on ``day``."""
    from laomo.domain.studios import designation_rows, fold_order
    from laomo.facts.driver import driver_rows
    from laomo.models import Designation

    d = Designation.__table__
    q = designation_rows(as_of=day).order_by(d.c.studio_id, *fold_order())  # what states() folds
    if county is not None:
        q = q.where(in_county(d.c.studio_id, county))
    status_counts: Counter[str] = Counter()
    level_counts: Counter[str] = Counter()
    demonstrative = 0
    # the rows as the driver gives them (no Row objects, dates unconverted: the fold only orders
    # them, and these counts read no date)
    for state in _folded(driver_rows(conn, q, typed=False)):
        if isinstance(state, str):  # a studio whose only designation names it at that level
            status_counts["named"] += 1
            level_counts[state] += 1
            continue
        status_counts[state.status] += 1
        if state.status in ACTIVE_STATUSES:
            level = state.level
            if level:
                level_counts[level] += 1
                if state.demonstrative_levels:  # most studios have none: skip the property
                    demonstrative += state.demonstrative
    status_counts["registered"] += total - sum(status_counts.values())
    return {"by_status": _ordered(dict(status_counts), STATUS), "by_level": _ordered(dict(level_counts), LEVEL),
            "demonstrative": demonstrative}


def _folded(rows: Iterable[tuple[Any, ...]]) -> Iterator[State | str]:
    """Per studio, from its ``(studio_id, action, level, date, deadline)`` rows ordered as
    :func:`laomo.domain.status.fold` reads them: the level when its only row is a naming at a level
    (the fold would give the status ``named`` at that level, not demonstrative: most studios, so no
    :class:`~laomo.domain.status.State` is made for them), else its folded State."""
    from laomo.domain.status import State

    current: Any = None
    first: tuple[Any, ...] = ()
    st: State | None = None
    for row in rows:
        if row[0] == current:
            if st is None:
                st = State()
                st.apply(first[1], first[2], first[3], first[4])
            st.apply(row[1], row[2], row[3], row[4])
            continue
        if current is not None:
            yield _one(first, st)
        current, first, st = row[0], row, None
    if current is not None:
        yield _one(first, st)


def _one(first: tuple[Any, ...], st: State | None) -> State | str:
    from laomo.domain.status import State

    if st is not None:
        return st
    if first[1] == "name" and first[2]:
        return str(first[2])
    st = State()
    st.apply(first[1], first[2], first[3], first[4])
    return st


def _summary_year(year: int | None, years: list[int], today: dt.date | None) -> int:
    """The year asked for, else the latest year with data up to the current one."""
    if year is not None:
        return year
    today = today or dt.date.today()
    past = [y for y in years if y <= today.year]
    return past[-1] if past else today.year


def _trend(y: int, achievements: Yearly, activities: Yearly, grades: dict[int, Counter[str]],
           designations: dict[int, dict[str, Counter[str]]]) -> dict[str, Any]:
    """One year's entry of ``trends``."""
    acts = activities.get(y, {})
    ach = achievements.get(y, {})
    des = designations.get(y, {})
    return {
        "year": y,
        "namings": sum(des.get("name", Counter()).values()),
        "revocations": sum(des.get("revoke", Counter()).values()),
        "achievements": sum(n for n, _ in ach.values()),
        "benefit": sum(b for _, b in ach.values()),
        "training_sessions": acts.get("training", (0, 0))[0],
        "training_participants": acts.get("training", (0, 0))[1],
        "activities": sum(n for n, _ in acts.values()),
        "assessed": sum(grades.get(y, Counter()).values()),
        "by_grade": _ordered(dict(grades.get(y, {})), GRADE),
    }


def summary(session: Session | Connection, *, year: int | None = None, county: str | None = None,
            today: dt.date | None = None) -> dict[str, Any]:
    """Statistics for ``year`` (cli.md ``report summary`` JSON, plus trends).

    Queries: studios by industry and county; achievements by year and type;
    activities by year and kind; assessments by year, grade and
    recommendation; designations by year, action and level; one aggregate
    over mentorships; the ordered designation scan of the status fold.
    """
    from laomo.models import Achievement, Activity

    conn = _conn(session)
    scoped = _scoper(county)
    by_industry, by_county = _studio_counts(conn, county)
    total = sum(by_county.values())
    achievements = _yearly(conn, scoped, Achievement.__table__, "type", "benefit")
    activities = _yearly(conn, scoped, Activity.__table__, "kind", "participants")
    grades, recs = _assessments_by_year(conn, scoped)
    designations = _designations_by_year(conn, scoped)
    years = sorted(set(achievements) | set(activities) | set(grades) | set(designations))
    year = _summary_year(year, years, today)
    end = dt.date(year, 12, 31)
    mentorships = _mentorships_in(conn, scoped, year)
    # status and level of every studio as of 31 December of the year
    on_end = _studios_on(conn, end, county, total)
    ach = achievements.get(year, {})
    acts = activities.get(year, {})
    training = acts.get("training", (0, 0))
    des = designations.get(year, {})
    return {
        "year": year,
        "county": county,
        "union": union_name(session),
        "as_of": end.isoformat(),
        "studios": {
            "total": total,
            "by_status": on_end["by_status"],
            "by_level": on_end["by_level"],
            "by_industry": _ordered(dict(by_industry), INDUSTRY),
            "by_county": {k: by_county[k] for k in sorted(by_county) if by_county[k]},
            "demonstrative": on_end["demonstrative"],
        },
        "achievements": {
            "count": sum(n for n, _ in ach.values()),
            "benefit": sum(b for _, b in ach.values()),
            "by_type": _ordered({k: n for k, (n, _) in ach.items()}, ACHIEVEMENT_TYPE),
            "benefit_by_type": _ordered({k: b for k, (_, b) in ach.items()}, ACHIEVEMENT_TYPE),
        },
        "training": {"sessions": training[0], "participants": training[1]},
        "activities": {
            "sessions": sum(n for n, _ in acts.values()),
            "participants": sum(p for _, p in acts.values()),
            "by_kind": {k: {"sessions": acts[k][0], "participants": acts[k][1]}
                        for k in _ordered({k: v[0] for k, v in acts.items()}, ACTIVITY_KIND)},
        },
        "mentorships": mentorships,
        "assessment": {
            "assessed": sum(grades.get(year, Counter()).values()),
            "by_grade": _ordered(dict(grades.get(year, {})), GRADE),
            "by_recommendation": _ordered(dict(recs.get(year, {})), RECOMMENDATION),
        },
        "designations": {
            "named": _ordered(dict(des.get("name", {})), LEVEL),
            "revoked": _ordered(dict(des.get("revoke", {})), LEVEL),
        },
        "trends": [_trend(y, achievements, activities, grades, designations) for y in years],
    }


# --------------------------------------------------------------------------- ledger

#: Rows the streamed queries fetch at a time (the ledger and the assessment list are read as streams).
BATCH = 2000


def _mask(show_pii: bool) -> tuple[Callable[[str | None], str], Callable[[str | None], str]]:
    from laomo.safe import mask_id_number, mask_phone

    if show_pii:
        return (lambda v: v or ""), (lambda v: v or "")
    return mask_id_number, mask_phone


def _ledger_totals(scoped: Callable[[Select[Any], Any], Select[Any]], today: dt.date) -> tuple[Any, Any, Any]:
    """Per studio, as subqueries keyed by ``sid``: members active ``today`` (``n``); achievements and
    their benefit (``n``, ``b``); the latest assessment (``year``, ``grade``, ``recommendation``)."""
    from sqlalchemy import and_, func, select

    from laomo.models import Achievement, Assessment, Member

    m, a, t = Member.__table__, Achievement.__table__, Assessment.__table__
    members = scoped(select(m.c.studio_id.label("sid"), func.count().label("n"))
                     .where(predicates.in_force(m), predicates.member_active_on(today))
                     .group_by(m.c.studio_id), m.c.studio_id).subquery("mc")
    achievements = scoped(select(a.c.studio_id.label("sid"), func.count().label("n"), func.sum(a.c.benefit).label("b"))
                          .where(predicates.in_force(a)).group_by(a.c.studio_id), a.c.studio_id).subquery("ac")
    latest_q = scoped(select(t.c.studio_id.label("sid"), func.max(t.c.year).label("y")).group_by(t.c.studio_id),
                      t.c.studio_id).subquery("ly")
    latest = (select(t.c.studio_id.label("sid"), t.c.year, t.c.grade, t.c.recommendation)
              .select_from(t.join(latest_q, and_(t.c.studio_id == latest_q.c.sid, t.c.year == latest_q.c.y)))
              .subquery("la"))
    return members, achievements, latest


def _ledger_studios(county: str | None) -> tuple[Any, Any]:
    """The ledger's studios joined to their leader (``FROM`` clause) and the condition that keeps
    ``county``'s (None: every studio)."""
    from sqlalchemy import true

    from laomo.models import Person, Studio

    s, p = Studio.__table__, Person.__table__
    return s.join(p, p.c.id == s.c.leader_id), (s.c.county == county) if county else true()


def _ledger_query(county: str | None, today: dt.date) -> Select[Any]:
    """One row per studio, by code: the studio, its leader and its totals (one statement, aggregates
    joined)."""
    from sqlalchemy import select

    from laomo.models import Person, Studio

    s, p = Studio.__table__, Person.__table__
    members, achievements, latest = _ledger_totals(_scoper(county), today)
    joined, where = _ledger_studios(county)
    return (select(s.c.code, s.c.name, s.c.kind, s.c.unit, s.c.credit_code, s.c.industry, s.c.county,
                   s.c.founded, s.c.area, s.c.funds, p.c.code.label("leader_code"), p.c.name.label("leader"),
                   p.c.id_number, p.c.phone, members.c.n.label("members"),
                   achievements.c.n.label("achievements"), achievements.c.b.label("benefit"),
                   latest.c.year.label("latest_year"), latest.c.grade.label("latest_grade"),
                   latest.c.recommendation.label("latest_recommendation"))
            .select_from(joined.outerjoin(members, members.c.sid == s.c.id)
                         .outerjoin(achievements, achievements.c.sid == s.c.id)
                         .outerjoin(latest, latest.c.sid == s.c.id))
            .where(where).order_by(s.c.code))


def _designations_by_code(county: str | None) -> Select[Any]:
    """``(code, action, level, date, deadline)`` of the designations in force of the ledger's studios,
    in the ledger's order (studio code) and the fold's (date, id)."""
    from sqlalchemy import select

    from laomo.domain.studios import fold_order
    from laomo.models import Designation, Studio

    s, d = Studio.__table__, Designation.__table__
    joined, where = _ledger_studios(county)
    return (select(s.c.code, d.c.action, d.c.level, d.c.date, d.c.deadline)
            .select_from(joined.join(d, d.c.studio_id == s.c.id)).where(where, predicates.in_force(d))
            .order_by(s.c.code, *fold_order()))


def _states_by_code(conn: Connection, county: str | None) -> Iterator[tuple[str, State]]:
    """``(code, State)`` of every ledger studio that has designations in force, in the ledger's order
    (studio code): one streamed, ordered scan of the designations folded studio by studio.  The rows
    come from the driver as they are (:func:`laomo.store.bulk.driver_partitions`), their dates read
    by :func:`laomo.store.bulk.driver_date`."""
    from laomo.domain.status import State
    from laomo.store.bulk import driver_date, driver_partitions

    code, state = None, State()
    for part in driver_partitions(conn, _designations_by_code(county), size=BATCH):
        for studio, action, level, date, deadline in part:
            if studio != code:
                if code is not None:
                    yield code, state
                code, state = studio, State()
            state.apply(action, level, driver_date(date), driver_date(deadline))
    if code is not None:
        yield code, state


def _kept(state: State, status: str | None, level: str | None) -> bool:
    return (not status or state.status == status) and (not level or state.level == level)


def _ledger_rows(conn: Connection, *, status: str | None, level: str | None, county: str | None,
                 show_pii: bool, today: dt.date) -> Iterator[LedgerRecord]:
    """The ledger's rows, one per studio by code, as a stream: the studios' statement merged with
    the designations' (both ordered by code; a studio without designations is ``registered``).
    The studios' rows come from the driver as they are (:func:`laomo.store.bulk.driver_partitions`):
    ``founded`` read by :func:`laomo.store.bulk.driver_date` (a text that is no date is refused as
    before), ``benefit`` maybe a Decimal, ``area`` a float."""
    from laomo.domain.studios import REGISTERED
    from laomo.store.bulk import driver_date, driver_partitions

    mask_id, mask_ph = _mask(show_pii)
    folded = _states_by_code(conn, county)
    pending = next(folded, None)
    new = tuple.__new__  # a record without NamedTuple's Python-level __new__ (one per studio)
    for part in driver_partitions(conn, _ledger_query(county, today), size=BATCH):
        for (code, name, kind, unit, credit_code, industry, county_, founded, area, funds, leader_code, leader,
             id_number, phone, members, achievements, benefit, latest_year, latest_grade,
             latest_recommendation) in part:
            st = REGISTERED
            if pending is not None and pending[0] == code:
                st = pending[1]
                pending = next(folded, None)
            held = st.levels_held if st.named_since else []
            top = held[-1] if held else None
            if (status and st.status != status) or (level and top != level):
                continue
            yield new(LedgerRecord, (
                code, name, kind, unit, credit_code, industry, county_,
                _iso(driver_date(founded)),
                whole(area), funds, leader_code, leader, mask_id(id_number), mask_ph(phone),
                st.status, top, held, top is not None and top in st.demonstrative_levels,
                st.first_named and st.first_named.isoformat(), st.deadline and st.deadline.isoformat(),
                members or 0, achievements or 0, _int(benefit), latest_year, latest_grade, latest_recommendation))


def _ledger_counts(conn: Connection, *, status: str | None, level: str | None, county: str | None,
                   statuses: bool = True) -> tuple[int, dict[str, int] | None]:
    """How many studios the ledger lists, and by status, without reading their rows: the studios
    counted in SQL, the designations folded as a stream (nothing kept per studio).  Without
    ``statuses`` and without a status or level filter the count alone is read (by_status None)."""
    from sqlalchemy import func, select

    from laomo.domain.studios import REGISTERED

    joined, where = _ledger_studios(county)
    total = _int(conn.execute(select(func.count()).select_from(joined).where(where)).scalar())
    if not statuses and status is None and level is None:
        return total, None
    by_status: Counter[str] = Counter()
    with_designations = 0
    for _code, st in _states_by_code(conn, county):
        with_designations += 1
        if _kept(st, status, level):
            by_status[st.status] += 1
    if _kept(REGISTERED, status, level) and total > with_designations:
        by_status["registered"] += total - with_designations
    return sum(by_status.values()), _ordered(dict(by_status), STATUS)


def ledger(session: Session | Connection, *, status: str | None = None, level: str | None = None,
           county: str | None = None, show_pii: bool = False, today: dt.date | None = None) -> dict[str, Any]:
    """The 台账: one row per studio (by code) with its leader, status, levels and running totals."""
    today = today or dt.date.today()
    rows = [r._asdict() for r in _ledger_rows(_conn(session), status=status, level=level, county=county,
                                              show_pii=show_pii, today=today)]
    by_status = Counter(r["status"] for r in rows)
    return {
        "union": union_name(session), "as_of": today.isoformat(),
        "filters": {"status": status, "level": level, "county": county},
        "count": len(rows), "by_status": _ordered(dict(by_status), STATUS),
        "pii": bool(show_pii), "studios": rows,
    }


def ledger_stream(session: Session | Connection, *, status: str | None = None, level: str | None = None,
                  county: str | None = None, show_pii: bool = False, today: dt.date | None = None,
                  counted: bool = True, statuses: bool = True) -> dict[str, Any]:
    """:func:`ledger` with ``studios`` an iterator of :class:`~laomo.reports.records.LedgerRecord`
    (``_asdict()`` is :func:`ledger`'s row): the rows are read from the database as they are
    written (flat memory at any size; the session must stay open until they are read).
    ``count`` and ``by_status`` come from a counting pass first (None unless ``counted``;
    ``by_status`` None too when not ``statuses`` and nothing filters by status or level)."""
    today = today or dt.date.today()
    conn = _conn(session)
    count, by_status = (_ledger_counts(conn, status=status, level=level, county=county, statuses=statuses)
                        if counted else (None, None))
    return {
        "union": union_name(session), "as_of": today.isoformat(),
        "filters": {"status": status, "level": level, "county": county},
        "count": count, "by_status": by_status, "pii": bool(show_pii),
        "studios": _ledger_rows(conn, status=status, level=level, county=county, show_pii=show_pii, today=today),
    }


# --------------------------------------------------------------------------- assessment list


def _item_labels(conn: Connection, used: Iterable[tuple[str | None, str | None]]) -> dict[str, dict[str, Any]]:
    """Item id → {label, max} from the profiles that scored the rows, by (name, hash): the content
    the database kept under that hash, else a bundled profile of that name with that very hash.
    A profile found neither way (edited since, under the same name) gives ids only, never the
    labels of another profile."""
    from laomo.assess.profiles import stored_profile
    from laomo.rules import ProfileError, bundled_names, load_profile

    out: dict[str, dict[str, Any]] = {}
    for name, profile_hash in used:
        if not name or not profile_hash:
            continue
        prof = stored_profile(conn, profile_hash=profile_hash)
        if prof is None and name in bundled_names():
            try:
                bundled = load_profile(name)
            except ProfileError:
                continue
            prof = bundled if bundled.hash == profile_hash else None
        if prof is None:
            continue
        for item_id, item in prof.scorecard.items.items():
            out.setdefault(item_id, {"label": item.label, "max": whole(item.max)})
    return out


def _no_assessment(conn: Connection, year: int) -> str:
    """Why a year's list is empty: the years that have results, or that none has."""
    from sqlalchemy import select

    from laomo.models import Assessment

    t = Assessment.__table__
    years = [int(y) for y in conn.execute(select(t.c.year).group_by(t.c.year).order_by(t.c.year)).scalars()]
    if not years:
        return f"{year} 年度没有考核结果：台账中还没有任何年度的考核结果"
    return f"{year} 年度没有考核结果（有考核结果的年度：{'、'.join(map(str, years))}）"


def _item_ids(conn: Connection, year: int) -> list[str]:
    """The item ids the year's results score, sorted: the keys of their ``items`` read in SQL where the
    database can (SQLite ``json_each``, PostgreSQL ``json_object_keys``), else in one streamed scan."""
    from sqlalchemy import select, text

    from laomo.models import Assessment

    dialect = conn.dialect.name
    if dialect == "sqlite":
        q = text("SELECT DISTINCT j.key FROM assessment AS a, json_each(a.items) AS j "
                 "WHERE a.year = :year AND json_type(a.items) = 'object'")
    elif dialect == "postgresql":
        q = text("SELECT DISTINCT json_object_keys(a.items::json) FROM assessment AS a "
                 "WHERE a.year = :year AND json_typeof(a.items::json) = 'object'")
    else:
        t = Assessment.__table__
        keys: set[str] = set()
        for items in conn.execute(select(t.c["items"]).where(t.c.year == year)
                                  .execution_options(yield_per=BATCH)).scalars():
            keys.update(items or {})
        return sorted(keys)
    return sorted(str(k) for k in conn.execute(q, {"year": year}).scalars())


def _assessment_head(conn: Connection, year: int) -> dict[str, Any]:
    """What the list says before its rows: the profiles used (most results first), the items with
    their labels, how many results and by grade and recommendation — GROUP BY statements, no row read.

    Profiles with as many results as each other keep the order of their first result (lowest id)."""
    from sqlalchemy import func, select

    from laomo.models import Assessment, Studio

    t, s = Assessment.__table__, Studio.__table__
    joined = t.join(s, s.c.id == t.c.studio_id)
    grades: Counter[str] = Counter()
    recs: Counter[str] = Counter()
    for r in conn.execute(select(t.c.grade, t.c.recommendation, func.count().label("n")).select_from(joined)
                          .where(t.c.year == year).group_by(t.c.grade, t.c.recommendation)):
        grades[r.grade] += r.n
        recs[r.recommendation or "none"] += r.n
    first = func.min(t.c.id)
    used = [(r.profile, r.profile_hash, r.n) for r in conn.execute(
        select(t.c.profile, t.c.profile_hash, func.count().label("n"), first.label("first")).select_from(joined)
        .where(t.c.year == year).group_by(t.c.profile, t.c.profile_hash).order_by(first))]
    profiles: Counter[str] = Counter()
    for name, _hash, n in used:
        profiles[name or ""] += n
    item_ids = _item_ids(conn, year) if grades else []
    labels = _item_labels(conn, {(name, h): None for name, h, _ in used})
    return {
        "year": year, "union": union_name(conn),
        "profiles": [p for p, _ in profiles.most_common() if p],
        "items": [{"id": i, "label": labels.get(i, {}).get("label", ""), "max": labels.get(i, {}).get("max")}
                  for i in item_ids],
        "assessed": sum(grades.values()),
        "by_grade": _ordered(dict(grades), GRADE),
        "by_recommendation": _ordered(dict(recs), RECOMMENDATION),
    }


def _assessment_query(year: int) -> Select[Any]:
    """The year's results joined to their studios, in the list's order: grade (优秀 first; unknown
    grades last), total (highest first; none as 0), studio code."""
    from sqlalchemy import case, func, select

    from laomo.models import Assessment, Studio

    t, s = Assessment.__table__, Studio.__table__
    rank = case({g: i for i, g in enumerate(GRADE.values)}, value=t.c.grade, else_=99)
    return (select(s.c.code, s.c.name, s.c.unit, s.c.county, s.c.industry, t.c.total, t.c.grade, t.c["items"],
                   t.c.standards, t.c.recommendation, t.c.reasons, t.c.profile, t.c.imported)
            .select_from(t.join(s, s.c.id == t.c.studio_id)).where(t.c.year == year)
            .order_by(rank, func.coalesce(t.c.total, 0).desc(), s.c.code))


def _assessment_rows(conn: Connection, year: int) -> Iterator[dict[str, Any]]:
    """The year's results as a stream, in the list's order (:func:`_assessment_query`)."""
    result = conn.execute(_assessment_query(year).execution_options(yield_per=BATCH))
    for part in result.partitions():
        for code, name, unit, county, industry, total, grade, items, standards, recommendation, reasons, profile, \
                imported in part:
            yield {
                "studio": code, "name": name, "unit": unit, "county": county, "industry": industry,
                "total": whole(total), "grade": grade,
                "items": {k: whole(v) for k, v in items.items()} if items else {},
                "recommendation": recommendation or "none", "reasons": list(reasons) if reasons else [],
                "deadline": standards.get("deadline") if standards else None,
                "capped": bool(standards.get("capped")) if standards else False,
                "imported": bool(imported), "profile": profile,
            }


def assessment_stream(session: Session | Connection, *, year: int) -> dict[str, Any]:
    """The stored result list of ``year`` (see :func:`assessment`) with ``results`` an iterator read
    from the database as it is written (the session must stay open until it is read)."""
    conn = _conn(session)
    head = _assessment_head(conn, year)
    if not head["assessed"]:
        raise NotFound(_no_assessment(conn, year))
    return {**head, "results": _assessment_rows(conn, year)}


def assessment(session: Session | Connection, *, year: int) -> dict[str, Any]:
    """The stored result list of ``year``: every studio's items, total, grade and recommendation.

    Sorted by grade (优秀 first), then total (highest first), then code.  A year without any
    stored result is :class:`laomo.errors.NotFound`, naming the years that have some (an empty
    list is never written as if it were one).
    """
    data = assessment_stream(session, year=year)
    return {**data, "results": list(data["results"])}


# --------------------------------------------------------------------------- decision notice

NOTICE_ACTIONS = {"naming": "name", "revocation": "revoke"}


def _notice_rows(conn: Connection, year: int, action: str, level: str | None) -> list[dict[str, Any]]:
    """The designations of the notice, by studio code, date and id."""
    from sqlalchemy import or_, select

    from laomo.models import Designation, Studio

    d, s = Designation.__table__, Studio.__table__
    q = (select(s.c.code, s.c.name, s.c.unit, s.c.kind, s.c.county, s.c.industry, d.c.level, d.c.date,
                d.c.doc, d.c.batch, d.c.reason, d.c.amount)
         .select_from(d.join(s, s.c.id == d.c.studio_id))
         .where(predicates.in_force(d), d.c.action == action, d.c.year == year)
         .order_by(s.c.code, d.c.date, d.c.id))
    if level:
        q = q.where(or_(d.c.level == level, d.c.level.is_(None)) if action == "revoke" else d.c.level == level)
    return [dict(r._mapping) for r in conn.execute(q)]


def _notice_doc(rows: list[dict[str, Any]], doc: str | None, warnings: list[dict[str, str]]) -> str:
    """The 文号: ``doc``, else the one the rows share (blank, with a warning, otherwise)."""
    if doc is not None:
        return doc
    docs = sorted({r["doc"] for r in rows if r["doc"]})
    if len(docs) == 1:
        return docs[0]
    if len(docs) > 1:
        warnings.append({"text": f"这些记录的文号不一致（{len(docs)} 个：{'、'.join(docs[:3])}…），文号留空，请指定文号", "option": "doc"})
    else:
        warnings.append({"text": "这些记录没有文号，文号留空，可以指定文号", "option": "doc"})
    return ""


def _notice_groups(rows: list[dict[str, Any]], group_by: str) -> tuple[str, list[dict[str, Any]]]:
    """The attachment's grouping (by county when the studios span several, else by industry) and groups."""
    counties = {r["county"] for r in rows}
    mode = group_by if group_by != "auto" else ("county" if len(counties) > 1 else "industry")
    groups_map: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups_map[r["county"] if mode == "county" else r["industry"]].append(r)
    keys = sorted(groups_map) if mode == "county" else sorted(groups_map, key=lambda k: (INDUSTRY.rank(k), k))
    return mode, [{
        "key": k, "name": k if mode == "county" else INDUSTRY.label(k), "count": len(groups_map[k]),
        "studios": [{
            "studio": r["code"], "name": r["name"], "unit": r["unit"], "county": r["county"],
            "industry": r["industry"], "level": r["level"], "date": _iso(r["date"]), "doc": r["doc"],
            "batch": r["batch"], "amount": r["amount"], "reason": r["reason"] or "",
            "line": f"{r['name']}（{r['unit']}）",
        } for r in groups_map[k]],
    } for k in keys]


def notice(session: Session | Connection, *, year: int, kind: str, level: str | None = None, doc: str | None = None,
           group_by: str = "auto", date: dt.date | None = None) -> dict[str, Any]:
    """The decision notice of ``year``: namings or revocations, its list grouped, and its wording."""
    if kind not in NOTICE_ACTIONS:
        raise UsageError(f"决定类型只能是 naming（命名）或 revocation（撤销），不是「{kind}」", option="kind")
    if group_by not in ("auto", "county", "industry"):
        raise UsageError(f"附件分组只能是 auto、county 或 industry，不是「{group_by}」", option="group_by")
    action = NOTICE_ACTIONS[kind]
    rows = _notice_rows(_conn(session), year, action, level)
    what = "命名" if action == "name" else "撤销命名（摘牌）"
    if not rows:
        where = f"{LEVEL.label(level)}" if level else ""
        raise NotFound(f"{year} 年度没有{where}{what}记录（命名/处理记录中 年度={year}、处理={'命名' if action == 'name' else '摘牌'}）")
    levels = sorted({r["level"] for r in rows if r["level"]}, key=LEVEL.rank)
    if level is None and len(levels) > 1:
        raise UsageError(f"{year} 年度的{what}记录有多个级别（{'、'.join(LEVEL.label(v) for v in levels)}），"
                         "一份决定只对应一个级别，请指定级别", option="level")
    level = level or (levels[0] if levels else None)
    # one row per studio (a studio named twice at the same level in one year is listed once)
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["code"], r)
    rows = list(seen.values())
    warnings: list[dict[str, str]] = []
    doc = _notice_doc(rows, doc, warnings)
    union = union_name(session)
    if not union:
        warnings.append({"text": "未设置台账单位（落款），请设置本台账的工会名称", "option": "union"})
    date = date or max(r["date"] for r in rows)
    level_label = LEVEL.label(level) if level else ""
    studio_kind = kind_title(r["kind"] for r in rows)
    mode, groups = _notice_groups(rows, group_by)
    union_text = union or "（工会名称）"
    title, attachment_title, body = notice_text(action, year, rows, level_label, studio_kind, union_text)
    return {
        "year": year, "kind": kind, "action": action, "level": level, "level_label": level_label,
        "studio_kind": studio_kind, "title": title, "doc": doc, "union": union_text,
        "header": f"{union_text}文件" if union else "",
        "addressees": addressees(union), "body": body, "count": len(rows),
        "date": _iso(date), "date_text": cn_date(date),
        "attachment_title": attachment_title, "group_by": mode, "groups": groups,
        "batches": sorted({r["batch"] for r in rows if r["batch"]}),
        "warnings": warnings,  # [{"text", "option"}]: the argument that would settle it
    }


# --------------------------------------------------------------------------- studio dossier


def _people_of(conn: Connection, sid: int, leader_id: int, show_pii: bool,
               ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The leader, the members (leader first, then core members, then the rest, by joining date) and
    the honors of everyone who is or was a member."""
    from sqlalchemy import select

    from laomo.models import Honor, Member, Person

    p, m, h = Person.__table__, Member.__table__, Honor.__table__
    mask_id, mask_ph = _mask(show_pii)

    def person(r: Any) -> dict[str, Any]:
        return {"code": r["code"], "name": r["name"], "gender": r["gender"], "birth_year": r["birth_year"],
                "id_number": mask_id(r["id_number"]), "phone": mask_ph(r["phone"]), "unit": r["unit"],
                "post": r["post"], "frontline": r["frontline"], "skill_grade": r["skill_grade"]}

    leader = conn.execute(select(p).where(p.c.id == leader_id)).mappings().one()
    members = []
    person_ids = {leader["id"]}
    for r in conn.execute(select(m.c.role, m.c.joined, m.c.left, p).select_from(m.join(p, p.c.id == m.c.person_id))
                          .where(m.c.studio_id == sid, predicates.in_force(m))).mappings():
        person_ids.add(r["id"])
        members.append({**person(r), "role": r["role"], "joined": _iso(r["joined"]), "left": _iso(r["left"])})
    role_rank = {"leader": 0, "core": 1, "member": 2}
    members.sort(key=lambda x: (role_rank.get(x["role"], 3), x["joined"] or "", x["code"]))
    honors = [{"person": r.code, "name": r.name, "kind": r.kind, "year": r.year, "issuer": r.issuer}
              for r in conn.execute(select(p.c.code, p.c.name, h.c.kind, h.c.year, h.c.issuer)
                                    .select_from(h.join(p, p.c.id == h.c.person_id))
                                    .where(h.c.person_id.in_(sorted(person_ids)), predicates.in_force(h))
                                    .order_by(h.c.year, p.c.code))]
    return person(leader), members, honors


def _work_of(conn: Connection, sid: int) -> dict[str, list[dict[str, Any]]]:
    """A studio's achievements, activities and 师带徒, each in date order."""
    from sqlalchemy import select

    from laomo.models import Achievement, Activity, Mentorship, Person

    a, act, ms = Achievement.__table__, Activity.__table__, Mentorship.__table__
    mentor, apprentice = Person.__table__.alias("mentor"), Person.__table__.alias("apprentice")
    return {
        "achievements": [
            {"code": r.code, "title": r.title, "type": r.type, "stage": r.stage, "date": _iso(r.date),
             "benefit": r.benefit, "patent_no": r.patent_no, "frontline_led": r.frontline_led}
            for r in conn.execute(select(a).where(a.c.studio_id == sid, predicates.in_force(a))
                                  .order_by(a.c.date, a.c.code))],
        "activities": [
            {"date": _iso(r.date), "kind": r.kind, "title": r.title, "participants": r.participants,
             "hours": whole(r.hours)}
            for r in conn.execute(select(act).where(act.c.studio_id == sid, predicates.in_force(act))
                                  .order_by(act.c.date, act.c.kind, act.c.title, act.c.seq))],
        "mentorships": [
            {"mentor": r.mentor, "mentor_code": r.mentor_code, "apprentice": r.apprentice,
             "apprentice_code": r.apprentice_code, "start": _iso(r.start), "end": _iso(r.end),
             "agreement": r.agreement, "promoted_on": _iso(r.promoted_on)}
            for r in conn.execute(
                select(mentor.c.name.label("mentor"), mentor.c.code.label("mentor_code"),
                       apprentice.c.name.label("apprentice"), apprentice.c.code.label("apprentice_code"),
                       ms.c.start, ms.c.end, ms.c.agreement, ms.c.promoted_on)
                .select_from(ms.join(mentor, mentor.c.id == ms.c.mentor_id)
                             .join(apprentice, apprentice.c.id == ms.c.apprentice_id))
                .where(ms.c.studio_id == sid, predicates.in_force(ms)).order_by(ms.c.start, apprentice.c.code))],
    }


def profile_caption(conn: Connection, name: str | None, profile_hash: str | None) -> str:
    """A profile as people read it: its title with its name, 「河南省…标准（2015）及年度考核（henan-2015）」;
    the title from the content the database kept under the hash, else from the bundled profile of
    that name with that very hash; the name alone when neither is found."""
    from laomo.assess.profiles import stored_profile
    from laomo.rules import ProfileError, bundled_names, load_profile

    if not name:
        return ""
    prof = stored_profile(conn, profile_hash=profile_hash) if profile_hash else None
    if prof is None and name in bundled_names():  # without a hash (a check): the bundled title
        try:
            bundled = load_profile(name)
        except ProfileError:
            bundled = None
        prof = bundled if bundled is not None and (not profile_hash or bundled.hash == profile_hash) else None
    title = prof.title if prof is not None else ""
    return f"{title}（{name}）" if title else name


def _records_of(conn: Connection, sid: int) -> dict[str, list[dict[str, Any]]]:
    """A studio's on-site inspections, assessments and designations."""
    from sqlalchemy import select

    from laomo.models import Assessment, Designation, Inspection

    ins, t, d = Inspection.__table__, Assessment.__table__, Designation.__table__
    seen: dict[tuple[str | None, str | None], str] = {}

    def captions(name: str | None, profile_hash: str | None) -> str:
        if (name, profile_hash) not in seen:
            seen[(name, profile_hash)] = profile_caption(conn, name, profile_hash)
        return seen[(name, profile_hash)]

    return {
        "inspections": [
            {"year": r.year, "item": r.item, "score": whole(r.score), "inspector": r.inspector}
            for r in conn.execute(select(ins).where(ins.c.studio_id == sid, predicates.in_force(ins))
                                  .order_by(ins.c.year, ins.c.item))],
        "assessments": [
            {"year": r.year, "total": whole(r.total), "grade": r.grade,
             "items": {k: whole(v) for k, v in (r._mapping["items"] or {}).items()},
             "recommendation": r.recommendation or "none", "reasons": list(r.reasons or []),
             "profile": r.profile, "imported": bool(r.imported),
             "source": "导入" if r.imported else captions(r.profile, r.profile_hash)}
            for r in conn.execute(select(t).where(t.c.studio_id == sid).order_by(t.c.year))],
        "designations": [
            {"action": r.action, "level": r.level, "year": r.year, "date": _iso(r.date),
             "batch": r.batch, "doc": r.doc, "amount": r.amount, "reason": r.reason,
             "deadline": _iso(r.deadline)}
            for r in conn.execute(select(d).where(d.c.studio_id == sid, predicates.in_force(d))
                                  .order_by(d.c.date, d.c.id))],
    }


def _people_ids(conn: Connection, sid: int, leader_id: int) -> list[int]:
    """The leader and everyone ever entered as a member of the studio (voided entries too)."""
    from sqlalchemy import select

    from laomo.models import Member

    m = Member.__table__
    return sorted({leader_id, *conn.execute(select(m.c.person_id).where(m.c.studio_id == sid)).scalars()})


def _voided_of(conn: Connection, sid: int, person_ids: list[int]) -> list[dict[str, Any]]:
    """The studio's voided records and designations, for the paper file (they count nowhere else):
    ``{"kind", "label", "key", "what", "reason", "at"}`` in the order they were voided."""
    from sqlalchemy import select

    from laomo.award.mistakes import describe
    from laomo.domain.voiding import utc
    from laomo.ledger.void import voided_records
    from laomo.models import Designation

    out = [{"kind": v.kind, "label": v.label, "key": v.key, "what": v.key, "reason": v.reason,
            "at": v.voided_at.isoformat()} for v in voided_records(conn, studio_id=sid, person_ids=person_ids)]
    d = Designation.__table__
    for r in conn.execute(select(d).where(d.c.studio_id == sid, ~predicates.in_force(d))):
        out.append({"kind": "designation", "label": "命名/处理记录", "key": str(r.id),
                    "what": describe(r.action, r.level, r.date), "reason": r.void_reason or "",
                    "at": utc(r.voided_at).isoformat()})
    return sorted(out, key=lambda v: (v["at"], v["kind"], v["key"]))


def studio(session: Session | Connection, *, code: str, show_pii: bool = False) -> dict[str, Any]:
    """One studio's dossier: people, honors, results, activities, 师带徒, assessments, designations
    (those in force), and the records voided there (``voided``)."""
    from sqlalchemy import select

    from laomo.models import Studio

    conn = _conn(session)
    s = Studio.__table__
    row = conn.execute(select(s).where(s.c.code == code)).mappings().first()
    if row is None:
        from laomo.domain.studios import case_hint

        raise NotFound(f"工作室 {code} 不存在" + case_hint(conn, [code]))
    sid = row["id"]
    leader, members, honors = _people_of(conn, sid, row["leader_id"], show_pii)
    voided = _voided_of(conn, sid, _people_ids(conn, sid, row["leader_id"]))
    work = _work_of(conn, sid)
    records = _records_of(conn, sid)
    state: State = state_of(states(conn, studio_ids=[sid]), sid)
    achievements, activities, mentorships = work["achievements"], work["activities"], work["mentorships"]
    return {
        "studio": row["code"], "name": row["name"], "kind": row["kind"], "unit": row["unit"],
        "credit_code": row["credit_code"], "industry": row["industry"], "county": row["county"],
        "founded": _iso(row["founded"]), "area": whole(row["area"]), "funds": row["funds"],
        "flags": {k: bool(row[k]) for k in ("has_sign", "has_rules", "has_plan", "has_display",
                                            "has_records", "has_facilities")},
        "notes": row["notes"],
        "status": state.status, "level": state.level, "levels_held": state.levels_held,
        "demonstrative": state.demonstrative, "first_named": _iso(state.first_named),
        "deadline": _iso(state.deadline),
        "leader": leader, "members": members, "honors": honors, "achievements": achievements,
        "activities": activities, "mentorships": mentorships, "inspections": records["inspections"],
        "assessments": records["assessments"], "designations": records["designations"],
        "totals": {"achievements": len(achievements), "benefit": sum(x["benefit"] or 0 for x in achievements),
                   "activities": len(activities),
                   "participants": sum(x["participants"] or 0 for x in activities),
                   "mentorships": len(mentorships),
                   "promoted": sum(1 for x in mentorships if x["promoted_on"])},
        "voided": voided, "union": union_name(session), "pii": bool(show_pii),
    }
