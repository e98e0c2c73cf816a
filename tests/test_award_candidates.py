"""Naming eligibility (rules.md "Naming eligibility"): candidates, every failed condition, demonstrative, rules as data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from support.assess import load, merge, studio
from support.award import CHECK_DAY, ro
from support.sample import EXPECTED

from laomo import award
from laomo.errors import LaomoError
from laomo.rules.engine import engine_for

D = dt.date


def cands(eng: Engine, level: str, as_of: dt.date = CHECK_DAY, **kw: Any) -> dict[str, Any]:
    """``award.candidates`` as its JSON (cli.md "award candidates")."""
    result = ro(eng, award.candidates, level=level, as_of=as_of, **kw)
    assert isinstance(result, award.Candidates)
    return result.to_json()


def reasons_of(data, code):  # type: ignore[no-untyped-def]
    for r in data["ineligible"]:
        if r["studio"] == code:
            return r["reasons"]
    assert code in [c["studio"] for c in data["candidates"]], f"{code} listed nowhere"
    return []


# --------------------------------------------------------------------------- expected.json


@pytest.mark.parametrize("level, key", [("county", "candidates_county_2025-11-22"),
                                        ("city", "candidates_city_2025-11-22")])
def test_sample_candidates_match_expected(assessed_engine, level, key):
    data = cands(assessed_engine, level)
    assert [c["studio"] for c in data["candidates"]] == EXPECTED[key]
    assert data["level"] == level and data["demonstrative"] is False and data["as_of"] == "2025-11-22"
    everyone = {c["studio"] for c in data["candidates"]} | {r["studio"] for r in data["ineligible"]}
    assert everyone == {f"S{i:04d}" for i in range(1, 41)}
    assert all(r["reasons"] for r in data["ineligible"])


def test_candidates_are_typed_and_their_json_is_cli_md(assessed_engine):
    import dataclasses

    from laomo.errors import UsageError

    result = ro(assessed_engine, award.candidates, level="县级", as_of="2025-11-22")
    assert (result.level, result.as_of, result.profile) == ("county", CHECK_DAY, "henan-2015")
    assert [v.code for v in result.eligible] == EXPECTED["candidates_county_2025-11-22"]
    first = result.ineligible[0]
    assert not first.eligible and isinstance(first.reasons, tuple) and first.reasons
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.reasons = ()  # type: ignore[misc]  # the point: results cannot be changed
    data = result.to_json()
    assert list(data) == ["level", "demonstrative", "as_of", "profile", "profile_hash", "candidates", "ineligible"]
    assert data["ineligible"][0] == {"studio": first.code, "name": first.name, "reasons": list(first.reasons)}
    with pytest.raises(UsageError) as info:
        ro(assessed_engine, award.candidates, level="county", as_of="昨天")
    assert info.value.option == "as_of" and str(info.value).startswith("检查日期「昨天」无效")


def test_sample_reasons_name_each_failed_condition(assessed_engine):
    city = cands(assessed_engine, "市级")
    # S0012: a team of two (standards); S0002: an enterprise-level honor (ladder);
    # S0004: already city; S0001: 不合格 in 2025; S0023: never named (no lower naming); S0040: revoked.
    assert reasons_of(city, "S0012") == ["未通过 S3 有固定团队：团队人数（不含领衔人） 2，要求至少 3"]
    assert reasons_of(city, "S0002") == ["领衔人不符合市级工作室的条件：领衔人最高荣誉级别 企业级，要求至少 市级"]
    assert reasons_of(city, "S0004") == ["已是市级工作室（2023-11-20 命名）"]
    assert reasons_of(city, "S0001") == ["最近一次考核（2025 年度）为不合格"]
    assert reasons_of(city, "S0023")[-1].startswith("未持有较低级别的命名")
    assert reasons_of(city, "S0040")[0] == "当前状态为已摘牌"
    county = cands(assessed_engine, "县级")
    assert reasons_of(county, "S0034") == [
        "领衔人不符合县级工作室的条件：以下条件均未满足：〔领衔人最高荣誉级别 企业级，要求至少 县级〕 或 "
        "〔领衔人技能等级 技师，要求至少 高级技师〕"]
    assert reasons_of(county, "S0003") == ["已是县级工作室（2022-12-23 命名）"]


def test_an_unapplied_recommendation_does_not_count(assessed_engine):
    # S0007's 2025 assessment recommends rectification, but nothing was applied: its status is still named;
    # only its 不合格 grade keeps it out.
    assert reasons_of(cands(assessed_engine, "city"), "S0007") == ["最近一次考核（2025 年度）为不合格"]


def test_the_check_date_decides(assessed_engine):
    # As of 2023-12-20 S0003 (county since 2022-12-23) has not held its naming for a year,
    # and its latest grade is the imported 2023 one.
    reasons = reasons_of(cands(assessed_engine, "city", as_of=D(2023, 12, 20)), "S0003")
    assert reasons == ["在较低级别命名未满 1 年（县级 2022-12-23 命名，须不晚于 2022-12-20）"]


# --------------------------------------------------------------------------- hand-built studios


def test_every_failed_condition_in_order(engine):
    load(engine, studio("X1", team=2, honor="county_model_worker", leader_skill="technician",
                        named=[("county", "2025-01-10")],
                        designations=[{"action": "rectify", "year": 2025, "date": "2025-03-01", "reason": "整改"}],
                        assessments=[(2024, "不合格", 40)]))
    reasons = reasons_of(cands(engine, "city"), "X1")
    assert len(reasons) == 5
    assert reasons[0].startswith("未通过 S3 有固定团队：团队人数（不含领衔人） 2")
    assert reasons[1].startswith("领衔人不符合市级工作室的条件：领衔人最高荣誉级别 县级")
    assert reasons[2] == "当前状态为限期整改，持有县级命名"
    assert reasons[3] == "最近一次考核（2024 年度）为不合格"
    assert reasons[4] == "在较低级别命名未满 1 年（县级 2025-01-10 命名，须不晚于 2024-11-22）"


@pytest.mark.parametrize("named, ok", [("2024-11-22", True), ("2024-11-23", False), ("2021-06-01", True)])
def test_held_a_lower_naming_dated_on_or_before_the_same_day_one_year_before(engine, named, ok):
    load(engine, studio("C1", named=[("county", named)]))
    data = cands(engine, "city")
    assert ([c["studio"] for c in data["candidates"]] == ["C1"]) is ok


def test_imported_namings_of_any_lower_level_count(engine):
    load(engine, merge(studio("E1", named=[("enterprise", "2023-05-01")]),
                       studio("E2", named=[("enterprise", "2023-05-01"), ("county", "2025-05-01")],
                              honor="province_model_worker"),
                       studio("E3", named=None)))
    # Any lower level counts: E2's enterprise naming of 2023 qualifies it even though its county one is recent.
    assert [c["studio"] for c in cands(engine, "city")["candidates"]] == ["E1", "E2"]
    assert [c["studio"] for c in cands(engine, "province")["candidates"]] == ["E2"]
    assert reasons_of(cands(engine, "city"), "E3") == [
        "未持有较低级别的命名（市级不是起步级别，须先在较低级别命名满 1 年）"]


def test_entry_levels_need_no_lower_naming(engine):
    load(engine, studio("N1", named=None))
    assert [c["studio"] for c in cands(engine, "enterprise")["candidates"]] == ["N1"]
    assert [c["studio"] for c in cands(engine, "county")["candidates"]] == ["N1"]


def test_a_revoked_lower_naming_does_not_count(engine):
    load(engine, studio("R1", named=[("county", "2021-01-01")], designations=[
        {"action": "revoke", "level": "county", "year": 2024, "date": "2024-03-01", "reason": "摘牌"}]))
    reasons = reasons_of(cands(engine, "city"), "R1")
    assert reasons == ["当前状态为已摘牌", "未持有较低级别的命名（市级不是起步级别，须先在较低级别命名满 1 年）"]
    assert reasons_of(cands(engine, "county"), "R1") == ["当前状态为已摘牌"]


@pytest.mark.parametrize("action, text", [
    ("rectify", "当前状态为限期整改，持有县级命名"),
    ("revoke", "当前状态为已摘牌"),
    ("close", "当前状态为已撤销，持有县级命名"),
])
def test_blocking_states(engine, action, text):
    row = {"action": action, "year": 2025, "date": "2025-02-01", "reason": "x"}
    if action == "revoke":
        row["level"] = "county"
    load(engine, studio("B1", named=[("county", "2021-01-01")], designations=[row]))
    assert text in reasons_of(cands(engine, "city"), "B1")


def test_warned_and_restored_studios_are_not_blocked(engine):
    load(engine, merge(
        studio("W1", named=[("county", "2021-01-01")],
               designations=[{"action": "warn", "year": 2025, "date": "2025-02-01", "reason": "翻牌"}]),
        studio("W2", named=[("county", "2021-01-01")],
               designations=[{"action": "rectify", "year": 2024, "date": "2024-02-01", "reason": "x"},
                             {"action": "restore", "year": 2025, "date": "2025-02-01", "reason": "y"}])))
    assert [c["studio"] for c in cands(engine, "city")["candidates"]] == ["W1", "W2"]


def test_named_higher_or_at_the_level(engine):
    load(engine, studio("H1", named=[("enterprise", "2020-01-01"), ("city", "2022-01-01")]))
    assert reasons_of(cands(engine, "county"), "H1") == ["已获市级命名（2022-01-01），不再命名为较低的县级"]
    assert reasons_of(cands(engine, "enterprise"), "H1") == ["已是企业级工作室（2020-01-01 命名）"]
    assert reasons_of(cands(engine, "city"), "H1") == ["已是市级工作室（2022-01-01 命名）"]
    assert reasons_of(cands(engine, "province"), "H1") == [
        "领衔人不符合省级工作室的条件：领衔人最高荣誉级别 市级，要求至少 省级"]


def test_latest_grade_blocks_only_when_fail(engine):
    load(engine, merge(studio("G1", assessments=[(2023, "不合格", 50), (2024, "合格", 70)]),
                       studio("G2", assessments=[(2024, "不合格", 50)]),
                       studio("G3")))
    data = cands(engine, "city")
    assert [c["studio"] for c in data["candidates"]] == ["G1", "G3"]
    assert reasons_of(data, "G2") == ["最近一次考核（2024 年度）为不合格"]


def test_honors_count_up_to_the_year_of_the_check_date(engine):
    load(engine, studio("Y1", honor="city_model_worker", honor_year=2026, leader_skill="technician"))
    assert reasons_of(cands(engine, "city"), "Y1")[0].startswith("领衔人不符合市级工作室的条件")
    assert [c["studio"] for c in cands(engine, "city", as_of=D(2026, 3, 1))["candidates"]] == ["Y1"]


# --------------------------------------------------------------------------- demonstrative


def _strong(code: str, **kw):  # type: ignore[no-untyped-def]
    """A county studio that meets every demonstrative condition as of 2025-11-22."""
    args = dict(
        named=[("county", "2022-11-22")],
        achievements=[{"date": "2021-05-01", "benefit": 100000}, {"date": "2023-05-01", "benefit": 250000},
                      {"date": "2025-05-01", "benefit": 1000000}],
        activities=[("培训", "2023-03-01", 20), ("技术交流", "2023-09-01", 20),
                    ("培训", "2024-03-01", 20), ("培训", "2024-04-01", 20)],
        mentorships=[{"start": "2021-01-01", "promoted_on": "2022-06-01"},
                     {"start": "2021-01-01", "promoted_on": "2023-06-01"},
                     {"start": "2021-01-01", "promoted_on": "2025-06-01"}],
    )
    args.update(kw)
    return studio(code, **args)


def test_demonstrative_candidate(engine):
    load(engine, _strong("M1"))
    data = cands(engine, "county", demonstrative=True)
    assert data["demonstrative"] is True
    assert [c["studio"] for c in data["candidates"]] == ["M1"]
    assert [c["studio"] for c in cands(engine, "county", demonstrative=True, as_of=D(2025, 11, 21))["candidates"]] == []


@pytest.mark.parametrize("change, reason", [
    (dict(named=[("county", "2022-11-23")]),
     "未满足示范性条件 D1 在该级别命名满 3 年：在拟命名级别已命名的整年数 2，要求至少 3"),
    (dict(achievements=[{"date": "2021-05-01", "benefit": 99999}, {"date": "2023-05-01", "benefit": 250000},
                        {"date": "2025-05-01", "benefit": 1000000}, {"date": "2025-12-01", "benefit": 500000}]),
     "未满足示范性条件 D2 累计至少 3 项经济效益 10 万元以上的成果：累计经济效益不低于 10 万元的成果数 2，要求至少 3"),
    (dict(activities=[("培训", "2023-03-01", 20), ("技术攻关", "2023-09-01", 20),
                      ("培训", "2024-03-01", 20), ("技术交流", "2024-04-01", 20), ("培训", "2025-04-01", 20)]),
     "未满足示范性条件 D3 最近两个完整年度每年至少 2 次培训或技术交流：前两年度培训活动次数 + 前两年度技术交流活动次数 1，要求至少 2"),
    (dict(mentorships=[{"start": "2021-01-01", "promoted_on": "2022-06-01"},
                       {"start": "2021-01-01", "promoted_on": "2023-06-01"},
                       {"start": "2021-01-01", "promoted_on": "2025-12-01"}]),
     "未满足示范性条件 D4 累计至少 3 名徒弟技能晋级：累计徒弟技能晋级人数 2，要求至少 3"),
])
def test_each_demonstrative_condition(engine, change, reason):
    load(engine, _strong("M2", **change))
    assert reasons_of(cands(engine, "county", demonstrative=True), "M2") == [reason]


def test_demonstrative_needs_the_naming_and_not_the_title(engine):
    load(engine, merge(
        _strong("M3", named=None),
        _strong("M4", designations=[{"action": "demonstrate", "level": "county", "year": 2025, "date": "2025-06-01"}]),
        _strong("M5", named=[("county", "2022-11-22")],
                designations=[{"action": "rectify", "year": 2025, "date": "2025-06-01", "reason": "x"}])))
    data = cands(engine, "county", demonstrative=True)
    assert reasons_of(data, "M3")[0] == "未持有县级命名，不能命名为县级示范性工作室"
    assert reasons_of(data, "M4") == ["已是县级示范性工作室"]
    assert reasons_of(data, "M5") == ["当前状态为限期整改，持有县级命名"]


def test_demonstrative_at_a_lower_level_held_uses_that_level(engine):
    load(engine, _strong("M6", named=[("county", "2022-11-22"), ("city", "2025-01-01")]))
    assert [c["studio"] for c in cands(engine, "county", demonstrative=True)["candidates"]] == ["M6"]
    assert reasons_of(cands(engine, "city", demonstrative=True), "M6") == [
        "未满足示范性条件 D1 在该级别命名满 3 年：在拟命名级别已命名的整年数 0，要求至少 3"]


# --------------------------------------------------------------------------- facts


def test_naming_facts(engine):
    from laomo.facts import add_naming_facts, complete_years, compute_facts
    from laomo.store.db import read_session

    assert complete_years(D(2020, 2, 29), D(2021, 2, 28)) == 0
    assert complete_years(D(2023, 2, 28), D(2024, 2, 29)) == 1
    assert complete_years(D(2022, 11, 22), D(2025, 11, 22)) == 3
    load(engine, merge(_strong("F1", named=[("county", "2022-11-22"), ("city", "2024-11-23")],
                               assessments=[(2023, "良好", 85)]),
                       studio("F2", named=None)))
    with read_session(engine) as session:
        facts = compute_facts(session, as_of=CHECK_DAY)
        add_naming_facts(session, facts, CHECK_DAY, significant_benefit=250000)
    f1, f2 = sorted(facts.values(), key=lambda f: f["code"])
    assert (f1["years_held_county"], f1["years_held_city"], f1["years_held_province"]) == (3, 0, None)
    assert f1["significant_achievements_total"] == 2
    assert (f1["activities_year_minus_1_training"], f1["activities_year_minus_2_training"],
            f1["activities_year_minus_2_exchange"]) == (2, 1, 1)
    assert f1["latest_grade_year"] == 2023
    assert f2["years_held_county"] is None and f2["significant_achievements_total"] == 0
    assert f2["latest_grade_year"] is None


def test_naming_facts_use_a_fixed_number_of_queries(engine, make_db, monkeypatch):
    from support.db import counted_statements

    from laomo.store.db import open_engine

    def count(eng) -> int:  # type: ignore[no-untyped-def]
        with counted_statements(eng, monkeypatch) as seen:
            assert ro(eng, award.candidates, level="city", as_of=CHECK_DAY).verdicts
        return len(seen)

    load(engine, _strong("Q1"))
    many = open_engine(str(make_db("many")))
    load(many, merge(*(_strong(f"Q{i:02d}") for i in range(20))))
    assert count(many) == count(engine)


# --------------------------------------------------------------------------- the [naming] section is data


def _profile(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nextends = "henan-2015"\n' + text, encoding="utf-8")
    return str(path)


def test_thresholds_come_from_the_profile(engine, tmp_path):
    load(engine, merge(studio("P1", named=[("county", "2024-06-01")]),
                       studio("P2", named=None, assessments=[(2024, "合格", 65)])))
    assert [c["studio"] for c in cands(engine, "city")["candidates"]] == ["P1"]
    strict = _profile(tmp_path, "[naming]\nclimb_years = 2\nblocking_grades = ['fail', 'pass']\n")
    data = cands(engine, "city", profile=strict)
    assert data["profile"] == "mine" and data["candidates"] == []
    assert reasons_of(data, "P1") == ["在较低级别命名未满 2 年（县级 2024-06-01 命名，须不晚于 2023-11-22）"]
    assert reasons_of(cands(engine, "county", profile=strict), "P2") == ["最近一次考核（2024 年度）为合格"]
    open_ = _profile(tmp_path, "[naming]\nentry_levels = ['企业级', '县级', '市级']\nblocking_statuses = []\n")
    assert [c["studio"] for c in cands(engine, "city", profile=open_)["candidates"]] == ["P1", "P2"]


def test_demonstrative_checks_come_from_the_profile(engine, tmp_path):
    load(engine, _strong("P3", achievements=[{"date": "2025-05-01", "benefit": 60000}]))
    prof = _profile(tmp_path, "[naming]\nsignificant_benefit = 50000\n"
                              "[[naming.demonstrative]]\nid = 'X1'\nlabel = '至少 1 项重大成果'\n"
                              "check = 'significant_achievements_total >= 1'\n")
    assert [c["studio"] for c in cands(engine, "county", demonstrative=True, profile=prof)["candidates"]] == ["P3"]
    assert reasons_of(cands(engine, "county", demonstrative=True), "P3")[0].startswith("未满足示范性条件 D2")


def test_a_profile_without_naming_is_refused_clearly(engine, tmp_path):
    from laomo.rules import load_profile

    text = (tmp_path / "base.toml")
    henan = load_profile("henan-2015").source
    from laomo.rules.profile import BUNDLED_DIR

    raw = (BUNDLED_DIR / f"{henan}.toml").read_text(encoding="utf-8")
    text.write_text(raw[:raw.index("[naming]")].replace('name = "henan-2015"', 'name = "bare"'), encoding="utf-8")
    bare = load_profile(str(text))
    assert bare.naming is None
    load(engine, studio("P4"))
    with pytest.raises(LaomoError) as info:
        cands(engine, "county", profile=str(text))
    assert "没有命名条件" in str(info.value) and info.value.exit_code == 1


@pytest.mark.parametrize("text, problem", [
    ("[[standards]]\nid = 'S1'\nlabel = 'x'\ncheck = 'years_held_lower >= 1'\n", "只在判断命名条件时才有"),
    ("[naming]\nclimb_years = -1\n", "naming.climb_years"),
    ("[naming]\nentry_levels = ['县级', 'county']\n", "级别重复"),
    ("[naming]\nblocking_grades = ['差']\n", "naming.blocking_grades"),
    ("[[naming.demonstrative]]\nid = 'D1'\nlabel = 'x'\ncheck = 'nonsense >= 1'\n", "未知的事实"),
    ("[[naming.demonstrative]]\nid = 'D1'\nlabel = 'x'\ncheck = 'grade == \"fail\"'\n", "只在考核时才有"),
    ("[[naming.demonstrative]]\nid = 'D1'\nlabel = 'x'\ncheck = 'team_size >= 1'\n"
     "[[naming.demonstrative]]\nid = 'D1'\nlabel = 'y'\ncheck = 'team_size >= 2'\n", "编号 D1 重复"),
])
def test_naming_section_validation(tmp_path, text, problem):
    from laomo.rules import ProfileError, validate_file

    with pytest.raises(ProfileError) as info:
        validate_file(_profile(tmp_path, text))
    assert any(problem in line for line in info.value.lines), info.value.lines


def test_bundled_profiles_share_the_naming_rules():
    from laomo.rules import bundled_names, load_profile

    henan = load_profile("henan-2015")
    n = henan.naming
    assert (n.entry_levels, n.climb_years, n.blocking_statuses, n.blocking_grades, n.significant_benefit) == (
        ["enterprise", "county"], 1, ["rectification", "revoked", "closed"], ["fail"], 100000)
    assert [d.id for d in n.demonstrative] == ["D1", "D2", "D3", "D4"]
    for name in bundled_names():
        assert load_profile(name).naming == n
    assert engine_for(henan).rules_text()["naming"]["climb_years"] == 1
