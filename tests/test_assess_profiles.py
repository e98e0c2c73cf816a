"""The other bundled profiles (anyang-8, enterprise-5, hebei-2021) on hand-built studios."""

from __future__ import annotations

import datetime as dt

import pytest
from support.assess import load, merge, run, studio

from laomo.rules import load_profile
from laomo.rules.engine import engine_for
from laomo.rules.vocab import FACTS, default_value

AS_OF = dt.date(2025, 11, 22)
GOOD = dict(
    achievements=[{"type": "发明专利", "date": "2025-03-01", "benefit": 120000}],
    activities=[("培训", "2025-02-01", 30), ("培训", "2025-05-01", 30), ("技术交流", "2025-06-01", 10),
                ("宣传展示", "2025-01-15", 10)],
    mentorships=[{"start": "2024-03-01", "agreement": True}],
)


def good(code: str, **overrides) -> dict[str, list]:  # type: ignore[no-untyped-def]
    kw = dict(GOOD)
    kw.update(overrides)
    return studio(code, **kw)


def failing(engine, profile: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    from laomo.assess import check_standards
    from laomo.store.db import read_session

    with read_session(engine) as session:
        out = check_standards(session, profile=profile, as_of=AS_OF).to_json()
    assert out["profile"] == profile
    return {r["studio"]: sorted(k for k, v in r["checks"].items() if not v) for r in out["results"]}


LEFT = [{"studio": "X", "person": "X-L", "role": "leader", "joined": "2015-01-01", "left": "2025-06-30"}]

COMMON_CASES = {
    "OK": ({}, []),
    "NOSIGN": ({"sign": False}, None),
    "NOFAC": ({"facilities": False}, None),
    "TEAM2": ({"team": 2}, None),
    "NORULES": ({"rules": False}, None),
    "NOFUNDS": ({"funds": 0}, None),
    "NOREC": ({"records": False}, None),
    "NODISP": ({"display": False}, None),
    "NOAREA": ({"area": 0}, None),
    "NOPLAN": ({"plan": False}, None),
    "NOFL": ({"frontline": 0}, None),
    "NOACH": ({"achievements": []}, None),
    "OLDACH": ({"achievements": [{"date": "2024-11-22"}]}, None),
    "FEWACT": ({"activities": [("培训", "2025-02-01", 30), ("培训", "2024-11-22", 30)]}, None),
    "NOMENT": ({"mentorships": [{"start": "2020-01-01", "end": "2024-12-31"}]}, None),
    "TECH": ({"honor": None, "leader_skill": "technician"}, None),
    "NOQUAL": ({"honor": None, "leader_skill": "senior"}, None),
    "LEFT": ({}, None),
}

EXPECTED = {
    "anyang-8": {
        "OK": [], "NOSIGN": ["AY2"], "NOFAC": ["AY3"], "TEAM2": ["AY4"], "NORULES": ["AY5"],
        "NOFUNDS": ["AY6"], "NOREC": ["AY7"], "NODISP": ["AY8"], "NOAREA": [], "NOPLAN": [],
        "NOFL": ["F"], "NOACH": [], "OLDACH": [], "FEWACT": [], "NOMENT": [], "TECH": [],
        "NOQUAL": ["L"], "LEFT": ["AY4", "L"],
    },
    "enterprise-5": {
        "OK": [], "NOSIGN": [], "NOFAC": ["EN3"], "TEAM2": ["EN2"], "NORULES": [], "NOFUNDS": ["EN4"],
        "NOREC": [], "NODISP": [], "NOAREA": ["EN3"], "NOPLAN": [], "NOFL": ["EN2", "F"], "NOACH": ["EN5"],
        "OLDACH": [], "FEWACT": [], "NOMENT": [], "TECH": [], "NOQUAL": ["L"], "LEFT": ["L"],
    },
    "hebei-2021": {
        "OK": [], "NOSIGN": ["HB4"], "NOFAC": ["HB4"], "TEAM2": ["HB2"], "NORULES": ["HB6"],
        "NOFUNDS": ["HB7"], "NOREC": ["HB3"], "NODISP": [], "NOAREA": ["HB4"], "NOPLAN": ["HB5"],
        "NOFL": ["F", "HB2"], "NOACH": ["HB8"], "OLDACH": ["HB8"], "FEWACT": ["HB3"], "NOMENT": ["HB9"],
        "TECH": ["HB1"], "NOQUAL": ["HB1", "L"], "LEFT": ["L"],
    },
}


@pytest.fixture
def ledger(engine):  # type: ignore[no-untyped-def]
    parts = []
    for code, (kw, _) in COMMON_CASES.items():
        members = [dict(m, studio=code, person=f"{code}-L") for m in LEFT] if code == "LEFT" else []
        parts.append(good(code, members=members, **kw))
    load(engine, merge(*parts))
    return engine


@pytest.mark.parametrize("profile", ["anyang-8", "enterprise-5", "hebei-2021"])
def test_each_standard_passes_and_fails(ledger, profile):
    assert failing(ledger, profile) == EXPECTED[profile]


def test_henan_on_the_same_studios(ledger):
    got = failing(ledger, "henan-2015")
    assert got["OK"] == [] and got["NOSIGN"] == ["S1"] and got["NOAREA"] == ["S1"] and got["TEAM2"] == ["S3"]
    assert got["NOFUNDS"] == ["S6"] and got["NOPLAN"] == ["S4"] and got["NODISP"] == ["S5"]
    assert got["NOFL"] == ["F", "S3"] and got["LEFT"] == ["L"]


def _facts(**overrides):  # type: ignore[no-untyped-def]
    f = {name: default_value(name) for name, d in FACTS.items() if d.phase == "base"}
    f.update(has_name=True, has_unit=True, has_sign=True, has_facilities=True, team_size=3, leader_active=True,
             has_rules=True, annual_funds=1, has_records=True, has_display=True, premises_area=1,
             frontline_members=1, frontline_share=1.0, achievements_total=1, leader_honor_level="county")
    f.update(overrides)
    return f


def test_name_and_union_checks_on_facts():
    # A name and a host unit are required when registering, so only facts can make them fail.
    anyang = engine_for(load_profile("anyang-8"))
    f = anyang.derive(_facts(has_name=False))
    assert [k for k, v in anyang.check(f).items() if not v] == ["AY1"]
    assert anyang.failure_texts(f, anyang.check(f)) == ["AY1 有名称：有名称 否，要求为 是"]
    ent = engine_for(load_profile("enterprise-5"))
    f = ent.derive(_facts(has_unit=False))
    assert [k for k, v in ent.check(f).items() if not v] == ["EN1"]


def test_failure_texts_name_the_fact(ledger):
    from laomo.assess import check_standards
    from laomo.store.db import read_session

    with read_session(ledger) as session:
        out = check_standards(session, codes=["TEAM2", "FEWACT"], profile="hebei-2021", as_of=AS_OF).to_json()
    by = {r["studio"]: r for r in out["results"]}
    assert by["TEAM2"]["failures"] == ["HB2 团队结构合理：团队人数（不含领衔人） 2，要求至少 3"]
    assert by["FEWACT"]["failures"] == ["HB3 运行规范：近12个月活动次数 1，要求至少 4"]
    assert by["TEAM2"]["passed"] is False


def test_a1_is_a_share_of_the_profile_standards(engine):
    load(engine, merge(good("P1", named=[("county", "2021-12-01")]),
                       good("P2", funds=0, named=[("county", "2021-12-01")])))
    for profile, n in (("anyang-8", 8), ("enterprise-5", 5), ("hebei-2021", 9), ("henan-2015", 6)):
        got = run(engine, 2025, profile, dry_run=True)
        assert got["P1"]["items"]["A1"] == 12
        assert got["P2"]["items"]["A1"] == round(12 * (n - 1) / n, 2)
