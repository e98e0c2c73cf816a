"""A large dry run (``assess run --dry-run``) computes part of the studios in the worker process, as a
stored run does, with the same results as alone; when someone commits while it computes (the worker
may then have read another state than the run's own transaction), the run computes every studio
again itself, so its results are always those of one state of the database."""

from __future__ import annotations

import sqlite3

import pytest
from support.assess import worker_starts

pytestmark = pytest.mark.sqlite_only  # the worker exists on SQLite only


@pytest.fixture
def starts(monkeypatch):  # type: ignore[no-untyped-def]
    """The worker forced for the sample county (threshold lowered, whatever the load); its starts."""
    return worker_starts(monkeypatch, forced=True)


def _dry(engine, **kw):  # type: ignore[no-untyped-def]
    from laomo.assess import run_assessment
    from laomo.store.db import read_session

    with read_session(engine) as session:
        return run_assessment(session, year=2024, dry_run=True, **kw)


def test_a_parallel_dry_run_uses_the_worker_and_equals_the_run_alone(sample_engine, starts):
    alone = _dry(sample_engine)
    assert starts == []
    split = _dry(sample_engine, parallel=True)
    assert len(starts) == 1
    assert split.results == alone.results and split.assessed == alone.assessed
    assert split.by_grade == alone.by_grade and split.by_recommendation == alone.by_recommendation


def test_the_cli_dry_run_uses_the_worker(cli, sample_db, starts):
    import json

    out = cli("assess", "run", "--year", "2024", "--dry-run", "--json")
    assert len(starts) == 1
    assert out.code == 0 and json.loads(out.out)["dry_run"] is True


def test_a_commit_while_the_dry_run_computes_gives_the_results_of_its_own_state(sample_engine, starts, monkeypatch):
    import laomo.assess.worker as worker

    alone = _dry(sample_engine)
    spied = worker.Child.__init__

    def commit_first(self, conn, part, split):  # type: ignore[no-untyped-def]
        # another writer renames every studio after the run's first read, before the worker's
        other = sqlite3.connect(sample_engine.url.database)
        with other:
            other.execute("UPDATE studio SET name = name || '（新）'")
        other.close()
        spied(self, conn, part, split)

    monkeypatch.setattr(worker.Child, "__init__", commit_first)
    split = _dry(sample_engine, parallel=True)
    assert len(starts) == 1  # the worker ran, and read the renamed studios …
    assert split.results == alone.results  # … but the results are all of the run's own state
    renamed = _dry(sample_engine)
    assert renamed.results is not None and all(r["name"].endswith("（新）") for r in renamed.results)
