"""事实：规则读取的每个工作室的数据，集合式地一次为所有工作室算出。

:func:`iter_facts` runs a fixed number of queries whatever the number of
studios — the queries declared in :mod:`laomo.facts.queries`, one per fact
table (studios with their leader, members, honors, activities, mentorships,
inspections, designations, assessments; two for achievements: those of the
year, and counts by date only, which the (studio, date) index answers alone)
— most a single ``GROUP BY`` studio with conditional counts
(``COUNT(CASE WHEN … THEN 1 END)``), never one query per studio, built from
the domain predicates (:mod:`laomo.domain.predicates`).  Every query is
ordered by studio id and streamed as plain tuples from the driver's cursor (a
server-side cursor on PostgreSQL; :func:`~laomo.facts.driver.driver_batches`); one generic merge
(:mod:`laomo.facts.merge`) joins the streams a chunk of ``FACTS_CHUNK``
studios at a time, so only that chunk's facts are in memory (150,000
studios: the yearly assessment stays flat, see ``bench/bench_assess.py``).
A caller that names the facts it reads (``needed``) gets only the queries and
columns those need.  :func:`compute_facts` collects the same stream into one
dict; :func:`add_naming_facts` runs the naming-phase queries the same way.
The SQL is SQLAlchemy Core with dates passed as bound parameters, so it runs
unchanged on SQLite and PostgreSQL.

Facts as of a date D (rules.md "Facts as of a date D")
------------------------------------------------------
* Voided records and voided designations count nowhere: every query keeps only
  the rows in force (:func:`laomo.domain.predicates.in_force`), as if a voided
  row had never been entered.
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

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from laomo.domain.numbers import complete_years
from laomo.facts.driver import STREAM_ROWS, driver_batches, driver_rows
from laomo.facts.merge import Facts, Row, Stream, batched, fill_all, merged
from laomo.facts.queries import QUERIES, STUDIOS, FactQuery, Scope
from laomo.rules import vocab

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from laomo.domain.status import State

__all__ = ["FACTS_CHUNK", "STREAM_ROWS", "add_naming_facts", "complete_years", "compute_facts", "driver_rows",
           "iter_facts"]

#: Studios whose facts :func:`iter_facts` assembles at a time: few enough that a chunk's rows and
#: dicts stay in the processor's cache while the run scores them (a dry run of 150,000 studios on
#: one core, CPU best of 3-4: 9.0-9.7 s with 1,000, 8.0-8.7 s with 250; 128 was no better).
FACTS_CHUNK = 250


def _connection(conn: Connection | Session) -> Connection:
    from sqlalchemy.orm import Session

    return conn.connection() if isinstance(conn, Session) else conn


def _narrower(id_range: tuple[int | None, int | None] | None,
              ids: list[int] | None) -> Callable[[Any, Select[Any]], Select[Any]]:
    """Restricts a statement to the studios asked for (``col``: its studio id column)."""
    low, high = id_range or (None, None)

    def narrow(col: Any, q: Select[Any]) -> Select[Any]:
        if low is not None:
            q = q.where(col >= low)
        if high is not None:
            q = q.where(col < high)
        return q if ids is None else q.where(col.in_(ids))
    return narrow


def _batches(conn: Connection, query: FactQuery, scope: Scope, wanted: tuple[str, ...],
             few: bool) -> Iterator[list[Row]]:
    """The query's rows in studio order, as lists of plain tuples (then through its transform)."""
    q = scope.narrow(query.key, query.sql(scope, wanted).order_by(query.key, *query.order))
    batches: Iterator[list[Row]]
    if few:  # a few studios (check, explain): SQLAlchemy's own result is fine
        # statement-level option: Connection.execution_options() would change the caller's
        # connection for good (a later INSERT on it would ask PostgreSQL for a server-side cursor)
        batches = conn.execute(q.execution_options(yield_per=STREAM_ROWS)).partitions()  # type: ignore[assignment]
    else:
        batches = driver_batches(conn, q, typed=query.typed, batch=STREAM_ROWS)
    if query.transform is None:
        return batches
    return batched(query.transform(chain.from_iterable(batches), scope), STREAM_ROWS)


def _streams(conn: Connection, scope: Scope, few: bool) -> tuple[list[Stream], Stream | None]:
    """The streams of the queries the scope needs; apart, the attached one (the designations)."""
    streams: list[Stream] = []
    attached = None
    for query in QUERIES:
        wanted = query.wanted(scope)
        if query.runs(scope, wanted):
            stream = query.stream(_batches(conn, query, scope, wanted, few), scope, wanted)
            if query.attached:
                attached = stream
            else:
                streams.append(stream)
    return streams, attached


def _zero(scope: Scope) -> Facts:
    """The defaults of the facts the scope computes (vocabulary order)."""
    declared = {n for query in (STUDIOS, *QUERIES) for n in query.facts}
    return {name: vocab.default_value(name) for name in vocab.FACTS
            if name in declared and scope.wants(name)}


def _day(year: int | None, as_of: dt.date | None) -> dt.date:
    if as_of is not None:
        return as_of
    if year is None:
        raise ValueError("compute_facts needs a year or an as_of date")
    return dt.date(year, 12, 31)


def compute_facts(conn: Connection | Session, year: int | None = None, *, as_of: dt.date | None = None,
                  studio_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Facts for every studio (or ``studio_ids``) for ``year`` (D = 31 Dec) or as of ``as_of``.

    Returns ``{studio_id: {"code", "name", <fact>: value, …}}``.  This holds every
    studio's facts at once; the yearly assessment streams them with :func:`iter_facts`.
    """
    return {sid: f for sid, f, _ in iter_facts(conn, year, as_of=as_of, studio_ids=studio_ids)}


def iter_facts(conn: Connection | Session, year: int | None = None, *, as_of: dt.date | None = None,
               studio_ids: Iterable[int] | None = None, state_now: bool = False, state_on_day: bool = False,
               with_state_only: bool = False, id_range: tuple[int | None, int | None] | None = None,
               needed: Collection[str] | None = None) -> Iterator[tuple[int, dict[str, Any], State | None]]:
    """Yield ``(studio_id, facts, state)`` for every studio (or ``studio_ids``), in id order.

    The queries of :mod:`laomo.facts.queries`, each ordered by studio id and
    streamed (:func:`~laomo.facts.driver.driver_batches`; ``yield_per`` for a few studios), merged in
    one pass, ``FACTS_CHUNK`` studios at a time: only that chunk's facts are
    held, whatever the number of studios.  Consume the iterator before
    writing to a table it reads (SQLite does not define what a running
    statement sees of such changes).

    ``state``: with ``state_now``, the studio's :class:`~laomo.domain.status.State`
    now — all its designations folded, whatever their date; None without
    any — from the same designation query; with ``state_on_day``, its state on
    D — its designations dated on or before D folded (what the facts read);
    None without any; otherwise None.  Voided designations count in neither.

    ``with_state_only`` (with ``state_now`` or ``state_on_day``): only the
    studios that have a state (some designation) are yielded — a studio never
    named is never assessed, and its facts are not even assembled.

    ``id_range``: ``(low, high)``, only the studios with ``low <= id < high``
    (None: no bound on that side) — a part of a run computed by another
    process.

    ``needed``: the fact names the caller will read (None: all).  Columns and
    queries no needed fact depends on are left out, and the achievement and
    activity queries read only the dates the needed facts look at; a fact
    not needed is not in the dict (``code`` and ``name`` always are), so a
    caller must name every fact it reads.
    """
    if with_state_only and not (state_now or state_on_day):
        raise ValueError("with_state_only needs state_now or state_on_day")
    if state_now and state_on_day:
        raise ValueError("state_now and state_on_day: one state is handed back")
    day = _day(year, as_of)
    ids = None if studio_ids is None else list(studio_ids)
    if ids is not None and not ids:
        return
    conn = _connection(conn)
    scope = Scope(day, "base", None if needed is None else frozenset(needed), state_now=state_now,
                  state_on_day=state_on_day, narrow=_narrower(id_range, ids))
    streams, attached = _streams(conn, scope, ids is not None)
    studios = STUDIOS.stream(_batches(conn, STUDIOS, scope, STUDIOS.facts, ids is not None), scope,
                             STUDIOS.wanted(scope))
    yield from merged(studios, _zero(scope), streams, chunk=FACTS_CHUNK, attached=attached,
                      only_attached=with_state_only)


# --------------------------------------------------------------------------- naming eligibility


def add_naming_facts(conn: Connection | Session, facts: dict[int, dict[str, Any]], as_of: dt.date, *,
                     significant_benefit: int, studio_ids: Iterable[int] | None = None) -> None:
    """Add the naming-phase facts (rules.md "Naming eligibility") to ``facts`` from :func:`compute_facts`.

    Set-based like :func:`compute_facts` (the naming-phase queries of
    :mod:`laomo.facts.queries`, four whatever the number of studios), as of the
    check date D (Y its year):

    * ``years_held_<level>``: complete years since the naming at that level still
      held on D (the status fold of the designations dated on or before D); None
      when the level is not held;
    * ``significant_achievements_total``: achievements dated on or before D whose
      benefit is at least ``significant_benefit`` (a parameter of the profile);
    * ``activities_year_minus_1_<kind>``/``_2_<kind>``: activities of each kind in
      the complete years Y−1 and Y−2;
    * ``latest_grade_year``: the year of ``latest_grade`` (latest stored year ≤ Y).
    """
    ids = None if studio_ids is None else list(studio_ids)
    scope = Scope(as_of, "naming", significant_benefit=significant_benefit, narrow=_narrower(None, ids))
    zero = _zero(scope)
    for f in facts.values():
        f.update(zero)
    if not facts:
        return
    streams, attached = _streams(_connection(conn), scope, ids is not None)
    fill_all(facts, streams if attached is None else [*streams, attached])
