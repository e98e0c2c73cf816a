"""The fact queries, declared: each names the facts it fills, builds its SQL from the domain
predicates (:mod:`laomo.domain.predicates`) over one :class:`Scope` (the day D and what the
caller needs), and copies its rows into the facts.

Every query returns rows whose first value is the studio id; :mod:`laomo.facts` orders each
by studio id and merges them (:mod:`laomo.facts.merge`).  A fact no row fills keeps its
default, :func:`laomo.rules.vocab.default_value` — the vocabulary line of the fact is its
only other declaration.  Most queries are one ``GROUP BY`` studio of conditional
aggregates, declared column by column with :func:`grouped`: a column names its fact, the
period of the table's date it counts (a :class:`Scope` period) and any other condition;
the statement's WHERE is the smallest period holding those of the columns needed, and a
column repeats only the bounds that WHERE leaves open.

Adding a fact: one :class:`Col` in a :func:`grouped` query below (or a query of its own in
:data:`QUERIES`), plus its line in :mod:`laomo.rules.vocab`.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, and_, case, cast, func, select

from laomo.domain import predicates
from laomo.domain.numbers import complete_years
from laomo.domain.predicates import Condition, Period
from laomo.domain.status import State
from laomo.domain.studios import designation_rows, fold_order
from laomo.enums import ACHIEVEMENT_TYPE, ACTIVITY_KIND, HONOR_LEVELS, LEVEL
from laomo.facts.merge import Facts, Fill, Plan, Row, Stream
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
from laomo.rules import vocab

if TYPE_CHECKING:
    from sqlalchemy import Select


def _everything(col: Any, q: Select[Any]) -> Select[Any]:
    return q


@dataclass(frozen=True)
class Scope:
    """One run of the facts: the day D (Y its year), the phase computed and the facts needed.

    ``phase``: ``"base"`` (:func:`laomo.facts.iter_facts`) or ``"naming"``
    (:func:`laomo.facts.add_naming_facts`).  ``needed``: the fact names the caller reads
    (None: every fact of the phase).  ``narrow(col, q)``: ``q`` restricted to the studios
    asked for, ``col`` being its studio id column.
    """

    day: dt.date
    phase: str = "base"
    needed: frozenset[str] | None = None
    state_now: bool = False
    state_on_day: bool = False
    significant_benefit: int = 0
    narrow: Callable[[Any, Select[Any]], Select[Any]] = field(default=_everything)

    @property
    def year(self) -> int:
        return self.day.year

    # the periods a column may count ("in Y", …), rules.md "Facts as of a date D"
    @property
    def in_year(self) -> Period:
        return predicates.year_through(self.day)

    @property
    def up_to_day(self) -> Period:
        return predicates.up_to(self.day)

    @property
    def last_12_months(self) -> Period:
        return predicates.last_12_months(self.day)

    @property
    def year_minus_1(self) -> Period:
        return predicates.whole_year(self.year - 1)

    @property
    def year_minus_2(self) -> Period:
        return predicates.whole_year(self.year - 2)

    def wants(self, name: str) -> bool:
        """A fact of this phase the caller needs; ``prefix*`` stands for a family of facts."""
        family = name.endswith("*")
        d = vocab.fact_def(name[:-1] + "X" if family else name)
        if d is None or d.phase != self.phase:
            return False
        if self.needed is None:
            return True
        return any(n.startswith(name[:-1]) for n in self.needed) if family else name in self.needed


@dataclass(frozen=True)
class FactQuery:
    """One statement of the facts and how its rows fill them.

    ``facts``: the facts it may fill (``prefix*``: a family).  ``key``: its studio id column
    (the rows are ordered by it, then by ``order``).  ``sql(scope, wanted)``: the statement
    for the facts wanted.  ``plan(scope, wanted)``: for a statement of one row per studio,
    each wanted fact as an expression of the row (a :class:`~laomo.facts.merge.Plan`);
    otherwise (no plan, or None for that scope) ``fill(scope, wanted)``, the :data:`Fill` of
    its rows.
    ``transform``: turns the ordered rows into the rows filled (one per studio).
    ``attached``: its rows' second value goes back to the caller with each studio (the
    designations: the state now, or on D), and the query runs for that alone with ``state_now``
    or ``state_on_day``.
    ``typed=False``: the driver's values unconverted (the plan converts them).
    """

    name: str
    facts: tuple[str, ...]
    key: Any
    sql: Callable[[Scope, tuple[str, ...]], Select[Any]]
    plan: Callable[[Scope, tuple[str, ...]], Plan | None] | None = None
    fill: Callable[[Scope, tuple[str, ...]], Fill] | None = None
    order: tuple[Any, ...] = ()
    transform: Callable[[Iterator[Row], Scope], Iterator[Row]] | None = None
    attached: bool = False
    typed: bool = True

    def wanted(self, scope: Scope) -> tuple[str, ...]:
        """The facts of this query the scope needs, in declaration order."""
        return tuple(n for n in self.facts if scope.wants(n))

    def runs(self, scope: Scope, wanted: Sequence[str]) -> bool:
        return bool(wanted) or (self.attached and scope.phase == "base" and (scope.state_now or scope.state_on_day))

    def stream(self, batches: Iterator[list[Row]], scope: Scope, wanted: tuple[str, ...]) -> Stream:
        """Its rows (lists of them) as a :class:`~laomo.facts.merge.Stream` of the merge."""
        plan = None if self.plan is None else self.plan(scope, wanted)
        if plan is not None:
            return Stream(batches, plan=plan)
        assert self.fill is not None, self.name
        return Stream(batches, self.fill(scope, wanted))


def _in_order(scope: Scope, wanted: tuple[str, ...]) -> Plan:
    """The columns after the studio id are the facts wanted, in order; no row: their defaults."""
    return Plan({n: f"{{r}}[{i}]" for i, n in enumerate(wanted, 1)},
                empty=(None, *(vocab.default_value(n) for n in wanted)))


# --------------------------------------------------------------------------- GROUP BY queries


@dataclass(frozen=True)
class Col:
    """One fact of a :func:`grouped` query: the rows of ``period`` (a :class:`Scope` period of the
    table's date; None: any date) meeting ``when``, counted — or ``total`` summed."""

    fact: str
    period: str | None = None
    when: Callable[[Scope], Condition] | None = None
    total: Any = None


def _both(*conds: Condition | None) -> Condition | None:
    present = [c for c in conds if c is not None]
    return None if not present else present[0] if len(present) == 1 else and_(*present)


def _sum_if(cond: Condition | None, value: Any) -> Any:
    """A sum as a plain integer on every database (PostgreSQL sums bigints as numeric)."""
    return cast(func.coalesce(func.sum(value if cond is None else case((cond, value))), 0), BigInteger)


def grouped(name: str, key: Any, columns: Sequence[Col], *, date: Any = None,
            where: Callable[[Scope], Condition] | None = None) -> FactQuery:
    """A ``GROUP BY`` studio query of conditional aggregates, one per :class:`Col` needed.

    ``date``: the table's date column the periods are of.  ``where``: a condition on every row.
    Voided rows (:func:`laomo.domain.predicates.in_force`) are never counted.
    """
    by_fact = {c.fact: c for c in columns}

    def sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
        chosen = [by_fact[n] for n in wanted]
        periods = [getattr(scope, c.period) for c in chosen if c.period is not None]
        known = Period.hull(periods) if chosen and len(periods) == len(chosen) else None
        aggregates = []
        for c in chosen:
            within = None
            if c.period is not None:
                period = getattr(scope, c.period)
                within = (predicates.dated_within(date, period) if known is None
                          else predicates.dated_within_known(date, period, known))
            cond = _both(within, c.when(scope) if c.when is not None else None)
            aggregates.append(predicates.count_if(cond) if c.total is None else _sum_if(cond, c.total))
        q = select(key, *aggregates).where(predicates.in_force(key.table)).group_by(key)
        filters = _both(predicates.dated_within(date, known) if known is not None else None,
                        where(scope) if where is not None else None)
        return q if filters is None else q.where(filters)

    return FactQuery(name, tuple(by_fact), key, sql, _in_order)


def _is(col: Any, value: Any) -> Callable[[Scope], Condition]:
    return lambda scope: col == value


_a = Achievement.__table__
_act = Activity.__table__
_ms = Mentorship.__table__

ACHIEVEMENTS_OF_THE_YEAR = grouped("achievements of the year", _a.c.studio_id, [
    Col("achievements_in_year", "in_year"),
    Col("benefit_in_year", "in_year", total=_a.c.benefit),
    Col("promoted_achievements_in_year", "in_year", _is(_a.c.stage, "promotion")),
    Col("frontline_led_achievements_in_year", "in_year", _is(_a.c.frontline_led, True)),
    *(Col(f"achievements_in_year_{t}", "in_year", _is(_a.c.type, t)) for t in ACHIEVEMENT_TYPE.values),
], date=_a.c.date)

# counts by date only: the (studio, date) index answers it alone
ACHIEVEMENT_COUNTS = grouped("achievements by date", _a.c.studio_id, [
    Col("achievements_total", "up_to_day"),
    Col("achievements_last_12_months", "last_12_months"),
    Col("achievements_year_minus_1", "year_minus_1"),
    Col("achievements_year_minus_2", "year_minus_2"),
], date=_a.c.date)

ACTIVITIES = grouped("activities", _act.c.studio_id, [
    Col("activities_last_12_months", "last_12_months"),
    Col("activities_in_year", "in_year"),
    Col("participants_in_year", "in_year", total=_act.c.participants),
    *(col for k in ACTIVITY_KIND.values for col in (
        Col(f"activities_in_year_{k}", "in_year", _is(_act.c.kind, k)),
        Col(f"participants_in_year_{k}", "in_year", _is(_act.c.kind, k), total=_act.c.participants))),
], date=_act.c.date)

MENTORSHIPS = grouped("mentorships", _ms.c.studio_id, [
    Col("mentorships_active", when=lambda s: predicates.mentorship_running_in(s.in_year)),
    Col("mentorships_active_signed",
        when=lambda s: and_(predicates.mentorship_running_in(s.in_year), predicates.mentorship_signed())),
    Col("apprentices_promoted_in_year", when=lambda s: predicates.promoted_in(s.in_year)),
    Col("apprentices_promoted_total", when=lambda s: predicates.promoted_in(s.up_to_day)),
])

# naming eligibility (rules.md "Naming eligibility"), as of the check date
SIGNIFICANT_ACHIEVEMENTS = grouped("significant achievements", _a.c.studio_id, [
    Col("significant_achievements_total", "up_to_day"),
], date=_a.c.date, where=lambda s: _a.c.benefit >= s.significant_benefit)

ACTIVITIES_OF_EARLIER_YEARS = grouped("activities of Y-1 and Y-2", _act.c.studio_id, [
    *(col for k in ACTIVITY_KIND.values for col in (
        Col(f"activities_year_minus_1_{k}", "year_minus_1", _is(_act.c.kind, k)),
        Col(f"activities_year_minus_2_{k}", "year_minus_2", _is(_act.c.kind, k)))),
], date=_act.c.date)


# --------------------------------------------------------------------------- the other queries

_s = Studio.__table__
_p = Person.__table__


def _studios_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """Studios and their leader (current values): one row per studio, the merge's driver."""
    return select(
        _s.c.id, _s.c.code, _s.c.name, _s.c.unit, _s.c.has_sign, _s.c.has_rules, _s.c.has_plan, _s.c.has_display,
        _s.c.has_records, _s.c.has_facilities, _s.c.area, _s.c.funds, _p.c.skill_grade,
    ).select_from(_s.join(_p, _p.c.id == _s.c.leader_id))


#: The driver's facts: its values as they are (SQLite's 0/1 flags made booleans: ``not not x`` is
#: ``bool(x)`` without a call).
_STUDIO_COLUMNS = {
    "code": "{r}[1]", "name": "{r}[2]",
    "has_name": "(not not ({r}[2] or '').strip())", "has_unit": "(not not ({r}[3] or '').strip())",
    "has_sign": "(not not {r}[4])", "has_rules": "(not not {r}[5])", "has_plan": "(not not {r}[6])",
    "has_display": "(not not {r}[7])", "has_records": "(not not {r}[8])", "has_facilities": "(not not {r}[9])",
    "premises_area": "({r}[10] or 0)", "annual_funds": "({r}[11] or 0)", "leader_skill_grade": "{r}[12]",
}


def _studio_plan(scope: Scope, wanted: tuple[str, ...]) -> Plan:
    """Every studio has its row: its code and name, and the facts wanted."""
    return Plan({n: e for n, e in _STUDIO_COLUMNS.items() if n in ("code", "name") or n in wanted})


STUDIOS = FactQuery("studios", (
    "has_name", "has_unit", "has_sign", "has_rules", "has_plan", "has_display", "has_records", "has_facilities",
    "premises_area", "annual_funds", "leader_skill_grade",
), _s.c.id, _studios_sql, _studio_plan, typed=False)


def _members_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """Members active on D: all, without the leader, front-line without the leader, front-line, the leader."""
    m = Member.__table__
    count_if = predicates.count_if
    is_leader = m.c.person_id == _s.c.leader_id
    frontline = predicates.is_frontline()
    return (select(m.c.studio_id, count_if(None), count_if(~is_leader), count_if(and_(~is_leader, frontline)),
                   count_if(frontline), count_if(is_leader))
            .select_from(m.join(_s, _s.c.id == m.c.studio_id).join(_p, _p.c.id == m.c.person_id))
            .where(predicates.in_force(m), predicates.member_active_on(scope.day)).group_by(m.c.studio_id))


def _members_plan(scope: Scope, wanted: tuple[str, ...]) -> Plan:
    """From the counts: all, without the leader, front-line without the leader, front-line, the leader."""
    columns = {"active_members": "{r}[1]", "team_size": "{r}[2]", "frontline_members": "{r}[3]",
               "frontline_share": "({r}[4] / {r}[1] if {r}[1] else 0)", "leader_active": "({r}[5] > 0)"}
    return Plan({n: columns[n] for n in wanted}, empty=(None, 0, 0, 0, 0, 0))


def _honors_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """The rank of the leader's highest honor counted on D (-1: an honor of no level)."""
    h = Honor.__table__
    rank = case({kind: LEVEL.rank(level) for kind, (_, level) in HONOR_LEVELS.items()}, value=h.c.kind, else_=-1)
    return (select(_s.c.id, func.max(rank)).select_from(_s.join(h, h.c.person_id == _s.c.leader_id))
            .where(predicates.in_force(h), predicates.honor_counts_on(scope.day)).group_by(_s.c.id))


def _honor_plan(scope: Scope, wanted: tuple[str, ...]) -> Plan:
    return Plan({"leader_honor_level": "(_LEVELS[int({r}[1])] if {r}[1] is not None and {r}[1] >= 0 else None)"},
                empty=(None, None), names={"_LEVELS": tuple(lv for lv, _ in LEVEL.items)})


def _inspections_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """The on-site scores of Y, one row per item."""
    ins = Inspection.__table__
    return select(ins.c.studio_id, ins.c.item, ins.c.score).where(predicates.in_force(ins), ins.c.year == scope.year)


def _fill_inspection(scope: Scope, wanted: tuple[str, ...]) -> Fill:
    def fill(f: Facts, r: Row) -> None:
        f[vocab.INSPECTION_PREFIX + str(r[1]).upper()] = r[2]
    return fill


_t = Assessment.__table__


def _previous_grade_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """The stored grade of Y-1."""
    return select(_t.c.studio_id, _t.c.grade).where(_t.c.year == scope.year - 1)


def _latest_grade_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """The stored grade of the latest year up to Y, and that year."""
    latest = scope.narrow(_t.c.studio_id, select(_t.c.studio_id.label("sid"), func.max(_t.c.year).label("y"))
                          .where(_t.c.year <= scope.year).group_by(_t.c.studio_id)).subquery()
    cols = {"latest_grade": _t.c.grade, "latest_grade_year": _t.c.year}
    return select(_t.c.studio_id, *(cols[n] for n in wanted)).select_from(
        _t.join(latest, and_(_t.c.studio_id == latest.c.sid, _t.c.year == latest.c.y)))


# ---- designations: folded per studio into its state on D (and now)


def _designations_sql(scope: Scope, wanted: tuple[str, ...]) -> Select[Any]:
    """The designations in force on D — with ``state_now``, all of them, flagged in force or not.
    A voided designation (entered by mistake) counts nowhere."""
    if scope.state_now and scope.phase == "base":
        q = designation_rows(in_force_flag=scope.day)
    else:
        q = designation_rows(as_of=scope.day)
    return q  # designation_rows leaves voided designations out


def _fold(rows: Iterator[Row], scope: Scope) -> Iterator[Row]:
    """``(studio_id, state handed back or None, state on D or None)`` per studio, from its designations
    by date; the state handed back is the state now with ``state_now``, the state on D with
    ``state_on_day``.

    One fold gives both states: the state on D is the state now unless a row not in force on D
    follows (only with ``state_now``; those come last) — then a copy taken before that row.
    """
    now_too = scope.state_now and scope.phase == "base"
    on_day = scope.state_on_day and not now_too
    current: int | None = None
    st: State | None = None
    on_d: State | None = None
    cut = False
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, st if now_too or on_day else None, on_d if cut else st
            current, st, on_d, cut = row[0], None, None, False
        if now_too and not cut and not row[5]:
            cut = True
            on_d = None if st is None else copy.deepcopy(st)
        if st is None:
            st = State()
        st.apply(row[1], row[2], row[3], row[4])
    if current is not None:
        yield current, st if now_too or on_day else None, on_d if cut else st


#: The base facts of the state on D (``{r}[2]``; None: no designation dated on or before D).
_STATE_COLUMNS = {
    "named_level": "({r}[2].level if {r}[2] is not None else None)",
    "demonstrative": "({r}[2] is not None and {r}[2].demonstrative)",
    "first_named": "({r}[2].first_named.isoformat() if {r}[2] is not None and {r}[2].first_named is not None "
                   "else None)",
    "years_named": "(_YEAR - {r}[2].first_named.year if {r}[2] is not None and {r}[2].first_named is not None "
                   "else None)",
    "years_at_level": "(_YEAR - {r}[2].named_since[{r}[2].level].year if {r}[2] is not None "
                      "and {r}[2].level is not None else None)",
}


def _designations_plan(scope: Scope, wanted: tuple[str, ...]) -> Plan | None:
    """The base phase's facts from the state on D; the naming phase fills its family instead."""
    if scope.phase != "base":
        return None
    return Plan({n: _STATE_COLUMNS[n] for n in wanted}, empty=(None, None, None), names={"_YEAR": scope.year})


def _fill_designations(scope: Scope, wanted: tuple[str, ...]) -> Fill:
    """The naming phase's ``years_held_<level>``, from the state on D."""
    day = scope.day

    def fill_naming(f: Facts, r: Row) -> None:
        st = r[2]
        if st is not None:
            for level, since in st.named_since.items():
                f[f"years_held_{level}"] = complete_years(since, day)

    return fill_naming


_d = Designation.__table__
_ins = Inspection.__table__

#: Every fact query but the studios' (the driver), in the order they are read.
QUERIES: tuple[FactQuery, ...] = (
    FactQuery("members", ("active_members", "team_size", "frontline_members", "frontline_share", "leader_active"),
              Member.__table__.c.studio_id, _members_sql, _members_plan),
    FactQuery("leader honors", ("leader_honor_level",), _s.c.id, _honors_sql, _honor_plan),
    ACHIEVEMENTS_OF_THE_YEAR,
    ACHIEVEMENT_COUNTS,
    ACTIVITIES,
    MENTORSHIPS,
    FactQuery("inspections", (vocab.INSPECTION_PREFIX + "*",), _ins.c.studio_id, _inspections_sql,
              fill=_fill_inspection),
    FactQuery("previous grade", ("previous_grade",), _t.c.studio_id, _previous_grade_sql, _in_order),
    FactQuery("latest grade", ("latest_grade", "latest_grade_year"), _t.c.studio_id, _latest_grade_sql,
              _in_order),
    SIGNIFICANT_ACHIEVEMENTS,
    ACTIVITIES_OF_EARLIER_YEARS,
    FactQuery("designations", ("named_level", "demonstrative", "first_named", "years_named", "years_at_level",
                               *(f"years_held_{level}" for level in LEVEL.values)),
              _d.c.studio_id, _designations_sql, _designations_plan, _fill_designations, order=fold_order(),
              transform=_fold,
              attached=True),
)
