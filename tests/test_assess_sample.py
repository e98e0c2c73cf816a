"""The sample county: assess 2024 then 2025 and match expected.json exactly."""

from __future__ import annotations

import datetime as dt

from support.assess import run
from support.sample import EXPECTED

ITEMS = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "D1", "D2"]


def _compare(got: dict[str, dict], expected: dict[str, dict]) -> list[str]:
    problems = []
    if set(got) != set(expected):
        problems.append(f"studios differ: extra {sorted(set(got) - set(expected))}, "
                        f"missing {sorted(set(expected) - set(got))}")
    for code, exp in expected.items():
        g = got.get(code)
        if g is None:
            continue
        for key in ("total", "grade", "recommendation"):
            if g[key] != exp[key]:
                problems.append(f"{code} {key}: got {g[key]!r}, expected {exp[key]!r}")
        if list(g["items"]) != ITEMS:
            problems.append(f"{code} item order {list(g['items'])}")
        for item, value in exp["items"].items():
            if g["items"].get(item) != value:
                problems.append(f"{code} {item}: got {g['items'].get(item)!r}, expected {value!r}")
    return problems


def test_2024_then_2025_match_expected(sample_engine):
    got2024 = run(sample_engine, 2024)
    assert _compare(got2024, EXPECTED["2024"]) == []
    got2025 = run(sample_engine, 2025)
    assert _compare(got2025, EXPECTED["2025"]) == []


def test_cap_binds_in_both_years(sample_engine):
    r24 = run(sample_engine, 2024)
    # 37 assessed: at most floor(0.2 × 37) = 7 excellent; the studios over 90 beyond that are good.
    assert sum(1 for r in r24.values() if r["grade"] == "excellent") == 7
    # 2024: S0003 and S0026 tie on 92; S0026 has more B points and keeps 优秀.
    assert sorted(c for c, r in r24.items() if r.get("capped")) == ["S0003", "S0039"]
    assert r24["S0026"]["grade"] == "excellent" and r24["S0003"]["grade"] == "good"
    r25 = run(sample_engine, 2025)
    assert sum(1 for r in r25.values() if r["grade"] == "excellent") == 7
    # 2025: S0006 and S0021 tie on total and B points; the lower code keeps 优秀.
    assert sorted(c for c, r in r25.items() if r.get("capped")) == ["S0005", "S0014", "S0021"]
    assert r25["S0006"]["grade"] == "excellent" and r25["S0021"]["grade"] == "good"
    assert sum(r25["S0006"]["items"][i] for i in ("B1", "B2", "B3", "B4")) == \
        sum(r25["S0021"]["items"][i] for i in ("B1", "B2", "B3", "B4"))


def test_reasons_list_every_matching_condition_in_rule_order(sample_engine):
    run(sample_engine, 2024)
    r = run(sample_engine, 2025)
    # S0001: failed 2024 and 2025, and has had no achievement in 2023–2025 while named since 2021.
    assert r["S0001"]["recommendation"] == "revoke"
    assert r["S0001"]["reasons"][0] == "连续两年考核不合格"
    assert "本年度考核不合格" in r["S0001"]["reasons"]
    # S0037: its team is mostly not front-line: the warn condition is listed after the others.
    assert r["S0037"]["reasons"][-1].startswith("一线职工占比 11.1%")
    assert r["S0007"]["recommendation"] == "rectify"
    assert r["S0007"]["deadline"] == "2026-06-30"
    assert r["S0002"]["reasons"] == [] and r["S0002"]["recommendation"] == "none"


def test_rows_stored_with_profile_hash_and_run(sample_engine):
    from sqlmodel import select

    from laomo.models import Assessment, AuditEntry, Studio
    from laomo.rules import load_profile
    from laomo.store.db import read_session

    before = dt.datetime.now(dt.UTC)
    run(sample_engine, 2024)
    prof = load_profile("henan-2015")
    with read_session(sample_engine) as s:
        rows = s.exec(select(Assessment, Studio.code).join(Studio, Studio.id == Assessment.studio_id)
                      .where(Assessment.year == 2024)).all()
        assert len(rows) == 37
        a, code = next((a, c) for a, c in rows if c == "S0007")
        assert a.profile == "henan-2015" and a.profile_hash == prof.hash and len(a.profile_hash) == 64
        assert a.items == EXPECTED["2024"]["S0007"]["items"]
        assert a.standards["passed"] is True and a.standards["checks"]["S3"] is True
        assert a.imported is False and a.run_id and a.run_id.startswith("2024-")
        assert a.created_at is not None and a.created_at.replace(tzinfo=dt.UTC) >= before.replace(microsecond=0)
        imported_2023 = s.exec(select(Assessment).where(Assessment.year == 2023)).all()
        assert len(imported_2023) == 37 and all(x.imported for x in imported_2023)
        audit = s.exec(select(AuditEntry).where(AuditEntry.entity == "assessment")).all()
        assert len(audit) == 1 and audit[0].key == "2024"
        assert audit[0].after["assessed"] == 37
        assert audit[0].after["by_grade"] == {"fail": 18, "pass": 9, "good": 3, "excellent": 7}
        assert audit[0].after["profile_hash"] == prof.hash


def test_rerun_replaces_the_year_and_keeps_others(sample_engine):
    from sqlalchemy import func
    from sqlmodel import select

    from laomo.models import Assessment
    from laomo.store.db import read_session

    run(sample_engine, 2024)
    run(sample_engine, 2025)
    run(sample_engine, 2024)
    with read_session(sample_engine) as s:
        counts = dict(s.exec(select(Assessment.year, func.count()).group_by(Assessment.year)).all())
        run_ids = set(s.exec(select(Assessment.run_id).where(Assessment.year == 2024)).all())
    assert counts == {2023: 37, 2024: 37, 2025: 37}
    assert len(run_ids) == 1


def test_dry_run_writes_nothing(sample_engine):
    from sqlalchemy import func, select

    from laomo.models import Assessment, AuditEntry
    from laomo.store.db import read_session

    got = run(sample_engine, 2024, dry_run=True)
    assert got["S0005"]["grade"] == "excellent"
    with read_session(sample_engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment).where(Assessment.year == 2024)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "assessment")) == 0


def test_2025_without_stored_2024_uses_no_previous_grade(sample_engine):
    # Without the 2024 run, nobody was 不合格 in 2024: "two failing years" cannot match.
    got = run(sample_engine, 2025)
    assert got["S0001"]["recommendation"] != "revoke" or "连续两年考核不合格" not in got["S0001"]["reasons"]


def test_revoked_studio_left_out_and_rerun_earlier_year_keeps_those_revoked_since(sample_engine):
    from laomo.ledger.importer import RecordSource, import_source
    from laomo.store.db import write_session

    got = run(sample_engine, 2024)
    assert "S0040" not in got  # revoked in 2023
    assert "S0023" not in got and "S0034" not in got  # never named
    with write_session(sample_engine) as s:
        import_source(s, RecordSource("designations", [
            {"studio": "S0002", "action": "revoke", "level": "county", "year": 2026, "date": "2026-03-01"}]),
            kind="designations")
    again = run(sample_engine, 2024)
    # who is assessed for 2024 is fixed on 31 December 2024 (rules.md): a revocation in 2026 changes nothing
    assert "S0002" in again and len(again) == 37


def test_what_if_and_explain(sample_engine):
    from laomo.assess import explain, what_if
    from laomo.store.db import read_session

    run(sample_engine, 2024)
    with read_session(sample_engine) as s:
        same = what_if(s, year=2024, profile="henan-2015")
        assert same.changed == 0 and same.stored == 37
        other = what_if(s, year=2024, profile="hebei-2021")
        assert other.profile == "hebei-2021"
        assert {c["studio"] for c in other.changes} == set(EXPECTED["2024"])
        ex = explain(s, code="S0008", year=2024).to_json()
    r = ex["results"][0]
    assert r["items"] == EXPECTED["2024"]["S0008"]["items"]
    assert r["total"] == 54.5 and r["grade"] == "fail" and r["recommendation"] == "rectify"
    c1 = next(d for d in ex["details"] if d["item"] == "C1")
    assert c1["points"] == 2.5 and c1["facts"] == {"activities_in_year_training": 1}
    assert "2.5 分" in c1["rule"]
    assert ex["facts"]["activities_in_year_training"] == 1
    assert ex["stored"] is True and ex["notes"] == []


def test_explain_without_a_stored_result_and_for_imported_history(sample_engine):
    from laomo.assess import explain
    from laomo.store.db import read_session

    with read_session(sample_engine) as s:
        fresh = explain(s, code="S0005", year=2024).to_json()
        imported = explain(s, code="S0007", year=2023).to_json()
        outside = explain(s, code="S0023", year=2024).to_json()
    r = fresh["results"][0]
    assert fresh["stored"] is False and r["items"] == EXPECTED["2024"]["S0005"]["items"]
    assert r["grade"] == "excellent" and any("尚未保存" in n for n in fresh["notes"])
    assert imported["stored"] is True and imported["results"][0]["grade"] == "fail"
    assert imported["results"][0]["total"] == 55 and any("导入" in n for n in imported["notes"])
    assert outside["due"] is False and any("不在 2024 年度的考核范围内" in n for n in outside["notes"])


def test_check_reports_status_and_level(sample_engine):
    from laomo.assess import check_standards
    from laomo.store.db import read_session

    with read_session(sample_engine) as s:
        out = check_standards(s, codes=["S0040", "S0023", "S0004"], as_of=dt.date(2025, 11, 22)).to_json()
    by = {r["studio"]: r for r in out["results"]}
    assert (by["S0040"]["status"], by["S0040"]["level"]) == ("revoked", None)
    assert (by["S0023"]["status"], by["S0023"]["level"]) == ("registered", None)
    assert (by["S0004"]["status"], by["S0004"]["level"]) == ("named", "city")
    assert out["as_of"] == "2025-11-22"
