"""Pre-dose vitals recorded at check-in, and each site's blood pressure threshold, as data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db


class VitalsReading(db.Model):
    """One reading before a dose, with who took it and when; never deleted, a correction supersedes it."""

    __tablename__ = "vitals_readings"
    __table_args__ = (
        Index("ix_vitals_readings_session", "session_id", "taken_at"),
        CheckConstraint("systolic > diastolic", name="ck_vitals_readings_pressure"),
        CheckConstraint("heart_rate > 0", name="ck_vitals_readings_heart_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    systolic: Mapped[int] = mapped_column(Integer)    # mmHg
    diastolic: Mapped[int] = mapped_column(Integer)   # mmHg
    heart_rate: Mapped[int] = mapped_column(Integer)  # beats a minute
    threshold: Mapped[str] = mapped_column(String(9))  # the site's threshold when it was taken, e.g. "140/90"
    held: Mapped[bool] = mapped_column(default=False)  # this reading put the dose on hold
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(200))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Unique: a reading is corrected once; a later correction supersedes the correction.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("vitals_readings.id"), unique=True)


class VitalsThreshold(db.Model):
    """A site's own blood pressure threshold; a site without a row uses the default 140/90 (domain.md)."""

    __tablename__ = "vitals_thresholds"
    __table_args__ = (CheckConstraint("systolic > diastolic", name="ck_vitals_thresholds_pressure"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    systolic: Mapped[int] = mapped_column(Integer)
    diastolic: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
