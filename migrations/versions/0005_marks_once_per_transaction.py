"""change marks on PostgreSQL: raised once per transaction, by PL/pgSQL whose plans are kept

Revision ID: 0005
Revises: 0004

A booking raised the same day's mark three times (the session and each placement), each time
through an SQL-language function that PostgreSQL plans anew on every call. Now each mark
remembers the transaction that last raised it, and a later change in the same transaction
leaves it alone: the first raise already tells every reader that the date changed, and all of
the transaction's changes become visible together. SQLite's triggers run in the process and are
left as they are; its marks get the column too, unused, so both databases have one schema.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_PG_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
_PG_TX = "pg_current_xact_id()::text::bigint"

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION planner_mark_days(site integer, starts timestamptz, ends timestamptz) RETURNS void AS $$
DECLARE
    first_day date := (starts AT TIME ZONE 'UTC')::date;
    last_day date := (ends AT TIME ZONE 'UTC')::date;
    tx bigint := {_PG_TX};
BEGIN
    IF site IS NULL THEN
        RETURN;
    END IF;
    -- Ascending dates, so two transactions marking the same dates lock them in one order.
    INSERT INTO day_marks AS m (site_id, day, version, tx) VALUES (site, first_day, {_PG_NOW}, tx)
    ON CONFLICT (site_id, day) DO UPDATE SET version = greatest(m.version + 1, excluded.version), tx = excluded.tx
    WHERE m.tx IS DISTINCT FROM excluded.tx;
    IF last_day <> first_day THEN
        INSERT INTO day_marks AS m (site_id, day, version, tx) VALUES (site, last_day, {_PG_NOW}, tx)
        ON CONFLICT (site_id, day) DO UPDATE SET version = greatest(m.version + 1, excluded.version), tx = excluded.tx
        WHERE m.tx IS DISTINCT FROM excluded.tx;
    END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION planner_mark_config() RETURNS trigger AS $$
BEGIN
    INSERT INTO config_marks AS m (id, version, tx) VALUES (1, {_PG_NOW}, {_PG_TX})
    ON CONFLICT (id) DO UPDATE SET version = greatest(m.version + 1, excluded.version), tx = excluded.tx
    WHERE m.tx IS DISTINCT FROM excluded.tx;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

# What 0004 installed, for the downgrade.
_PG_FUNCTIONS_0004 = f"""
DROP FUNCTION planner_mark_days(integer, timestamptz, timestamptz);
CREATE FUNCTION planner_mark_days(site integer, starts timestamptz, ends timestamptz) RETURNS void AS $$
    INSERT INTO day_marks (site_id, day, version)
    SELECT site, d, {_PG_NOW}
    FROM (SELECT DISTINCT unnest(ARRAY[(starts AT TIME ZONE 'UTC')::date, (ends AT TIME ZONE 'UTC')::date]) AS d) AS days
    WHERE site IS NOT NULL
    ORDER BY d
    ON CONFLICT (site_id, day) DO UPDATE SET version = greatest(day_marks.version + 1, excluded.version)
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION planner_mark_config() RETURNS trigger AS $$
BEGIN
    INSERT INTO config_marks (id, version) VALUES (1, {_PG_NOW})
    ON CONFLICT (id) DO UPDATE SET version = greatest(config_marks.version + 1, excluded.version);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def upgrade():
    for table in ("day_marks", "config_marks"):
        op.add_column(table, sa.Column('tx', sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTIONS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTIONS_0004)
    # A plain DROP COLUMN (SQLite 3.35 and later): a batch copy of the table would trip the
    # triggers of migration 0004 that name it.
    for table in ("day_marks", "config_marks"):
        op.drop_column(table, 'tx')
