"""`laomo db log` (the audit log, readable, personal data masked) and the chain's head that lets
`db check` detect deleted, inserted or replaced newest entries."""

import datetime as dt
import json

import pytest
from support.db import execute, query

from laomo.store import db

ID_NUMBER, PHONE = "11010519491231002X", "13812345678"
KEYS = {"id", "at", "os_user", "command", "entity", "key", "before", "after"}


def _three_people(cli):
    cli("init", "--union", "示例县总工会")
    for code, name in (("P1", "张三"), ("P2", "李四"), ("P3", "王五")):
        assert cli("register", "person", "--code", code, "--name", name).code == 0
    assert cli("register", "person", "--code", "P1", "--name", "张三", "--phone", PHONE).code == 0
    db.dispose_all()


def test_log_lists_entries_with_filters_in_the_documented_shape(cli, laomo_db):
    _three_people(cli)
    r = cli("db", "log", "--json")
    assert r.code == 0, r
    entries = r.json["entries"]
    assert list(r.json) == ["entries"] and all(set(e) == KEYS for e in entries)
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)  # oldest first
    assert {e["entity"] for e in entries} >= {"setting", "person"}
    p1 = cli("db", "log", "--entity", "person", "--key", "P1", "--json").json["entries"]
    assert len(p1) == 2 and all(e["key"] == "P1" and e["entity"] == "person" for e in p1)
    assert p1[-1]["after"]["phone"] == "138****5678" and "register person" in p1[-1]["command"]
    today = dt.datetime.now(dt.UTC).date()
    assert len(cli("db", "log", "--since", str(today), "--until", str(today), "--json").json["entries"]) == len(entries)
    assert cli("db", "log", "--since", str(today + dt.timedelta(days=1)), "--json").json["entries"] == []
    assert cli("db", "log", "--until", str(today - dt.timedelta(days=1)), "--json").json["entries"] == []
    bad = cli("db", "log", "--since", "2025-13-01")
    assert bad.code == 2 and "--since" in bad.err
    newest = cli("db", "log", "--limit", "2", "--json")
    assert [e["id"] for e in newest.json["entries"]] == [e["id"] for e in entries[-2:]]
    assert f"另有更早的 {len(entries) - 2} 条" in newest.err
    text = cli("db", "log", "--key", "P2")
    assert text.code == 0 and "P2" in text.out and "李四" in text.out and "P3" not in text.out


@pytest.mark.sqlite_only  # the raw INSERT passes JSON as text
def test_log_never_prints_personal_data_unmasked(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三", "--id-number", ID_NUMBER, "--phone", PHONE)
    db.dispose_all()
    # an entry written behind laomo's back (or by an old version) with the values in full
    execute(laomo_db, "INSERT INTO audit (at, os_user, command, entity, key, before, after, prev_hash, hash) "
                      "VALUES (:at, 'x', :cmd, 'person', 'P1', NULL, :after, '', '')",
            params={"at": dt.datetime(2025, 1, 1), "cmd": f"laomo register person --id-number {ID_NUMBER}",
                    "after": json.dumps({"id_number": ID_NUMBER, "phone": PHONE, "note": f"电话 {PHONE}"})})
    for args in (("db", "log"), ("db", "log", "--json")):
        r = cli(*args)
        assert r.code == 0, r
        assert ID_NUMBER not in r.out and PHONE not in r.out and "19491231" not in r.out
        assert "110***********002X" in r.out and "138****5678" in r.out


def test_db_check_detects_the_newest_entry_deleted(cli, laomo_db):
    _three_people(cli)
    [(last,)] = query(laomo_db, "SELECT max(id) FROM audit")
    execute(laomo_db, "DELETE FROM audit WHERE id = :id", params={"id": last})
    r = cli("db", "check")
    assert r.code == 1
    assert f"最新的 1 条记录（第 {last} 条）被删除" in r.out, r
    # a later write does not hide it: the next entry links to the head, not to what is left
    cli("register", "person", "--code", "P9", "--name", "赵六")
    db.dispose_all()
    r = cli("db", "check")
    assert r.code == 1 and "链断开" in r.out, r


def test_db_check_detects_the_newest_three_entries_deleted(cli, laomo_db):
    _three_people(cli)
    [(last,)] = query(laomo_db, "SELECT max(id) FROM audit")
    execute(laomo_db, "DELETE FROM audit WHERE id > :id", params={"id": last - 3})
    r = cli("db", "check", "--json")
    assert r.code == 1 and not r.json["audit"]["ok"]
    assert f"最新的 3 条记录（第 {last - 2}–{last} 条）被删除" in r.json["audit"]["problem"]


@pytest.mark.sqlite_only  # the raw INSERT passes JSON as text
def test_db_check_detects_an_entry_appended_behind_laomos_back(cli, laomo_db):
    from laomo.store.audit import _digest

    _three_people(cli)
    [(prev,)] = query(laomo_db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
    entry = {"at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "os_user": "mallory", "command": "laomo", "entity": "person",
             "key": "P1", "before": None, "after": {"name": "假"}}
    execute(laomo_db, "INSERT INTO audit (at, os_user, command, entity, key, before, after, prev_hash, hash) "
                      "VALUES (:at, :os_user, :command, :entity, :key, NULL, :after, :prev, :hash)",
            params={**entry, "after": json.dumps(entry["after"]), "prev": prev, "hash": _digest(prev, entry)})
    r = cli("db", "check")
    assert r.code == 1 and "插入" in r.out, r


def test_an_old_database_without_a_head_passes_and_gets_one_on_the_next_write(cli, laomo_db):
    _three_people(cli)
    execute(laomo_db, "DELETE FROM setting WHERE key = 'audit_head'")
    r = cli("db", "check")
    assert r.code == 0 and "哈希链完整" in r.out and "尚无链头记录" in r.out, r
    cli("register", "person", "--code", "P9", "--name", "赵六")
    db.dispose_all()
    [(count, last)] = query(laomo_db, "SELECT count(*), max(id) FROM audit")
    [(head,)] = query(laomo_db, "SELECT value FROM setting WHERE key = 'audit_head'")
    assert json.loads(head)["count"] == count and json.loads(head)["id"] == last
    r = cli("db", "check")
    assert r.code == 0 and "尚无链头记录" not in r.out, r
    execute(laomo_db, "DELETE FROM audit WHERE id = :id", params={"id": last})
    assert cli("db", "check").code == 1


def test_an_import_keeps_the_head_at_the_last_entry(sample_db, cli):
    [(count, last)] = query(sample_db, "SELECT count(*), max(id) FROM audit")
    [(head,)] = query(sample_db, "SELECT value FROM setting WHERE key = 'audit_head'")
    assert (json.loads(head)["count"], json.loads(head)["id"]) == (count, last)
    r = cli("db", "check", "--json")
    assert r.code == 0 and r.json["audit"]["head"] is True, r
