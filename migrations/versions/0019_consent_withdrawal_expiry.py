"""consent withdrawals and expiry: a withdrawal is a consent record of its own (with its reason), the
patient keeps the treatment consent's expiry the booking rules judge a dose's date by, and a REMS
enrolment date set on the patient before records becomes the enrolment record it stands for

Revision ID: 0019
Revises: 0018

Patients whose rems_enrolled_on was set directly (before migration 0017, or by the patient form)
get a rems_enrolment consent record signed that day, recorded by "planner (migration 0019)", so the
patient page's screening card and its REMS line read one source. Statuses set directly without a
record are left as they are: their answers and dates were never recorded, and are not invented.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_KINDS_BEFORE = "kind IN ('treatment', 'rems_enrolment')"
_KINDS_AFTER = "kind IN ('treatment', 'rems_enrolment', 'withdrawal')"


def upgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.drop_constraint('ck_consent_records_kind', type_='check')
        batch_op.create_check_constraint('ck_consent_records_kind', _KINDS_AFTER)
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_expires_on', sa.Date(), nullable=True))
    # The expiry of each patient's latest treatment consent, which set their consent status.
    op.execute("UPDATE patients SET consent_expires_on = (SELECT c.expires_on FROM consent_records c "
               "WHERE c.patient_id = patients.id AND c.kind = 'treatment' ORDER BY c.id DESC LIMIT 1)")
    op.get_bind().execute(sa.text(
        "INSERT INTO consent_records (patient_id, kind, signed_on, recorded_by, recorded_at, note) "
        "SELECT p.id, 'rems_enrolment', p.rems_enrolled_on, 'planner (migration 0019)', :now, "
        "'The enrolment date set on the patient before enrolment records.' FROM patients p "
        "WHERE p.rems_enrolled_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM consent_records c "
        "WHERE c.patient_id = p.id AND c.kind = 'rems_enrolment')"), {"now": datetime.now(timezone.utc)})


def downgrade():
    op.execute("DELETE FROM consent_records WHERE kind = 'withdrawal'")
    # A plain DROP COLUMN (SQLite 3.35 and later): a batch copy of patients would have to drop the
    # table every session refers to, which SQLite's foreign keys refuse.
    op.execute("ALTER TABLE patients DROP COLUMN consent_expires_on")
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_constraint('ck_consent_records_kind', type_='check')
        batch_op.create_check_constraint('ck_consent_records_kind', _KINDS_BEFORE)
        batch_op.drop_column('note')
