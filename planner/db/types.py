"""Column types: every instant is stored in UTC and read back aware."""

from datetime import datetime, timezone

from sqlalchemy import DateTime, String, TypeDecorator

# SQLite keeps DateTime as text in this form; writing and reading it ourselves (with the C
# fromisoformat) is several times faster than SQLAlchemy's regex parser on big reads.
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC (timestamptz on PostgreSQL, UTC text on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a time zone")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type; keep the text in UTC so it sorts by instant.
        return value.strftime(_SQLITE_FORMAT) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value + "+00:00")
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
