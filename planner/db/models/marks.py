"""Change marks: versions that database triggers raise whenever what a free slot depends on changes.

Searches and course proposals keep what they read in the process and reuse it while the marks
they saw are unchanged (see planner/db/daycache.py). Triggers, not application code, raise the
marks, so bulk inserts, raw SQL and other processes are seen too. A version is the larger of the
old one plus one and the current time in microseconds, so it never repeats, even after the
table is emptied.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import db


class DayMark(db.Model):
    """Raised when a live session or staff placement at a site touches this UTC date."""

    __tablename__ = "day_marks"

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    # PostgreSQL: the transaction that last raised it, which raises it once (migration 0005).
    tx: Mapped[int | None] = mapped_column(BigInteger)


class ConfigMark(db.Model):
    """One row, raised by any change to sites, hours, rooms, staff, credentials, shifts, leave or types."""

    __tablename__ = "config_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    tx: Mapped[int | None] = mapped_column(BigInteger)
