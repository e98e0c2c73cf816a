"""The Alembic migrations are the schema: ordered, complete, and in step with the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config

from laomo import db
from laomo.models import SQLModel


def _scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
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
    engine = db.open_engine()
    with engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='member'").scalar()
    assert "CONSTRAINT uq_member_studio_id_person_id" in sql
    assert "CONSTRAINT fk_member_person_id_person" in sql
