"""check-in vitals: pre-dose blood pressure and heart rate per dosing session, and each site's threshold

Revision ID: 0018
Revises: 0017

Written in parallel with 0017 (screening and consent): on merge, put after it (down_revision '0017').
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vitals_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('systolic', sa.Integer(), nullable=False),
    sa.Column('diastolic', sa.Integer(), nullable=False),
    sa.Column('heart_rate', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.String(length=9), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sa.String(length=200), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('systolic > diastolic', name='ck_vitals_readings_pressure'),
    sa.CheckConstraint('heart_rate > 0', name='ck_vitals_readings_heart_rate'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['vitals_readings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id')
    )
    op.create_index('ix_vitals_readings_session', 'vitals_readings', ['session_id', 'taken_at'], unique=False)
    op.create_table('vitals_thresholds',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('systolic', sa.Integer(), nullable=False),
    sa.Column('diastolic', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('systolic > diastolic', name='ck_vitals_thresholds_pressure'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id')
    )


def downgrade():
    op.drop_table('vitals_thresholds')
    op.drop_index('ix_vitals_readings_session', table_name='vitals_readings')
    op.drop_table('vitals_readings')
