"""identity lookups by ID number and name, approximate dates and grade-only results of old ledgers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

* Indexes on ``person.id_number``, ``person.name`` and ``studio.name``: enterprise
  files name people by 身份证号 or 姓名 and studios by 名称 (import-formats.md,
  "Identity"), so an import looks them up by those columns, chunk by chunk.
* ``designation.approximate``: a past designation from an old ledger that gives only
  its year is dated 31 December of that year and marked approximate.
* ``assessment.total`` (and ``assessment_superseded.total``) may be empty: a past
  assessment from an old ledger may give only its grade.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_person_name', ['name'], unique=False)
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.create_index('ix_studio_name', ['name'], unique=False)
    with op.batch_alter_table('designation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approximate', sa.Boolean(), nullable=False, server_default=sa.false()))
    for table in ('assessment', 'assessment_superseded'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('total', existing_type=sa.Float(), nullable=True)

