"""Esketamine REMS duties: one patient monitoring form to send after each esketamine session given."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.domain.rems import FORM_STATES
from planner.extensions import db

_STATE_LIST = ", ".join(f"'{s}'" for s in FORM_STATES)


class MonitoringForm(db.Model):
    """The REMS patient monitoring form owed for one fulfilled esketamine session; its history is in the audit log."""

    __tablename__ = "rems_monitoring_forms"
    __table_args__ = (Index("ix_rems_forms_state_due", "state", "due_at"),
                      Index("ix_rems_forms_prescriber_state", "prescriber_id", "state"),
                      CheckConstraint(f"state IN ({_STATE_LIST})", name="ck_rems_forms_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # One form per session: a repeated fulfilment can never owe a second one.
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    # The session's supervising prescriber, who signs the form; None only for a session without one.
    prescriber_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_on: Mapped[date] = mapped_column(Date)                 # the last day, in the site's wall time
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)     # the instant due_on ends there: overdue from then
    state: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))   # the actor's label, as the audit log has it
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
