"""The Alembic migrations are the schema: ordered, complete, and in step with the models;
old databases (tests/fixtures/migrations) upgrade keeping every row; newer ones are refused."""

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from laomo.models import SQLModel
from laomo.store import db, schema

FIXTURES = Path(__file__).parent / "fixtures" / "migrations"
sys.path.insert(0, str(FIXTURES))
import make_fixture  # noqa: E402  (the fixtures' generator: how tables are listed and compared)


def _scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
    return ScriptDirectory.from_config(cfg)


def test_revisions_list_matches_the_scripts():
    scripts = _scripts()
    chain = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == db.REVISIONS
    assert scripts.get_current_head() == db.HEAD


def test_migrated_schema_matches_the_models(laomo_db):
    engine = db.open_engine()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_constraints_are_named(laomo_db):
    from sqlalchemy import inspect

    engine = db.open_engine()
    with engine.connect() as conn:  # names as the database itself reports them (SQLite: parsed from its SQL)
        insp = inspect(conn)
        unique = {u["name"] for u in insp.get_unique_constraints("member")}
        foreign = {f["name"] for f in insp.get_foreign_keys("member")}
    assert "uq_member_studio_id_person_id" in unique
    assert {"fk_member_person_id_person", "fk_member_studio_id_studio"} <= foreign


# --------------------------------------------------------------------------- fixtures of old schemas
#
# tests/fixtures/migrations/NNNN.db is a database made by the code whose head was revision NNNN
# (make_fixture.py; rule in README.md there).  Every fixture in the folder is upgraded to the
# current head by `laomo init` and must keep every row: each one adds itself to this test.

FIXTURE_FILES = sorted(FIXTURES.glob("*.db"))


def test_there_is_a_fixture_for_every_revision_but_the_head():
    """The rule of README.md: each revision R added after the first comes with the fixture made by
    the head before it, so every revision but the current head has one (and 0001 is the first)."""
    have = {p.stem for p in FIXTURE_FILES}
    assert have == set(db.REVISIONS[:-1]) | {db.REVISIONS[0]}
    for p in FIXTURE_FILES:
        assert p.with_suffix(".json").exists(), f"{p.name} has no description {p.stem}.json"


def _original(path: Path) -> dict[str, dict]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: {"columns": (cols := make_fixture.columns(con, t))[0], "pk": cols[1],
                    "rows": make_fixture.rows(con, t, *cols)}
                for t in make_fixture.tables(con)}
    finally:
        con.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_init_upgrades_an_old_database_keeping_every_row(fixture, cli, tmp_path):
    described = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))
    target = tmp_path / "old.db"
    shutil.copyfile(fixture, target)

    # the committed file is the one its JSON describes (not regenerated or edited since)
    assert make_fixture.describe(target)["tables"] == described["tables"]
    before = _original(target)
    assert sum(len(t["rows"]) for t in before.values()) > 2000

    if described["revision"] != db.HEAD:  # any other command refuses it and names `laomo init`
        refused = cli("--db", target, "report", "summary")
        assert refused.code == 1 and "laomo init" in refused.err and "Traceback" not in refused.err, refused
    r = cli("--db", target, "init", "--json")
    assert r.code == 0, r
    assert r.json["from"] == described["revision"] and r.json["to"] == db.HEAD
    assert r.json["upgraded"] == (described["revision"] != db.HEAD)

    con = sqlite3.connect(target)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(db.HEAD,)]
        for table, old in before.items():
            assert table in make_fixture.tables(con), f"table {table} was dropped"
            got = make_fixture.rows(con, table, old["columns"], old["pk"])
            if table == "audit":  # the upgrade appends its own entry, nothing else
                assert got[:len(old["rows"])] == old["rows"]
                extra = con.execute("SELECT entity, key FROM audit WHERE id > ?", (old["rows"][-1][0],)).fetchall()
                assert extra == ([("database", "schema")] if r.json["upgraded"] else [])
            elif table == "setting":  # the upgrade's audit entry moves the chain's head (0001 kept none)
                assert ([row for row in got if row[0] != "audit_head"]
                        == [row for row in old["rows"] if row[0] != "audit_head"])
            else:
                assert got == old["rows"], f"rows of {table} changed"
    finally:
        con.close()
    check = cli("--db", target, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"] and check.json["audit"]["ok"], check
    again = cli("--db", target, "init", "--json")
    assert again.code == 0 and not again.json["upgraded"]


# --------------------------------------------------------------------------- a real upgrade
#
# The machinery is also exercised with a trial revision after the head that rebuilds `person` (SQLite: copy, drop, rename — the batch mode every column
# change needs) while honor, studio, member and mentorship rows point at it, and adds a table.

TRIAL = '''
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(length=50), nullable=True))
    op.create_table("trial", sa.Column("id", sa.Integer(), primary_key=True))
'''


TRIAL_REV = "9000"


@pytest.fixture
def trial_head(tmp_path, monkeypatch):
    scripts = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{TRIAL_REV}_trial.py").write_text(
        TRIAL.format(rev=TRIAL_REV, head=db.HEAD), encoding="utf-8")
    monkeypatch.setattr(schema, "MIGRATIONS", scripts)
    monkeypatch.setattr(schema, "REVISIONS", (*db.REVISIONS, TRIAL_REV))
    monkeypatch.setattr(schema, "HEAD", TRIAL_REV)
    return TRIAL_REV


@pytest.mark.sqlite_only
def test_init_runs_a_table_rebuilding_upgrade_keeping_every_row(trial_head, cli, tmp_path):
    target = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "0001.db", target)
    before = _original(target)

    refused = cli("--db", target, "award", "history", "S0001")
    assert refused.code == 1 and "laomo init" in refused.err and TRIAL_REV in refused.err, refused
    r = cli("--db", target, "init", "--json")
    assert r.code == 0, r
    assert (r.json["from"], r.json["to"], r.json["upgraded"]) == ("0001", TRIAL_REV, True)

    con = sqlite3.connect(target)
    try:
        assert "nickname" in make_fixture.columns(con, "person")[0]
        for table, old in before.items():
            got = make_fixture.rows(con, table, old["columns"], old["pk"])
            if table == "setting":  # the upgrade's audit entry creates the chain's head (0001 had none)
                got = [row for row in got if row[0] != "audit_head"]
            assert got[:len(old["rows"])] == old["rows"], f"rows of {table} changed"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        fks = {r[2] for t in ("honor", "member", "mentorship", "studio")
               for r in con.execute(f"PRAGMA foreign_key_list({t})")}
        assert "person" in fks  # the references still name the rebuilt table
    finally:
        con.close()
    check = cli("--db", target, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"] and check.json["schema_version"] == TRIAL_REV, check
    after = cli("--db", target, "award", "history", "S0001", "--json")
    assert after.code == 0, after


@pytest.mark.sqlite_only
def test_newer_database_is_refused_by_init_too(cli, tmp_path):
    target = tmp_path / "new.db"
    shutil.copyfile(FIXTURES / "0001.db", target)
    con = sqlite3.connect(target)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = _original(target)
    for args in (["init"], ["init", "--union", "别的工会"], ["report", "summary"], ["db", "backup", tmp_path / "b.db"]):
        r = cli("--db", target, *args)
        assert r.code == 1 and "9999" in r.err and "比本程序" in r.err and "升级 laomo" in r.err, r
        assert "Traceback" not in r.err
    assert _original(target) == before
    check = cli("--db", target, "db", "check", "--json")  # check still reports, and says not current
    assert check.code == 1 and check.json["schema_version"] == "9999" and not check.json["schema_current"]


@pytest.mark.sqlite_only
def test_copy_builds_its_target_as_init_does_through_a_table_rebuilding_upgrade(trial_head, cli, tmp_path):
    """`db copy` upgrades its target with the same function as `init` (SQLite: foreign keys off for the
    rebuild, checked before commit): a 0001 target holding rows is refused for its data, not failed by the
    rebuild's DROP of `person`; an empty target gets the trial head's table and every row."""
    from laomo.store import db as dbmod

    source = tmp_path / "source.db"
    shutil.copyfile(FIXTURES / "0001.db", source)
    assert cli("--db", source, "init").code == 0
    dbmod.dispose_all()

    filled = tmp_path / "filled.db"
    shutil.copyfile(FIXTURES / "0001.db", filled)
    before = _original(filled)
    r = cli("db", "copy", source, filled)
    assert r.code == 1 and "已有 laomo 数据" in r.err and "Traceback" not in r.err, r
    assert _original(filled) == before

    empty = tmp_path / "empty.db"
    r = cli("db", "copy", source, empty, "--json")
    assert r.code == 0 and r.json["ok"] and r.json["schema_version"] == TRIAL_REV, r
    con = sqlite3.connect(empty)
    try:
        assert "nickname" in make_fixture.columns(con, "person")[0]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()
