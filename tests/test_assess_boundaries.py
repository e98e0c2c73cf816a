"""Boundaries of every henan-2015 scorecard item, the grade lines, the 优秀 cap and the recommendations."""

from __future__ import annotations

import datetime as dt

import pytest
from support.assess import load, merge, run, studio

from laomo.rules import load_profile
from laomo.rules.engine import Scored, engine_for
from laomo.rules.vocab import FACTS, default_value

PROFILE = load_profile("henan-2015")
ENGINE = engine_for(PROFILE)


def facts(**overrides):  # type: ignore[no-untyped-def]
    """A studio that passes every standard and scores nothing else."""
    f = {name: default_value(name) for name, d in FACTS.items() if d.phase == "base"}
    f.update(has_sign=True, has_rules=True, has_plan=True, has_display=True, has_records=False,
             has_facilities=True, premises_area=50, annual_funds=10000, team_size=3, frontline_members=3,
             active_members=4, frontline_share=1.0, leader_active=True, leader_honor_level="county",
             named_level="county", years_named=3)
    f.update(overrides)
    ENGINE.derive(f)
    return f


def score(**overrides):  # type: ignore[no-untyped-def]
    f = facts(**overrides)
    items, total = ENGINE.score(f, ENGINE.check(f))
    return items, total


ITEM_CASES = [
    # A1: 2 per passed S1–S6; L and F do not count
    ("A1", {}, 12), ("A1", {"has_sign": False}, 10), ("A1", {"premises_area": 0}, 10),
    ("A1", {"team_size": 2}, 10), ("A1", {"frontline_members": 0}, 10),
    ("A1", {"annual_funds": 0, "has_plan": False}, 8), ("A1", {"leader_active": False, "frontline_share": 0}, 12),
    ("A1", {"has_sign": False, "has_rules": False, "team_size": 0, "has_plan": False, "has_display": False,
            "has_facilities": False}, 0),
    # A2: leader qualifies for the current level (2) + team_size >= 3 (2)
    ("A2", {}, 4), ("A2", {"team_size": 2}, 2), ("A2", {"named_level": "city"}, 2),
    ("A2", {"named_level": "city", "leader_honor_level": "city"}, 4),
    ("A2", {"leader_honor_level": None, "leader_skill_grade": "senior_technician"}, 4),
    ("A2", {"leader_honor_level": None, "leader_skill_grade": "technician"}, 2),
    ("A2", {"named_level": None}, 2),
    # A3: has_records (2) + >= 4 activities in Y (2)
    ("A3", {"has_records": True, "activities_in_year": 4}, 4), ("A3", {"has_records": True, "activities_in_year": 3}, 2),
    ("A3", {"activities_in_year": 4}, 2), ("A3", {}, 0),
    # B1: 3 each, max 15
    ("B1", {"achievements_in_year": 0}, 0), ("B1", {"achievements_in_year": 1}, 3),
    ("B1", {"achievements_in_year": 4}, 12), ("B1", {"achievements_in_year": 5}, 15),
    ("B1", {"achievements_in_year": 6}, 15),
    # B2: invention 5; utility, 工法, 先进操作法 3; max 10
    ("B2", {"achievements_in_year_invention_patent": 1}, 5), ("B2", {"achievements_in_year_invention_patent": 2}, 10),
    ("B2", {"achievements_in_year_invention_patent": 3}, 10), ("B2", {"achievements_in_year_utility_patent": 1}, 3),
    ("B2", {"achievements_in_year_construction_method": 1, "achievements_in_year_operating_method": 1,
            "achievements_in_year_utility_patent": 1}, 9),
    ("B2", {"achievements_in_year_invention_patent": 1, "achievements_in_year_utility_patent": 1}, 8),
    ("B2", {"achievements_in_year_utility_patent": 4}, 10),
    ("B2", {"achievements_in_year_design_patent": 2, "achievements_in_year_paper": 3}, 0),
    # B3: benefit tiers
    ("B3", {"benefit_in_year": 0}, 0), ("B3", {"benefit_in_year": 1}, 2), ("B3", {"benefit_in_year": 99999}, 2),
    ("B3", {"benefit_in_year": 100000}, 4), ("B3", {"benefit_in_year": 499999}, 4),
    ("B3", {"benefit_in_year": 500000}, 7), ("B3", {"benefit_in_year": 999999}, 7),
    ("B3", {"benefit_in_year": 1000000}, 10), ("B3", {"benefit_in_year": 5000000}, 10),
    # B4
    ("B4", {"promoted_achievements_in_year": 0}, 0), ("B4", {"promoted_achievements_in_year": 1}, 5),
    ("B4", {"promoted_achievements_in_year": 3}, 5),
    # C1: 2.5 per training session, max 10
    ("C1", {"activities_in_year_training": 0}, 0), ("C1", {"activities_in_year_training": 1}, 2.5),
    ("C1", {"activities_in_year_training": 3}, 7.5), ("C1", {"activities_in_year_training": 4}, 10),
    ("C1", {"activities_in_year_training": 9}, 10), ("C1", {"activities_in_year_exchange": 4}, 0),
    # C2: participants of training
    ("C2", {"participants_in_year_training": 0}, 0), ("C2", {"participants_in_year_training": 1}, 1),
    ("C2", {"participants_in_year_training": 99}, 1), ("C2", {"participants_in_year_training": 100}, 3),
    ("C2", {"participants_in_year_training": 199}, 3), ("C2", {"participants_in_year_training": 200}, 5),
    ("C2", {"participants_in_year": 500}, 0),
    # C3, C4
    ("C3", {"mentorships_active": 0}, 0), ("C3", {"mentorships_active": 1}, 3), ("C3", {"mentorships_active": 2}, 5),
    ("C3", {"mentorships_active": 7}, 5),
    ("C4", {"apprentices_promoted_in_year": 0}, 0), ("C4", {"apprentices_promoted_in_year": 1}, 3),
    ("C4", {"apprentices_promoted_in_year": 2}, 5),
    # D1: exchange + publicity
    ("D1", {}, 0), ("D1", {"activities_in_year_exchange": 1}, 3), ("D1", {"activities_in_year_publicity": 1}, 3),
    ("D1", {"activities_in_year_exchange": 1, "activities_in_year_publicity": 1}, 5),
    ("D1", {"activities_in_year_exchange": 2}, 5), ("D1", {"activities_in_year_training": 5}, 0),
    # D2: the inspection score, 0 when none
    ("D2", {}, 0), ("D2", {"inspection_D2": 0}, 0), ("D2", {"inspection_D2": 7.5}, 7.5),
    ("D2", {"inspection_D2": 10}, 10), ("D2", {"inspection_D2": 12}, 10), ("D2", {"inspection_X1": 9}, 0),
]


@pytest.mark.parametrize("item, overrides, expected", ITEM_CASES)
def test_item_boundaries(item, overrides, expected):
    items, _ = score(**overrides)
    assert items[item] == expected


def test_total_is_the_sum_and_perfect_is_100():
    items, total = score(has_records=True, activities_in_year=4, achievements_in_year=5,
                         achievements_in_year_invention_patent=2, benefit_in_year=1_000_000,
                         promoted_achievements_in_year=1, activities_in_year_training=4,
                         participants_in_year_training=200, mentorships_active=2, apprentices_promoted_in_year=2,
                         activities_in_year_exchange=2, inspection_D2=10)
    assert total == 100 and sum(items.values()) == 100
    items, total = score(activities_in_year_training=1, inspection_D2=7.5)
    assert total == 12 + 4 + 2.5 + 7.5


@pytest.mark.parametrize("total, grade", [
    (100, "excellent"), (90, "excellent"), (89.5, "good"), (80, "good"), (79.5, "pass"),
    (60, "pass"), (59.5, "fail"), (0, "fail"),
])
def test_grade_lines(total, grade):
    assert ENGINE.grade(total) == grade


# --------------------------------------------------------------------------- the 优秀 cap


def scored(code: str, total: float, b: float = 0, grade: str | None = None) -> Scored:
    items = {"B1": b, "B2": 0, "B3": 0, "B4": 0}
    return Scored(0, code, code, items, total, grade or ENGINE.grade(total))


def test_cap_keeps_twenty_percent_by_total_then_b_then_code():
    rows = [scored("S09", 95), scored("S01", 92, b=30), scored("S02", 92, b=35), scored("S03", 91)]
    rows += [scored(f"S1{i}", 70) for i in range(6)]  # 10 assessed: keep 2
    ENGINE.apply_cap(rows, len(rows))
    by = {r.code: r for r in rows}
    assert by["S09"].grade == "excellent" and by["S02"].grade == "excellent"
    assert by["S01"].grade == "good" and by["S01"].capped and by["S03"].grade == "good"
    assert by["S10"].grade == "pass" and not by["S10"].capped


def test_cap_tie_on_total_and_b_goes_to_the_lower_code():
    rows = [scored("S0021", 93, b=40), scored("S0006", 93, b=40)] + [scored(f"X{i}", 50) for i in range(3)]
    ENGINE.apply_cap(rows, len(rows))  # 5 assessed: keep max(1, floor(1.0)) = 1
    assert [r.code for r in rows if r.grade == "excellent"] == ["S0006"]


def test_cap_minimum_one_and_exact_floor():
    rows = [scored("A", 95), scored("B", 94), scored("C", 50)]
    ENGINE.apply_cap(rows, 3)  # floor(0.6) = 0, but at least 1
    assert [r.code for r in rows if r.grade == "excellent"] == ["A"]
    rows = [scored(f"E{i:02d}", 99 - i * 0.5) for i in range(8)]
    ENGINE.apply_cap(rows, 35)  # 0.2 × 35 = 7 exactly
    assert sum(r.grade == "excellent" for r in rows) == 7
    rows = [scored(f"E{i:02d}", 95) for i in range(4)]
    ENGINE.apply_cap(rows, 15)  # 0.2 × 15 = 3 exactly
    assert sum(r.grade == "excellent" for r in rows) == 3
    rows = [scored("A", 95), scored("B", 91)]
    ENGINE.apply_cap(rows, 10)  # not binding
    assert all(r.grade == "excellent" and not r.capped for r in rows)


# --------------------------------------------------------------------------- recommendations


def recommend(**overrides):  # type: ignore[no-untyped-def]
    base = dict(achievements_in_year=1, grade="pass", frontline_share=1.0)
    base.update(overrides)
    return ENGINE.recommend(facts(**base), 2025)


def test_recommendation_rules_in_order():
    assert recommend() == ("none", [], None)
    action, reasons, deadline = recommend(grade="fail", previous_grade="fail")
    assert action == "revoke" and reasons == ["连续两年考核不合格", "本年度考核不合格"] and deadline is None
    assert recommend(grade="pass", previous_grade="fail")[0] == "none"
    action, reasons, deadline = recommend(grade="fail")
    assert (action, reasons, deadline) == ("rectify", ["本年度考核不合格"], dt.date(2026, 6, 30))
    action, reasons, _ = recommend(achievements_in_year=0, achievements_year_minus_1=1)
    assert (action, reasons) == ("rectify", ["本年度无创新成果"])


def test_three_years_without_results_after_three_years_named():
    none3 = dict(achievements_in_year=0, achievements_year_minus_1=0, achievements_year_minus_2=0)
    action, reasons, _ = recommend(years_named=3, **none3)
    assert action == "revoke" and reasons == ["命名满三年且连续三年无创新成果", "本年度无创新成果"]
    assert recommend(years_named=2, **none3)[0] == "rectify"
    assert recommend(years_named=3, **dict(none3, achievements_year_minus_2=1))[0] == "rectify"


def test_warn_on_frontline_share_below_half():
    action, reasons, _ = recommend(frontline_share=0.49)
    assert action == "warn" and reasons == ["一线职工占比 49%，低于 0.5（疑似翻牌）"]
    assert recommend(frontline_share=0.5)[0] == "none"
    action, reasons, _ = recommend(grade="fail", frontline_share=0.2)
    assert action == "rectify" and reasons == ["本年度考核不合格", "一线职工占比 20%，低于 0.5（疑似翻牌）"]


# --------------------------------------------------------------------------- who is assessed (database)


def test_who_is_assessed(engine):
    load(engine, merge(
        studio("W1", named=[("county", "2025-12-31")]),
        studio("W2", named=[("county", "2026-01-01")]),
        studio("W3", named=None),
        studio("W4", named=[("county", "2021-12-01")],
               designations=[{"action": "close", "year": 2026, "date": "2026-03-01", "reason": "企业关闭"}]),
        studio("W5", named=[("county", "2021-12-01"), ("city", "2026-05-01")],
               designations=[{"action": "revoke", "level": "county", "year": 2026, "date": "2026-06-01"}]),
        studio("W6", named=[("county", "2021-12-01")],
               designations=[{"action": "rectify", "year": 2025, "date": "2025-03-01", "reason": "整改"}]),
    ))
    got = run(engine, 2025)
    # as of 31 December 2025 (rules.md): W4 was closed and W5's county naming revoked only in 2026, so both
    # are assessed; W2 was named only in 2026; W6 in rectification is still assessed.
    assert sorted(got) == ["W1", "W4", "W5", "W6"]
    assert sorted(run(engine, 2026, dry_run=True)) == ["W1", "W2", "W5", "W6"]  # 2026 is not stored before it ends


def test_a2_uses_the_level_held_on_31_december(engine):
    load(engine, merge(
        studio("V1", honor="county_model_worker", named=[("county", "2021-12-01"), ("city", "2025-06-01")]),
        studio("V2", honor="county_model_worker", named=[("county", "2021-12-01"), ("city", "2024-06-01")],
               designations=[{"action": "revoke", "level": "city", "year": 2025, "date": "2025-12-31"}]),
    ))
    got = run(engine, 2025)
    assert got["V1"]["items"]["A2"] == 2  # named city, the leader only qualifies for county
    assert got["V2"]["items"]["A2"] == 4  # city revoked by 31 December: county
