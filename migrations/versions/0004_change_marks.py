"""change marks: per-site, per-UTC-date versions and one clinic configuration version, raised by triggers

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Tables whose rows shape every free slot at a site: one change anywhere raises the one config mark.
CONFIG_TABLES = ("sites", "opening_hours", "closures", "staffing_limits", "rooms", "session_types",
                 "staff", "credentials", "shifts", "time_off")
# Columns of a session that decide whether and where it holds time; notes and versions do not.
SESSION_COLUMNS = "status, starts_at, ends_at, room_id, site_id, patient_id"

_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
_SQLITE_BUMP = "ON CONFLICT({key}) DO UPDATE SET version = max(version + 1, excluded.version)"


def _sqlite_day_marks(row: str, site: str) -> str:
    """An upsert raising the marks of the UTC dates a row's window touches (site: an expression)."""
    return (f"INSERT INTO day_marks (site_id, day, version) "
            f"SELECT * FROM (SELECT {site} AS s, date({row}.starts_at) AS d, {_SQLITE_NOW} AS v "
            f"UNION SELECT {site}, date({row}.ends_at), {_SQLITE_NOW}) WHERE s IS NOT NULL "
            + _SQLITE_BUMP.format(key="site_id, day") + ";")


def _sqlite_session_marks(row: str) -> str:
    """An upsert raising the marks of the dates of the session a placement row belongs to."""
    return (f"INSERT INTO day_marks (site_id, day, version) "
            f"SELECT * FROM (SELECT site_id, date(starts_at), {_SQLITE_NOW} FROM sessions WHERE id = {row}.session_id "
            f"UNION SELECT site_id, date(ends_at), {_SQLITE_NOW} FROM sessions WHERE id = {row}.session_id) WHERE true "
            + _SQLITE_BUMP.format(key="site_id, day") + ";")


def _sqlite():
    config = (f"INSERT INTO config_marks (id, version) VALUES (1, {_SQLITE_NOW}) "
              + _SQLITE_BUMP.format(key="id") + ";")
    for table in CONFIG_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER tr_{table}_{event.lower()}_mark AFTER {event} ON {table} "
                       f"BEGIN {config} END")
    op.execute(f"CREATE TRIGGER tr_sessions_insert_mark AFTER INSERT ON sessions "
               f"BEGIN {_sqlite_day_marks('NEW', 'NEW.site_id')} END")
    op.execute(f"CREATE TRIGGER tr_sessions_update_mark AFTER UPDATE OF {SESSION_COLUMNS} ON sessions "
               f"BEGIN {_sqlite_day_marks('OLD', 'OLD.site_id')} {_sqlite_day_marks('NEW', 'NEW.site_id')} END")
    op.execute(f"CREATE TRIGGER tr_sessions_delete_mark AFTER DELETE ON sessions "
               f"BEGIN {_sqlite_day_marks('OLD', 'OLD.site_id')} END")
    # A placement marks its session's dates: snapshots file duties under the session's start date.
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        body = " ".join(_sqlite_session_marks(row) for row in rows)
        op.execute(f"CREATE TRIGGER tr_session_staff_{event.lower()}_mark AFTER {event} ON session_staff "
                   f"BEGIN {body} END")


_PG_FUNCTIONS = """
CREATE FUNCTION planner_mark_days(site integer, starts timestamptz, ends timestamptz) RETURNS void AS $$
    INSERT INTO day_marks (site_id, day, version)
    SELECT site, d, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
    FROM (SELECT DISTINCT unnest(ARRAY[(starts AT TIME ZONE 'UTC')::date, (ends AT TIME ZONE 'UTC')::date]) AS d) AS days
    WHERE site IS NOT NULL
    ORDER BY d
    ON CONFLICT (site_id, day) DO UPDATE SET version = greatest(day_marks.version + 1, excluded.version)
$$ LANGUAGE sql;

CREATE FUNCTION planner_mark_session() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM planner_mark_days(OLD.site_id, OLD.starts_at, OLD.ends_at); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM planner_mark_days(NEW.site_id, NEW.starts_at, NEW.ends_at); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION planner_mark_duty() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM planner_mark_days(s.site_id, s.starts_at, s.ends_at) FROM sessions s WHERE s.id = OLD.session_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM planner_mark_days(s.site_id, s.starts_at, s.ends_at) FROM sessions s WHERE s.id = NEW.session_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION planner_mark_config() RETURNS trigger AS $$
BEGIN
    INSERT INTO config_marks (id, version) VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = greatest(config_marks.version + 1, excluded.version);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _postgresql():
    op.execute(_PG_FUNCTIONS)
    for table in CONFIG_TABLES:
        op.execute(f"CREATE TRIGGER tr_{table}_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION planner_mark_config()")
    op.execute("CREATE TRIGGER tr_sessions_insert_mark AFTER INSERT OR DELETE ON sessions "
               "FOR EACH ROW EXECUTE FUNCTION planner_mark_session()")
    op.execute(f"CREATE TRIGGER tr_sessions_update_mark AFTER UPDATE OF {SESSION_COLUMNS} ON sessions "
               "FOR EACH ROW EXECUTE FUNCTION planner_mark_session()")
    op.execute("CREATE TRIGGER tr_session_staff_mark AFTER INSERT OR UPDATE OR DELETE ON session_staff "
               "FOR EACH ROW EXECUTE FUNCTION planner_mark_duty()")
    # TRUNCATE fires no row triggers: emptying sessions wholesale raises the config mark instead,
    # which every cached piece also depends on.
    for table in ("sessions", "session_staff"):
        op.execute(f"CREATE TRIGGER tr_{table}_truncate_mark AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION planner_mark_config()")


def upgrade():
    op.create_table('day_marks',
                    sa.Column('site_id', sa.Integer(), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('version', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('site_id', 'day'))
    op.create_table('config_marks',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('version', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    # Cached snapshots read a range of dates for every site at once.
    op.create_index('ix_sessions_starts', 'sessions', ['starts_at'])
    op.create_index('ix_shifts_starts', 'shifts', ['starts_at'])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in CONFIG_TABLES:
            op.execute(f"DROP TRIGGER tr_{table}_mark ON {table}")
        for name, table in (("tr_sessions_insert_mark", "sessions"), ("tr_sessions_update_mark", "sessions"),
                            ("tr_session_staff_mark", "session_staff"), ("tr_sessions_truncate_mark", "sessions"),
                            ("tr_session_staff_truncate_mark", "session_staff")):
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for function in ("planner_mark_days(integer, timestamptz, timestamptz)", "planner_mark_session()",
                         "planner_mark_duty()", "planner_mark_config()"):
            op.execute(f"DROP FUNCTION {function}")
    else:
        for table in CONFIG_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER tr_{table}_{event}_mark")
        for table in ("sessions", "session_staff"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER tr_{table}_{event}_mark")
    op.drop_index('ix_shifts_starts', table_name='shifts')
    op.drop_index('ix_sessions_starts', table_name='sessions')
    op.drop_table('config_marks')
    op.drop_table('day_marks')
