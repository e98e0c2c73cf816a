"""award apply: the year's recommendations become designations; restore; idempotence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from support.assess import load, merge, studio
from support.award import audit_entries, designations, refused, ro, rw, snapshot, state
from support.sample import EXPECTED

from laomo import award
from laomo.demo.quickstart import apply_and_name

D = dt.date
JAN_2025, JAN_2026 = "2025-01-20", "2026-01-20"


def applied(eng: Engine, **kwargs: Any) -> dict[str, Any]:
    """``award.apply`` in a write session, as its JSON."""
    result = rw(eng, award.apply, **kwargs)
    assert isinstance(result, award.ApplyResult)
    return result.to_json()


def _recs(year: int) -> dict[str, str]:
    return {c: r["recommendation"] for c, r in EXPECTED[str(year)].items() if r["recommendation"] != "none"}


# --------------------------------------------------------------------------- the sample county


def test_apply_2024_carries_out_every_recommendation(assessed_engine):
    out = applied(assessed_engine, year=2024, date=JAN_2025)
    assert {a["studio"]: a["action"] for a in out["actions"]} == _recs(2024)
    assert out["written"] == len(out["actions"]) == sum(out["by_action"].values())
    assert out["skipped"] == [] and out["already_applied"] == []
    for code, rec in _recs(2024).items():
        rows = [d for d in designations(assessed_engine, code) if d["year"] == 2024 and d["action"] == rec]
        assert len(rows) == 1 and rows[0]["date"] == JAN_2025
        assert rows[0]["reason"].startswith("2024年度考核不合格")
        expected_status = {"rectify": "rectification", "revoke": "revoked", "warn": "warned"}[rec]
        assert state(assessed_engine, code).status == expected_status
        if rec == "rectify":
            assert rows[0]["deadline"] == "2025-06-30"
    entries = [e for e in audit_entries(assessed_engine) if e["after"].get("source") == "award apply --year 2024"]
    assert len(entries) == out["written"]


def test_apply_is_idempotent(assessed_engine):
    first = applied(assessed_engine, year=2024, date=JAN_2025)
    before = snapshot(assessed_engine)
    second = applied(assessed_engine, year=2024, date="2025-02-01")
    assert second["written"] == 0 and second["actions"] == []
    assert second["already_applied"] == sorted(a["studio"] for a in first["actions"])
    assert snapshot(assessed_engine) == before


def test_the_next_assessment_restores_or_revokes(assessed_engine):
    applied(assessed_engine, year=2024, date=JAN_2025)
    out = applied(assessed_engine, year=2025, date=JAN_2026)
    got = {a["studio"]: a["action"] for a in out["actions"]}
    rectified = {c for c, r in _recs(2024).items() if r == "rectify"}
    revoked_2024 = {c for c, r in _recs(2024).items() if r == "revoke"}
    for code, rec in EXPECTED["2025"].items():
        rec = rec["recommendation"]
        if code in revoked_2024:  # still assessed (the 2025 run came before the apply), but nothing to do
            assert code not in got and any(s["studio"] == code for s in out["skipped"])
        elif rec == "none":
            assert got.get(code) == ("restore" if code in rectified else None), code
        else:
            assert got.get(code) == rec, code
    # A studio whose rectification deadline passed and whose next assessment passed returns to named.
    restored = [c for c, a in got.items() if a == "restore"]
    assert restored
    for code in restored:
        st = state(assessed_engine, code)
        assert st.status == "named" and st.deadline is None
        assert designations(assessed_engine, code)[-1]["reason"].startswith("2025年度考核")
    assert applied(assessed_engine, year=2025, date=JAN_2026)["written"] == 0


def test_dry_run_and_plan_write_nothing(assessed_engine):
    before = snapshot(assessed_engine)
    plan = applied(assessed_engine, year=2025, date=JAN_2026, dry_run=True)
    assert plan["dry_run"] and plan["written"] == 0 and plan["actions"]
    assert list(plan) == ["year", "date", "assessed", "actions", "by_action", "skipped", "already_applied",
                          "plan_key", "dry_run", "written"]
    assert list(plan["actions"][0]) == ["studio", "name", "year", "date", "status", "recommendation", "action",
                                        "level", "deadline", "reason"]
    assert plan["plan_key"][0] == [plan["actions"][0]["studio"], plan["actions"][0]["action"],
                                   plan["actions"][0]["level"]]
    assert ro(assessed_engine, award.plan_apply, year=2025, date=JAN_2026).by_action == plan["by_action"]
    assert snapshot(assessed_engine) == before


def test_a_plan_confirmed_on_changed_data_is_refused(assessed_engine):
    plan = ro(assessed_engine, award.apply, year=2025, date=JAN_2026, dry_run=True).to_json()
    rw(assessed_engine, award.close, code="S0001", reason="企业关闭", date="2026-01-10")
    err = refused(assessed_engine, award.apply, year=2025, date=JAN_2026,
                  expect=[tuple(k) for k in plan["plan_key"]])
    assert isinstance(err, award.PlanChanged) and "数据已发生变化" in str(err)


@pytest.mark.parametrize("year, text", [(2030, "2030 年度没有考核结果，请先进行 2030 年度考核"),
                                        (2023, "只有导入的历史等级")])
def test_a_year_without_a_run_is_refused(assessed_engine, year, text):
    err = refused(assessed_engine, award.apply, year=year, date=JAN_2026)
    assert isinstance(err, award.NotAssessed) and err.exit_code == 1 and text in str(err) and err.year == year
    assert "laomo" not in str(err)  # the command to run is the command layer's to say


# --------------------------------------------------------------------------- hand-made recommendations


def _assess(engine, code: str, year: int, rec: str, grade: str = "pass", total: float = 70,  # type: ignore[no-untyped-def]
            reasons=(), deadline: str | None = None) -> None:
    """A stored assessment row as `assess run` writes it (the recommendation is what apply reads)."""
    from sqlalchemy import insert, select

    from laomo.models import Assessment, Studio

    with engine.begin() as conn:
        sid = conn.execute(select(Studio.__table__.c.id).where(Studio.__table__.c.code == code)).scalar()
        conn.execute(insert(Assessment.__table__).values(
            studio_id=sid, year=year, profile="henan-2015", profile_hash="x", total=total, grade=grade,
            items={}, standards={"passed": True, **({"deadline": deadline} if deadline else {})},
            recommendation=rec, reasons=list(reasons), imported=False, run_id="t"))


def _named(*codes: str, **kw):  # type: ignore[no-untyped-def]
    return merge(*(studio(c, named=[("county", "2021-01-01")], **kw) for c in codes))


def test_a_warned_studio_whose_next_assessment_recommends_nothing_is_restored(engine):
    load(engine, _named("W"))
    rw(engine, award.warn, code="W", reason="疑似翻牌", date="2025-03-01")
    _assess(engine, "W", 2025, "none")
    out = applied(engine, year=2025, date=JAN_2026)
    assert [(a["studio"], a["action"]) for a in out["actions"]] == [("W", "restore")]
    assert state(engine, "W").status == "named"


def test_restore_waits_for_the_rectification_deadline(engine):
    load(engine, _named("K"))
    rw(engine, award.rectify, code="K", reason="整改", date="2025-03-01")  # deadline 2026-06-30
    _assess(engine, "K", 2025, "none")
    out = applied(engine, year=2025, date=JAN_2026)
    assert out["actions"] == [] and out["skipped"][0]["reason"] == "整改期限 2026-06-30 未到，暂不恢复"
    assert state(engine, "K").status == "rectification"
    out = applied(engine, year=2025, date="2026-07-01")
    assert [a["action"] for a in out["actions"]] == ["restore"] and state(engine, "K").status == "named"


def test_a_rectification_after_the_year_is_not_undone_by_that_years_assessment(engine):
    load(engine, _named("L"))
    rw(engine, award.rectify, code="L", reason="现场检查发现问题", deadline="2026-03-01", date="2026-02-01")
    _assess(engine, "L", 2025, "none")
    out = applied(engine, year=2025, date="2026-04-01")
    assert out["actions"] == [] and "晚于 2025 年度" in out["skipped"][0]["reason"]
    assert state(engine, "L").status == "rectification"


def test_repeated_rectify_and_warn_are_recorded_for_each_year(engine):
    load(engine, _named("P", "Q"))
    rw(engine, award.rectify, code="P", reason="整改", date="2025-03-01")
    rw(engine, award.warn, code="Q", reason="翻牌", date="2025-03-01")
    _assess(engine, "P", 2025, "rectify", "fail", 50, ["本年度考核不合格"], deadline="2026-06-30")
    _assess(engine, "Q", 2025, "warn", reasons=["一线职工占比 0.2，低于 0.5（疑似翻牌）"])
    out = applied(engine, year=2025, date=JAN_2026)
    assert [(a["studio"], a["action"], a["deadline"]) for a in out["actions"]] == [
        ("P", "rectify", "2026-06-30"), ("Q", "warn", None)]
    assert designations(engine, "P")[-1]["reason"] == "2025年度考核不合格（50 分）：本年度考核不合格"
    assert designations(engine, "Q")[-1]["reason"] == "2025年度考核合格（70 分）：一线职工占比 0.2，低于 0.5（疑似翻牌）"


def test_the_deadline_falls_back_to_the_profile(engine):
    load(engine, _named("F"))
    _assess(engine, "F", 2025, "rectify", "fail", 40, ["本年度考核不合格"])
    out = applied(engine, year=2025, date=JAN_2026)
    assert out["actions"][0]["deadline"] == "2026-06-30"


@pytest.mark.parametrize("stored", ["2025-06-30", None])
def test_a_late_apply_gives_the_apply_date_plus_three_months(engine, stored):
    # `award apply --year 2024` run on 30 November 2026: 30 June 2025 has passed.
    load(engine, _named("F"))
    _assess(engine, "F", 2024, "rectify", "fail", 40, ["本年度考核不合格"], deadline=stored)
    out = applied(engine, year=2024, date="2026-11-30")
    assert out["actions"][0]["deadline"] == "2027-02-28"  # end of month: no 30 February
    assert designations(engine, "F")[-1]["deadline"] == "2027-02-28"
    assert state(engine, "F").deadline == D(2027, 2, 28)


def test_a_late_apply_by_default_is_today_plus_three_months(engine):
    from laomo.rules.profile import add_months

    load(engine, _named("F"))
    _assess(engine, "F", 2020, "rectify", "fail", 40, ["本年度考核不合格"], deadline="2021-06-30")
    out = applied(engine, year=2020)
    assert out["actions"][0]["deadline"] == add_months(dt.date.today(), 3).isoformat()


@pytest.mark.parametrize("day", ["2025-01-20", "2025-06-30"])
def test_an_apply_in_time_keeps_30_june_of_the_next_year(engine, day):
    load(engine, _named("F"))
    _assess(engine, "F", 2024, "rectify", "fail", 40, ["本年度考核不合格"], deadline="2025-06-30")
    assert applied(engine, year=2024, date=day)["actions"][0]["deadline"] == "2025-06-30"


def test_a_profile_with_another_late_period_is_honoured(engine, tmp_path):
    rules = tmp_path / "late6.toml"
    rules.write_text('extends = "henan-2015"\n[[recommendations]]\naction = "rectify"\n'
                     'deadline = { month = 6, day = 30, late_months = 6 }\n'
                     'when = [{ reason = "本年度考核不合格", check = "grade == \'fail\'" }]\n', encoding="utf-8")
    load(engine, _named("F", "G"))
    _assess(engine, "F", 2024, "rectify", "fail", 40, ["本年度考核不合格"], deadline="2025-06-30")
    _assess(engine, "G", 2024, "rectify", "fail", 40, ["本年度考核不合格"])
    out = applied(engine, year=2024, date="2026-08-31", profile=str(rules))
    assert [(a["studio"], a["deadline"]) for a in out["actions"]] == [("F", "2027-02-28"), ("G", "2027-02-28")]


def test_revoke_removes_every_level_and_skips_the_closed(engine):
    load(engine, merge(studio("V", named=[("county", "2020-01-01"), ("city", "2022-01-01")]), _named("X")))
    rw(engine, award.close, code="X", reason="企业关闭", date="2025-06-01")
    _assess(engine, "V", 2025, "revoke", "fail", 30, ["连续两年考核不合格"])
    _assess(engine, "X", 2025, "revoke", "fail", 30, ["连续两年考核不合格"])
    out = applied(engine, year=2025, date=JAN_2026)
    assert [(a["studio"], a["level"]) for a in out["actions"]] == [("V", "city"), ("V", "county")]
    assert out["skipped"] == [{"studio": "X", "name": "X创新工作室", "recommendation": "revoke",
                               "reason": "当前状态为已撤销，持有县级命名，不执行摘牌"}]
    assert state(engine, "V").status == "revoked"


def test_a_named_studio_with_no_recommendation_gets_nothing(engine):
    load(engine, _named("N"))
    _assess(engine, "N", 2025, "none")
    out = applied(engine, year=2025, date=JAN_2026)
    assert out["actions"] == [] and out["skipped"] == [] and out["written"] == 0


# --------------------------------------------------------------------------- quickstart's entry point


def test_apply_and_name_for_the_demo(assessed_engine):
    out = rw(assessed_engine, apply_and_name, year=2025, date=JAN_2026, doc={"city": "市总工〔2026〕1号"},
             amount={"city": 50000, "county": 20000}, batch="2025年度")
    assert out.applied.written > 0 and out.date == D(2026, 1, 20)
    assert out.named["county"] == ["S0023"] and out.named["city"]
    city = out.named["city"]
    row = designations(assessed_engine, city[0])[-1]
    assert (row["action"], row["level"], row["year"], row["doc"], row["amount"], row["batch"]) == (
        "name", "city", 2025, "市总工〔2026〕1号", 50000, "2025年度")
    assert designations(assessed_engine, "S0023")[-1]["amount"] == 20000
    before = snapshot(assessed_engine)
    again = rw(assessed_engine, apply_and_name, year=2025, date=JAN_2026)
    assert again.applied.written == 0 and again.named == {"city": [], "county": []}
    assert snapshot(assessed_engine) == before
