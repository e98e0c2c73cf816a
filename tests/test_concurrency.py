"""Writers side by side on one SQLite file, as real processes.

A clerk imports 20,000 people while cron starts ``laomo assess run --year
2024 --quiet`` twice.  Every process must exit 0 without "database is
locked" (writers take the write lock with BEGIN IMMEDIATE and wait for it up
to the 30 s busy timeout), and the file must end up exactly as a serial run
leaves it: every one of the 20,000 people, the same assessment rows,
``laomo db check`` ok (integrity, foreign keys, audit chain).

The scenarios: all three started at once (plain ``python -m laomo``), and
three where one writer is frozen (SIGSTOP through tests/support/sqlite_probe.py)
while it holds the write lock until the other two are waiting for it, so
the wait really happens; plus staggered starts.  The probe logs how long
each process waited for the write lock and held it.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from support.process import Laomo, content, copy, integrity

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only,
              pytest.mark.skipif(not hasattr(signal, "SIGSTOP") or not Path("/proc").is_dir(),
                                 reason="needs POSIX signals and /proc")]

YEAR = 2024
PEOPLE = 20_000
ASSESS = ("assess", "run", "--year", str(YEAR), "--quiet")


@pytest.fixture(scope="module")
def county(tmp_path_factory, sample_template):
    """(the sample county, a 20,000-people CSV, what a serial run leaves)."""
    from laomo.demo.generator import write_people_csv

    folder = tmp_path_factory.mktemp("concurrency")
    template = sample_template
    people = write_people_csv(folder / "people.csv", PEOPLE, seed=7)
    serial = copy(template, folder / "serial.db")
    _serially(serial, people)
    return template, people, content(serial, stable=True)


def _serially(db: Path, people: Path) -> None:
    """What the three commands do one after the other (the same functions, in this process)."""
    from laomo.assess import run_assessment
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db as dbmod

    engine = dbmod.make_engine(dbmod.resolve_url(str(db)))
    try:
        with dbmod.write_session(engine, snapshot=True) as session, open_source(str(people)) as src:
            assert import_source(session, src, kind="people").inserted == PEOPLE
        for _ in range(2):
            with dbmod.write_session(engine) as session:
                run_assessment(session, year=YEAR)
    finally:
        engine.dispose()


def _import(db: Path, people: Path, workdir: Path, **kw) -> Laomo:  # type: ignore[no-untyped-def]
    return Laomo(db, "register", "import", "people", people, "--quiet", workdir=workdir, name="import", **kw)


def _assess(db: Path, workdir: Path, n: int, **kw) -> Laomo:  # type: ignore[no-untyped-def]
    return Laomo(db, *ASSESS, workdir=workdir, name=f"assess{n}", **kw)


def _finish(procs: list[Laomo], db: Path, county, cli) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    template, people, serial = county
    for p in procs:
        code = p.wait()
        assert code == 0, p.describe()
        assert "locked" not in p.err and "占用" not in p.err and "Traceback" not in p.err, p.describe()
    assert integrity(db) == ["ok"]
    got = content(db, stable=True)
    assert len([r for r in got["person"] if r[1].startswith("P") and len(r[1]) == 6]) == PEOPLE
    for table in serial:
        assert got[table] == serial[table], f"{table} differs from the serial run"
    check = cli("--db", db, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"], check
    assert [e for e in _audit_entities(db)].count("assessment") == 2
    return {p.name: p.locks() for p in procs}


def _audit_entities(db: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT entity FROM audit WHERE entity IN ('assessment', 'import') ORDER BY id")]
    finally:
        con.close()


def _record(name: str, locks: dict[str, list[dict]], started: float) -> None:
    """The figures, printed (pytest -s / -rP) and appended to LAOMO_CONCURRENCY_LOG when it is set."""
    import os

    line = {"scenario": name, "seconds": round(time.monotonic() - started, 2),
            **{k: [{"wait_s": t["wait_s"], "hold_s": t["hold_s"], "writes": t["writes"]} for t in v]
               for k, v in locks.items()}}
    print(json.dumps(line, ensure_ascii=False))
    if os.environ.get("LAOMO_CONCURRENCY_LOG"):
        with open(os.environ["LAOMO_CONCURRENCY_LOG"], "a", encoding="utf-8") as fp:
            fp.write(json.dumps(line, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("offsets,probe", [((0, 0, 0), False), ((0.4, 0, 0.2), True)],
                         ids=["together-plain", "staggered-probed"])
def test_import_and_two_cron_assessments_started_together(county, tmp_path, cli, offsets, probe):
    """Three processes (plain ``python -m laomo``, or under the probe to time the lock); the start
    offsets (seconds) shift which one reaches the lock first."""
    template, people, _ = county
    db = copy(county[0], tmp_path / "laomo.db")
    started = time.monotonic()
    starters = sorted(zip(offsets, range(3)))
    procs: list[Laomo] = [None, None, None]  # type: ignore[list-item]
    for offset, i in starters:
        time.sleep(max(0.0, started + offset - time.monotonic()))  # a start offset, not a wait for a condition
        procs[i] = (_import(db, people, tmp_path, probe=probe) if i == 0 else _assess(db, tmp_path, i, probe=probe))
    _record(f"started {offsets}", _finish(procs, db, county, cli), started)


def test_assessments_wait_for_an_import_holding_the_lock(county, tmp_path, cli):
    """The import is frozen after its first chunk is written; both cron runs ask for the lock meanwhile."""
    template, people, _ = county
    db = copy(template, tmp_path / "laomo.db")
    started = time.monotonic()
    imp = _import(db, people, tmp_path, stop="write:1")
    imp.wait_event("write:1")
    imp.wait_stopped()
    a1 = _assess(db, tmp_path, 1, notify="asked")
    a2 = _assess(db, tmp_path, 2, notify="asked")
    a1.wait_event("asked")
    a2.wait_event("asked")
    asked = time.time()
    imp.cont()
    locks = _finish([imp, a1, a2], db, county, cli)
    for name in ("assess1", "assess2"):
        (tx,) = locks[name]
        assert tx["locked"] >= asked and tx["wait_s"] > 0, locks
    _record("import holds the lock", locks, started)


def test_import_and_assessment_wait_for_an_assessment_holding_the_lock(county, tmp_path, cli):
    """The first cron run is frozen while it holds the lock and has written; the import and the
    second run ask for the lock meanwhile, and get it in turn."""
    template, people, _ = county
    db = copy(template, tmp_path / "laomo.db")
    started = time.monotonic()
    a1 = _assess(db, tmp_path, 1, stop="write:2")
    a1.wait_event("write:2")
    a1.wait_stopped()
    imp = _import(db, people, tmp_path, notify="asked")
    a2 = _assess(db, tmp_path, 2, notify="asked")
    imp.wait_event("asked")
    a2.wait_event("asked")
    a1.cont()
    locks = _finish([a1, imp, a2], db, county, cli)
    assert locks["import"][0]["wait_s"] > 0 and locks["assess2"][0]["wait_s"] > 0, locks
    _record("assessment holds the lock", locks, started)
