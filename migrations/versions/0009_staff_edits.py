"""shifts and time off are withdrawn, credentials revoked, staff, rooms and sites deactivated: kept, never deleted

Revision ID: 0009
Revises: 0008

Nothing clinical is hard-deleted (issue 12): a shift or time off taken back keeps its row with
`withdrawn_at`; a credential ended early keeps its row with `revoked_on` (not valid from that
date); staff, rooms and sites keep theirs with `active` false and `deactivated_at`. Withdrawn
rows no longer count anywhere, so the database's one-shift-at-a-time guard (migration 0006)
now looks at live shifts only: a withdrawn shift must not stop its replacement.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_SQLITE_TRIGGER = """
CREATE TRIGGER shifts_one_at_a_time_{when} BEFORE {when} ON shifts
WHEN NEW.withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM shifts WHERE staff_id = NEW.staff_id AND id IS NOT NEW.id
             AND withdrawn_at IS NULL AND starts_at < NEW.ends_at AND ends_at > NEW.starts_at)
BEGIN SELECT RAISE(ABORT, 'shifts_one_at_a_time: this person already has a shift then'); END
"""
_SQLITE_TRIGGER_BEFORE = """
CREATE TRIGGER shifts_one_at_a_time_{when} BEFORE {when} ON shifts
WHEN EXISTS (SELECT 1 FROM shifts WHERE staff_id = NEW.staff_id AND id IS NOT NEW.id
             AND starts_at < NEW.ends_at AND ends_at > NEW.starts_at)
BEGIN SELECT RAISE(ABORT, 'shifts_one_at_a_time: this person already has a shift then'); END
"""


def _instant():
    return sa.DateTime(timezone=True)  # as the other migrations write instants


# Plain ADD COLUMN (no batch copy): on SQLite a copied table would lose the triggers of 0004 and 0006.
_COLUMNS = (("shifts", "withdrawn_at", _instant), ("time_off", "withdrawn_at", _instant),
            ("credentials", "revoked_on", sa.Date), ("staff", "deactivated_at", _instant),
            ("rooms", "deactivated_at", _instant), ("sites", "deactivated_at", _instant))


def upgrade():
    for table, column, kind in _COLUMNS:
        op.add_column(table, sa.Column(column, kind(), nullable=True))
    op.add_column("sites", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shifts DROP CONSTRAINT ex_shifts_staff_overlap")
        op.execute("ALTER TABLE shifts ADD CONSTRAINT ex_shifts_staff_overlap "
                   "EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                   "WHERE (withdrawn_at IS NULL)")
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(f"DROP TRIGGER shifts_one_at_a_time_{when}")
            op.execute(_SQLITE_TRIGGER.format(when=when))


def downgrade():
    # Withdrawn shifts would come back to life: they go, as they would have before this revision.
    op.execute("DELETE FROM shifts WHERE withdrawn_at IS NOT NULL")
    op.execute("DELETE FROM time_off WHERE withdrawn_at IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shifts DROP CONSTRAINT ex_shifts_staff_overlap")
        op.execute("ALTER TABLE shifts ADD CONSTRAINT ex_shifts_staff_overlap "
                   "EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)")
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(f"DROP TRIGGER shifts_one_at_a_time_{when}")
            op.execute(_SQLITE_TRIGGER_BEFORE.format(when=when))
    for table, column, _ in reversed(_COLUMNS):
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column(column)
    with op.batch_alter_table("sites", recreate="never") as batch:
        batch.drop_column("active")
