"""The one place that reads the wall clock."""

from datetime import datetime, timezone


def now() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(timezone.utc)
