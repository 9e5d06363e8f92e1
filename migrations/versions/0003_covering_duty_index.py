"""covering index for staff duties

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Planning snapshots read every duty of every staff member near a horizon; with all the
    # columns they need in the index, the read never touches the table.
    op.drop_index('ix_session_staff_staff_time', table_name='session_staff')
    op.create_index('ix_session_staff_staff_time', 'session_staff',
                    ['staff_id', 'starts_at', 'ends_at', 'session_id', 'role'])


def downgrade():
    op.drop_index('ix_session_staff_staff_time', table_name='session_staff')
    op.create_index('ix_session_staff_staff_time', 'session_staff', ['staff_id', 'starts_at'])
