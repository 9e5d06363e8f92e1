"""esketamine REMS: the patient monitoring form owed after each esketamine session given

Revision ID: 0010
Revises: 0009

One row per fulfilled esketamine session (unique on the session), due by the end of the 7th
calendar day after the session's local day at its site; open until someone marks it done. Who
marked it done and when is kept on the row, and every step (owed, done, reopened with a reason)
in the audit log.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rems_monitoring_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('prescriber_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=200), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'done')", name='ck_rems_forms_state'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['prescriber_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    op.create_index('ix_rems_forms_state_due', 'rems_monitoring_forms', ['state', 'due_at'], unique=False)
    op.create_index('ix_rems_forms_prescriber_state', 'rems_monitoring_forms', ['prescriber_id', 'state'],
                    unique=False)


def downgrade():
    op.drop_index('ix_rems_forms_prescriber_state', table_name='rems_monitoring_forms')
    op.drop_index('ix_rems_forms_state_due', table_name='rems_monitoring_forms')
    op.drop_table('rems_monitoring_forms')
