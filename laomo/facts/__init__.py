"""事实：规则读取的每个工作室的数据，集合式地一次为所有工作室算出。

:func:`iter_facts` runs a fixed number of queries whatever the number of
studios — one per fact table (studios with their leader, members, honors,
activities, mentorships, inspections, designations, assessments; two for
achievements: those of the year, and counts by date only, which the
(studio, date) index answers alone) — each a single ``GROUP BY`` studio with
conditional counts (``COUNT(CASE WHEN … THEN 1 END)``), never one query per
studio.  Every query is ordered by studio id and streamed as plain tuples from
the driver's cursor (a server-side cursor on PostgreSQL; :func:`driver_rows`);
the streams are merged a chunk of
``FACTS_CHUNK`` studios at a time, so only that chunk's facts are in memory
(150,000 studios: the yearly assessment stays flat, see
``bench/bench_assess.py``).  A caller that names the facts it reads
(``needed``) gets only the queries and columns those need.
:func:`compute_facts` collects the same stream into one dict.  The SQL is
SQLAlchemy Core with dates passed as bound parameters, so it runs unchanged
on SQLite and PostgreSQL.

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
  and not revoked by then (the status fold of :mod:`laomo.domain.status` over the
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

import copy
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from laomo.enums import ACHIEVEMENT_TYPE, ACTIVITY_KIND, HONOR_LEVELS, LEVEL
from laomo.rules import vocab

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




def _count_if(cond):  # type: ignore[no-untyped-def]
    from sqlalchemy import case, func

    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)




#: Rows fetched per round trip by each streamed query (a server-side cursor on PostgreSQL).
STREAM_ROWS = 2000
#: Studios whose facts :func:`iter_facts` assembles at a time.
FACTS_CHUNK = 1000


def compute_facts(conn, year: int | None = None, *, as_of: dt.date | None = None,  # type: ignore[no-untyped-def]
                  studio_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Facts for every studio (or ``studio_ids``) for ``year`` (D = 31 Dec) or as of ``as_of``.

    Returns ``{studio_id: {"code", "name", <fact>: value, …}}``.  This holds every
    studio's facts at once; the yearly assessment streams them with :func:`iter_facts`.
    """
    return {sid: f for sid, f, _ in iter_facts(conn, year, as_of=as_of, studio_ids=studio_ids)}


def iter_facts(conn, year: int | None = None, *, as_of: dt.date | None = None,  # type: ignore[no-untyped-def]
               studio_ids: Iterable[int] | None = None, state_now: bool = False, with_state_only: bool = False,
               id_range: tuple[int | None, int | None] | None = None,
               needed: Collection[str] | None = None) -> Iterator[tuple[int, dict[str, Any], Any]]:
    """Yield ``(studio_id, facts, state)`` for every studio (or ``studio_ids``), in id order.

    The queries of :func:`compute_facts`, each ordered by studio id and
    streamed (:func:`driver_rows`; ``yield_per`` for a few studios), merged in
    one pass, ``FACTS_CHUNK`` studios at a time: only that chunk's facts are
    held, whatever the number of studios.  Consume the iterator before
    writing to a table it reads (SQLite does not define what a running
    statement sees of such changes).

    ``state``: with ``state_now``, the studio's :class:`~laomo.domain.status.State`
    now — all its designations folded, whatever their date; None without
    any — from the same designation query; otherwise None.

    ``with_state_only`` (with ``state_now``): only the studios that have a
    state (some designation) are yielded — a studio never named is never
    assessed, and its facts are not even assembled.

    ``id_range``: ``(low, high)``, only the studios with ``low <= id < high``
    (None: no bound on that side) — a part of a run computed by another
    process.

    ``needed``: the fact names the caller will read (None: all).  Columns and
    queries no needed fact depends on are left out, and the achievement and
    activity queries read only the dates the needed facts look at; a fact
    not computed keeps its zero value, so a caller must name every fact it
    reads.
    """
    from sqlalchemy import BigInteger, and_, case, cast, func, or_, select

    from laomo.domain.status import State
    from laomo.models import (
        Achievement,
        Activity,
        Assessment,
        Designation,
        Honor,
        Inspection,
        Member,
        Mentorship,
        Person,
        Studio,
    )

    if with_state_only and not state_now:
        raise ValueError("with_state_only needs state_now")
    if as_of is None:
        if year is None:
            raise ValueError("compute_facts needs a year or an as_of date")
        as_of = dt.date(year, 12, 31)
    D = as_of
    Y = D.year
    start = _year_start(Y)
    year_ago = _one_year_before(D)  # "the last 12 months" are after it, up to D
    conn = _connection(conn)
    ids = None if studio_ids is None else list(studio_ids)
    if ids is not None and not ids:
        return
    want = (lambda name: True) if needed is None else set(needed).__contains__

    def streamed(q):  # type: ignore[no-untyped-def]
        # statement-level option: Connection.execution_options() would change the caller's
        # connection for good (a later INSERT on it would ask PostgreSQL for a server-side cursor)
        return chain.from_iterable(conn.execute(q.execution_options(yield_per=STREAM_ROWS)).partitions())

    id_low, id_high = id_range or (None, None)

    def bounded(col, q):  # type: ignore[no-untyped-def]
        if id_low is not None:
            q = q.where(col >= id_low)
        return q if id_high is None else q.where(col < id_high)

    def rows(col, q, *order, typed: bool = True):  # type: ignore[no-untyped-def]
        """The query's rows in studio order, as an iterator of plain tuples."""
        q = q.order_by(col, *order)
        q = bounded(col, q)
        if ids is not None:  # a few studios (check, explain): SQLAlchemy's own result is fine
            return streamed(q.where(col.in_(ids)))
        return driver_rows(conn, q, typed=typed)

    def count_if(cond):  # type: ignore[no-untyped-def]
        return func.count() if cond is None else func.count(case((cond, 1)))

    def sum_if(cond, value):  # type: ignore[no-untyped-def]
        """A sum as a plain integer on every database (PostgreSQL sums bigints as numeric)."""
        return cast(func.coalesce(func.sum(value if cond is None else case((cond, value))), 0), BigInteger)

    def both(*conds):  # type: ignore[no-untyped-def]
        conds = [c for c in conds if c is not None]
        return None if not conds else conds[0] if len(conds) == 1 else and_(*conds)

    def adder(keys: list[str]):  # type: ignore[no-untyped-def]
        def add(f: dict[str, Any], r: Any) -> None:
            f.update(zip(keys, r[1:]))
        return add

    streams: list[tuple[Any, Callable[[dict[str, Any], Any], None]]] = []

    def grouped(col, cols: list[tuple[str, Any]], where=None):  # type: ignore[no-untyped-def]
        """One GROUP BY studio query of the needed ``(fact, aggregate)`` columns."""
        cols = [(k, c) for k, c in cols if want(k)]
        if cols:
            q = select(col, *(c for _, c in cols)).group_by(col)
            streams.append((rows(col, q if where is None else q.where(where)), adder([k for k, _ in cols])))

    s = Studio.__table__
    p = Person.__table__

    # 1. studios and their leader (current values): drives the merge (the flags go through bool()
    #    below, so the driver's 0/1 need no conversion)
    studios = rows(s.c.id, select(
        s.c.id, s.c.code, s.c.name, s.c.unit, s.c.has_sign, s.c.has_rules, s.c.has_plan, s.c.has_display,
        s.c.has_records, s.c.has_facilities, s.c.area, s.c.funds, p.c.skill_grade,
    ).select_from(s.join(p, p.c.id == s.c.leader_id)), typed=False)

    # 2. members active on D
    if any(map(want, ("active_members", "team_size", "frontline_members", "frontline_share", "leader_active"))):
        m = Member.__table__
        active = and_(or_(m.c.joined.is_(None), m.c.joined <= D), or_(m.c.left.is_(None), m.c.left >= D))
        is_leader = m.c.person_id == s.c.leader_id
        frontline = p.c.frontline == True  # noqa: E712 - SQL expression
        q = (select(m.c.studio_id, func.count(), count_if(~is_leader), count_if(and_(~is_leader, frontline)),
                    count_if(frontline), count_if(is_leader))
             .select_from(m.join(s, s.c.id == m.c.studio_id).join(p, p.c.id == m.c.person_id))
             .where(active).group_by(m.c.studio_id))

        def add_members(f: dict[str, Any], r: Any) -> None:
            _, n, team, team_fl, all_fl, leader = r
            f["active_members"] = n
            f["team_size"] = team
            f["frontline_members"] = team_fl
            f["frontline_share"] = all_fl / n if n else 0
            f["leader_active"] = leader > 0
        streams.append((rows(m.c.studio_id, q), add_members))

    # 3. the leader's honors up to the year of D: the highest level
    if want("leader_honor_level"):
        h = Honor.__table__
        rank = case({kind: LEVEL.rank(level) for kind, (_, level) in HONOR_LEVELS.items()},
                    value=h.c.kind, else_=-1)
        levels = [lv for lv, _ in LEVEL.items]

        def add_honor(f: dict[str, Any], r: Any) -> None:
            if r[1] is not None and r[1] >= 0:
                f["leader_honor_level"] = levels[int(r[1])]
        streams.append((rows(s.c.id, select(s.c.id, func.max(rank))
                             .select_from(s.join(h, h.c.person_id == s.c.leader_id))
                             .where(h.c.year <= Y).group_by(s.c.id)), add_honor))

    # 4. achievements: those dated in Y (one query reading the rows), and counts by date
    #    only (a second one, which the (studio, date) index answers alone)
    a = Achievement.__table__
    grouped(a.c.studio_id, [
        ("achievements_in_year", func.count()),
        ("benefit_in_year", sum_if(None, a.c.benefit)),
        ("promoted_achievements_in_year", count_if(a.c.stage == "promotion")),
        ("frontline_led_achievements_in_year", count_if(a.c.frontline_led == True)),  # noqa: E712
    ] + [(f"achievements_in_year_{t}", count_if(a.c.type == t)) for t in ACHIEVEMENT_TYPE.values],
        and_(a.c.date >= start, a.c.date <= D))
    windows = {"achievements_total": None, "achievements_last_12_months": year_ago,
               "achievements_year_minus_1": _year_start(Y - 1), "achievements_year_minus_2": _year_start(Y - 2)}
    bounds = [b for k, b in windows.items() if want(k)]
    low = None if not bounds or None in bounds else min(bounds)

    def since(d: dt.date, strict: bool = False):  # type: ignore[no-untyped-def]
        """The date condition, None when the query's window already implies it."""
        if low is not None and (low > d or (low == d and not strict)):
            return None
        return a.c.date > d if strict else a.c.date >= d
    grouped(a.c.studio_id, [
        ("achievements_total", func.count()),
        ("achievements_last_12_months", count_if(since(year_ago, strict=True))),
        ("achievements_year_minus_1", count_if(both(since(_year_start(Y - 1)), a.c.date < start))),
        ("achievements_year_minus_2", count_if(both(since(_year_start(Y - 2)), a.c.date < _year_start(Y - 1)))),
    ], a.c.date <= D if low is None else and_(a.c.date >= low, a.c.date <= D))

    # 5. activities in the last 12 months, and in Y (a part of them)
    act = Activity.__table__
    last12 = want("activities_last_12_months")
    # within the last 12 months, "in Y" needs its own condition only when D is not 31 December
    in_year = act.c.date >= start if last12 and year_ago + dt.timedelta(days=1) < start else None
    cols = [
        ("activities_last_12_months", func.count()),
        ("activities_in_year", count_if(in_year)),
        ("participants_in_year", sum_if(in_year, act.c.participants)),
    ]
    for k in ACTIVITY_KIND.values:
        cols.append((f"activities_in_year_{k}", count_if(both(in_year, act.c.kind == k))))
        cols.append((f"participants_in_year_{k}",
                     sum_if(both(in_year, act.c.kind == k), act.c.participants)))
    grouped(act.c.studio_id, cols, and_(act.c.date > year_ago if last12 else act.c.date >= start,
                                        act.c.date <= D))

    # 6. mentorships
    ms = Mentorship.__table__
    running = and_(ms.c.start <= D, or_(ms.c.end.is_(None), ms.c.end >= start))
    grouped(ms.c.studio_id, [
        ("mentorships_active", count_if(running)),
        ("mentorships_active_signed", count_if(and_(running, ms.c.agreement == True))),  # noqa: E712
        ("apprentices_promoted_in_year", count_if(and_(ms.c.promoted_on >= start, ms.c.promoted_on <= D))),
        ("apprentices_promoted_total", count_if(ms.c.promoted_on <= D)),
    ])

    # 7. on-site inspection scores of Y (one row per item)
    if needed is None or any(n.startswith(vocab.INSPECTION_PREFIX) for n in needed):
        ins = Inspection.__table__

        def add_inspection(f: dict[str, Any], r: Any) -> None:
            f[vocab.INSPECTION_PREFIX + str(r[1]).upper()] = r[2]
        streams.append((rows(ins.c.studio_id, select(ins.c.studio_id, ins.c.item, ins.c.score)
                             .where(ins.c.year == Y)), add_inspection))

    # 9. stored assessments: Y-1 and the latest year up to Y
    t = Assessment.__table__
    if want("previous_grade"):
        def add_previous(f: dict[str, Any], r: Any) -> None:
            f["previous_grade"] = r[1]
        streams.append((rows(t.c.studio_id, select(t.c.studio_id, t.c.grade).where(t.c.year == Y - 1)),
                        add_previous))
    if want("latest_grade"):
        latest = (select(t.c.studio_id.label("sid"), func.max(t.c.year).label("y"))
                  .where(t.c.year <= Y).group_by(t.c.studio_id))
        latest = bounded(t.c.studio_id, latest if ids is None else latest.where(t.c.studio_id.in_(ids))).subquery()

        def add_latest(f: dict[str, Any], r: Any) -> None:
            f["latest_grade"] = r[1]
        streams.append((streamed(select(t.c.studio_id, t.c.grade).select_from(
            t.join(latest, and_(t.c.studio_id == latest.c.sid, t.c.year == latest.c.y)))
            .order_by(t.c.studio_id)), add_latest))

    # 8. designations, ordered by studio, date, id: folded per studio into the state on D
    #    (and the state now, from the same rows, with ``state_now``)
    named = state_now or any(map(want, ("named_level", "demonstrative", "first_named", "years_named",
                                        "years_at_level")))
    designations = None
    if named:
        d = Designation.__table__
        q = select(d.c.studio_id, d.c.action, d.c.level, d.c.date, d.c.deadline)
        designations = rows(d.c.studio_id, q if state_now else q.where(d.c.date <= D), d.c.date, d.c.id)

    # The merge, a chunk of studios at a time: the designation fold, their facts dicts, then each
    # stream's rows up to the chunk's last studio (every stream is in studio order), then the
    # designation facts.
    pending = [[result, None, add] for result, add in streams]
    folds = [designations, None] if designations is not None else None
    studio_rows = studios
    # a run that names its facts starts each studio from the zero values of those only
    zero = _ZERO_FACTS if needed is None else {k: v for k, v in _ZERO_FACTS.items() if want(k)}
    while True:
        batch = list(islice(studio_rows, FACTS_CHUNK))
        if not batch:
            return
        last = batch[-1][0]
        on_d: dict[int, Any] = {}
        now: dict[int, Any] = {}
        if folds is not None:
            row = folds[1]
            if row is None or row[0] <= last:
                folds[1] = None
                rows_ = chain((row,), folds[0]) if row is not None else folds[0]
                # one fold gives both states: rows come by date, so the state on D is the state
                # now unless a later row follows (only with ``state_now``) — then a copy taken
                # before that row
                cut: dict[int, Any] = {}  # studio → its state on D (None: nothing on or before D)
                for row in rows_:
                    sid, action, level, date, deadline = row
                    if sid > last:
                        folds[1] = row
                        break
                    st = now.get(sid)
                    if date > D and sid not in cut:
                        cut[sid] = None if st is None else copy.deepcopy(st)
                    if st is None:
                        st = now[sid] = State()
                    st.apply(action, level, date, deadline)
                on_d = now
                if cut:
                    on_d = dict(now)
                    for sid, st in cut.items():
                        if st is None:
                            del on_d[sid]
                        else:
                            on_d[sid] = st
        chunk: dict[int, dict[str, Any]] = {}
        keep = now if with_state_only else None
        for r in batch:
            if keep is not None and r[0] not in keep:
                continue  # never named: not assessed, no facts needed
            f = chunk[r[0]] = dict(zero)
            f.update(
                code=r[1], name=r[2],
                has_name=bool((r[2] or "").strip()), has_unit=bool((r[3] or "").strip()),
                has_sign=bool(r[4]), has_rules=bool(r[5]), has_plan=bool(r[6]),
                has_display=bool(r[7]), has_records=bool(r[8]), has_facilities=bool(r[9]),
                premises_area=r[10] or 0, annual_funds=r[11] or 0, leader_skill_grade=r[12],
            )
        get = chunk.get
        for stream in pending:
            row, add = stream[1], stream[2]
            if row is not None:
                if row[0] > last:
                    continue
                stream[1] = None
                f = get(row[0])
                if f is not None:
                    add(f, row)
            for row in stream[0]:
                if row[0] > last:
                    stream[1] = row
                    break
                f = get(row[0])
                if f is not None:
                    add(f, row)

        if folds is not None:
            for sid, st in on_d.items():
                f = get(sid)
                if f is None:
                    continue
                level = st.level
                f["named_level"] = level
                f["demonstrative"] = level is not None and level in st.demonstrative_levels
                if st.first_named is not None:
                    f["first_named"] = st.first_named.isoformat()
                    f["years_named"] = Y - st.first_named.year
                if level is not None:
                    f["years_at_level"] = Y - st.named_since[level].year
        if not state_now:
            now = {}
        for sid, f in chunk.items():
            yield sid, f, now.get(sid)
        del chunk, batch


def driver_rows(conn, q, *, typed: bool = True) -> Iterator[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """Stream a SELECT's rows as plain tuples straight from the driver's cursor.

    SQLAlchemy compiles the statement and converts the bound parameters and
    the result columns whose type needs it (dates on SQLite, say), but builds
    no ``Row`` per row: at national scale that per-row work cost about as much
    as the queries themselves.  On PostgreSQL the cursor is a named
    (server-side) one, so rows arrive ``STREAM_ROWS`` at a time as with
    ``yield_per``.  The cursor is closed when the iterator is exhausted or
    discarded.  ``typed=False``: the driver's values as they are (SQLite's 0/1
    for booleans, text for dates), for a caller that converts them itself.
    """
    dialect = conn.dialect
    compiled = q.compile(dialect=dialect)
    values = compiled.construct_params()
    params: dict[str, Any] = {}
    for name, value in values.items():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        params[name] = process(value) if process is not None and value is not None else value
    args: Any = tuple(params[n] for n in compiled.positiontup) if compiled.positional else params
    types = [c.type.dialect_impl(dialect) for c in q.selected_columns] if typed else []
    return _drain(conn.connection.dbapi_connection, str(compiled), args, types, dialect)


def _drain(raw, sql: str, args: Any, types: list[Any], dialect) -> Iterator[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    # the cursor is opened here, on the first row asked for: a stream never read holds none
    if dialect.name == "postgresql":
        import uuid

        cursor = raw.cursor(name=f"laomo_facts_{uuid.uuid4().hex[:12]}")
        cursor.itersize = STREAM_ROWS
    else:
        cursor = raw.cursor()
        cursor.arraysize = STREAM_ROWS
    try:
        cursor.execute(sql, args)
        # the result processors SQLAlchemy itself would pick, from the driver's column type codes
        processors = [(i, f) for i, f in (
            (i, t.result_processor(dialect, d[1])) for i, (t, d) in enumerate(zip(types, cursor.description)))
            if f is not None]
        batches = iter(lambda: cursor.fetchmany(STREAM_ROWS), [])
        if not processors:
            for batch in batches:
                yield from batch
            return

        def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
            out = list(row)
            for i, f in processors:
                value = out[i]
                if value is not None:
                    out[i] = f(value)
            return tuple(out)
        for batch in batches:
            yield from map(convert, batch)
    finally:
        cursor.close()


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


# --------------------------------------------------------------------------- naming eligibility


def complete_years(since: dt.date, day: dt.date) -> int:
    """Whole years from ``since`` to ``day``: n when ``since`` is on or before the same day n years before.

    (29 February counts as 28 February in a year without it, as in :func:`_one_year_before`.)
    """
    n = day.year - since.year - ((day.month, day.day) < (since.month, since.day))
    return max(n, 0)


def add_naming_facts(conn, facts: dict[int, dict[str, Any]], as_of: dt.date, *,  # type: ignore[no-untyped-def]
                     significant_benefit: int, studio_ids: Iterable[int] | None = None) -> None:
    """Add the naming-phase facts (rules.md "Naming eligibility") to ``facts`` from :func:`compute_facts`.

    Set-based like :func:`compute_facts` (four queries whatever the number of
    studios), as of the check date D (Y its year):

    * ``years_held_<level>``: complete years since the naming at that level still
      held on D (the status fold of the designations dated on or before D); None
      when the level is not held;
    * ``significant_achievements_total``: achievements dated on or before D whose
      benefit is at least ``significant_benefit`` (a parameter of the profile);
    * ``activities_year_minus_1_<kind>``/``_2_<kind>``: activities of each kind in
      the complete years Y−1 and Y−2;
    * ``latest_grade_year``: the year of ``latest_grade`` (latest stored year ≤ Y).
    """
    from sqlalchemy import and_, func, select

    from laomo.domain.status import studio_states
    from laomo.models import Achievement, Activity, Assessment

    D = as_of
    Y = D.year
    conn = _connection(conn)
    ids = None if studio_ids is None else list(studio_ids)

    def only(col, q):  # type: ignore[no-untyped-def]
        return q if ids is None else q.where(col.in_(ids))

    for f in facts.values():
        for level in LEVEL.values:
            f[f"years_held_{level}"] = None
        f["significant_achievements_total"] = 0
        for k in ACTIVITY_KIND.values:
            f[f"activities_year_minus_1_{k}"] = 0
            f[f"activities_year_minus_2_{k}"] = 0
        f["latest_grade_year"] = None
    if not facts:
        return

    for sid, state in studio_states(conn, as_of=D, studio_ids=ids).items():
        f = facts.get(sid)
        if f is not None:
            for level, since in state.named_since.items():
                f[f"years_held_{level}"] = complete_years(since, D)

    a = Achievement.__table__
    q = (select(a.c.studio_id, func.count().label("significant_achievements_total"))
         .where(and_(a.c.date <= D, a.c.benefit >= significant_benefit)).group_by(a.c.studio_id))
    _merge_rows(facts, conn.execute(only(a.c.studio_id, q)))

    act = Activity.__table__
    y1 = and_(act.c.date >= _year_start(Y - 1), act.c.date < _year_start(Y))
    y2 = act.c.date < _year_start(Y - 1)
    cols = [act.c.studio_id]
    for k in ACTIVITY_KIND.values:
        cols.append(_count_if(and_(y1, act.c.kind == k)).label(f"activities_year_minus_1_{k}"))
        cols.append(_count_if(and_(y2, act.c.kind == k)).label(f"activities_year_minus_2_{k}"))
    q = (select(*cols).where(and_(act.c.date >= _year_start(Y - 2), act.c.date < _year_start(Y)))
         .group_by(act.c.studio_id))
    _merge_rows(facts, conn.execute(only(act.c.studio_id, q)))

    t = Assessment.__table__
    q = select(t.c.studio_id, func.max(t.c.year).label("latest_grade_year")).where(t.c.year <= Y).group_by(t.c.studio_id)
    _merge_rows(facts, conn.execute(only(t.c.studio_id, q)))
