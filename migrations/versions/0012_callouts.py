"""call-outs: time off gets a kind (leave or call-out); each call-out applied is kept with what it did

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): on SQLite a copied table would lose the triggers of 0004.
    op.add_column('time_off', sa.Column('kind', sa.String(length=20), nullable=False, server_default='leave'))
    op.create_table('callouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('time_off_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('made_by', sa.String(length=200), nullable=False),
    sa.Column('repairs', sa.JSON(), nullable=False),
    sa.Column('told', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['time_off_id'], ['time_off.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_callouts_made_at', 'callouts', ['made_at'], unique=False)


def downgrade():
    op.drop_index('ix_callouts_made_at', table_name='callouts')
    op.drop_table('callouts')
    op.drop_column('time_off', 'kind')
