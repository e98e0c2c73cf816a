"""A large stored run starts its worker process only when a second core is free for it: on one
usable core, or with the other cores busy, the worker would only take turns with the run on the
same core (slower than no worker).  The results are the same either way; LAOMO_ASSESS_WORKER=1
starts it whatever the load, LAOMO_ASSESS_WORKER=0 never."""

from __future__ import annotations

import pytest
from support.assess import worker_starts

pytestmark = pytest.mark.sqlite_only  # the worker exists on SQLite only


@pytest.fixture
def starts(monkeypatch):  # type: ignore[no-untyped-def]
    """A large run for the sample county (the threshold lowered); the worker starts it made, listed."""
    return worker_starts(monkeypatch, forced=False)


def _cores(monkeypatch, usable: int, busy: int) -> None:  # type: ignore[no-untyped-def]
    import os

    import laomo.assess.worker as worker

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(usable)), raising=False)
    monkeypatch.setattr(worker, "others_running", lambda: busy)


def test_one_usable_core_runs_alone_with_the_same_results(sample_engine, starts, monkeypatch):
    from laomo.assess import store_assessment

    _cores(monkeypatch, usable=1, busy=0)
    alone = store_assessment(sample_engine, year=2024)
    assert starts == []
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # forced: the worker takes part whatever the load
    split = store_assessment(sample_engine, year=2024)
    assert len(starts) == 1
    assert split.results == alone.results and split.assessed == alone.assessed
    assert split.by_grade == alone.by_grade and split.by_recommendation == alone.by_recommendation


def test_the_other_cores_busy_runs_alone(sample_engine, starts, monkeypatch):
    from laomo.assess import store_assessment

    _cores(monkeypatch, usable=2, busy=1)
    store_assessment(sample_engine, year=2024, results=False)
    assert starts == []


def test_a_free_second_core_starts_the_worker(sample_engine, starts, monkeypatch):
    from laomo.assess import store_assessment

    _cores(monkeypatch, usable=2, busy=0)
    store_assessment(sample_engine, year=2024, results=False)
    assert len(starts) == 1
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "0")
    store_assessment(sample_engine, year=2024, results=False)
    assert len(starts) == 1

