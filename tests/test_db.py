"""Where the database lives, how every connection is set up, init, check and backup."""

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from support.db import POSTGRES, db_exists, execute, query

from laomo.store import db


def test_database_location_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("LAOMO_DB", str(tmp_path / "env.db"))
    assert db.resolve_url() == "sqlite:///" + str(tmp_path / "env.db")
    assert db.resolve_url(str(tmp_path / "opt.db")).endswith("opt.db")
    assert db.resolve_url("postgresql+psycopg://u:p@localhost/laomo").startswith("postgresql")
    monkeypatch.delenv("LAOMO_DB")
    monkeypatch.chdir(tmp_path)
    assert db.resolve_url() == "sqlite:///" + str(tmp_path / "laomo.db")


def test_a_database_is_named_without_its_password():
    from laomo.store.location import describe, redact

    assert describe("sqlite:////srv/ledger/laomo.db") == "/srv/ledger/laomo.db"
    assert describe("postgresql+psycopg://clerk:s3cret@db.local:5432/ledger") == \
        "postgresql+psycopg://clerk:***@db.local:5432/ledger"
    assert describe("postgresql+psycopg://clerk:s3cret@db.local:port/ledger") == \
        "postgresql+psycopg://clerk:***@db.local:port/ledger"  # does not parse: still hidden
    url = "postgresql+psycopg://clerk:s3cret@db.local/ledger"
    said = redact(f"cannot use {url}: password 's3cret' refused", url)
    assert said == "cannot use postgresql+psycopg://clerk:***@db.local/ledger: password '***' refused"
    assert redact("no such file", "sqlite:////srv/laomo.db") == "no such file"


def test_only_init_creates_a_database_a_mistyped_path_is_refused(cli, make_db):
    """Issue 11 item 5: `laomo --db laomo.bd report summary` created an empty database and printed a zero
    report, exit 0.  Now every command but init/quickstart refuses a database that is not there."""
    new = make_db("mistyped", absent=True)
    checks = (("db", "check"),) if isinstance(new, Path) else ()  # a server database exists: check reports on it
    # an import checks that a SQLite file exists before it reads its own file (a server database
    # is checked when it is opened, after the file's header: its missing file is said first)
    imports = (("register", "import", "people", "no-such-file.csv"),) if isinstance(new, Path) else ()
    for args in (*checks, ("report", "summary"), ("report", "ledger", "--json"), ("award", "history", "S0001"),
                 ("register", "person", "--code", "P1", "--name", "张三"), ("db", "backup", "b.db"), *imports):
        r = cli("--db", new, *args)
        assert r.code == 1 and "laomo init" in r.err and "Traceback" not in r.err, (args, r)
        assert r.out == ""
        assert not db_exists(new), args
    if isinstance(new, Path):
        assert r.err == f"错误：数据库不存在：{new}（新建台账请先运行 laomo init）\n"
        assert not Path("b.db").exists()
    r = cli("--db", new, "init")
    assert r.code == 0, r
    r = cli("--db", new, "register", "person", "--code", "P1", "--name", "张三")
    assert r.code == 0, r
    assert query(new, "SELECT version_num FROM alembic_version") == [(db.HEAD,)]
    assert query(new, "SELECT code, name FROM person") == [("P1", "张三")]


@pytest.mark.sqlite_only
def test_new_database_file_is_private(cli, make_db):
    new = make_db("new", absent=True)
    assert not new.exists()
    r = cli("--db", new, "init")
    assert r.code == 0, r
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o600


@pytest.mark.sqlite_only
def test_every_connection_uses_wal_foreign_keys_and_busy_timeout(laomo_db):
    engine = db.open_engine()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(laomo_db):
    from sqlalchemy.exc import IntegrityError

    engine = db.open_engine()
    try:
        with db.write_session(engine) as s:
            s.connection().exec_driver_sql(
                "INSERT INTO honor (person_id, kind, year) VALUES (999, 'great_craftsman', 2020)")
        raise AssertionError("a dangling reference was accepted")
    except IntegrityError:
        pass


def test_init_is_idempotent_and_records_the_union(cli, make_db, monkeypatch):
    monkeypatch.setenv("LAOMO_DB", str(make_db("new", absent=True)))
    first = cli("init", "--union", "示例县总工会", "--json")
    assert first.code == 0 and first.json["created"] and first.json["union"] == "示例县总工会"
    again = cli("init", "--json")
    assert again.code == 0 and not again.json["created"] and not again.json["upgraded"]
    assert again.json["union"] == "示例县总工会"


def test_db_check_reports_ok(cli, make_db, monkeypatch):
    monkeypatch.setenv("LAOMO_DB", str(make_db("new", absent=True)))
    cli("init")
    cli("register", "person", "--code", "P1", "--name", "张三")
    r = cli("db", "check", "--json")
    assert r.code == 0, r
    report = r.json
    assert report["ok"] and report["integrity"] == "ok" and report["schema_current"]
    assert report["audit"]["ok"] and report["audit"]["entries"] >= 2


def test_db_check_finds_an_altered_audit_entry(cli, laomo_db):
    cli("init")
    cli("register", "person", "--code", "P1", "--name", "张三")
    cli("register", "person", "--code", "P2", "--name", "李四")
    db.dispose_all()
    [(bad_id,)] = query(laomo_db, "SELECT min(id) FROM audit WHERE key='P1'")
    execute(laomo_db, "UPDATE audit SET os_user='mallory' WHERE id=:id", params={"id": bad_id})
    r = cli("db", "check")
    assert r.code == 1
    assert f"第 {bad_id} 条" in r.out and "改动" in r.out


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_private_copy(cli, laomo_db, tmp_path):
    cli("register", "person", "--code", "P1", "--name", "张三")
    target = tmp_path / "backup.db"
    r = cli("db", "backup", target)
    assert r.code == 0, r
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT name FROM person").fetchall() == [("张三",)]
    again = cli("db", "backup", target)
    assert again.code == 1 and "已存在" in again.err


def test_newer_schema_is_refused(cli, laomo_db):
    cli("init")
    db.dispose_all()
    execute(laomo_db, "UPDATE alembic_version SET version_num='9999'")
    r = cli("register", "person", "--code", "P1", "--name", "张三")
    assert r.code == 1 and "比本程序" in r.err and "Traceback" not in r.err


def test_foreign_database_is_refused(cli, make_db):
    other = make_db("other", absent=True)
    execute(other, "CREATE TABLE t (x integer)")
    r = cli("--db", other, "register", "person", "--code", "P1", "--name", "张三")
    assert r.code == 1 and "不是 laomo 数据库" in r.err


@pytest.mark.sqlite_only
def test_missing_directory_is_a_clear_error(cli, tmp_path):
    r = cli("--db", tmp_path / "nope" / "x.db", "init")
    assert r.code == 1 and "目录不存在" in r.err


@pytest.mark.postgres_only
def test_backup_on_a_server_points_to_pg_dump(cli, laomo_db, tmp_path):
    cli("init")
    r = cli("db", "backup", tmp_path / "backup.db")
    assert r.code == 1 and "pg_dump" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "backup.db").exists()


def test_unreachable_server_is_a_clear_error(cli):
    # nothing listens on port 1 of the loopback address: the connection is refused at once
    r = cli("--db", "postgresql+psycopg://laomo:secret@127.0.0.1:1/laomo", "init")
    assert r.code == 1 and "无法连接数据库服务器" in r.err and "Traceback" not in r.err
    assert "secret" not in r.err


@pytest.mark.postgres_only
def test_server_check_reports_ok_and_the_database_without_password(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    r = cli("db", "check", "--json")
    assert r.code == 0, r
    assert r.json["ok"] and r.json["integrity"] == "ok" and r.json["foreign_key_violations"] == []
    assert r.json["database"].startswith("postgresql+psycopg://") and POSTGRES
