"""The reports on the boundary days of their rules (cli.md ``report summary``; rules.md "Facts as of a
date D", C3, C4): the first and last day of the year, and the day of the ledger.

The same rows give the assessment's facts the same figures (``test_facts_agree``): both read
the predicates of ``laomo.domain.predicates``.
"""

from __future__ import annotations

import datetime as dt

from support.assess import facts_of
from support.boundaries import boundary_county


def test_summary_counts_the_first_and_last_day_of_the_year(cli, engine):
    boundary_county(engine)
    got = cli("report", "summary", "--year", "2025", "--json").json
    assert got["mentorships"] == {"active": 2, "promoted": 2}
    assert got["studios"]["by_level"] == {"county": 1}  # named on 31 Dec: held as of 31 Dec
    assert got["studios"]["by_status"] == {"registered": 1, "named": 1}
    later = cli("report", "summary", "--year", "2026", "--json").json
    assert later["mentorships"] == {"active": 2, "promoted": 1}  # the one from 2025 runs on; 2026's start
    assert later["studios"]["by_level"] == {"county": 2}
    earlier = cli("report", "summary", "--year", "2024", "--json").json
    assert earlier["mentorships"] == {"active": 2, "promoted": 1}  # the two started by 2020
    assert earlier["studios"]["by_level"] == {}


def test_ledger_counts_members_joining_or_leaving_on_its_day(engine):
    from laomo.reports import data
    from laomo.store.db import read_session

    boundary_county(engine)
    with read_session(engine) as session:
        rows = {r["studio"]: r for r in data.ledger(session, today=dt.date(2025, 12, 31))["studios"]}
        assert rows["RB1"]["members"] == 1 + 2  # the leader; joined on the day, left on the day
        day_before = {r["studio"]: r for r in data.ledger(session, today=dt.date(2025, 12, 30))["studios"]}
        assert day_before["RB1"]["members"] == 1 + 2  # one leaving on the day, one the day after
        day_after = {r["studio"]: r for r in data.ledger(session, today=dt.date(2026, 1, 1))["studios"]}
        assert day_after["RB1"]["members"] == 1 + 2  # joined the day before, joined on the day


def test_facts_agree(engine):
    boundary_county(engine)
    f = facts_of(engine, 2025)["RB1"]
    assert f["active_members"] == 1 + 2 and f["team_size"] == 2
    assert f["mentorships_active"] == 2 and f["apprentices_promoted_in_year"] == 2
    assert f["named_level"] == "county"
