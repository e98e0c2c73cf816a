"""Single-record `register` commands: same validation as import, upsert, audit, prompts."""

import json

from support.db import query as q


def test_register_person_then_update_only_given_fields(cli, laomo_db):
    r = cli("register", "person", "--code", "P1", "--name", "张三", "--gender", "男", "--skill-grade", "高级技师",
            "--id-number", "11010519491231002X", "--phone", "13812345678", "--frontline")
    assert r.code == 0 and "已登记人员 P1" in r.out
    r = cli("register", "person", "--code", "P1", "--name", "张三", "--unit", "示例厂")
    assert r.code == 0 and "已更新人员 P1" in r.out
    assert q(laomo_db, "SELECT gender, skill_grade, unit, frontline FROM person") == [
        ("male", "senior_technician", "示例厂", 1)]
    r = cli("register", "person", "--code", "P1", "--name", "张三")
    assert r.code == 0 and "未改动" in r.out


def test_bad_values_are_refused_with_the_option_named(cli, laomo_db):
    cli("init")
    r = cli("register", "person", "--code", "P1", "--name", "张三", "--id-number", "410502199001011234")
    assert r.code == 1
    assert "--id-number" in r.err and "校验位" in r.err and "Traceback" not in r.err
    assert q(laomo_db, "SELECT count(*) FROM person") == [(0,)]


def test_missing_required_option_without_terminal_is_a_usage_error(cli):
    r = cli("register", "person", "--name", "张三")
    assert r.code == 2 and "--code" in r.err


def test_registering_a_studio_makes_its_leader_a_member(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    r = cli("register", "studio", "--code", "S1", "--name", "张三劳模创新工作室", "--leader", "P1",
            "--unit", "示例厂", "--industry", "制造业", "--county", "示例县", "--founded", "2020年5月1日",
            "--funds", "12.5万", "--sign", "--credit-code", "91410100323194874N")
    assert r.code == 0, r
    assert q(laomo_db, "SELECT role, joined FROM member") == [("leader", "2020-05-01")]
    assert q(laomo_db, "SELECT industry, funds, has_sign, has_rules FROM studio") == [("C", 125000, 1, 0)]


def test_unknown_reference_is_refused(cli, laomo_db):
    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P404", "--unit", "厂",
            "--industry", "C", "--county", "县")
    assert r.code == 1 and "P404" in r.err and "不存在" in r.err


def test_achievement_gets_a_code_when_none_is_given(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
        "--industry", "C", "--county", "县")
    for title in ("甲", "乙"):
        r = cli("register", "achievement", "--studio", "S1", "--title", title, "--type", "发明专利",
                "--date", "2025-03-01", "--benefit", "12万")
        assert r.code == 0, r
    assert q(laomo_db, "SELECT code, benefit, type FROM achievement ORDER BY code") == [
        ("A00001", 120000, "invention_patent"), ("A00002", 120000, "invention_patent")]


def test_other_kinds_register(cli, laomo_db):
    for code in ("P1", "P2"):
        cli("register", "person", "--code", code, "--name", code)
    cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
        "--industry", "C", "--county", "县")
    steps = [
        ("honor", "--person", "P1", "--kind", "全国劳动模范", "--year", "2015"),
        ("member", "--studio", "S1", "--person", "P2", "--role", "核心成员", "--joined", "2021/3/1"),
        ("activity", "--studio", "S1", "--kind", "培训", "--date", "2025.3.1", "--participants", "30"),
        ("mentorship", "--studio", "S1", "--mentor", "P1", "--apprentice", "P2", "--start", "2024-01-01",
         "--agreement", "--promoted-on", "2025-06-01"),
        ("inspection", "--studio", "S1", "--year", "2025", "--item", "d2", "--score", "8"),
    ]
    for step in steps:
        r = cli("register", *step)
        assert r.code == 0, (step, r)
    assert q(laomo_db, "SELECT item, score FROM inspection") == [("D2", 8.0)]
    assert q(laomo_db, "SELECT kind FROM honor") == [("national_model_worker",)]


def test_mentor_and_apprentice_must_differ(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
        "--industry", "C", "--county", "县")
    r = cli("register", "mentorship", "--studio", "S1", "--mentor", "P1", "--apprentice", "P1",
            "--start", "2024-01-01")
    assert r.code == 1 and "同一人" in r.err


def test_every_change_is_audited_with_before_and_after(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三", "--id-number", "11010519491231002X")
    cli("register", "person", "--code", "P1", "--name", "张三丰", "--correct", "--reason", "登记时写错")
    rows = q(laomo_db, "SELECT command, entity, key, before, after, os_user FROM audit WHERE entity='person' ORDER BY id")
    assert len(rows) == 2
    command, entity, key, before, after, user = rows[1]
    assert (entity, key) == ("person", "P1") and user
    assert json.loads(before) == {"name": "张三"} and json.loads(after) == {"name": "张三丰", "reason": "登记时写错"}
    # the command line in the log has the ID number masked
    assert "11010519491231002X" not in rows[0][0] and "110***********002X" in rows[0][0]
