"""Stored runs are recorded and kept (cli.md ``assess run``/``assess history``): re-running a year
supersedes the earlier run; once the year's recommendations have been applied, a re-run needs
``--force --reason`` and keeps the earlier run's results, which the designations still cite.

The issue's reproduction: after ``award apply --year 2025`` (which revokes studios, dated today),
``assess run --year 2025`` again dropped the revoked studios from 2025's results, and their 摘牌
records cited scores that no longer existed anywhere."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.db import DbRef, execute, query

GRADES = {"excellent", "good", "pass", "fail"}
RUN_KEYS = ["run_id", "year", "at", "profile", "profile_hash", "studios", "by_grade", "current", "superseded_by",
            "reason"]
FIXTURES = Path(__file__).parent / "fixtures" / "migrations"


def _results(ref: DbRef, year: int) -> dict[str, tuple[Any, ...]]:
    rows = query(ref, "SELECT s.code, a.total, a.grade, a.recommendation, a.run_id FROM assessment a "
                      "JOIN studio s ON s.id = a.studio_id WHERE a.year = :y", {"y": year})
    return {r[0]: r[1:] for r in rows}


def _written(ref: DbRef) -> dict[str, list[tuple[Any, ...]]]:
    """What a stored run writes: results, runs, kept results, audit entries."""
    return {t: query(ref, f"SELECT * FROM {t} ORDER BY 1")
            for t in ("assessment", "assessment_run", "assessment_superseded", "audit")}


def _apply_2025(cli) -> list[str]:  # type: ignore[no-untyped-def]
    """``award apply --year 2025`` (dated today); the codes of the studios it revoked."""
    r = cli("award", "apply", "--year", 2025, "--yes", "--json")
    assert r.code == 0, r
    revoked = sorted({a["studio"] for a in r.json["actions"] if a["action"] == "revoke"})
    assert revoked  # the sample county's 2025 run recommends some
    return revoked


def _history(cli, *args: object) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    r = cli("assess", "history", *args, "--json")
    assert r.code == 0, r
    assert list(r.json) == ["runs"]
    return list(r.json["runs"])


# --------------------------------------------------------------------------- the reproduction


def test_rerun_after_apply_is_refused_without_force_and_writes_nothing(cli, assessed):
    _apply_2025(cli)
    before = _written(assessed)
    r = cli("assess", "run", "--year", 2025)
    assert r.code == 1, r
    today = dt.date.today().isoformat()
    assert f"2025 年度的考核结果已于 {today} 执行" in r.err
    assert r.err.rstrip().endswith("（--force --reason）") and "原结果将保留" in r.err
    assert _written(assessed) == before
    # --force alone is a usage mistake: a forced re-run needs a reason
    forced = cli("assess", "run", "--year", 2025, "--force")
    assert forced.code == 2 and "必须写明原因" in forced.err and "--reason" in forced.err, forced
    assert _written(assessed) == before
    # a dry run needs no --force and writes nothing
    dry = cli("assess", "run", "--year", 2025, "--dry-run", "--json")
    assert dry.code == 0 and dry.json["dry_run"] is True, dry
    assert _written(assessed) == before


def test_forced_rerun_keeps_the_revoked_studios_and_the_earlier_run(cli, assessed):
    earlier = _results(assessed, 2025)
    (old,) = [r["run_id"] for r in _history(cli, "--year", 2025)]
    revoked = _apply_2025(cli)

    r = cli("assess", "run", "--year", 2025, "--force", "--reason", "补录成果后重新考核", "--json")
    assert r.code == 0, r
    new = r.json["run_id"]
    assessed_now = {x["studio"] for x in r.json["results"]}
    assert set(revoked) <= assessed_now  # the revoked studios stay in 2025's results
    assert assessed_now == set(earlier)
    assert {c: v[:3] for c, v in _results(assessed, 2025).items()} == {c: v[:3] for c, v in earlier.items()}

    # the history shows both, newest first; the earlier one superseded by the new one
    runs = _history(cli, "--year", 2025)
    assert [x["run_id"] for x in runs] == [new, old]
    assert runs[0]["current"] is True and runs[0]["superseded_by"] is None
    assert runs[0]["reason"] == "补录成果后重新考核"
    assert runs[1]["current"] is False and runs[1]["superseded_by"] == new and runs[1]["reason"] is None
    assert runs[1]["studios"] == len(earlier) == sum(runs[1]["by_grade"].values())

    # the earlier run's rows still exist, and a command reads them
    kept = query(assessed, "SELECT s.code, k.total, k.grade, k.recommendation, k.run_id, k.superseded_by "
                           "FROM assessment_superseded k JOIN studio s ON s.id = k.studio_id WHERE k.year = 2025")
    assert {c: (t, g, rec, run) for c, t, g, rec, run, _ in kept} == earlier
    assert {x[-1] for x in kept} == {new}
    for code in revoked:
        data = cli("assess", "explain", code, "--year", 2025, "--run", old, "--json").json
        result = data["results"][0]
        assert (result["total"], result["grade"], result["recommendation"]) == earlier[code][:3] == (
            result["total"], result["grade"], "revoke")
        assert data["stored"] is True and any(f"{old} 已被 {new} 替换" in n for n in data["notes"])
    text = cli("assess", "history", "--year", 2025)
    assert text.code == 0 and old in text.out and new in text.out and "保留" in text.out, text

    # the audit entry of the forced run carries the reason and what it kept
    entry = json.loads(query(assessed, "SELECT after FROM audit WHERE entity = 'assessment' AND key = '2025' "
                                       "ORDER BY id DESC")[0][0])
    assert entry["run_id"] == new and entry["reason"] == "补录成果后重新考核"
    assert entry["kept"] == {"runs": [old], "rows": len(earlier)}


def test_a_rerun_before_apply_supersedes_without_keeping(cli, assessed):
    (old,) = [r["run_id"] for r in _history(cli, "--year", 2024)]
    r = cli("assess", "run", "--year", 2024, "--json")
    assert r.code == 0, r
    runs = _history(cli, "--year", 2024)
    assert [x["run_id"] for x in runs] == [r.json["run_id"], old]
    assert runs[1]["superseded_by"] == r.json["run_id"] and runs[1]["current"] is False
    assert query(assessed, "SELECT count(*) FROM assessment_superseded") == [(0,)]
    gone = cli("assess", "explain", "S0001", "--year", 2024, "--run", old)
    assert gone.code == 1 and "其结果未保留" in gone.err, gone
    missing = cli("assess", "explain", "S0001", "--year", 2024, "--run", "2024-nope")
    assert missing.code == 1 and "没有 2024 年度的考核运行 2024-nope" in missing.err, missing


def test_voiding_every_applied_designation_frees_the_year(cli, assessed):
    _apply_2025(cli)
    assert cli("assess", "run", "--year", 2025).code == 1
    execute(assessed, "UPDATE designation SET voided_at = CURRENT_TIMESTAMP, void_reason = '误执行' "
                      "WHERE year = 2025 AND reason LIKE '2025年度考核%'")
    r = cli("assess", "run", "--year", 2025, "--json")
    assert r.code == 0, r


def test_the_library_refuses_with_the_flag_left_to_the_command_line(assessed_engine, cli):
    from laomo.assess import store_assessment
    from laomo.assess.runs import AppliedYear

    _apply_2025(cli)
    with pytest.raises(AppliedYear) as caught:
        store_assessment(assessed_engine, year=2025)
    assert caught.value.option == "force" and "--" not in str(caught.value)
    out = store_assessment(assessed_engine, year=2025, force=True, reason="复核", results=False)
    assert out.kept is True and len(out.supersedes) == 1 and out.reason == "复核"


# --------------------------------------------------------------------------- the listing


def test_history_json_shape_and_order(cli, assessed):
    cli("assess", "run", "--year", 2024, "--quiet")
    runs = _history(cli)
    assert [x["year"] for x in runs] == [2025, 2024, 2024]
    for x in runs:
        assert list(x) == RUN_KEYS
        assert set(x["by_grade"]) <= GRADES and x["studios"] == sum(x["by_grade"].values()) == 37
        assert x["profile"] == "henan-2015" and len(x["profile_hash"]) == 64
        assert dt.datetime.fromisoformat(x["at"]).year >= 2026
    assert [x["current"] for x in runs] == [True, True, False]
    assert runs[1]["at"] >= runs[2]["at"] and runs[2]["superseded_by"] == runs[1]["run_id"]
    assert _history(cli, "--year", 2023) == []  # imported history is not a run
    text = cli("assess", "history")
    assert text.code == 0, text
    assert "2025 年度的考核运行" in text.out and "运行编号" in text.out and "现行" in text.out
    assert "2023 年度：导入的历史成绩 37 个工作室" in text.out


@pytest.mark.sqlite_only  # the fixture is a SQLite file
def test_runs_recorded_by_the_migration_show_in_history(cli, tmp_path):
    target = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "0001.db", target)
    assert cli("--db", target, "init").code == 0
    r = cli("--db", target, "assess", "history", "--json")
    assert r.code == 0, r
    runs = r.json["runs"]
    assert [x["year"] for x in runs] == [2025, 2024]
    assert all(x["current"] and x["studios"] == 37 and x["profile"] == "henan-2015" for x in runs)
    assert all(set(x["by_grade"]) <= GRADES for x in runs)
    # 2024 was applied in that database (award apply --year 2024): its re-run needs a reason
    refused = cli("--db", target, "assess", "run", "--year", 2024)
    assert refused.code == 1 and "2024 年度的考核结果已于 2025-01-20 执行" in refused.err, refused


@pytest.mark.sqlite_only  # the worker process serves SQLite only
def test_a_run_split_with_the_worker_process_is_recorded_and_keeps_the_earlier_run(cli, assessed,
                                                                                    assessed_engine, monkeypatch):
    import laomo.assess.worker as worker
    from laomo.assess import store_assessment

    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")  # whatever the load of the machine
    started: list[int] = []
    real = worker.Child.__init__

    def child(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(worker.Child, "__init__", child)
    earlier = _results(assessed, 2025)
    revoked = _apply_2025(cli)
    out = store_assessment(assessed_engine, year=2025, force=True, reason="复核")
    assert started == [1]  # a worker process computed part of the studios
    assert out.assessed == len(earlier) and set(revoked) <= {r["studio"] for r in out.results or []}
    runs = _history(cli, "--year", 2025)
    assert runs[0]["run_id"] == out.run_id and runs[0]["studios"] == out.assessed
    assert runs[0]["by_grade"] == out.by_grade and runs[0]["reason"] == "复核"
    assert runs[1]["superseded_by"] == out.run_id
    assert query(assessed, "SELECT count(*) FROM assessment_superseded WHERE superseded_by = :r",
                 {"r": out.run_id}) == [(len(earlier),)]
