"""The streamed assessment (facts merged a chunk at a time, results staged) gives exactly what the
straightforward algorithm gives: all facts of all studios at once, score, cap, recommend.

The reference below is that algorithm, kept here as the oracle.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.db import copy_db, seal_db

from laomo.rules import bundled_names, load_profile
from laomo.rules.engine import engine_for

YEARS = (2022, 2023, 2024, 2025)


def reference(session, year: int, prof) -> dict:  # type: ignore[no-untyped-def]
    """{code: Scored} by the plain algorithm (every studio's facts in one dict)."""
    from laomo.domain.studios import states
    from laomo.facts import compute_facts
    from laomo.rules.engine import Scored

    conn = session.connection()
    day = dt.date(year, 12, 31)
    due = {sid for sid, st in states(conn, as_of=day).items() if st.active}  # its state on 31 December
    facts = compute_facts(conn, year)
    eng = engine_for(prof)
    scored = []
    for sid in sorted(due):
        f = facts[sid]
        eng.derive(f)
        checks = eng.check(f)
        items, total = eng.score(f, checks)
        s = Scored(sid, f["code"], f["name"], items, total, eng.grade(total), checks=checks)
        if not all(checks.values()):
            s.failures = eng.failure_texts(f, checks)
        scored.append(s)
    eng.apply_cap(scored, len(scored))
    for s in scored:
        f = facts[s.studio_id]
        f["grade"], f["total"] = s.grade, s.total
        s.recommendation, s.reasons, s.deadline = eng.recommend(f, year)
    return {s.code: s for s in scored}


def as_result(s) -> dict:  # type: ignore[no-untyped-def]
    out = {"studio": s.code, "name": s.name, "total": s.total, "grade": s.grade, "items": s.items,
           "recommendation": s.recommendation, "reasons": s.reasons,
           "deadline": s.deadline.isoformat() if s.deadline else None}
    if s.capped:
        out["capped"] = True
    return out


def as_standards(s) -> dict:  # type: ignore[no-untyped-def]
    out = {"passed": all(s.checks.values()), "checks": s.checks, "failures": s.failures}
    if s.deadline is not None:
        out["deadline"] = s.deadline.isoformat()
    if s.capped:
        out["capped"] = True
    return out


def stored_rows(session, year: int) -> dict:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from laomo.models import Assessment, Studio

    t, s = Assessment.__table__, Studio.__table__
    q = select(s.c.code, t).select_from(t.join(s, s.c.id == t.c.studio_id)).where(t.c.year == year)
    return {r["code"]: dict(r) for r in session.connection().execute(q).mappings()}


def check_year(eng_, year: int, prof, store: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Dry run, then stored run, against the reference; the stored rows column by column.

    ``store``: the stored run through ``store_assessment`` (what ``assess run`` does: its own
    transaction, half the studios in a forked child when there are enough of them)."""
    from laomo.assess import run_assessment, store_assessment
    from laomo.store.db import read_session, write_session

    with read_session(eng_) as session:
        ref = reference(session, year, prof)
        dry = run_assessment(session, year=year, profile=prof, dry_run=True).to_json()
        flat = run_assessment(session, year=year, profile=prof, dry_run=True, results=False).to_json()
    assert [r["studio"] for r in dry["results"]] == sorted(ref)
    assert dry["results"] == [as_result(ref[c]) for c in sorted(ref)]
    assert "results" not in flat
    for key in ("assessed", "by_grade", "by_recommendation"):
        assert flat[key] == dry[key]
    assert dry["assessed"] == len(ref)

    if store:
        out = store_assessment(eng_, year=year, profile=prof).to_json()
    else:
        with write_session(eng_) as session:
            out = run_assessment(session, year=year, profile=prof).to_json()
    assert out["results"] == dry["results"]
    for key in ("assessed", "by_grade", "by_recommendation"):
        assert out[key] == dry[key]
    with read_session(eng_) as session:
        rows = stored_rows(session, year)
    for code, s in ref.items():
        row = rows[code]
        assert row["total"] == s.total and row["grade"] == s.grade
        assert row["items"] == s.items and row["reasons"] == s.reasons
        assert row["recommendation"] == s.recommendation
        assert row["standards"] == as_standards(s)
        assert row["profile"] == prof.name and row["profile_hash"] == prof.hash
        assert row["imported"] is False and row["run_id"] == out["run_id"]
    assert all(r["imported"] for c, r in rows.items() if c not in ref)


@pytest.fixture(scope="module")
def county_template(tmp_path_factory, make_session_db):  # type: ignore[no-untyped-def]
    """A generated county (write_large_county, 120 studios) imported once, as a closed database."""
    from laomo.demo.generator import write_large_county
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store.db import open_engine, write_session

    tmp = tmp_path_factory.mktemp("county")
    path = make_session_db("county")
    eng = open_engine(str(path), create=True)
    for kind, csv_path in write_large_county(tmp / "csv", 120, seed=7):
        with write_session(eng) as session, open_source(str(csv_path)) as src:
            assert import_source(session, src, kind=kind).rejected == 0
    return seal_db(path)


@pytest.fixture
def county(county_template, laomo_db):  # type: ignore[no-untyped-def]
    from laomo.store.db import open_engine

    copy_db(county_template, laomo_db)
    return open_engine(str(laomo_db))


@pytest.mark.parametrize("name", bundled_names())
def test_streamed_run_equals_the_plain_algorithm_on_a_generated_county(county, name):
    prof = load_profile(name)
    for year in YEARS:  # 2022/2023: designations dated after 31 December exist
        check_year(county, year, prof)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", bundled_names())
def test_a_run_split_with_a_child_process_equals_the_plain_algorithm(county, name, monkeypatch, tmp_path):
    """``assess run`` computes the upper half of the studio ids in a child process at national scale;
    forced here on 120 studios: the same results, counts, cap and stored rows."""
    import sys

    import laomo.assess.worker as worker

    # the child is a new interpreter (sys.executable): one that notes each start, then is Python
    started = tmp_path / "children"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho started >> "{started}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # whatever the load of the machine
    prof = load_profile(name)
    for year in YEARS:
        check_year(county, year, prof, store=True)
    assert started.read_text().splitlines() == ["started"] * len(YEARS)


@pytest.mark.sqlite_only
def test_a_failing_child_stores_nothing(county, monkeypatch, tmp_path):
    """The child runs in its own interpreter: make it fail by a profile file changed under it."""
    import shutil

    from support.db import dump

    import laomo.assess.worker as worker
    from laomo.assess import store_assessment
    from laomo.rules import load_profile
    from laomo.rules.profile import BUNDLED_DIR

    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # whatever the load of the machine
    path = tmp_path / "mine.toml"
    shutil.copy(BUNDLED_DIR / "henan-2015.toml", path)
    prof = load_profile(str(path))
    text = path.read_text(encoding="utf-8")
    assert 'check = { all = ["team_size >= 3"' in text
    path.write_text(text.replace('check = { all = ["team_size >= 3"', 'check = { all = ["team_size >= 4"'),
                    encoding="utf-8")
    before = dump(county.url.database)
    from laomo.errors import LaomoError

    with pytest.raises(LaomoError, match="考核期间被改动"):
        store_assessment(county, year=2024, profile=prof)
    assert dump(county.url.database) == before


@pytest.mark.sqlite_only
def test_a_child_that_dies_is_a_message_and_stores_nothing(county, monkeypatch):
    import sys

    from support.db import dump

    import laomo.assess.worker as worker
    from laomo.assess import store_assessment
    from laomo.errors import LaomoError

    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # whatever the load of the machine
    monkeypatch.setattr(sys, "executable", "/bin/sh")  # the child's program fails at once
    before = dump(county.url.database)
    with pytest.raises(LaomoError, match="子进程意外退出") as caught:
        store_assessment(county, year=2024)
    assert "LAOMO_ASSESS_WORKER=0" in str(caught.value) and caught.value.lines  # its stderr is shown
    assert dump(county.url.database) == before
    monkeypatch.undo()
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "0")
    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    assert store_assessment(county, year=2024).assessed > 0  # the advice works


@pytest.mark.parametrize("name", bundled_names())
def test_streamed_run_equals_the_plain_algorithm_on_the_sample_county(sample_engine, name):
    prof = load_profile(name)
    for year in (2024, 2025):
        check_year(sample_engine, year, prof)


def test_small_chunks_and_fetches_change_nothing(county, monkeypatch):
    import laomo.facts as facts_mod
    from laomo.store.db import read_session

    with read_session(county) as session:
        whole = facts_mod.compute_facts(session, 2023)
        some = sorted(whole)[3::4]
        monkeypatch.setattr(facts_mod, "FACTS_CHUNK", 7)
        monkeypatch.setattr(facts_mod, "STREAM_ROWS", 5)
        assert facts_mod.compute_facts(session, 2023) == whole
        assert facts_mod.compute_facts(session, 2023, studio_ids=some) == {i: whole[i] for i in some}
    check_year(county, 2023, load_profile("henan-2015"))


def test_driver_cursor_path_equals_sqlalchemy_results(county, monkeypatch):
    """The full run reads plain tuples from the driver's cursor; the few-studio path reads SQLAlchemy
    rows: the same facts either way, with typed values (dates, bools) alike."""
    import laomo.facts as facts_mod
    from laomo.store.db import read_session

    with read_session(county) as session:
        ids = [sid for sid, _, _ in facts_mod.iter_facts(session, 2023, needed=["code"])]
        for year in (2023, 2025):
            by_sqlalchemy = facts_mod.compute_facts(session, year, studio_ids=ids)
            monkeypatch.setattr(facts_mod, "STREAM_ROWS", 3)
            by_driver = facts_mod.compute_facts(session, year)
            monkeypatch.undo()
            assert by_driver == by_sqlalchemy
            assert any(isinstance(f.get("first_named"), str) for f in by_driver.values())

        # a caller that stops early closes the cursors: the session goes on working
        it = facts_mod.iter_facts(session, 2023, state_now=True)
        next(it)
        it.close()
        assert session.connection().exec_driver_sql("SELECT count(*) FROM studio").scalar() == len(ids)


def test_state_now_is_the_status_fold_of_every_designation(county):
    from laomo.domain.studios import states
    from laomo.facts import iter_facts
    from laomo.store.db import read_session

    with read_session(county) as session:
        conn = session.connection()
        now = states(conn)
        on_d = states(conn, as_of=dt.date(2022, 12, 31))
        seen = 0
        for sid, f, state in iter_facts(conn, 2022, state_now=True):
            assert (state is None) == (sid not in now)
            if state is not None:
                assert state.as_dict() == now[sid].as_dict()
            assert f["named_level"] == (on_d[sid].level if sid in on_d else None)
            seen += 1
        assert seen == 120
        assert any(st.as_dict() != now[sid].as_dict() for sid, st in on_d.items())  # the case is covered


def test_needed_facts_name_everything_the_engine_reads():
    """Run every engine step on a dict that records what is read: all of it is in needed_facts."""
    from laomo.assess import needed_facts
    from laomo.rules.vocab import FACTS, default_value

    class Recording(dict):
        def __init__(self, *a, **k):  # type: ignore[no-untyped-def]
            super().__init__(*a, **k)
            self.read: set[str] = set()

        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            self.read.add(key)
            return super().get(key, default)

        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            self.read.add(key)
            return super().__getitem__(key)

    derived = {n for n, d in FACTS.items() if d.phase == "ladder"}
    for name in bundled_names():
        prof = load_profile(name)
        eng = engine_for(prof)
        needed = needed_facts(prof)
        assert needed is not None
        for variant in ({}, {"has_sign": False, "team_size": 1, "frontline_share": 0.1, "named_level": "city"}):
            f = Recording({n: default_value(n) for n, d in FACTS.items() if d.phase == "base"})
            f.update(variant, inspection_D2=5)
            eng.derive(f)
            checks = eng.check(f)
            items, total = eng.score(f, checks)
            f["grade"], f["total"] = eng.grade(total), total
            eng.recommend(f, 2025)
            eng.failure_texts(f, checks)
            assert f.read - derived <= needed, (name, sorted(f.read - derived - needed))


def test_cap_demotion_takes_the_recommendation_of_the_lower_grade(sample_engine, tmp_path):
    """A profile whose recommendations depend on the grade the cap gives: 良好 → warn."""
    path = tmp_path / "cap-rec.toml"
    path.write_text(
        'extends = "henan-2015"\nname = "cap-rec"\n'
        '[[grades]]\ngrade = "excellent"\nmin = 30\n[[grades]]\ngrade = "good"\nmin = 20\n'
        '[[grades]]\ngrade = "pass"\nmin = 10\n[[grades]]\ngrade = "fail"\nmin = 0\n'
        '[[recommendations]]\naction = "warn"\nwhen = [{ reason = "良好，总分 {total}", check = "grade == \'good\'" }]\n',
        encoding="utf-8")
    prof = load_profile(str(path))
    from laomo.assess import run_assessment
    from laomo.store.db import read_session

    with read_session(sample_engine) as session:
        out = run_assessment(session, year=2025, profile=prof, dry_run=True).to_json()
    capped = [r for r in out["results"] if r.get("capped")]
    assert capped and all(r["grade"] == "good" and r["recommendation"] == "warn" for r in capped)
    kept = [r for r in out["results"] if r["grade"] == "excellent"]
    assert kept and all(r["recommendation"] == "none" for r in kept)
    check_year(sample_engine, 2025, prof)


def test_a_rerun_replaces_the_year_and_keeps_imported_history(county):
    from laomo.assess import run_assessment
    from laomo.store.db import read_session, write_session

    with write_session(county) as session:
        first = run_assessment(session, year=2023)
    with write_session(county) as session:
        second = run_assessment(session, year=2023, results=False)
    assert second.replaced == first.assessed
    with read_session(county) as session:
        rows = stored_rows(session, 2023)
    assert {r["run_id"] for r in rows.values() if not r["imported"]} == {second.run_id}
    assert len([r for r in rows.values() if not r["imported"]]) == second.assessed
    # the staged JSON reads back as JSON
    assert all(isinstance(r["items"], dict) and isinstance(r["reasons"], list) for r in rows.values()
               if not r["imported"])
    json.dumps([r["standards"] for r in rows.values()])


def test_a_stored_run_writes_its_json_as_every_json_column_is_written(county) -> None:  # type: ignore[no-untyped-def]
    """The staged JSON text is the engine's own serialisation (compact, Chinese as UTF-8), byte for
    byte, so a stored run's rows and rows written through the ORM read and compare alike."""
    from sqlalchemy import text

    from laomo.assess import run_assessment
    from laomo.store.db import read_session, write_session
    from laomo.store.engine import json_text

    with write_session(county) as session:
        run = run_assessment(session, year=2023, results=False)
    with read_session(county) as session:
        raw = session.connection().execute(text(
            "SELECT CAST(items AS TEXT), CAST(standards AS TEXT), CAST(reasons AS TEXT) FROM assessment"
            " WHERE run_id = :r"), {"r": run.run_id}).all()
    assert len(raw) == run.assessed > 0
    for row in raw:
        for value in row:
            assert value == json_text(json.loads(value))
    assert any("不" in value or "无" in value for row in raw for value in row)  # Chinese stored as it is
    assert not any("\\u" in value for row in raw for value in row)
