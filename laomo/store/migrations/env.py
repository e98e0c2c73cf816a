"""Alembic environment for laomo.

laomo runs migrations programmatically (``laomo.store.schema.upgrade``) and hands the
open connection in ``config.attributes["connection"]``; there is no
alembic.ini.  Batch mode is on so that SQLite tables can be altered by
copy-and-move, and the models' naming convention names every constraint.
"""

from alembic import context
from sqlmodel import SQLModel

from laomo import models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from laomo.store.db import open_engine

        connection = open_engine(check=False).connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
