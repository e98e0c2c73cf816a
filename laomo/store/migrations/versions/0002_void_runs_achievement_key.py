"""voided records, assessment run history, achievements keyed by (studio, code)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

* ``voided_at``/``void_reason`` on every record that can be entered by mistake
  (honor, member, achievement, activity, mentorship, inspection, designation):
  wrong records are voided, never deleted.
* ``assessment_run``: one row per stored ``assess run``; the runs already in
  the database (distinct ``run_id`` of the stored results) are recorded, so
  ``assess history`` shows them.  ``assessment_superseded``: results of a
  superseded run that a year's designations cite.
* ``rules_profile``: the content of every profile a stored run used or ``assess rules
  use`` adopted, by hash (reports label items by the profile that scored them).
* An achievement's 编号 is unique within its studio, no longer across the ledger
  (every existing pair is unique already, as the codes were); its (studio, date) index
  holds ``voided_at`` too, so counting achievements in force stays an index-only read.
"""
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

VOIDABLE = ('honor', 'member', 'achievement', 'activity', 'mentorship', 'inspection', 'designation')


def upgrade() -> None:
    for table in VOIDABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('void_reason', sa.String(length=1000), nullable=True))
            if table == 'achievement':
                batch_op.drop_constraint('uq_achievement_code', type_='unique')
                batch_op.create_unique_constraint('uq_achievement_studio_id_code', ['studio_id', 'code'])
                batch_op.drop_index('ix_achievement_studio_date')
                batch_op.create_index('ix_achievement_studio_date', ['studio_id', 'date', 'voided_at'], unique=False)
    _run_tables()
    _record_existing_runs()
    op.create_table('rules_profile',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('stored_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_rules_profile'))
    )


def _run_tables() -> None:
    op.create_table('assessment_run',
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('profile', sa.String(length=100), nullable=True),
    sa.Column('profile_hash', sa.String(length=64), nullable=True),
    sa.Column('studios', sa.Integer(), nullable=False),
    sa.Column('by_grade', sa.JSON(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('superseded_by', sa.String(length=64), nullable=True),
    sa.Column('kept', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_assessment_run'))
    )
    with op.batch_alter_table('assessment_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_run_year'), ['year'], unique=False)
    op.create_table('assessment_superseded',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=100), nullable=True),
    sa.Column('profile_hash', sa.String(length=64), nullable=True),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('items', sa.JSON(), nullable=True),
    sa.Column('standards', sa.JSON(), nullable=True),
    sa.Column('recommendation', sa.String(length=16), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('imported', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_assessment_superseded_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_superseded'))
    )
    with op.batch_alter_table('assessment_superseded', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_superseded_studio_year', ['studio_id', 'year'], unique=False)


def _record_existing_runs() -> None:
    """One ``assessment_run`` row per run already stored (its results carry the run id)."""
    conn = op.get_bind()
    results = sa.table('assessment', sa.column('run_id'), sa.column('year'), sa.column('profile'),
                       sa.column('profile_hash'), sa.column('grade'), sa.column('created_at', sa.DateTime()),
                       sa.column('imported', sa.Boolean()))
    rows = conn.execute(sa.select(results.c.run_id, results.c.year, results.c.profile, results.c.profile_hash,
                                  results.c.grade, results.c.created_at)
                        .where(results.c.run_id.is_not(None), results.c.imported.is_(False))).all()
    runs: dict[str, dict] = {}
    for run_id, year, profile, profile_hash, grade, created_at in rows:
        run = runs.setdefault(run_id, {"year": year, "profile": profile, "profile_hash": profile_hash,
                                       "grades": Counter(), "at": created_at})
        run["grades"][grade] += 1
        if created_at is not None and (run["at"] is None or created_at < run["at"]):
            run["at"] = created_at
    table = sa.table('assessment_run', sa.column('run_id'), sa.column('year'), sa.column('at', sa.DateTime()),
                     sa.column('profile'), sa.column('profile_hash'), sa.column('studios'),
                     sa.column('by_grade', sa.JSON()), sa.column('kept', sa.Boolean()))
    for run_id, run in runs.items():
        conn.execute(table.insert().values(
            run_id=run_id, year=run["year"], at=run["at"] or sa.func.current_timestamp(),
            profile=run["profile"], profile_hash=run["profile_hash"], studios=sum(run["grades"].values()),
            by_grade=dict(run["grades"]), kept=False))
