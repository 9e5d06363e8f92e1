"""Sessions and the staff placed in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db.types import UTCDateTime
from planner.domain.lifecycle import STATUSES
from planner.extensions import db

_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)


class Session(db.Model):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_site_time", "site_id", "starts_at"),
                      Index("ix_sessions_room_time", "room_id", "starts_at"),
                      Index("ix_sessions_patient_time", "patient_id", "starts_at"),
                      Index("ix_sessions_starts", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ck_sessions_ends_after_start"),
                      CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_sessions_status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    session_type_id: Mapped[int] = mapped_column(ForeignKey("session_types.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    # Rises with every significant change (time, room, staff, status); calendars and links key on it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # iCalendar SEQUENCE: rises only with what a calendar shows (time, place, team, cancellation),
    # so invites and feeds agree and a check-in does not re-send anything.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the patient confirmed from their link
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    purpose: Mapped[str | None] = mapped_column(String(20))  # dose, preparation, integration, ... within a course
    dose_number: Mapped[int | None] = mapped_column(Integer)  # the dose it is, or the dose it is tied to
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    patient = relationship("Patient")
    site = relationship("Site")
    session_type = relationship("SessionType")
    room = relationship("Room")
    staff: Mapped[list[SessionStaff]] = relationship(back_populates="session", cascade="all, delete-orphan")


class SessionStaff(db.Model):
    """A person in a role for part of a session; the window is kept here for load queries."""

    __tablename__ = "session_staff"
    # Covering index: a planning snapshot reads thousands of duties from the index alone.
    __table_args__ = (Index("ix_session_staff_staff_time", "staff_id", "starts_at", "ends_at", "session_id", "role"),
                      CheckConstraint("ends_at > starts_at", name="ck_session_staff_ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    role: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship(back_populates="staff")
    member = relationship("Staff")
