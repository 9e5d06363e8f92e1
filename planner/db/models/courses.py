"""Protocol versions, courses, and each course's history of plans and re-plans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db.types import UTCDateTime
from planner.extensions import db


class ProtocolVersion(db.Model):
    """One version of a protocol; a running course keeps the version it started with."""

    __tablename__ = "protocol_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(160))
    definition: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # the version new courses get
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProtocolRetirement(db.Model):
    """A protocol taken out of use for new courses, with when, by whom and why; restoring it keeps the row.

    Running courses keep their version: retirement only stops new courses getting the protocol.
    """

    __tablename__ = "protocol_retirements"
    # At most one retirement in force per protocol, whoever asks at the same moment (a second is a 409).
    __table_args__ = (Index("uq_protocol_retirements_in_force", "key", unique=True,
                            sqlite_where=text("restored_at IS NULL"), postgresql_where=text("restored_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_by: Mapped[str | None] = mapped_column(String(200))
    restore_reason: Mapped[str | None] = mapped_column(String(500))


class Course(db.Model):
    """A patient's course of treatment under one protocol version."""

    __tablename__ = "courses"
    __table_args__ = (Index("ix_courses_patient", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol_versions.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned, active, completed, stopped
    preferences: Mapped[dict] = mapped_column(JSON, default=dict)
    first_day: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    protocol = relationship("ProtocolVersion")
    patient = relationship("Patient")
    site = relationship("Site")
    events: Mapped[list[CourseEvent]] = relationship(back_populates="course", cascade="all, delete-orphan",
                                                     order_by="CourseEvent.id")


class CourseEvent(db.Model):
    """Something that happened to a course: booked, re-planned (with what moved), stopped."""

    __tablename__ = "course_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship(back_populates="events")
