"""Screening and consent records: never deleted; a new record supersedes the one before it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db


class ScreeningRecord(db.Model):
    """The contraindication checklist answered for a patient, its outcome and the reviewer's note."""

    __tablename__ = "screening_records"
    __table_args__ = (
        Index("ix_screening_records_patient", "patient_id", "id"),
        CheckConstraint("outcome IN ('cleared', 'needs_review', 'excluded')", name="ck_screening_records_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    answers: Mapped[dict] = mapped_column(JSON)          # item key -> true (yes) / false (no)
    outcome: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Unique: two people recording at once cannot both supersede the same record (one is refused).
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("screening_records.id"), unique=True)


class ConsentRecord(db.Model):
    """A signed consent form: its kind, the date it was signed, who recorded it, when it expires."""

    __tablename__ = "consent_records"
    __table_args__ = (
        Index("ix_consent_records_patient", "patient_id", "kind", "id"),
        CheckConstraint("kind IN ('treatment', 'rems_enrolment', 'withdrawal')", name="ck_consent_records_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    kind: Mapped[str] = mapped_column(String(20))
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id"), unique=True)
    # A withdrawal's reason, or where a record came from (the scenario import, migration 0019).
    note: Mapped[str | None] = mapped_column(Text)
