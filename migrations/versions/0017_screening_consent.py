"""screening and consent records: the checklist answered, its outcome, signed consents; a new record supersedes

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('screening_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('cleared', 'needs_review', 'excluded')", name='ck_screening_records_outcome'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['screening_records.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id')
    )
    op.create_index('ix_screening_records_patient', 'screening_records', ['patient_id', 'id'], unique=False)
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('treatment', 'rems_enrolment')", name='ck_consent_records_kind'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['consent_records.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id')
    )
    op.create_index('ix_consent_records_patient', 'consent_records', ['patient_id', 'kind', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_consent_records_patient', table_name='consent_records')
    op.drop_table('consent_records')
    op.drop_index('ix_screening_records_patient', table_name='screening_records')
    op.drop_table('screening_records')
