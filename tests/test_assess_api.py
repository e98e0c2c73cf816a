"""laomo.assess as a library: keyword arguments after the session, typed results whose ``to_json()``
is cli.md's JSON key for key, errors that name the argument (not the flag), and the worker
process's protocol (its errors keep their class; it runs as ``python -m laomo.assess.worker``)."""

from __future__ import annotations

import datetime as dt
import inspect
import pickle
import tempfile

import pytest

import laomo.assess
from laomo.errors import LaomoError, NotFound, UsageError

RESULT_KEYS = ["studio", "name", "total", "grade", "items", "recommendation", "reasons", "deadline"]
RUN_KEYS = ["year", "profile", "profile_hash", "run_id", "dry_run", "assessed", "by_grade", "by_recommendation"]


def test_arguments_after_the_session_are_keyword_only():
    for name in ("check_standards", "run_assessment", "store_assessment", "what_if", "explain",
                 "stored_results", "use_profile"):
        params = list(inspect.signature(getattr(laomo.assess, name)).parameters.values())[1:]
        assert params and all(p.kind is p.KEYWORD_ONLY for p in params), name


def test_results_are_typed_and_their_json_is_the_cli_shape(sample_engine):
    from laomo.assess import (
        check_standards,
        explain,
        list_profiles,
        run_assessment,
        show_profile,
        store_assessment,
        use_profile,
        what_if,
    )
    from laomo.store.db import read_session, write_session

    stored = store_assessment(sample_engine, year=2024)
    assert stored.attempts == 1 and stored.results is not None and stored.assessed == len(stored.results)
    assert list(stored.to_json()) == [*RUN_KEYS, "results", "replaced"]  # attempts is not cli.md's
    assert list(stored.to_json()["results"][0]) in (RESULT_KEYS, [*RESULT_KEYS, "capped"])
    with read_session(sample_engine) as session:
        flat = run_assessment(session, year=2024, dry_run=True, results=False)
        assert flat.results is None and flat.run_id is None
        assert list(flat.to_json()) == RUN_KEYS
        diff = what_if(session, year=2024, profile="hebei-2021").to_json()
        assert list(diff) == ["year", "profile", "profile_hash", "dry_run", "results", "what_if"]
        assert list(diff["what_if"]) == ["stored", "stored_profiles", "changed", "changes"]
        assert list(diff["what_if"]["changes"][0]) == ["studio", "name", "before", "after", "changed"]
        ex = explain(session, code="S0008", year=2024).to_json()
        assert list(ex) == ["year", "profile", "profile_hash", "results", "facts", "details", "checks",
                            "failures", "stored", "due", "notes"]
        assert list(ex["results"][0]) == RESULT_KEYS
        check = check_standards(session, codes=["S0012"], as_of=dt.date(2025, 11, 22))
        assert check.results[0].passed is False
        assert list(check.to_json()) == ["profile", "profile_hash", "as_of", "results"]
        assert list(check.to_json()["results"][0]) == ["studio", "name", "passed", "checks", "failures",
                                                       "status", "level"]
        assert list(list_profiles(session).to_json()) == ["current", "configured", "profiles"]
    text = show_profile("henan-2015").to_json()
    assert list(text)[:5] == ["profile", "title", "description", "source", "profile_hash"]
    assert list(text)[-2:] == ["facts_used", "facts"] and "items" in text and "cap" in text
    with write_session(sample_engine) as session:
        chosen = use_profile(session, profile="anyang-8")
    assert chosen.to_json() == {"profile": "anyang-8", "source": "anyang-8", "profile_hash": chosen.profile_hash,
                                "previous": None}


def test_a_year_out_of_range_is_a_usage_error_about_the_year(sample_engine):
    from laomo.assess import run_assessment
    from laomo.store.db import read_session

    with read_session(sample_engine) as session, pytest.raises(UsageError) as caught:
        run_assessment(session, year=1800, dry_run=True)
    assert caught.value.option == "year" and "--" not in str(caught.value)


def test_a_broken_configured_profile_names_the_rules_argument_not_the_flag(sample_engine, laomo_db):
    from support.db import execute

    from laomo.assess import check_standards
    from laomo.rules import ProfileError
    from laomo.store.db import read_session

    execute(laomo_db, "INSERT INTO setting (key, value) VALUES ('rules_profile', '/nowhere/gone.toml')")
    with read_session(sample_engine) as session, pytest.raises(ProfileError) as caught:
        check_standards(session)
    assert caught.value.option == "rules" and "--" not in str(caught.value)
    assert "/nowhere/gone.toml" in str(caught.value)


class _Exited:
    """Stands for a worker process that has ended."""

    def wait(self) -> int:
        return 1

    def poll(self) -> int:
        return 1


@pytest.mark.parametrize("error", [UsageError("年度不对", option="year"), NotFound("没有这个工作室"),
                                   LaomoError("别的问题", lines=["一行"])])
def test_a_worker_error_reaches_the_parent_with_its_class(error):
    """What the child spools for an error (``_failure``) is raised again by the parent (``merge``)."""
    from laomo.assess import worker

    child = worker.Child.__new__(worker.Child)
    child.proc = _Exited()  # type: ignore[assignment]
    with tempfile.TemporaryFile() as child.spool, tempfile.TemporaryFile() as child.errors:
        pickle.dump(worker._failure(error, "sqlite://"), child.spool)
        with pytest.raises(LaomoError) as caught:
            child.merge(None, None, None)  # type: ignore[arg-type]
    assert type(caught.value) is type(error)
    assert (str(caught.value), caught.value.option, caught.value.lines) == (str(error), error.option, error.lines)


def test_the_worker_refuses_to_run_another_laomo(tmp_path):
    from laomo.assess import worker

    spec = {"root": str(tmp_path), "profile": "henan-2015", "hash": "", "url": "sqlite://"}
    with pytest.raises(LaomoError, match="载入的 laomo"), tempfile.TemporaryFile() as out:
        worker._serve(spec, out)  # type: ignore[arg-type]


@pytest.mark.sqlite_only
def test_the_worker_runs_as_a_module_and_says_nothing_on_stderr(sample_engine, monkeypatch):
    """``python -m laomo.assess.worker``: the package must not import the worker itself (runpy would
    warn on the child's stderr that the module was imported twice)."""
    from laomo.assess import store_assessment, worker
    from laomo.store.db import read_session

    seen = []
    stop = worker.Child.stop

    def spy(self):  # type: ignore[no-untyped-def]
        self.errors.seek(0)
        seen.append((self.proc.args, self.proc.returncode, self.errors.read()))
        stop(self)

    monkeypatch.setattr(worker.Child, "stop", spy)
    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # whatever the load of the machine
    split = store_assessment(sample_engine, year=2024)
    assert [(args[1:], code, err) for args, code, err in seen] == [(["-m", "laomo.assess.worker"], 0, b"")]
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "0")
    alone = store_assessment(sample_engine, year=2024)
    assert len(seen) == 1 and alone.results == split.results and alone.by_grade == split.by_grade
    with read_session(sample_engine) as session:
        assert len(laomo.assess.stored_results(session, year=2024)) == 37
