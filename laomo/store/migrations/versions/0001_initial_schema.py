"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
# ruff: noqa: W291  (the header above is as Alembic wrote it; a released migration is never edited)
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# long: a released migration is never edited; its length is the schema's
def upgrade() -> None:

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('os_user', sa.String(length=100), nullable=False),
    sa.Column('command', sa.String(length=500), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('post', sa.String(length=100), nullable=True),
    sa.Column('frontline', sa.Boolean(), nullable=True),
    sa.Column('skill_grade', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('code', name=op.f('uq_person_code'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('honor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_honor_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honor')),
    sa.UniqueConstraint('person_id', 'kind', 'year', name=op.f('uq_honor_person_id_kind_year'))
    )
    op.create_table('studio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('industry', sa.String(length=1), nullable=False),
    sa.Column('county', sa.String(length=100), nullable=False),
    sa.Column('founded', sa.Date(), nullable=True),
    sa.Column('area', sa.Float(), nullable=True),
    sa.Column('funds', sa.BigInteger(), nullable=True),
    sa.Column('has_sign', sa.Boolean(), nullable=False),
    sa.Column('has_rules', sa.Boolean(), nullable=False),
    sa.Column('has_plan', sa.Boolean(), nullable=False),
    sa.Column('has_display', sa.Boolean(), nullable=False),
    sa.Column('has_records', sa.Boolean(), nullable=False),
    sa.Column('has_facilities', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['person.id'], name=op.f('fk_studio_leader_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio')),
    sa.UniqueConstraint('code', name=op.f('uq_studio_code'))
    )
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_leader_id'), ['leader_id'], unique=False)

    op.create_table('achievement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('benefit', sa.BigInteger(), nullable=False),
    sa.Column('patent_no', sa.String(length=64), nullable=True),
    sa.Column('frontline_led', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_achievement_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_achievement')),
    sa.UniqueConstraint('code', name=op.f('uq_achievement_code'))
    )
    with op.batch_alter_table('achievement', schema=None) as batch_op:
        batch_op.create_index('ix_achievement_studio_date', ['studio_id', 'date'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_activity_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('studio_id', 'date', 'kind', 'title', 'seq', name=op.f('uq_activity_studio_id_date_kind_title_seq'))
    )
    op.create_table('assessment',
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
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_assessment_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('studio_id', 'year', name=op.f('uq_assessment_studio_id_year'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_year'), ['year'], unique=False)

    op.create_table('designation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('batch', sa.String(length=100), nullable=True),
    sa.Column('doc', sa.String(length=100), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_designation_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designation'))
    )
    with op.batch_alter_table('designation', schema=None) as batch_op:
        batch_op.create_index('ix_designation_studio_date', ['studio_id', 'date'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('inspector', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_inspection_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('studio_id', 'year', 'item', name=op.f('uq_inspection_studio_id_year_item'))
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('joined', sa.Date(), nullable=True),
    sa.Column('left', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_member_person_id_person')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_member_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('studio_id', 'person_id', name=op.f('uq_member_studio_id_person_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_person_id'), ['person_id'], unique=False)

    op.create_table('mentorship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('apprentice_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('agreement', sa.Boolean(), nullable=True),
    sa.Column('promoted_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['apprentice_id'], ['person.id'], name=op.f('fk_mentorship_apprentice_id_person')),
    sa.ForeignKeyConstraint(['mentor_id'], ['person.id'], name=op.f('fk_mentorship_mentor_id_person')),
    sa.ForeignKeyConstraint(['studio_id'], ['studio.id'], name=op.f('fk_mentorship_studio_id_studio')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship')),
    sa.UniqueConstraint('studio_id', 'mentor_id', 'apprentice_id', name=op.f('uq_mentorship_studio_id_mentor_id_apprentice_id'))
    )
    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_apprentice_id'), ['apprentice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentorship_mentor_id'), ['mentor_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentorship_apprentice_id'))

    op.drop_table('mentorship')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_person_id'))

    op.drop_table('member')
    op.drop_table('inspection')
    with op.batch_alter_table('designation', schema=None) as batch_op:
        batch_op.drop_index('ix_designation_studio_date')

    op.drop_table('designation')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_year'))

    op.drop_table('assessment')
    op.drop_table('activity')
    with op.batch_alter_table('achievement', schema=None) as batch_op:
        batch_op.drop_index('ix_achievement_studio_date')

    op.drop_table('achievement')
    with op.batch_alter_table('studio', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_leader_id'))
        batch_op.drop_index(batch_op.f('ix_studio_county'))

    op.drop_table('studio')
    op.drop_table('honor')
    op.drop_table('setting')
    op.drop_table('person')
    op.drop_table('audit')

