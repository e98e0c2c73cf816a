"""`laomo db copy SOURCE TARGET`: a whole ledger into a new empty database, verified row for row.

SQLite to SQLite always runs.  With ``LAOMO_TEST_DB=postgresql+psycopg://…``
the PostgreSQL tests create and drop their own scratch databases on that
server (and ``sample_db``/``assessed`` live on PostgreSQL, so the first tests
copy PostgreSQL to SQLite); without it they are skipped.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest

from laomo.store import copy as dbcopy
from laomo.store import db as laomo_db_module
from laomo.store import schema

PG_BASE = os.environ.get("LAOMO_TEST_DB", "").strip()
PG_BASE = PG_BASE if PG_BASE.startswith("postgresql") else ""
needs_pg = pytest.mark.skipif(not PG_BASE, reason="LAOMO_TEST_DB does not name a PostgreSQL server")


def typed_rows(ref) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every laomo table as the application reads it (SQLAlchemy types), in primary-key order."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.pool import NullPool

    from laomo.models import SQLModel

    engine = create_engine(laomo_db_module.resolve_url(str(ref)), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table of a SQLite file as stored (no type conversion), alembic_version included."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        con.close()


def is_file(ref) -> bool:  # type: ignore[no-untyped-def]
    return "://" not in str(ref)


def check_copy(cli, source, target) -> dict:  # type: ignore[no-untyped-def]
    """Copy with --json, then: every table identical, and `db check` passes on the target."""
    from laomo.store.db import dispose_all

    r = cli("db", "copy", source, target, "--json")
    assert r.code == 0, r
    result = r.json
    assert result["ok"] and result["verified"] and result["audit"]["ok"], result
    dispose_all()
    before, after = typed_rows(source), typed_rows(target)
    assert after == before
    assert {t["table"]: t["rows"] for t in result["tables"]} == {n: len(rows) for n, rows in before.items()}
    assert result["rows"] == sum(len(rows) for rows in before.values())
    if is_file(source) and is_file(target):
        assert raw_rows(Path(target)) == raw_rows(Path(source))  # byte for byte, as stored
    check = cli("--db", target, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"], check
    assert check.json["audit"]["entries"] == len(before["audit"]) > 0
    return result


# --------------------------------------------------------------------------- SQLite


def test_sample_county_is_copied_row_for_row(cli, sample_db, tmp_path):
    result = check_copy(cli, sample_db, tmp_path / "copy.db")
    order = [t["table"] for t in result["tables"]]
    assert order.index("person") < order.index("studio") < order.index("member")  # parents first
    assert order.index("studio") < order.index("assessment_superseded")
    assert result["target_schema_before"] is None and result["schema_version"] == laomo_db_module.HEAD
    # a copy of the copy is the same again, and the copy works as a ledger
    check_copy(cli, tmp_path / "copy.db", tmp_path / "copy2.db")
    r = cli("--db", tmp_path / "copy.db", "register", "person", "--code", "PNEW", "--name", "新人")
    assert r.code == 0, r


def test_assessed_and_awarded_county_is_copied(cli, assessed, tmp_path):
    r = cli("award", "name", "S0003", "S0005", "--level", "city", "--year", "2025", "--date", "2025-11-22",
            "--doc", "示例市总工〔2025〕9号", "--amount", "5万")
    assert r.code == 0, r
    r = cli("award", "apply", "--year", "2025", "--date", "2026-01-20", "--yes")
    assert r.code == 0, r
    result = check_copy(cli, assessed, tmp_path / "awarded.db")
    rows = {t["table"]: t["rows"] for t in result["tables"]}
    assert rows["assessment"] > 0 and rows["designation"] > 0


def test_terminal_output_is_a_table_of_counts(cli, sample_db, tmp_path):
    r = cli("db", "copy", sample_db, tmp_path / "copy.db")
    assert r.code == 0, r
    assert "activity" in r.out and "逐行核对" in r.out and "一致" in r.out
    assert "逐行核对一致" in r.err and "行/秒" in r.err
    r = cli("db", "copy", tmp_path / "copy.db", tmp_path / "quiet.db", "--quiet")
    assert r.code == 0 and r.out == "" and r.err == "", r


def test_non_empty_target_is_refused(cli, sample_db, tmp_path):
    target = tmp_path / "copy.db"
    assert cli("db", "copy", sample_db, target).code == 0
    before = raw_rows(target)
    r = cli("db", "copy", sample_db, target)
    assert r.code == 1 and "已有 laomo 数据" in r.err and "不合并" in r.err and "Traceback" not in r.err, r
    assert "person 325 行" in r.err
    laomo_db_module.dispose_all()
    assert raw_rows(target) == before
    # a target someone already ran `laomo init --union` on holds data too (a setting, an audit entry)
    inited = tmp_path / "inited.db"
    assert cli("--db", inited, "init", "--union", "示例县总工会").code == 0
    r = cli("db", "copy", sample_db, inited)
    assert r.code == 1 and "setting 2 行" in r.err, r  # the union and the audit chain's head


def test_empty_target_at_head_is_accepted(cli, sample_db, tmp_path):
    """An existing database with the schema but no rows (or an empty file) is a fine target."""
    from laomo.store.db import make_engine, migrate

    target = tmp_path / "empty.db"
    engine = make_engine(laomo_db_module.resolve_url(str(target)))
    migrate(engine)
    with engine.begin() as conn:  # migrate's own audit entry is not there: migrate() alone writes none
        assert conn.exec_driver_sql("SELECT count(*) FROM audit").scalar() == 0
    engine.dispose()
    result = check_copy(cli, sample_db, target)
    assert result["target_schema_before"] == laomo_db_module.HEAD
    empty_file = tmp_path / "zero.db"
    empty_file.touch()
    check_copy(cli, sample_db, empty_file)


def test_same_database_is_refused(cli, sample_db, tmp_path, monkeypatch):
    r = cli("db", "copy", sample_db, sample_db)
    assert r.code == 1 and "同一个" in r.err, r
    if is_file(sample_db):
        monkeypatch.chdir(Path(sample_db).parent)
        r = cli("db", "copy", Path(sample_db).name, f"./sub/../{Path(sample_db).name}")
        assert r.code == 1 and "同一个" in r.err, r
    r = cli("db", "copy", "postgresql+psycopg://u:pw1@localhost/ledger", "postgresql+psycopg://u:pw2@127.0.0.1/ledger")
    assert r.code == 1 and "同一个" in r.err and "pw1" not in r.err and "pw2" not in r.err, r


def test_source_must_be_a_laomo_database_at_the_head(cli, tmp_path, monkeypatch):
    target = tmp_path / "t.db"
    r = cli("db", "copy", tmp_path / "missing.db", target)
    assert r.code == 1 and "不存在" in r.err, r
    assert not (tmp_path / "missing.db").exists() and not target.exists()

    newer = tmp_path / "newer.db"
    assert cli("--db", newer, "init").code == 0
    laomo_db_module.dispose_all()
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    r = cli("db", "copy", newer, target)
    assert r.code == 1 and "9999" in r.err and "升级 laomo" in r.err and "Traceback" not in r.err, r
    assert not target.exists()

    older = tmp_path / "older.db"
    assert cli("--db", older, "init").code == 0
    laomo_db_module.dispose_all()
    monkeypatch.setattr(schema, "REVISIONS", schema.REVISIONS + ("9998",))
    monkeypatch.setattr(schema, "HEAD", "9998")
    r = cli("db", "copy", older, target)
    assert r.code == 1 and "低于" in r.err and "laomo" in r.err and "init" in r.err, r
    assert not target.exists()
    monkeypatch.undo()

    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE stuff (x)")
    con.close()
    r = cli("db", "copy", foreign, target)
    assert r.code == 1 and "不是 laomo 数据库" in r.err, r
    r = cli("db", "copy", older, foreign)
    assert r.code == 1 and "目标数据库" in r.err and "不是 laomo 数据库" in r.err, r

    empty = tmp_path / "empty.db"
    empty.touch()
    r = cli("db", "copy", empty, target)
    assert r.code == 1 and "没有 laomo 数据" in r.err, r
    assert not target.exists()


def test_a_row_changed_in_flight_is_caught_and_nothing_is_kept(cli, sample_db, tmp_path, monkeypatch):
    real = dbcopy._insert_chunk

    def corrupt(conn, stmt, table, rows):  # type: ignore[no-untyped-def]
        if table.name == "activity":
            rows = [dict(r) for r in rows]
            rows[6]["participants"] = (rows[6]["participants"] or 0) + 1
        real(conn, stmt, table, rows)

    monkeypatch.setattr(dbcopy, "_insert_chunk", corrupt)
    target = tmp_path / "copy.db"
    r = cli("db", "copy", sample_db, target)
    assert r.code == 1, r
    assert "核对失败" in r.err and "表 activity" in r.err and "id=7" in r.err and "Traceback" not in r.err, r
    assert "person" not in r.err  # only the table that differs is named
    assert not target.exists()  # the file this copy created is gone again


def test_a_row_lost_in_flight_is_caught(cli, sample_db, tmp_path, monkeypatch):
    real = dbcopy._insert_chunk

    def drop_last(conn, stmt, table, rows):  # type: ignore[no-untyped-def]
        real(conn, stmt, table, rows[:-1] if table.name == "mentorship" else rows)

    monkeypatch.setattr(dbcopy, "_insert_chunk", drop_last)
    target = tmp_path / "copy.db"
    target.touch()  # an existing empty target stays empty
    r = cli("db", "copy", sample_db, target, "--json")
    assert r.code == 1 and "表 mentorship" in r.err and "目标缺少此行" in r.err, r
    laomo_db_module.dispose_all()
    assert raw_rows(target) == {}


def test_interrupted_copy_leaves_the_target_as_it_was(cli, sample_db, tmp_path, monkeypatch):
    real = dbcopy._insert_chunk

    def interrupt(conn, stmt, table, rows):  # type: ignore[no-untyped-def]
        if table.name == "member":
            raise KeyboardInterrupt
        real(conn, stmt, table, rows)

    monkeypatch.setattr(dbcopy, "_insert_chunk", interrupt)
    target = tmp_path / "copy.db"
    target.touch()
    r = cli("db", "copy", sample_db, target)
    assert r.code == 130 and "已中断，未提交的改动已回滚" in r.err and "Traceback" not in r.err, r
    laomo_db_module.dispose_all()
    assert raw_rows(target) == {}  # not even the schema: the migration was in the same transaction


KILL_SCRIPT = """
import sys, time
from laomo.store import copy as dbcopy
real = dbcopy._insert_chunk
def slow(conn, stmt, table, rows):
    real(conn, stmt, table, rows)
    if table.name == "activity":
        print("WRITING", flush=True)
        time.sleep(60)
dbcopy._insert_chunk = slow
dbcopy.copy_database(sys.argv[1], sys.argv[2], chunk=200)
"""


def test_killed_copy_leaves_no_partial_data(sample_db, tmp_path):
    """SIGKILL half-way through (parents already written): the target has no laomo rows, not even a schema."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "killed.db"
    target.touch()
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(sample_db), str(target)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "WRITING"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert raw_rows(target) == {}
    # and the target is still a fine target
    result = dbcopy.copy_database(str(sample_db), str(target))
    assert result.ok


def test_tampered_audit_chain_in_the_source_is_not_copied(cli, sample_db, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(laomo_db_module.resolve_url(str(sample_db)), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit SET os_user = 'mallory' WHERE id = 2"))
    engine.dispose()
    target = tmp_path / "copy.db"
    r = cli("db", "copy", sample_db, target)
    assert r.code == 1 and "源数据库" in r.err and "哈希链已损坏" in r.err and "第 2 条" in r.err, r
    assert not target.exists()


def test_password_is_never_printed(cli, sample_db, tmp_path):
    secret = "Tr0ub4dor-" + uuid.uuid4().hex[:8]
    url = f"postgresql+psycopg://clerk:{secret}@127.0.0.1:1/ledger"  # nothing listens on port 1
    r = cli("db", "copy", sample_db, url)
    assert r.code == 1 and secret not in r.out + r.err and "clerk:***@127.0.0.1:1/ledger" in r.err, r
    assert "Traceback" not in r.err
    r = cli("db", "copy", url, tmp_path / "back.db", "--json")
    assert r.code == 1 and secret not in r.out + r.err and "clerk:***@" in r.err, r
    assert not (tmp_path / "back.db").exists()
    r = cli("db", "copy", sample_db, f"nosuchdriver://clerk:{secret}@host/db")
    assert r.code == 1 and secret not in r.out + r.err, r


def test_an_unparsable_url_is_named_without_its_password(cli, sample_db, tmp_path):
    """A URL SQLAlchemy cannot parse (a port that is not a number) is still named with its
    password hidden, in a message rather than a traceback."""
    secret = "Tr0ub4dor-" + uuid.uuid4().hex[:8]
    r = cli("db", "copy", sample_db, f"postgresql+psycopg://clerk:{secret}@host:notaport/ledger")
    assert r.code == 1 and secret not in r.out + r.err and "Traceback" not in r.err, r
    assert "无法使用目标数据库地址 postgresql+psycopg://clerk:***@host:notaport/ledger" in r.err, r


@pytest.mark.sqlite_only
def test_a_dangling_reference_in_the_source_is_not_copied(cli, tmp_path):
    """The target's transaction runs as a migration's does (SQLite: foreign keys off); every reference
    is checked before it commits, so a damaged source is refused and the target is not created."""
    source = tmp_path / "damaged.db"
    assert cli("--db", source, "init").code == 0
    assert cli("--db", source, "register", "person", "--code", "P1", "--name", "张三").code == 0
    laomo_db_module.dispose_all()
    con = sqlite3.connect(source)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("INSERT INTO honor (person_id, kind, year) VALUES (999, 'great_craftsman', 2020)")
    con.commit()
    con.close()
    target = tmp_path / "copy.db"
    r = cli("db", "copy", source, target)
    assert r.code == 1 and "Traceback" not in r.err, r
    assert "引用不完整" in r.err and "表 honor" in r.err and "person 不存在" in r.err and "未改动" in r.err, r
    assert not target.exists()


def test_core_api_takes_engines_and_reports_progress(sample_db, tmp_path):
    from laomo.store.db import make_engine

    src = make_engine(laomo_db_module.resolve_url(str(sample_db)))
    seen: list[float] = []
    result = dbcopy.copy_database(src, str(tmp_path / "api.db"), chunk=100, progress=seen.append)
    src.dispose()
    assert result.ok and result.rows > 2000 and all(t.verified for t in result.tables)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 20
    assert result.as_dict()["rows_per_second"] > 0


def test_canonical_form_ignores_storage_but_not_content():
    import datetime as dt
    from decimal import Decimal

    from laomo.models import Assessment

    canon = dbcopy._canonicaliser(Assessment.__table__)
    cols = [c.name for c in Assessment.__table__.columns]

    def row(**values):  # type: ignore[no-untyped-def]
        base = dict(id=1, studio_id=2, year=2025, profile="henan-2015", profile_hash="h", total=91.5,
                    grade="excellent", items={"A1": 12, "B2": 3.5}, standards=None, recommendation="none",
                    reasons=[], imported=False, run_id="r",
                    created_at=dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC))
        base.update(values)
        return [base[c] for c in cols] + [base["items"] is None, base["standards"] is None, base["reasons"] is None]

    shanghai = dt.timezone(dt.timedelta(hours=8))
    same = [row(), row(imported=0, total=Decimal("91.50"), items={"B2": 3.5, "A1": 12}, year=2025.0,
                       created_at=dt.datetime(2026, 1, 5, 16, 0, tzinfo=shanghai))]
    assert len({canon(r) for r in same}) == 1
    for changed in (row(total=91.6), row(imported=True), row(items={"A1": 13, "B2": 3.5}), row(grade="good"),
                    row(created_at=dt.datetime(2026, 1, 5, 8, 0, 1, tzinfo=dt.UTC)), row(reasons=None)):
        assert canon(changed) != canon(row())


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_scratch():  # type: ignore[no-untyped-def]
    """``make()`` → the URL of a new empty database on the LAOMO_TEST_DB server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(PG_BASE)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"laomo_copy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    laomo_db_module.dispose_all()
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _secret(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    return make_url(url).password  # type: ignore[return-value]


@needs_pg
def test_sqlite_to_postgresql_and_back(cli, sample_db, tmp_path, pg_scratch):
    source = tmp_path / "source.db"  # an assessed and awarded county in a SQLite file
    if is_file(sample_db):
        source = sample_db
    else:  # the suite itself runs on PostgreSQL: start from a SQLite file
        assert cli("db", "copy", sample_db, source, "--quiet").code == 0
    for year in ("2024", "2025"):
        assert cli("--db", source, "assess", "run", "--year", year, "--quiet").code == 0
    # settings (text primary keys: the same byte order on both backends)
    assert cli("--db", source, "init", "--union", "示例县总工会").code == 0
    r = cli("--db", source, "assess", "rules", "use", "hebei-2021")
    assert r.code == 0, r
    r = cli("--db", source, "award", "name", "S0003", "S0005", "--level", "city", "--year", "2025",
            "--date", "2025-11-22", "--doc", "示例市总工〔2025〕9号", "--amount", "5万")
    assert r.code == 0, r
    laomo_db_module.dispose_all()
    pg = pg_scratch()
    result = check_copy(cli, source, pg)
    assert result["target"].startswith("postgresql") and result["rows"] > 2000
    secret = _secret(pg)
    r = cli("db", "copy", source, pg_scratch())
    assert r.code == 0 and "postgresql" in r.out, r
    if secret:
        assert secret not in r.out + r.err and "***@" in r.out
    # the copied ledger keeps working: new rows get fresh ids (sequences were moved past the copied ones)
    r = cli("--db", pg, "register", "person", "--code", "PNEW", "--name", "新人")
    assert r.code == 0, r
    r = cli("--db", pg, "register", "studio", "--code", "SNEW", "--name", "新工作室", "--leader", "PNEW",
            "--unit", "某厂", "--industry", "C", "--county", "示例县")
    assert r.code == 0, r
    # and back again: PostgreSQL to SQLite, then SQLite to PostgreSQL once more
    back = tmp_path / "back.db"
    check_copy(cli, pg, back)
    check_copy(cli, back, pg_scratch())


@needs_pg
def test_postgresql_target_refusals_and_rollback(cli, sample_db, tmp_path, pg_scratch, monkeypatch):
    source = sample_db
    if not is_file(source):
        source = tmp_path / "source.db"
        assert cli("db", "copy", sample_db, source, "--quiet").code == 0
    pg = pg_scratch()
    real = dbcopy._insert_chunk

    def corrupt(conn, stmt, table, rows):  # type: ignore[no-untyped-def]
        if table.name == "studio":
            rows = [dict(r) for r in rows]
            rows[3]["has_sign"] = not rows[3]["has_sign"]
        real(conn, stmt, table, rows)

    monkeypatch.setattr(dbcopy, "_insert_chunk", corrupt)
    r = cli("db", "copy", source, pg)
    assert r.code == 1 and "表 studio" in r.err and "id=4" in r.err, r
    laomo_db_module.dispose_all()
    assert typed_rows_or_none(pg) is None  # rolled back: not even the schema
    monkeypatch.undo()
    assert cli("db", "copy", source, pg).code == 0
    r = cli("db", "copy", source, pg)
    assert r.code == 1 and "已有 laomo 数据" in r.err, r
    r = cli("db", "copy", pg, pg)
    assert r.code == 1 and "同一个" in r.err, r


def typed_rows_or_none(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    return typed_rows(url) if names else None


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statement, problem, side", [
    ("INSERT INTO person (id) VALUES (?)", "database or disk is full", "target"),
    ("SELECT person.id FROM person", "disk I/O error", "source"),
])
def test_a_file_failure_names_the_file_it_happened_to(cli, sample_db, tmp_path, monkeypatch,
                                                       statement, problem, side):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError(statement, {}, sqlite3.OperationalError(problem))

    monkeypatch.setattr(dbcopy, "_copy_table", fail)
    target = tmp_path / "copy.db"
    r = cli("db", "copy", sample_db, target)
    assert r.code == 1 and "Traceback" not in r.err, r
    named = str(target) if side == "target" else str(sample_db)
    other = str(sample_db) if side == "target" else str(target)
    assert named in r.err and other not in r.err, r
