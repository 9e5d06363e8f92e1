"""Outcome measures taken before doses: one row per questionnaire answered, never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.domain.outcomes.measures import MEASURES
from planner.extensions import db

_MEASURE_LIST = ", ".join(f"'{key}'" for key in MEASURES)
STAFF, PATIENT_LINK = "staff", "patient_link"
PATIENT_VIA_LINK = "patient via link"   # who entered it, as the record says


class OutcomeEntry(db.Model):
    """One questionnaire's answers and total; a correction is a new entry that supersedes this one."""

    __tablename__ = "outcome_entries"
    __table_args__ = (
        Index("ix_outcome_entries_course_measure", "course_id", "measure", "taken_at"),
        Index("ix_outcome_entries_patient", "patient_id", "taken_at"),
        CheckConstraint(f"measure IN ({_MEASURE_LIST})", name="ck_outcome_entries_measure"),
        CheckConstraint("source IN ('staff', 'patient_link')", name="ck_outcome_entries_source"),
        CheckConstraint("total >= 0", name="ck_outcome_entries_total"),
        # A patient answers a questionnaire once per appointment from their link: two taps of
        # "Send" at once still write one entry.
        Index("ux_outcome_entries_link_once", "session_id", "measure", unique=True,
              sqlite_where=text("source = 'patient_link'"), postgresql_where=text("source = 'patient_link'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))  # the dose it was taken before
    measure: Mapped[str] = mapped_column(String(10))
    items: Mapped[list] = mapped_column(JSON)          # the answers, item 1 first
    total: Mapped[int] = mapped_column(Integer)         # scored by the product from the items, never typed in
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(12))
    entered_by: Mapped[str] = mapped_column(String(200))   # the staff user's label, or "patient via link"
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Unique: an entry is corrected once; a later correction supersedes the correction.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_entries.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
