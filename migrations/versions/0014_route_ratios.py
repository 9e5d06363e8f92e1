"""staffing policy: a route may set its own ratios (concurrent dosing patients per prescriber and per monitor)

Revision ID: 0014
Revises: 0013

Both columns are nullable: NULL means the site's ratio (staffing_limits) applies to the route, so
every row written before this keeps its meaning. The config-mark triggers of 0013 fire on any
UPDATE of the table, these columns included.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy on SQLite), so 0013's triggers on the table stay in place.
    op.add_column('staffing_policies', sa.Column('supervising_prescriber_limit', sa.Integer(), nullable=True))
    op.add_column('staffing_policies', sa.Column('monitoring_clinician_limit', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('staffing_policies', 'monitoring_clinician_limit')
    op.drop_column('staffing_policies', 'supervising_prescriber_limit')
