"""patients belong to a home site; a person works one shift at a time

Revision ID: 0006
Revises: 0005

A patient's home site is where the planner plans their course unless reception asks for another
(existing patients get the site of their latest session, else the first site). Two shifts of one
person that overlap, at one site or two, are refused by the database as a last line behind the
service's check: on PostgreSQL an exclusion constraint, on SQLite triggers. The upgrade stops
with a list if the data already holds such shifts, so nobody's hours are guessed.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_OVERLAPS = ("SELECT a.staff_id, a.id, b.id FROM shifts a JOIN shifts b ON a.staff_id = b.staff_id AND a.id < b.id "
             "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at")
_SQLITE_TRIGGER = """
CREATE TRIGGER shifts_one_at_a_time_{when} BEFORE {when} ON shifts
WHEN EXISTS (SELECT 1 FROM shifts WHERE staff_id = NEW.staff_id AND id IS NOT NEW.id
             AND starts_at < NEW.ends_at AND ends_at > NEW.starts_at)
BEGIN SELECT RAISE(ABORT, 'shifts_one_at_a_time: this person already has a shift then'); END
"""


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_patients_home_site', 'sites', ['home_site_id'], ['id'])
    op.execute("UPDATE patients SET home_site_id = (SELECT s.site_id FROM sessions s WHERE s.patient_id = patients.id "
               "ORDER BY s.starts_at DESC LIMIT 1)")
    op.execute("UPDATE patients SET home_site_id = (SELECT min(id) FROM sites) WHERE home_site_id IS NULL")

    overlapping = op.get_bind().execute(sa.text(_OVERLAPS)).fetchall()
    if overlapping:
        pairs = ", ".join(f"staff {staff}: shifts {a} and {b}" for staff, a, b in overlapping[:20])
        raise RuntimeError(f"Overlapping shifts must be fixed before this upgrade ({pairs}).")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shifts ADD CONSTRAINT ex_shifts_staff_overlap "
                   "EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)")
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(_SQLITE_TRIGGER.format(when=when))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shifts DROP CONSTRAINT IF EXISTS ex_shifts_staff_overlap")
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(f"DROP TRIGGER IF EXISTS shifts_one_at_a_time_{when}")
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_constraint('fk_patients_home_site', type_='foreignkey')
        batch_op.drop_column('home_site_id')
