"""Plain SQL for the few reads that pull thousands of rows into a planning snapshot.

SQLAlchemy's result processing costs more than the query itself at that size; these reads
go through the driver directly and parse instants with the C `fromisoformat`.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session as OrmSession

from planner.db.types import _SQLITE_FORMAT


def fetch(session: OrmSession, sql: str, params: list) -> list[tuple]:
    """Rows for SQL written with `?` placeholders, on SQLite or PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        values = tuple(p.astimezone(timezone.utc).strftime(_SQLITE_FORMAT) if isinstance(p, datetime) else p
                       for p in params)
    else:
        sql, values = sql.replace("?", "%s"), tuple(params)
    return connection.exec_driver_sql(sql, values).all()


def instant(value) -> datetime:
    """A stored instant as an aware UTC datetime, whichever database gave it."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


def marks(count: int) -> str:
    """`?, ?, ?` for an IN list of count values."""
    return ", ".join("?" * count)
