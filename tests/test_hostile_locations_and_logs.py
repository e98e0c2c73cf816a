"""Issue 12 items 10 and 11: a SQLite URL with options opens (and protects) the right file, and the
append-only audit log never keeps personal numbers in full, wherever they were typed."""

import os
import stat

import pytest
from support.db import query

from laomo.safe import mask

ID = "110105199001011232"
MOBILE = "13812345678"


@pytest.mark.sqlite_only
def test_a_sqlite_url_with_options_names_one_private_file(cli, tmp_path, monkeypatch):
    tmp_path = tmp_path / "office"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAOMO_DB", f"sqlite:///{tmp_path}/led.db?timeout=60")
    r = cli("init", "--json")
    assert r.code == 0 and r.json["database"] == str(tmp_path / "led.db"), r
    names = sorted(p.name for p in tmp_path.iterdir())
    assert all(n.startswith("led.db") and "?" not in n for n in names), names
    assert stat.S_IMODE(os.stat(tmp_path / "led.db").st_mode) == 0o600
    r = cli("db", "backup", tmp_path / "b.db")
    assert r.code == 0 and "led.db" not in r.out, r
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0


@pytest.mark.sqlite_only
def test_a_plain_path_with_a_question_mark_is_refused(cli, tmp_path):
    tmp_path = tmp_path / "office"
    tmp_path.mkdir()
    r = cli("--db", tmp_path / "a?b.db", "init")
    assert r.code == 2 and "?" in r.err and not list(tmp_path.iterdir()), r


def test_the_audit_log_masks_numbers_in_file_names_and_free_text(cli, tmp_path, laomo_db):
    people = tmp_path / f"张三_{ID}.csv"
    people.write_text(f"编号,姓名,身份证号,手机\nP1,张三,{ID},{MOBILE}\n", encoding="utf-8")
    assert cli("register", "import", "people", people, "--quiet").code == 0
    r = cli("register", "studio", "--code", "S1", "--name", "张三工作室", "--leader", "P1", "--unit", "某厂",
            "--industry", "制造业", "--county", "示例县", "--notes", f"联系 {MOBILE}，证件 {ID}")
    assert r.code == 0, r
    stored = " ".join(str(row) for row in query(laomo_db, "SELECT key, before, after, command FROM audit"))
    assert ID not in stored and MOBILE not in stored and ID[:-1] not in stored
    assert mask(ID) in stored and mask(MOBILE) in stored


def test_a_landline_is_half_hidden():
    assert mask("62345678") == "62****78"
    assert mask("13812345678") == "138****5678" and mask(ID) == "110***********1232"
