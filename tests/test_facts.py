"""Facts as of a date D, computed set-based for every studio (rules.md "Facts as of a date D")."""

from __future__ import annotations

import datetime as dt

from support.assess import facts_of, load, merge, studio


def _people(*codes: str, frontline: bool = True) -> dict[str, list]:
    return {"people": [{"code": c, "name": c, "frontline": frontline} for c in codes]}


def test_members_as_of_d(engine):
    extra = _people("X-ON", "X-AFTER", "X-LEFT-ON", "X-LEFT-BEFORE", "X-NODATE")
    s = studio("F1", team=3, members=[
        {"studio": "F1", "person": "X-ON", "joined": "2025-12-31"},
        {"studio": "F1", "person": "X-AFTER", "joined": "2026-01-01"},
        {"studio": "F1", "person": "X-LEFT-ON", "joined": "2020-01-01", "left": "2025-12-31"},
        {"studio": "F1", "person": "X-LEFT-BEFORE", "joined": "2020-01-01", "left": "2025-12-30"},
        {"studio": "F1", "person": "X-NODATE"},
    ])
    load(engine, merge(extra, s))
    f = facts_of(engine, 2025)["F1"]
    assert f["team_size"] == 3 + 3  # joined on D, left on D, no join date
    assert f["active_members"] == 7  # and the leader
    assert f["leader_active"] is True
    # A year earlier, X-ON has not joined yet but X-LEFT-BEFORE is still there.
    f24 = facts_of(engine, 2024)["F1"]
    assert f24["team_size"] == 3 + 3  # X-LEFT-ON, X-LEFT-BEFORE, X-NODATE
    # As of a date inside the year.
    f_mid = facts_of(engine, as_of=dt.date(2025, 12, 30))["F1"]
    assert f_mid["team_size"] == 3 + 3  # X-LEFT-ON, X-LEFT-BEFORE (left on D), X-NODATE


def test_frontline_share_includes_the_leader(engine):
    load(engine, merge(
        studio("F2", team=3, frontline=1, leader_frontline=True),   # (1 + 1) / 4 = 0.5
        studio("F3", team=3, frontline=1, leader_frontline=False),  # 1 / 4
        studio("F4", team=0),                                       # the leader alone
    ))
    facts = facts_of(engine, 2025)
    assert facts["F2"]["frontline_members"] == 1 and facts["F2"]["frontline_share"] == 0.5
    assert facts["F3"]["frontline_share"] == 0.25
    assert facts["F4"]["team_size"] == 0 and facts["F4"]["frontline_share"] == 1.0


def test_leader_who_left_is_not_active(engine):
    s = studio("F5", team=3, members=[
        {"studio": "F5", "person": "F5-L", "role": "leader", "joined": "2015-01-01", "left": "2025-06-30"}])
    load(engine, s)
    f = facts_of(engine, 2025)["F5"]
    assert f["leader_active"] is False and f["active_members"] == 3 and f["team_size"] == 3
    assert facts_of(engine, as_of=dt.date(2025, 6, 30))["F5"]["leader_active"] is True


def test_leader_honor_counts_up_to_the_year_of_d(engine):
    s = studio("F6", honor="county_model_worker", honor_year=2010, leader_skill="senior")
    s["honors"].append({"person": "F6-L", "kind": "市级劳动模范", "year": 2026})
    load(engine, s)
    f25 = facts_of(engine, 2025)["F6"]
    assert f25["leader_honor_level"] == "county"
    assert f25["leader_qualifies_county"] is True and f25["leader_qualifies_city"] is False
    assert f25["leader_max_level"] == "county"
    f26 = facts_of(engine, 2026)["F6"]
    assert f26["leader_honor_level"] == "city" and f26["leader_max_level"] == "city"


def test_achievements_in_year_and_windows(engine):
    achv = [
        {"type": "发明专利", "date": "2025-01-01", "benefit": 300000, "stage": "推广转化"},
        {"type": "工法", "date": "2025-12-31", "benefit": 250000},
        {"type": "论文", "date": "2024-12-31", "benefit": 999999},
        {"type": "论文", "date": "2026-01-01", "benefit": 999999},
        {"type": "技术革新", "date": "2024-07-01"},
        {"type": "技术革新", "date": "2023-03-01"},
    ]
    load(engine, studio("F7", achievements=achv))
    f = facts_of(engine, 2025)["F7"]
    assert f["achievements_in_year"] == 2
    assert f["achievements_in_year_invention_patent"] == 1
    assert f["achievements_in_year_construction_method"] == 1
    assert f["achievements_in_year_paper"] == 0
    assert f["benefit_in_year"] == 550000
    assert f["promoted_achievements_in_year"] == 1
    assert f["achievements_year_minus_1"] == 2 and f["achievements_year_minus_2"] == 1
    assert f["achievements_total"] == 5  # the 2026 one is after D
    assert f["achievements_last_12_months"] == 2
    mid = facts_of(engine, as_of=dt.date(2025, 6, 30))["F7"]
    assert mid["achievements_last_12_months"] == 3  # 2024-07-01, 2024-12-31, 2025-01-01
    assert mid["achievements_in_year"] == 1  # the year so far


def test_activities_in_year(engine):
    acts = [("培训", "2025-01-01", 120), ("培训", "2025-12-31", 80), ("培训", "2024-12-31", 500),
            ("培训", "2026-01-01", 500), ("技术交流", "2025-05-01", 10), ("宣传展示", "2025-05-02", None)]
    load(engine, studio("F8", activities=acts))
    f = facts_of(engine, 2025)["F8"]
    assert f["activities_in_year"] == 4
    assert f["activities_in_year_training"] == 2 and f["participants_in_year_training"] == 200
    assert f["activities_in_year_exchange"] == 1 and f["activities_in_year_publicity"] == 1
    assert f["participants_in_year"] == 210
    assert f["activities_last_12_months"] == 4


def test_mentorships_c3_c4(engine):
    ments = [
        {"start": "2025-12-31"},                                 # counts: started on D
        {"start": "2026-01-01"},                                 # not yet
        {"start": "2020-01-01", "end": "2025-01-01"},            # counts: ended on 1 Jan Y
        {"start": "2020-01-01", "end": "2024-12-31"},            # ended before Y
        {"start": "2024-01-01", "agreement": False, "promoted_on": "2025-03-01"},  # counts, unsigned
        {"start": "2022-01-01", "end": "2023-01-01", "promoted_on": "2022-06-01"},
    ]
    load(engine, studio("F9", mentorships=ments))
    f = facts_of(engine, 2025)["F9"]
    assert f["mentorships_active"] == 3
    assert f["apprentices_promoted_in_year"] == 1
    assert f["apprentices_promoted_total"] == 2


def test_inspection_scores_of_the_year(engine):
    load(engine, merge(studio("FA", inspections={(2025, "D2"): 7.5, (2024, "D2"): 10, (2025, "X9"): 3}),
                       studio("FB")))
    facts = facts_of(engine, 2025)
    assert facts["FA"]["inspection_D2"] == 7.5 and facts["FA"]["inspection_X9"] == 3
    assert facts["FB"].get("inspection_D2") is None


def test_named_level_as_of_d(engine):
    load(engine, merge(
        studio("FC", named=[("county", "2020-12-01"), ("city", "2024-05-01")],
               designations=[{"action": "revoke", "level": "city", "year": 2025, "date": "2025-03-01"}]),
        studio("FD", named=[("county", "2026-01-05")]),
    ))
    f24, f25 = facts_of(engine, 2024), facts_of(engine, 2025)
    assert f24["FC"]["named_level"] == "city" and f25["FC"]["named_level"] == "county"
    assert f24["FC"]["years_at_level"] == 0 and f25["FC"]["years_at_level"] == 5
    assert f25["FC"]["years_named"] == 5 and f25["FC"]["first_named"] == "2020-12-01"
    assert f25["FD"]["named_level"] is None and f25["FD"]["years_named"] is None
    # The leader (a city honor) qualifies for city in 2024 and county in 2025: A2 uses the current level.
    assert f24["FC"]["leader_qualifies_current"] is True


def test_a_caller_naming_the_facts_it_reads_gets_those_with_the_same_values(engine):
    from laomo.facts import iter_facts
    from laomo.store.db import read_session

    load(engine, merge(
        studio("FN", team=4, frontline=2, named=[("county", "2020-12-01")], achievements=[{"date": "2025-02-01"}]),
        studio("FO", team=3, named=[("county", "2019-05-01"), ("city", "2023-05-01")]),
        studio("FP", team=3, named=None),  # never named
    ))
    needed = {"years_named", "team_size", "frontline_share", "achievements_in_year", "named_level"}
    with read_session(engine) as session:
        full = {f["code"]: f for _, f, _ in iter_facts(session, 2025)}
        few = {f["code"]: f for _, f, _ in iter_facts(session, 2025, needed=needed)}
    assert set(few) == set(full) == {"FN", "FO", "FP"}
    for code, f in few.items():
        assert set(f) == needed | {"code", "name"}  # nothing else is made (first_named, demonstrative, …)
        assert f == {k: full[code][k] for k in f}
    assert few["FN"]["years_named"] == 5 and few["FO"]["named_level"] == "city" and few["FP"]["years_named"] is None


def test_previous_and_latest_grade(engine):
    load(engine, merge(studio("FE", assessments=[(2023, "不合格", 50), (2021, "优秀", 95)]), studio("FF")))
    f = facts_of(engine, 2024)
    assert f["FE"]["previous_grade"] == "fail" and f["FE"]["latest_grade"] == "fail"
    assert f["FF"]["previous_grade"] is None
    assert facts_of(engine, 2022)["FE"]["latest_grade"] == "excellent"


def test_fixed_number_of_queries_whatever_the_number_of_studios(engine, make_db, monkeypatch):
    from support.db import counted_statements

    from laomo.store.db import open_engine

    def count_queries(eng, year: int) -> int:
        with counted_statements(eng, monkeypatch) as seen:
            facts = facts_of(eng, year)
        assert facts
        return len(seen)

    rich = dict(achievements=[{"date": "2025-02-01"}], activities=[("培训", "2025-03-01", 10)],
                mentorships=[{"start": "2024-01-01"}], inspections={(2025, "D2"): 5},
                assessments=[(2024, "合格", 70)])
    load(engine, studio("Q1", **rich))
    one = count_queries(engine, 2025)
    many = open_engine(str(make_db("many")))
    load(many, merge(*(studio(f"Q{i:02d}", **rich) for i in range(25))))
    assert count_queries(many, 2025) == one
    assert 8 <= one <= 12  # the fact queries themselves are counted (read from the driver's cursor)


def test_boundaries_on_d_itself(engine):
    """The day D belongs to every window that ends on D; the same day a year earlier does not belong to
    "the last 12 months" (rules.md: after D minus one year, up to D); a naming dated D counts on D."""
    load(engine, merge(
        studio("FG", named=[("county", "2025-12-31")],
               achievements=[{"date": "2024-06-30"}, {"date": "2024-07-01"}, {"date": "2025-06-30"}],
               activities=[("培训", "2024-06-30", 5), ("培训", "2024-07-01", 5)]),
        studio("FH", named=[("county", "2026-01-01")]),
    ))
    f = facts_of(engine, 2025)
    assert f["FG"]["named_level"] == "county" and f["FG"]["years_named"] == 0
    assert f["FH"]["named_level"] is None
    assert facts_of(engine, as_of=dt.date(2025, 12, 30))["FG"]["named_level"] is None
    mid = facts_of(engine, as_of=dt.date(2025, 6, 30))["FG"]
    assert mid["achievements_last_12_months"] == 2  # 2024-07-01 and D itself, not 2024-06-30
    assert mid["activities_last_12_months"] == 1
    assert mid["achievements_total"] == 3 and mid["achievements_in_year"] == 1


def test_honor_of_the_year_of_d_counts(engine):
    load(engine, studio("FI", honor="city_model_worker", honor_year=2025))
    assert facts_of(engine, 2025)["FI"]["leader_honor_level"] == "city"
    assert facts_of(engine, 2024)["FI"]["leader_honor_level"] is None
