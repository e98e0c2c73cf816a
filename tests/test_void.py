"""Wrong records are voided, never deleted (cli.md "Safety"): ``register void KIND KEY --reason`` and
``award void ID --reason`` keep the row, mark it with when and why, audit it, refuse what cannot be
voided, and show a voided designation in ``award history``.  (That a voided record then counts
nowhere is tests/test_void_counts_nowhere.py.)"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.db import dump, query

from laomo.ledger import values

KEYS = [  # every kind, English and Chinese, and the forms a clerk types
    ("achievement", "S0001/A00001", "achievement", "S0001/A00001"),
    ("成果", "A00002", "achievement", "S0001/A00002"),
    ("activities", "S0002/2025-01-16/training/技能培训", "activity", "S0002/2025-01-16/training/技能培训"),
    ("activity", "S0001/2021-10-26/publicity", "activity", "S0001/2021-10-26/publicity/"),
    ("活动", "S0002/2025年1月16日/培训/技能培训", "activity", "S0002/2025-01-16/training/技能培训"),
    ("member", "S0001/P0001", "member", "S0001/P0001"),
    ("成员", "S0002/P0008", "member", "S0002/P0008"),
    ("师带徒", "S0002/P0008/P0016", "mentorship", "S0002/P0008/P0016"),
    ("mentorships", "S0003/P0018/P0028", "mentorship", "S0003/P0018/P0028"),
    ("honor", "P0001/city_may_day_medal/2012", "honor", "P0001/city_may_day_medal/2012"),
    ("荣誉", "P0001/市五一劳动奖章/2012", "honor", "P0001/city_may_day_medal/2012"),
    ("现场检查", "S0001/2025/d2", "inspection", "S0001/2025/D2"),
    ("inspection", "S0001/2024/D2", "inspection", "S0001/2024/D2"),
]


@pytest.mark.parametrize("kind, key, table, canonical", KEYS)
def test_register_void_marks_the_record_and_audits_it(cli, sample_db, kind, key, table, canonical):
    rows_before = query(sample_db, f"SELECT count(*) FROM {table}")
    r = cli("register", "void", kind, key, "--reason", "录入错误", "--json")
    assert r.code == 0, r
    data = r.json
    assert (data["kind"], data["key"]) == (table, canonical)
    assert data["voided"]["reason"] == "录入错误"
    voided = dt.datetime.fromisoformat(data["voided"]["at"])
    assert abs(voided - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert query(sample_db, f"SELECT count(*) FROM {table}") == rows_before  # kept, not deleted
    assert query(sample_db, f"SELECT void_reason FROM {table} WHERE id = {data['id']}") == [("录入错误",)]
    ((entity, akey, before, after),) = query(
        sample_db, "SELECT entity, key, before, after FROM audit WHERE entity = :t ORDER BY id DESC LIMIT 1",
        {"t": table})
    assert (entity, akey) == (table, canonical)
    assert json.loads(before) == {"voided_at": None, "void_reason": None}
    assert json.loads(after)["void_reason"] == "录入错误" and json.loads(after)["voided_at"]
    # the audit log's reader finds it by the same key
    log = cli("db", "log", "--entity", table, "--key", canonical, "--json").json["entries"]
    assert log[-1]["after"]["void_reason"] == "录入错误"


def test_register_void_text_and_quiet(cli, sample_db):
    r = cli("register", "void", "成果", "S0001/A00001", "--reason", "重复登记")
    assert r.code == 0 and "已作废成果 S0001/A00001" in r.out and "重复登记" in r.out
    r = cli("register", "void", "成果", "S0001/A00002", "--reason", "重复登记", "-q")
    assert r.code == 0 and r.out == "" and r.err == ""


def test_a_later_session_is_voided_by_its_number(cli, sample_db):
    studio, date, kind, title = query(sample_db, """
        SELECT s.code, a.date, a.kind, a.title FROM activity a JOIN studio s ON s.id = a.studio_id
        WHERE a.seq = 2 ORDER BY a.id""")[0]
    r = cli("register", "void", "活动", f"{studio}/{date}/{kind}/{title}#2", "--reason", "误录", "--json")
    assert r.code == 0, r
    assert r.json["key"] == f"{studio}/{date}/{kind}/{title}#2"
    assert query(sample_db, f"SELECT seq FROM activity WHERE id = {r.json['id']}") == [(2,)]


def test_voiding_twice_says_when_and_why_and_changes_nothing(cli, sample_db):
    assert cli("register", "void", "member", "S0001/P0001", "--reason", "调错了工作室").code == 0
    before = dump(sample_db)
    r = cli("register", "void", "member", "S0001/P0001", "--reason", "再作废一次")
    assert r.code == 1
    assert "已于" in r.err and "作废" in r.err and "调错了工作室" in r.err and "不能再次作废" in r.err
    assert dump(sample_db) == before


@pytest.mark.parametrize("args, code, said", [
    (("成果", "S0001/A99999"), 1, "工作室 S0001 的成果中最接近的有：S0001/A0"),
    (("成果", "A99999"), 1, "没有成果 A99999"),
    (("成果", "S9999/A00001"), 1, "没有编号为 S9999 的工作室"),
    (("现场检查", "S0001/2025/Z9"), 1, "S0001/2025/D2"),
    (("荣誉", "P0001/全国劳动模范/2015"), 1, "P0001/city_may_day_medal/2012"),
    (("活动", "S0001"), 2, "工作室编号/日期/类型/主题"),
    (("活动", "S0001/2025-13-40/培训/x"), 2, "无效"),
    (("荣誉", "P0001/最美职工/2015"), 2, "荣誉「最美职工」无效"),
    (("人员", "P0001"), 2, "可作废的类型"),
])
def test_what_cannot_be_voided_is_refused_with_a_helpful_line(cli, sample_db, args, code, said):
    before = dump(sample_db)
    r = cli("register", "void", *args, "--reason", "误录")
    assert r.code == code, r
    assert said in r.err and "Traceback" not in r.err
    assert dump(sample_db) == before


def test_an_achievement_code_shared_by_two_studios_must_name_the_studio(cli, sample_db):
    from support.db import execute

    execute(sample_db, "UPDATE achievement SET code = 'A00001' WHERE code = 'A00100'")
    studios = [s for (s,) in query(sample_db, "SELECT s.code FROM achievement a JOIN studio s ON s.id = a.studio_id "
                                              "WHERE a.code = 'A00001' ORDER BY s.code")]
    assert len(studios) == 2
    r = cli("register", "void", "成果", "A00001", "--reason", "误录")
    assert r.code == 1 and all(f"{s}/A00001" in r.err for s in studios)
    assert cli("register", "void", "成果", f"{studios[1]}/A00001", "--reason", "误录").code == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_void_needs_a_reason(cli, sample_db, reason):
    before = dump(sample_db)
    r = cli("register", "void", "成果", "S0001/A00001", "--reason", reason)
    assert r.code == 2 and "--reason" in r.err
    r = cli("award", "void", "1", "--reason", reason)
    assert r.code == 2 and "--reason" in r.err
    assert dump(sample_db) == before


# --------------------------------------------------------------------------- award void


def _history(cli, code):
    r = cli("award", "history", code, "--json")
    assert r.code == 0, r
    return r.json


def test_award_void_derives_the_status_again_and_keeps_the_decision_visible(cli, sample_db):
    h = _history(cli, "S0004")  # named county 2021, city 2023
    assert (h["status"], h["level"]) == ("named", "city")
    city = next(d for d in h["designations"] if d["level"] == "city")
    assert all(d["voided"] is None for d in h["designations"])

    r = cli("award", "void", str(city["id"]), "--reason", "市级命名录错了工作室", "--json")
    assert r.code == 0, r
    assert (r.json["status_before"], r.json["status"], r.json["level_after"]) == ("named", "named", "county")

    h = _history(cli, "S0004")
    assert (h["status"], h["level"], h["levels_held"]) == ("named", "county", ["county"])
    voided = next(d for d in h["designations"] if d["id"] == city["id"])
    assert voided["voided"]["reason"] == "市级命名录错了工作室" and voided["voided"]["at"]
    assert {**voided, "voided": None} == city  # the decision itself is kept as it was

    text = cli("award", "history", "S0004")
    assert text.code == 0 and "已作废" in text.out and "市级命名录错了工作室" in text.out
    assert "最高级别：县级" in text.out
    assert cli("report", "studio", "S0004", "--json").json["level"] == "county"


def test_award_void_text_and_audit(cli, sample_db):
    (rid,) = query(sample_db, "SELECT d.id FROM designation d JOIN studio s ON s.id = d.studio_id "
                              "WHERE s.code = 'S0001'")[0]
    r = cli("award", "void", str(rid), "--reason", "误录")
    assert r.code == 0 and "已作废 S0001" in r.out and "已命名 → 已登记" in r.out
    ((key, before, after),) = query(sample_db, "SELECT key, before, after FROM audit WHERE entity = 'designation' "
                                               "ORDER BY id DESC LIMIT 1")
    assert key == "S0001"
    assert json.loads(before)["voided_at"] is None and json.loads(before)["state"]["status"] == "named"
    assert json.loads(after)["void_reason"] == "误录" and json.loads(after)["state"]["status"] == "registered"


@pytest.mark.parametrize("rid, code, said", [("99999", 1, "没有编号为 99999 的命名/处理记录"),
                                             ("S0001", 2, "无效")])
def test_award_void_refuses_an_unknown_id(cli, sample_db, rid, code, said):
    before = dump(sample_db)
    r = cli("award", "void", rid, "--reason", "误录")
    assert r.code == code and said in r.err
    assert dump(sample_db) == before


def test_award_void_refuses_an_already_voided_designation(cli, sample_db):
    assert cli("award", "void", "1", "--reason", "第一次").code == 0
    before = dump(sample_db)
    r = cli("award", "void", "1", "--reason", "第二次")
    assert r.code == 1 and "已于" in r.err and "第一次" in r.err and "不能再次作废" in r.err
    assert dump(sample_db) == before


def test_a_mistaken_revoke_dated_2030_is_voided_and_the_studio_named_again(cli, sample_db, monkeypatch):
    """issue 11 item 6: a revoke dated 2030 blocked ``award name --force``; now it can be voided."""
    today = dt.date.today()
    with monkeypatch.context() as m:  # entered before dates from the future were refused
        m.setattr(values, "today", lambda: dt.date(2030, 1, 2))
        assert cli("award", "revoke", "S0001", "--reason", "考核不合格", "--date", "2030-01-01").code == 0
    assert _history(cli, "S0001")["status"] == "revoked"
    # the real revocation, then the naming anew: the 2030 row still wins over both
    assert cli("award", "revoke", "S0001", "--reason", "考核不合格", "--date", "2025-03-01").code == 0
    r = cli("award", "name", "S0001", "--level", "county", "--year", str(today.year), "--force",
            "--reason", "整改后重新命名")
    assert r.code == 0, r
    assert _history(cli, "S0001")["status"] == "revoked"

    wrong = next(d for d in _history(cli, "S0001")["designations"] if d["date"] == "2030-01-01")
    assert cli("award", "void", str(wrong["id"]), "--reason", "日期录错（应为 2025-03-01）").code == 0
    h = _history(cli, "S0001")
    assert (h["status"], h["level"]) == ("named", "county")
    assert [(d["action"], d["voided"] is not None) for d in h["designations"]] == [
        ("name", False), ("revoke", False), ("name", False), ("revoke", True)]


def test_the_dossier_lists_voided_records_apart(cli, sample_db):
    assert cli("register", "void", "成果", "S0001/A00001", "--reason", "重复登记").code == 0
    (rid,) = query(sample_db, "SELECT d.id FROM designation d JOIN studio s ON s.id = d.studio_id "
                              "WHERE s.code = 'S0001'")[0]
    assert cli("award", "void", str(rid), "--reason", "命名录错").code == 0
    data = cli("report", "studio", "S0001", "--json").json
    assert "A00001" not in [a["code"] for a in data["achievements"]] and data["designations"] == []
    assert [(v["kind"], v["key"], v["reason"]) for v in data["voided"]] == [
        ("achievement", "S0001/A00001", "重复登记"), ("designation", str(rid), "命名录错")]
    md = cli("report", "studio", "S0001", "--format", "md")
    assert "## 已作废的记录（不计入统计）（2）" in md.out and "| 成果 | S0001/A00001 |" in md.out


@pytest.mark.parametrize("void, register", [
    (("成员", "S0001/P0001"), ("member", "--studio", "S0001", "--person", "P0001", "--role", "领衔人")),
    (("现场检查", "S0001/2025/D2"), ("inspection", "--studio", "S0001", "--year", "2025", "--item", "d2",
                                    "--score", "9")),
    (("荣誉", "P0001/city_may_day_medal/2012"), ("honor", "--person", "P0001", "--kind", "市五一劳动奖章",
                                                 "--year", "2012", "--issuer", "市总工会")),
    (("师带徒", "S0002/P0008/P0016"), ("mentorship", "--studio", "S0002", "--mentor", "P0008",
                                      "--apprentice", "P0016", "--start", "2024-01-01")),
])
def test_a_voided_record_is_not_changed_by_registering_its_key(cli, sample_db, void, register):
    assert cli("register", "void", *void, "--reason", "误录").code == 0
    before = dump(sample_db)
    r = cli("register", *register)
    assert r.code == 1 and "已于" in r.err and "作废" in r.err and "误录" in r.err
    assert dump(sample_db) == before
