"""Each domain rule is written once (laomo/domain/predicates.py), and both the assessment's facts and
the reports go through it: a wrong version of a predicate, put in its place, changes the facts
AND the report figures of the boundary county of ``test_report_boundaries``.  And every fact of
the vocabulary is filled by exactly one declared query (laomo/facts/queries.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import and_, func, or_, true
from support.assess import facts_of, load, studio
from support.boundaries import boundary_county

from laomo.domain import predicates
from laomo.domain.numbers import years_before
from laomo.domain.predicates import Period
from laomo.models import Designation, Honor, Member, Mentorship

D = dt.date(2025, 12, 31)
MID = dt.date(2025, 6, 30)


def _strictly_within(col: Any, period: Period) -> Any:
    conds = ([] if period.first is None else [col > period.first]) + ([] if period.last is None else [col < period.last])
    return and_(*conds) if conds else true()


def _members(day: dt.date) -> Any:
    m = Member.__table__
    return and_(or_(m.c.joined.is_(None), m.c.joined < day), or_(m.c.left.is_(None), m.c.left > day))


def _running(period: Period) -> Any:
    ms = Mentorship.__table__
    return and_(ms.c.start < period.last, or_(ms.c.end.is_(None), ms.c.end > period.first))


#: Predicates used by the facts and the reports alike, each with a wrong version (its boundary
#: comparisons made strict, or its condition dropped).
SHARED = {
    "member_active_on": _members,
    "mentorship_running_in": _running,
    "promoted_in": lambda period: _strictly_within(Mentorship.__table__.c.promoted_on, period),
    "dated_within": _strictly_within,
    "designation_in_force_on": lambda day: Designation.__table__.c.date < day,
    "count_if": lambda cond: func.count(),
}

#: Predicates only the facts use (the reports have no such figure), each with a wrong version.
FACTS_ONLY = {
    "honor_counts_on": lambda day: Honor.__table__.c.year < day.year,
    "last_12_months": lambda day: Period(years_before(day), day),
    "is_frontline": lambda: true(),
}


@pytest.fixture
def county(engine):  # type: ignore[no-untyped-def]
    boundary_county(engine)
    load(engine, studio("RB3", honor="city_model_worker", honor_year=2025, team=2, frontline=1,
                        achievements=[{"date": "2024-06-30"}, {"date": "2024-07-01"}]))
    return engine


def facts_figures(engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the assessment reads: the facts for 2025, as of mid-2025, and the stream of a yearly run."""
    from laomo.facts import iter_facts
    from laomo.store.db import read_session

    year, mid = facts_of(engine, 2025), facts_of(engine, as_of=MID)
    with read_session(engine) as session:
        run = {f["code"]: (f["named_level"], st.level if st else None)
               for _, f, st in iter_facts(session, 2025, state_now=True, with_state_only=True)}
    keys = ("team_size", "active_members", "frontline_members", "mentorships_active",
            "apprentices_promoted_in_year", "named_level", "leader_honor_level")
    return {"year": {c: {k: f[k] for k in keys} for c, f in year.items()},
            "mid": {c: f["achievements_last_12_months"] for c, f in mid.items()}, "run": run}


def report_figures(engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the reports show: the summary of 2025 and the ledger on 31 December 2025."""
    from laomo.reports import data
    from laomo.store.db import read_session

    with read_session(engine) as session:
        summary = data.summary(session, year=2025)
        ledger = data.ledger(session, today=D)
    return {"mentorships": summary["mentorships"], "studios": summary["studios"],
            "members": {r["studio"]: r["members"] for r in ledger["studios"]}}


@pytest.mark.parametrize("name", sorted(SHARED))
def test_a_wrong_shared_predicate_changes_the_facts_and_the_reports(county, monkeypatch, name):
    facts, report = facts_figures(county), report_figures(county)
    monkeypatch.setattr(predicates, name, SHARED[name])
    assert facts_figures(county) != facts, f"the facts do not go through predicates.{name}"
    assert report_figures(county) != report, f"the reports do not go through predicates.{name}"


@pytest.mark.parametrize("name", sorted(FACTS_ONLY))
def test_a_wrong_facts_predicate_changes_the_facts(county, monkeypatch, name):
    facts = facts_figures(county)
    monkeypatch.setattr(predicates, name, FACTS_ONLY[name])
    assert facts_figures(county) != facts, f"the facts do not go through predicates.{name}"


def test_a_wrong_year_of_changes_the_summary(county, monkeypatch):
    """The summary groups dated rows by year_of (the facts count by period: dated_within)."""
    from laomo.reports import data
    from laomo.store.db import read_session

    with read_session(county) as session:
        before = data.summary(session, year=2025)["trends"]
        monkeypatch.setattr(predicates, "year_of", lambda col: func.extract("year", col) + 1)
        assert data.summary(session, year=2025)["trends"] != before


def test_every_fact_is_filled_by_one_declared_query():
    """Adding a fact is one declared column or query plus its vocabulary line: every vocabulary fact
    computed by the facts (phases base and naming) is declared by exactly one query."""
    from laomo.facts.queries import QUERIES, STUDIOS
    from laomo.rules import vocab

    declared: dict[str, list[str]] = {}
    for query in (STUDIOS, *QUERIES):
        for name in query.facts:
            declared.setdefault(name, []).append(query.name)
    assert all(len(q) == 1 for q in declared.values()), {n: q for n, q in declared.items() if len(q) > 1}
    derived = {"years_held_target", "years_held_lower"}  # by the engine, from years_held_<level>
    computed = {n for n, d in vocab.FACTS.items() if d.phase in ("base", "naming")} - derived
    assert computed == set(declared) - {vocab.INSPECTION_PREFIX + "*"}
