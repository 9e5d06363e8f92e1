"""the outbox of invites and reminders, calendar feeds, patients' requests and links

Revision ID: 0007
Revises: 0006

Every message is a row written with the change that caused it; the sender claims, sends and
marks them. A session gains its iCalendar SEQUENCE (rising only with what a calendar shows) and
the moment the patient confirmed it; a patient, the moment they texted STOP; a session type, its
reminder hours (empty: the clinic default). The clinic's settings for telling people are one row.
"""
from datetime import time

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clinic_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_name', sa.String(length=120), nullable=False),
    sa.Column('staff_invites_detailed', sa.Boolean(), nullable=False),
    sa.Column('quiet_from', sa.Time(), nullable=False),
    sa.Column('quiet_until', sa.Time(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(staff_id IS NULL) <> (patient_id IS NULL)', name='ck_feed_tokens_one_owner'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_tokens_staff_id'), ['staff_id'], unique=False)

    op.create_table('link_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'version')
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('recipient_kind', sa.String(length=10), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.String(length=120), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'dropped', 'superseded')", name='ck_outbox_state'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_outbox_recipient_sent', ['recipient_kind', 'recipient_id', 'channel', 'sent_at'], unique=False)

    op.create_table('patient_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_requests_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_requests_session_id'), ['session_id'], unique=False)

    op.create_table('outbox_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_events_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_opted_out_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('session_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_hours', sa.JSON(), nullable=True))
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
    settings = sa.table('clinic_settings', sa.column('id', sa.Integer), sa.column('clinic_name', sa.String),
                        sa.column('staff_invites_detailed', sa.Boolean), sa.column('quiet_from', sa.Time),
                        sa.column('quiet_until', sa.Time))
    op.bulk_insert(settings, [{'id': 1, 'clinic_name': 'The clinic', 'staff_invites_detailed': False,
                               'quiet_from': time(21, 0), 'quiet_until': time(8, 0)}])


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of sessions would trip the triggers that name it.
    for table, column in (('sessions', 'confirmed_at'), ('sessions', 'sequence'), ('session_types', 'reminder_hours'),
                          ('patients', 'sms_opted_out_at')):
        op.drop_column(table, column)
    for table in ('outbox_events', 'patient_requests', 'outbox_messages', 'link_uses', 'feed_tokens',
                  'clinic_settings'):
        op.drop_table(table)
