"""coverage alerts: what the daily coverage check found, open until a later run finds it gone

Revision ID: 0011
Revises: 0010

One row per problem (a booked session that lost cover, a credential about to lapse), keyed so
that a second run finds the open row instead of adding one: a unique index on the key among
open alerts. A resolved alert is kept with when it was resolved.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coverage_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_coverage_alerts_open_key', 'coverage_alerts', ['key'], unique=True,
                    sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_index('ix_coverage_alerts_resolved', 'coverage_alerts', ['resolved_at'], unique=False)


def downgrade():
    op.drop_index('ix_coverage_alerts_resolved', table_name='coverage_alerts')
    op.drop_index('uq_coverage_alerts_open_key', table_name='coverage_alerts')
    op.drop_table('coverage_alerts')
