"""protocol retirements: a protocol taken out of use for new courses, with its date, who and why

Revision ID: 0015
Revises: 0014

Nothing is deleted: restoring a protocol fills in restored_at on its row, and a unique index on
the key among retirements in force keeps at most one. The audit log's entity id grows to 80
characters, since a protocol's key (its entity id there) may be 60 long; SQLite does not enforce
a VARCHAR's length, so only PostgreSQL needs the change.

(Revises 0013 on its branch; on main it follows 0014, the staffing policy's ACLS/BLS change.)
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protocol_retirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_by', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('restored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('restored_by', sa.String(length=200), nullable=True),
    sa.Column('restore_reason', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_protocol_retirements_key', 'protocol_retirements', ['key'], unique=False)
    op.create_index('uq_protocol_retirements_in_force', 'protocol_retirements', ['key'], unique=True,
                    sqlite_where=sa.text('restored_at IS NULL'), postgresql_where=sa.text('restored_at IS NULL'))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column('audit_events', 'entity_id', type_=sa.String(length=80), existing_type=sa.String(length=40),
                        existing_nullable=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column('audit_events', 'entity_id', type_=sa.String(length=40), existing_type=sa.String(length=80),
                        existing_nullable=True)
    op.drop_index('uq_protocol_retirements_in_force', table_name='protocol_retirements')
    op.drop_index('ix_protocol_retirements_key', table_name='protocol_retirements')
    op.drop_table('protocol_retirements')
