"""patients carry their name folded for search (lower case, no accents, words split)

Revision ID: 0008
Revises: 0007

Reception finds a patient by the start of any word of their name, ignoring case and accents.
Neither SQLite nor PostgreSQL (without the unaccent extension) can fold accents in SQL, so the
folded name is kept beside the name: " jose maria nunez alvarez" (a space before each word), and
a search asks `search_name LIKE '% nun%'`. The app keeps it in step (the column's default on
insert, an attribute event on change); existing rows are folded here, with the rule as it stands
today, written out so this migration never changes when the app's code does.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _search_name(name: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    return "".join(" " + part for part in re.split(r"[\s\-'’.,]+", folded) if part)


def upgrade():
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("search_name", sa.String(400), nullable=False, server_default=""))
    patients = sa.table("patients", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("search_name", sa.String))
    connection = op.get_bind()
    rows = [{"key": r.id, "folded": _search_name(r.name)}
            for r in connection.execute(sa.select(patients.c.id, patients.c.name))]
    if rows:
        connection.execute(patients.update().where(patients.c.id == sa.bindparam("key"))
                           .values(search_name=sa.bindparam("folded")), rows)


def downgrade():
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("search_name")
