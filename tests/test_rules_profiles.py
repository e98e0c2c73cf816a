"""Rules profiles: bundled files, validation errors (file, key, problem), extends, hashing, checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from laomo.rules import ProfileError, bundled_names, load_profile, validate_file
from laomo.rules.expr import Comparison, compile_check, describe, failures

BUNDLED = ["anyang-8", "enterprise-5", "hebei-2021", "henan-2015"]
HENAN = Path(__file__).resolve().parents[1] / "laomo" / "rules" / "henan-2015.toml"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as info:
        validate_file(path)
    return info.value.lines or [str(info.value)]


# --------------------------------------------------------------------------- bundled


def test_bundled_profiles_load():
    assert bundled_names() == BUNDLED
    for name in BUNDLED:
        p = load_profile(name)
        assert p.name == name and len(p.hash) == 64 and p.source == name
        assert [c.id for c in p.common] == ["L", "F"]
    assert load_profile(None).name == "henan-2015"


def test_children_replace_only_the_standards():
    henan = load_profile("henan-2015")
    for name, ids in (("anyang-8", [f"AY{i}" for i in range(1, 9)]),
                      ("enterprise-5", [f"EN{i}" for i in range(1, 6)]),
                      ("hebei-2021", [f"HB{i}" for i in range(1, 10)])):
        p = load_profile(name)
        assert [s.id for s in p.standards] == ids
        assert p.scorecard == henan.scorecard and p.grades == henan.grades and p.cap == henan.cap
        assert p.recommendations == henan.recommendations and p.ladder == henan.ladder
        assert p.common == henan.common
        assert p.hash != henan.hash


def test_henan_values_come_from_the_file():
    p = load_profile("henan-2015")
    assert [s.id for s in p.standards] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert list(p.scorecard.items) == ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "D1", "D2"]
    assert sum(i.max for i in p.scorecard.items.values()) == 100
    assert [(g.grade, g.min) for g in p.grades] == [("excellent", 90), ("good", 80), ("pass", 60), ("fail", 0)]
    assert p.cap.ratio == 0.2 and p.cap.minimum == 1
    assert [r.action for r in p.recommendations] == ["revoke", "rectify", "warn"]
    assert str(p.rectify_deadline(2025, applied=dt.date(2026, 1, 20))) == "2026-06-30"


# --------------------------------------------------------------------------- hashing


def test_hash_is_stable_and_ignores_formatting_and_name(tmp_path):
    text = HENAN.read_text(encoding="utf-8")
    copy = text.replace('name = "henan-2015"', 'name = "my-county"').replace(
        '"team_size >= 3", "frontline_members >= 1"', '"team_size>=3", "frontline_members>=1"')
    assert copy != text
    p = load_profile(str(write(tmp_path, "mine.toml", copy)))
    assert p.name == "my-county" and p.source == str((tmp_path / "mine.toml").resolve())
    assert p.hash == load_profile("henan-2015").hash
    changed = load_profile(str(write(tmp_path, "other.toml", copy.replace("ratio = 0.2", "ratio = 0.3"))))
    assert changed.hash != p.hash


# --------------------------------------------------------------------------- extends


def test_extends_merges_tables_and_replaces_arrays(tmp_path):
    path = write(tmp_path, "county.toml", """
name = "county-x"
extends = "henan-2015"
[scorecard.items.B1]
max = 20
[scorecard.items.D2]
max = 5
[cap]
ratio = 0.1
demote_to = "pass"
[[grades]]
grade = "excellent"
min = 95
[[grades]]
grade = "pass"
min = 50
[[grades]]
grade = "fail"
min = 0
[labels]
team_size = "骨干人数"
""")
    p = load_profile(str(path))
    b1 = p.scorecard.items["B1"]
    assert b1.max == 20 and b1.units[0].fact == "achievements_in_year" and b1.units[0].points == 3
    assert p.scorecard.items["D2"].max == 5 and p.scorecard.items["D2"].fact == "inspection_D2"
    assert p.cap.ratio == 0.1 and p.cap.minimum == 1 and len(p.cap.order) == 3  # the rest of [cap] kept
    assert [g.grade for g in p.grades] == ["excellent", "pass", "fail"]  # array replaced
    assert [s.id for s in p.standards] == ["S1", "S2", "S3", "S4", "S5", "S6"]  # inherited
    facts = {"team_size": 2, "frontline_members": 1}
    assert failures(p.standards[2].check, facts, p.labels) == ["骨干人数 2，要求至少 3"]


def test_extends_a_file_relative_to_the_child(tmp_path):
    (tmp_path / "base").mkdir()
    write(tmp_path / "base", "parent.toml", 'extends = "henan-2015"\n[cap]\nratio = 0.15\n')
    child = write(tmp_path, "child.toml", 'extends = "base/parent.toml"\n[cap]\nminimum = 2\n')
    p = load_profile(str(child))
    assert p.name == "child" and p.cap.ratio == 0.15 and p.cap.minimum == 2


def test_extends_cycle_and_unknown_parent(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    msg = " ".join(problems(tmp_path / "a.toml"))
    assert "extends" in msg and "成环" in msg
    lines = problems(write(tmp_path, "c.toml", 'extends = "henan-2099"\n'))
    assert any("c.toml" in x and "extends" in x and "henan-2099" in x for x in lines)


# --------------------------------------------------------------------------- validation errors

CASES = [
    ('[[standards]]\nid = "X1"\nlabel = "团队"\ncheck = "team_sise >= 3"\n',
     "standards[0]（X1）.check.fact", "未知的事实「team_sise」"),
    ('[[standards]]\nid = "X1"\nlabel = "团队"\ncheck = "team_size >= many"\n',
     "standards[0]（X1）.check", "不是数字"),
    ('[[standards]]\nid = "X1"\nlabel = "级别"\ncheck = "leader_honor_level >= \'mayor\'"\n',
     "standards[0]（X1）.check", "级别之一"),
    ('[[standards]]\nid = "X1"\nlabel = "标牌"\ncheck = "has_sign > 2"\n',
     "standards[0]（X1）.check", "只能写 == true"),
    ('[[standards]]\nid = "X1"\nlabel = "团队"\ncheck = "team_size"\n',
     "standards[0]（X1）.check", "须写比较"),
    ('[[standards]]\nid = "X1"\nlabel = "坏"\ncheck = { al = ["has_sign"] }\n',
     "standards[0]（X1）.check.al", "不认识的键"),
    ('[[standards]]\nid = "X1"\nlabel = "本年"\ncheck = "grade == \'fail\'"\n',
     "standards[0]（X1）.check", "只在考核时才有"),
    ('[[standards]]\nid = "X1"\ncheck = "has_sign"\n', "standards[0]（X1）.label", "缺少必填项"),
    ('[scorecard.items.B1]\nmax = "abc"\n', "scorecard.items.B1.max", "应为数字"),
    ('[scorecard.items.B1]\nmax = 20\n', "scorecard.total", "105"),
    ('[scorecard.items.B1]\nkind = "bonus"\n', "scorecard.items.B1", "kind 应为"),
    ('[scorecard.items.B1]\nmaxx = 15\n', "scorecard.items.B1.maxx", "不认识的键"),
    ('[scorecard.items.A1]\nchecks = ["S1", "S9"]\n', "scorecard.items.A1.checks", "S9"),
    ('[scorecard.items.B3]\ntiers = [{ when = "benefit_in_year > 0", points = 12 }]\n',
     "scorecard.items.B3.tiers[0].points", "超过该项满分"),
    ('[cap]\nratio = 1.5\n', "cap.ratio", "不大于 1"),
    ('[cap]\norder = [{ by = ["B9"] }]\n', "cap.order[0].by", "没有计分项 B9"),
    ('[[grades]]\ngrade = "excelent"\nmin = 90\n', "grades[0].grade", "excelent"),
    ('[[grades]]\ngrade = "good"\nmin = 80\n[[grades]]\ngrade = "excellent"\nmin = 90\n', "grades", "从高到低"),
    ('[[grades]]\ngrade = "excellent"\nmin = 90\n[[grades]]\ngrade = "fail"\nmin = 10\n',
     "grades[1].min", "应为 0"),
    ('[[recommendations]]\naction = "expel"\nwhen = [{ check = "has_sign" }]\n',
     "recommendations[0]（expel）.action", "expel"),
    ('[[recommendations]]\naction = "rectify"\ndeadline = { month = 2, day = 30 }\nwhen = [{ check = "has_sign" }]\n',
     "recommendations[0]（rectify）.deadline.day", "2 月没有 30 日"),
    ('[[recommendations]]\naction = "rectify"\ndeadline = { month = 6, day = 30, late_months = 0 }\n'
     'when = [{ check = "has_sign" }]\n', "recommendations[0]（rectify）.deadline.late_months", "不小于 1"),
    ('[[recommendations]]\naction = "rectify"\ndeadline = { month = 6, day = 30, late_months = "3个月" }\n'
     'when = [{ check = "has_sign" }]\n', "recommendations[0]（rectify）.deadline.late_months", "应为整数"),
    ('[[recommendations]]\naction = "warn"\nwhen = [{ check = "has_sign", reason = "{nope}" }]\n',
     "recommendations[0]（warn）.when[0].reason", "nope"),
    ('[ladder]\ncity = "leader_qualifies_county"\n', "ladder.city", "阶梯本身"),
    ('[scorecard.items.D2]\nfact = "total"\n', "scorecard.items.D2.fact", "只在考核时才有"),
    ('[labels]\nteam_sise = "人数"\n', "labels", "team_sise"),
    ('name = "我的规则"\n', "name", "名称"),
]


@pytest.mark.parametrize("snippet, key, problem", CASES)
def test_validation_errors_name_file_key_problem(tmp_path, snippet, key, problem):
    path = write(tmp_path, "bad.toml", 'extends = "henan-2015"\n' + snippet)
    lines = problems(path)
    match = [x for x in lines if x.startswith(f"{path}: {key}: ") and problem in x]
    assert match, lines


def test_several_problems_reported_at_once(tmp_path):
    path = write(tmp_path, "bad.toml", 'extends = "henan-2015"\n[scorecard.items.B1]\nmax = "x"\n'
                 '[cap]\nratio = 2\n')
    assert len(problems(path)) == 2


def test_syntax_error_missing_file_unknown_name(tmp_path):
    lines = problems(write(tmp_path, "broken.toml", 'name = "x"\n[[standards]\n'))
    assert "broken.toml" in lines[0] and "TOML 语法错误" in lines[0] and "line 2" in lines[0]
    with pytest.raises(ProfileError, match="找不到规则文件"):
        load_profile(str(tmp_path / "none.toml"))
    with pytest.raises(ProfileError, match="henan-2015"):
        load_profile("shandong-2030")


def test_a_full_profile_without_extends(tmp_path):
    text = HENAN.read_text(encoding="utf-8")
    p = load_profile(str(write(tmp_path, "copy.toml", text)))
    assert p.hash == load_profile("henan-2015").hash


# --------------------------------------------------------------------------- checks


def check(text):  # type: ignore[no-untyped-def]
    from pydantic import TypeAdapter

    from laomo.rules.expr import Check

    return TypeAdapter(Check).validate_python(text)


def test_check_forms_and_failure_text():
    c = check({"all": ["team_size >= 3", "frontline_members >= 1"]})
    assert failures(c, {"team_size": 2, "frontline_members": 1}) == ["团队人数（不含领衔人） 2，要求至少 3"]
    assert failures(c, {"team_size": 3, "frontline_members": 1}) == []
    assert describe(c) == "团队人数（不含领衔人） ≥ 3 且 一线职工成员人数（不含领衔人） ≥ 1"
    t = check({"fact": "team_size", "op": ">=", "value": 3})
    assert isinstance(t, Comparison) and compile_check(t)({"team_size": 3})
    assert failures(check("has_sign"), {"has_sign": False}) == ["有以领衔人命名的标志牌 否，要求为 是"]
    assert compile_check(check("not has_sign"))({"has_sign": False})
    s = check("activities_in_year_exchange + activities_in_year_publicity >= 2")
    assert compile_check(s)({"activities_in_year_exchange": 1, "activities_in_year_publicity": 1})
    assert not compile_check(s)({"activities_in_year_exchange": 1, "activities_in_year_publicity": 0})


def test_enumerated_facts_compare_by_rank_and_accept_chinese():
    c = check("leader_honor_level >= '市级'")
    assert c.value == "city"
    run = compile_check(c)
    assert run({"leader_honor_level": "province"}) and run({"leader_honor_level": "city"})
    assert not run({"leader_honor_level": "county"}) and not run({"leader_honor_level": None})
    assert failures(c, {"leader_honor_level": None}) == ["领衔人最高荣誉级别 无，要求至少 市级"]
    g = compile_check(check("previous_grade == 'fail'"))
    assert g({"previous_grade": "fail"}) and not g({"previous_grade": None})
    assert compile_check(check("previous_grade != 'fail'"))({"previous_grade": None})
    better = compile_check(check("latest_grade >= '良好'"))
    assert better({"latest_grade": "excellent"}) and not better({"latest_grade": "pass"})


def test_any_of_failure_lists_every_alternative():
    c = check({"any": ["leader_honor_level >= 'enterprise'", "leader_skill_grade >= 'technician'"]})
    (text,) = failures(c, {"leader_honor_level": None, "leader_skill_grade": "senior"})
    assert "领衔人最高荣誉级别 无，要求至少 企业级" in text and "领衔人技能等级 高级工，要求至少 技师" in text


# --------------------------------------------------------------------------- rectification deadline

RECTIFY = """extends = "henan-2015"
[[recommendations]]
action = "rectify"
deadline = {{ year_offset = 1, month = 6, day = 30{late} }}
when = [{{ reason = "本年度考核不合格", check = "grade == 'fail'" }}]
"""


@pytest.mark.parametrize("day, months, expected", [
    ("2026-11-30", 3, "2027-02-28"),   # end of month: no 30 February
    ("2027-11-30", 3, "2028-02-29"),   # leap year
    ("2026-01-31", 1, "2026-02-28"),
    ("2026-08-31", 1, "2026-09-30"),
    ("2026-10-15", 3, "2027-01-15"),   # across the year
    ("2026-12-31", 12, "2027-12-31"),
    ("2026-05-31", 24, "2028-05-31"),
])
def test_add_months_is_end_of_month_safe(day, months, expected):
    from laomo.rules.profile import add_months

    assert add_months(dt.date.fromisoformat(day), months).isoformat() == expected


@pytest.mark.parametrize("applied, expected", [
    ("2025-01-20", "2025-06-30"),   # in time: 30 June of Y+1
    ("2025-06-30", "2025-06-30"),   # that day itself has not passed
    ("2025-07-01", "2025-10-01"),   # passed: the apply date plus 3 months
    ("2026-11-30", "2027-02-28"),
])
def test_the_rectify_deadline_depends_on_the_apply_date(applied, expected):
    got = load_profile("henan-2015").rectify_deadline(2024, applied=dt.date.fromisoformat(applied))
    assert got is not None and got.isoformat() == expected


def test_a_stored_regular_deadline_is_kept_or_replaced_by_the_late_one():
    p = load_profile("henan-2015")
    assert p.rectify_deadline(2024, applied=dt.date(2025, 3, 1), regular=dt.date(2025, 5, 31)) == dt.date(2025, 5, 31)
    assert p.rectify_deadline(2024, applied=dt.date(2026, 11, 30),
                              regular=dt.date(2025, 6, 30)) == dt.date(2027, 2, 28)


def test_a_profile_sets_its_own_late_period(tmp_path):
    p = load_profile(str(write(tmp_path, "six.toml", RECTIFY.format(late=", late_months = 6"))))
    assert p.rectify_deadline(2024, applied=dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert p.rectify_deadline(2024, applied=dt.date(2025, 1, 20)) == dt.date(2025, 6, 30)


def test_the_default_late_period_leaves_the_hash_alone(tmp_path):
    absent = load_profile(str(write(tmp_path, "absent.toml", RECTIFY.format(late=""))))
    default = load_profile(str(write(tmp_path, "default.toml", RECTIFY.format(late=", late_months = 3"))))
    six = load_profile(str(write(tmp_path, "six.toml", RECTIFY.format(late=", late_months = 6"))))
    assert absent.hash == default.hash != six.hash
    # henan-2015 writes late_months = 3 and hashes as it did before the setting existed
    assert load_profile("henan-2015").hash.startswith("770d5d9ad37dced5")
