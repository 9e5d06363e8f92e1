"""staffing policy: per site and drug route, what every dose needs on site (ACLS and BLS holders, a distinct monitor)

Revision ID: 0013
Revises: 0012

A change raises the clinic's config mark like every other set-up table (0004), so the kept
configuration that booking reads is read again after it.
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
_SQLITE_CONFIG = (f"INSERT INTO config_marks (id, version) VALUES (1, {_SQLITE_NOW}) "
                  "ON CONFLICT(id) DO UPDATE SET version = max(version + 1, excluded.version);")


def upgrade():
    op.create_table('staffing_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('acls_on_site', sa.Integer(), nullable=False),
    sa.Column('bls_on_site', sa.Integer(), nullable=False),
    sa.Column('distinct_monitor', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'route')
    )
    op.create_index('ix_staffing_policies_site_id', 'staffing_policies', ['site_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER tr_staffing_policies_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   "ON staffing_policies "
                   "FOR EACH STATEMENT EXECUTE FUNCTION planner_mark_config()")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER tr_staffing_policies_{event.lower()}_mark AFTER {event} ON staffing_policies "
                       f"BEGIN {_SQLITE_CONFIG} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_staffing_policies_mark ON staffing_policies")
    op.drop_index('ix_staffing_policies_site_id', table_name='staffing_policies')
    op.drop_table('staffing_policies')
