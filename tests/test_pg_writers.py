"""Concurrent writers on PostgreSQL: clerks registering, importing or naming at the same moment.

Each writer has its own engine (its own connections) — threads for the core
functions, separate ``python -m laomo`` processes for imports — and all start
together behind a barrier.  Whatever the interleaving, no key is handed out
twice, no import fails on a key another one inserted meanwhile, a studio is
named once, and the audit hash chain stays whole (``laomo db check``).  On
SQLite the same guarantees come from ``BEGIN IMMEDIATE`` (one writer at a
time by construction); on PostgreSQL from the write lock each write session
takes first (``laomo.store.engine._on_server_begin``).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support.db import query

pytestmark = pytest.mark.postgres_only

WRITERS = 4
REPEATS = 3


def together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for i < n in n threads released at the same instant; results (or exceptions) in order."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return work(i)
        except Exception as exc:  # returned, so every writer's outcome is checked
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def own_engine(db, slow: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A writer's private engine (not laomo.db's per-process cache).

    ``slow``: after each SELECT reading one of these tables the writer pauses
    0.3 s, so that writers started together all read before any of them
    writes — the interleaving that would let two of them decide on the same
    stale state if nothing serialised them.
    """
    from sqlalchemy import event

    from laomo.store.db import make_engine, resolve_url

    engine = make_engine(resolve_url(str(db)))
    if slow:
        marks = tuple(f"FROM {t}" for t in slow)

        @event.listens_for(engine, "after_cursor_execute")
        def pause(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("SELECT") and any(m in statement for m in marks):
                time.sleep(0.3)
    return engine


def chain_ok(cli) -> dict[str, Any]:
    r = cli("db", "check", "--json")
    assert r.code == 0, r
    assert r.json["ok"] and r.json["audit"]["ok"], r.json
    return r.json


@pytest.fixture
def studio_db(cli, laomo_db):
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    r = cli("register", "studio", "--code", "S1", "--name", "张三创新工作室", "--leader", "P1",
            "--unit", "示例厂", "--industry", "C", "--county", "示例县")
    assert r.code == 0, r
    return laomo_db


def test_achievements_registered_at_once_get_distinct_codes(cli, studio_db):
    """Codes given out by next_code: each writer registers PER achievements without a code, all at once."""
    from laomo.ledger.records import register_record
    from laomo.store.db import write_session

    per = 10

    repeat = 0

    def clerk(i: int) -> list[str]:
        engine = own_engine(studio_db)
        keys = []
        try:
            for n in range(per):
                with write_session(engine) as session:
                    result = register_record(
                        session, kind="achievements",
                        record={"studio": "S1", "title": f"成果{repeat}-{i}-{n}", "type": "技术革新",
                                "date": "2025-03-01"},
                        new_code=("achievement", "A"))
                assert (result.inserted, result.updated) == (1, 0), result.as_dict()
                keys.extend(result.keys)
        finally:
            engine.dispose()
        return keys

    for repeat in range(REPEATS):
        outcomes = together(WRITERS, clerk)
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert not errors, errors
        codes = [c for keys in outcomes for c in keys]
        total = WRITERS * per * (repeat + 1)
        assert len(codes) == len(set(codes)) == WRITERS * per
        stored = [c for (c,) in query(studio_db, "SELECT code FROM achievement ORDER BY code")]
        assert stored == [f"A{n:05d}" for n in range(1, total + 1)]
        # every record is the one its writer registered (none was overwritten by another writer)
        assert query(studio_db, "SELECT count(DISTINCT title) FROM achievement") == [(total,)]
    report = chain_ok(cli)
    assert report["audit"]["entries"] >= WRITERS * per * REPEATS


def test_register_command_allocates_codes_in_its_own_transaction(cli, studio_db):
    """The CLI's ``register achievement`` without --code, run as separate processes at once."""
    env = {**os.environ, "LAOMO_DB": str(studio_db), "PYTHONIOENCODING": "utf-8"}
    procs = [subprocess.Popen([sys.executable, "-m", "laomo", "register", "achievement", "--studio", "S1",
                               "--title", f"成果{i}", "--type", "技术革新", "--date", "2025-03-01"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for i in range(WRITERS)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, outs
    assert all("已登记成果" in out for out, _ in outs), outs
    assert query(studio_db, "SELECT count(*), count(DISTINCT code), count(DISTINCT title) FROM achievement") == [
        (WRITERS, WRITERS, WRITERS)]
    chain_ok(cli)


def _people(path: Path, numbers: range, writer: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(["编号", "姓名", "单位"])
        w.writerows([f"P{n:05d}", f"职工{n}", f"第{writer}厂"] for n in numbers)
    return path


def test_imports_at_once_never_collide_on_a_key(cli, laomo_db, tmp_path):
    """WRITERS processes import overlapping people files at once, REPEATS times.

    Writer i's file holds codes [i·ROWS/2, i·ROWS/2 + ROWS): every code but the
    first and last halves is in two files, so two imports race to insert it.
    """
    rows = 2000
    assert cli("init").code == 0
    env = {**os.environ, "LAOMO_DB": str(laomo_db), "PYTHONIOENCODING": "utf-8"}
    files = [_people(tmp_path / f"people-{i}.csv", range(i * rows // 2, i * rows // 2 + rows), i)
             for i in range(WRITERS)]
    union = (WRITERS - 1) * rows // 2 + rows
    inserted_total = 0
    for repeat in range(REPEATS):
        procs = [subprocess.Popen([sys.executable, "-m", "laomo", "register", "import", "people", str(f), "--json"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  encoding="utf-8") for f in files]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0] * WRITERS, outs
        summaries = [json.loads(out) for out, _ in outs]
        assert all(s["rejected"] == 0 and s["read"] == rows for s in summaries), summaries
        inserted_total += sum(s["inserted"] for s in summaries)
        # each code inserted exactly once over all imports; the rest were updates or unchanged
        assert inserted_total == union
        assert all(s["inserted"] + s["updated"] + s["unchanged"] == rows for s in summaries)
        assert query(laomo_db, "SELECT count(*), count(DISTINCT code) FROM person") == [(union, union)]
        # one import entry per import in the chain
        assert query(laomo_db, "SELECT count(*) FROM audit WHERE entity = 'import'") == [(WRITERS * (repeat + 1),)]
    chain_ok(cli)


def test_naming_the_same_studio_at_once_names_it_once(cli, assessed):
    """Two clerks name S0003 a city studio for 2025 at the same moment: one succeeds, one is refused."""
    from laomo import award
    from laomo.errors import LaomoError
    from laomo.store.db import write_session

    def clerk(i: int) -> Any:
        engine = own_engine(assessed, slow=("designation",))
        try:
            with write_session(engine) as session:
                return award.name(session, codes=["S0003"], level="city", year=2025, date="2025-11-22",
                                  doc=f"文号{i}").to_json()
        finally:
            engine.dispose()

    outcomes = together(2, clerk)
    done = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, LaomoError)]
    assert len(done) == 1 and len(refused) == 1, outcomes
    assert done[0]["written"] == 1
    rows = query(assessed, "SELECT count(*) FROM designation d JOIN studio s ON s.id = d.studio_id "
                           "WHERE s.code = 'S0003' AND d.action = 'name' AND d.level = 'city' AND d.year = 2025")
    assert rows == [(1,)]
    chain_ok(cli)


def test_naming_different_studios_at_once_keeps_every_naming(cli, assessed):
    """Writers naming different candidates at once: both namings kept, the chain not forked."""
    from laomo import award
    from laomo.store.db import write_session

    codes = ["S0003", "S0005"]

    def clerk(i: int) -> Any:
        engine = own_engine(assessed, slow=("audit",))  # both read the chain's last hash before either appends
        try:
            with write_session(engine) as session:
                return award.name(session, codes=[codes[i]], level="city", year=2025, date="2025-11-22").to_json()
        finally:
            engine.dispose()

    outcomes = together(len(codes), clerk)
    assert all(isinstance(o, dict) and o["written"] == 1 for o in outcomes), outcomes
    rows = query(assessed, "SELECT s.code FROM designation d JOIN studio s ON s.id = d.studio_id "
                           "WHERE d.action = 'name' AND d.level = 'city' AND d.year = 2025 ORDER BY s.code")
    assert rows == [(c,) for c in codes]
    entries = query(assessed, "SELECT key FROM audit WHERE entity = 'designation' ORDER BY id")
    assert sorted(k for (k,) in entries[-2:]) == codes
    chain_ok(cli)


def test_a_reader_is_not_blocked_by_a_writer(laomo_db, cli):
    """The write lock excludes writers only: a report runs while an import holds the lock."""
    from laomo.store.db import read_session, write_session

    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    writer, reader = own_engine(laomo_db), own_engine(laomo_db)
    try:
        with write_session(writer) as session:
            session.connection().exec_driver_sql("UPDATE person SET name = '李四'")
            with read_session(reader) as other:
                # answered at once from the last committed state, while the writer holds its lock
                conn = other.connection()
                conn.exec_driver_sql("SET LOCAL statement_timeout = 5000")
                assert conn.exec_driver_sql("SELECT name FROM person").scalar() == "张三"
        assert query(laomo_db, "SELECT name FROM person") == [("李四",)]
    finally:
        writer.dispose()
        reader.dispose()


def test_a_second_writer_waits_for_the_first(laomo_db, cli):
    """While one write session is open another one's first statement waits — it does not read stale rows."""
    from laomo.store.db import write_session

    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    first, second = own_engine(laomo_db), own_engine(laomo_db)
    seen: list[str] = []
    started = threading.Event()

    def later() -> None:
        started.set()
        with write_session(second, snapshot=True) as session:  # blocks until the first commits
            seen.append(session.connection().exec_driver_sql("SELECT name FROM person").scalar())

    try:
        with write_session(first) as session:
            session.connection().exec_driver_sql("UPDATE person SET name = '李四'")
            t = threading.Thread(target=later)
            t.start()
            started.wait(10)
            t.join(1.0)
            assert t.is_alive() and seen == []  # still waiting for the write lock
        t.join(30)
        assert seen == ["李四"]  # its snapshot was taken after the first writer committed
    finally:
        first.dispose()
        second.dispose()
