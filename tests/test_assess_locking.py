"""``assess run`` holds SQLite's write lock only while it writes its results.

The year is computed in a transaction that has not taken the write lock; a
writer that commits meanwhile makes that computation stale, SQLite refuses its
first write (SQLITE_BUSY_SNAPSHOT) and the run starts again from the new
state, this time holding the lock from the start.
"""

from __future__ import annotations

import pytest
from support.db import execute, query
from support.sample import EXPECTED

import laomo.assess as assess_mod

pytestmark = pytest.mark.sqlite_only

# another clerk's change, committed on its own connection while the run computes
RENAME = "UPDATE studio SET funds = coalesce(funds, 0) + 1 WHERE code = 'S0005'"
# a run's first write to the database: it replaces the year's assessment rows
FIRST_WRITE = "DELETE FROM assessment"


def interfere(before_statement, laomo_db, times: int) -> list[int]:
    """Commit RENAME from another connection in the first ``times`` runs, just before they write."""
    calls: list[int] = []

    def commit_rename() -> None:
        calls.append(len(calls) + 1)
        if len(calls) <= times:
            execute(laomo_db, RENAME)

    before_statement(FIRST_WRITE, commit_rename)
    return calls


def funds(laomo_db) -> int:
    return query(laomo_db, "SELECT funds FROM studio WHERE code = 'S0005'")[0][0]


def stored(laomo_db) -> dict[str, tuple]:
    rows = query(laomo_db, "SELECT s.code, a.grade, a.recommendation, a.total FROM assessment a "
                           "JOIN studio s ON s.id = a.studio_id WHERE a.year = 2025 AND NOT a.imported")
    return {code: (grade, rec, total) for code, grade, rec, total in rows}


def test_an_undisturbed_run_computes_once(sample_engine, laomo_db, before_statement):
    assert assess_mod.store_assessment(sample_engine, year=2024).attempts == 1  # 2025 reads 2024's grades
    calls = interfere(before_statement, laomo_db, 0)
    out = assess_mod.store_assessment(sample_engine, year=2025)
    assert out.attempts == 1 and calls == [1]
    got = stored(laomo_db)
    assert {c: got[c][:2] for c in EXPECTED["2025"]} == \
        {c: (e["grade"], e["recommendation"]) for c, e in EXPECTED["2025"].items()}


def test_a_commit_during_the_computation_makes_the_run_start_again(sample_engine, laomo_db, before_statement):
    before = funds(laomo_db)
    calls = interfere(before_statement, laomo_db, 1)
    out = assess_mod.store_assessment(sample_engine, year=2025)
    assert out.attempts == 2 and calls == [1, 2]
    assert funds(laomo_db) == before + 1  # the other clerk's change stands
    first = stored(laomo_db)
    # what was stored is what the new state gives (a plain rerun, not interfered with, changes nothing)
    assert assess_mod.store_assessment(sample_engine, year=2025).attempts == 1
    assert stored(laomo_db) == first
    audit = query(laomo_db, "SELECT count(*) FROM audit WHERE entity = 'assessment' AND key = '2025'")[0][0]
    assert audit == 2  # one entry per stored run, none for the abandoned computation


def test_the_second_attempt_holds_the_lock_from_the_start(sample_engine, laomo_db, before_statement):
    import sqlite3

    seen: list[str] = []

    def try_to_write() -> None:
        con = sqlite3.connect(laomo_db, timeout=0.2)
        try:
            con.execute(RENAME)
            con.commit()
            seen.append("written")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            con.close()

    before_statement(FIRST_WRITE, try_to_write)
    out = assess_mod.store_assessment(sample_engine, year=2025)
    # the first computation left the lock free (the other write went through); the second held it
    assert out.attempts == 2 and seen == ["written", "database is locked"]
    assert stored(laomo_db)


def test_other_errors_are_not_retried(sample_engine, laomo_db, before_statement):
    calls = []

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("boom")

    before_statement(FIRST_WRITE, broken)
    with pytest.raises(RuntimeError):
        assess_mod.store_assessment(sample_engine, year=2025)
    assert calls == [1] and not stored(laomo_db)


def test_the_cli_run_retries_too(cli, sample_engine, laomo_db, before_statement):
    calls = interfere(before_statement, laomo_db, 1)
    r = cli("assess", "run", "--year", "2025", "--json")
    assert r.code == 0, r
    assert calls == [1, 2] and "attempts" not in r.json
    assert len(stored(laomo_db)) == len(r.json["results"])
