"""outcome measures: PHQ-9, GAD-7, PCL-5 and pain entries before doses; corrections supersede, nothing is deleted

Revision ID: 0016
Revises: 0015

Follows 0015 (protocol retirements): written in parallel with 0014 and 0015, put after them on merge.
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("measure IN ('phq9', 'gad7', 'pcl5', 'pain')", name='ck_outcome_entries_measure'),
    sa.CheckConstraint("source IN ('staff', 'patient_link')", name='ck_outcome_entries_source'),
    sa.CheckConstraint('total >= 0', name='ck_outcome_entries_total'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['outcome_entries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id')
    )
    op.create_index('ix_outcome_entries_course_measure', 'outcome_entries', ['course_id', 'measure', 'taken_at'],
                    unique=False)
    op.create_index('ix_outcome_entries_patient', 'outcome_entries', ['patient_id', 'taken_at'], unique=False)
    op.create_index('ux_outcome_entries_link_once', 'outcome_entries', ['session_id', 'measure'], unique=True,
                    sqlite_where=sa.text("source = 'patient_link'"),
                    postgresql_where=sa.text("source = 'patient_link'"))


def downgrade():
    op.drop_index('ux_outcome_entries_link_once', table_name='outcome_entries')
    op.drop_index('ix_outcome_entries_patient', table_name='outcome_entries')
    op.drop_index('ix_outcome_entries_course_measure', table_name='outcome_entries')
    op.drop_table('outcome_entries')
