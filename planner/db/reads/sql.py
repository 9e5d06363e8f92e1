"""Plain SQL for the few reads that pull thousands of rows into a planning snapshot.

SQLAlchemy's result processing costs more than the query itself at that size; these reads
go through the driver directly and parse instants with the C `fromisoformat`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.orm import Session as OrmSession

from planner.db.types import _SQLITE_FORMAT


# Who wants to hear of each statement sent here (the query-count tests): these statements go past
# SQLAlchemy's own events, which see only what goes through its execute.
watchers: list = []


def fetch(session: OrmSession, sql: str, params: list) -> list[tuple]:
    """Rows (plain tuples) for SQL written with `?` placeholders, on SQLite or PostgreSQL."""
    for watch in watchers:
        watch(sql)
    connection = session.connection()  # joins the session's transaction
    if connection.dialect.name == "sqlite":
        values = tuple(p.astimezone(timezone.utc).strftime(_SQLITE_FORMAT) if isinstance(p, datetime)
                       else p.isoformat() if isinstance(p, date) else p for p in params)
        cursor = connection.connection.dbapi_connection.cursor()
    else:
        sql, values = sql.replace("?", "%s"), tuple(params)
        # Binary results: instants and numbers arrive without text to parse (a fifth off big reads).
        cursor = connection.connection.dbapi_connection.cursor(binary=True)
    try:
        cursor.execute(sql, values)
        return cursor.fetchall()
    finally:
        cursor.close()


def instant(value) -> datetime:
    """A stored instant as an aware UTC datetime, whichever database gave it."""
    if isinstance(value, str):
        # SQLite keeps UTC text; parsing it with the offset is far cheaper than replace(tzinfo=...).
        return datetime.fromisoformat(value + "+00:00")
    if value.tzinfo is timezone.utc:
        return value  # PostgreSQL sessions run in UTC (create_app), so this is the usual case
    return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


# Typed NULLs for the columns a UNION ALL branch does not have (PostgreSQL takes types from the first branch).
NO_TIME, NO_ROLE = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)", "CAST(NULL AS VARCHAR(40))"


def database_key(session: OrmSession) -> str:
    """The database a session talks to, so what a process keeps is never shared between two databases."""
    return session.get_bind().url.render_as_string(hide_password=True)


def marks(count: int) -> str:
    """`?, ?, ?` for an IN list of count values."""
    return ", ".join("?" * count)
