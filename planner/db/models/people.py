"""Staff with credentials, shifts and time off; patients."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db.types import UTCDateTime
from planner.domain.patient_search import search_name
from planner.extensions import db


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    disciplines: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when deactivated (kept, never deleted: their sessions and history name them).
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    credentials: Mapped[list[Credential]] = relationship(back_populates="staff", cascade="all, delete-orphan",
                                                         order_by="Credential.kind")
    shifts: Mapped[list[Shift]] = relationship(back_populates="staff", cascade="all, delete-orphan",
                                               order_by="Shift.starts_at")
    time_off: Mapped[list[TimeOff]] = relationship(back_populates="staff", cascade="all, delete-orphan",
                                                   order_by="TimeOff.starts_at")


class Credential(db.Model):
    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(60), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    # Revoked or ended early: not valid from this date on; the row is kept as history.
    revoked_on: Mapped[date | None] = mapped_column(Date)

    staff: Mapped[Staff] = relationship(back_populates="credentials")


class Shift(db.Model):
    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_site_time", "site_id", "starts_at"),
                      Index("ix_shifts_staff_time", "staff_id", "starts_at"),
                      Index("ix_shifts_starts", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ck_shifts_ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Taken back before it began: kept as history, counted nowhere (migration 0009).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(back_populates="shifts")


class TimeOff(db.Model):
    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_staff_time", "staff_id", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ck_time_off_ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    # "leave" (planned) or "call-out" (unplanned, recorded with the repair of its sessions; migration 0012).
    kind: Mapped[str] = mapped_column(String(20), default="leave", server_default="leave")
    # Taken back before it began: kept as history, counted nowhere (migration 0009).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(back_populates="time_off")


class Patient(db.Model):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    preferred_channel: Mapped[str] = mapped_column(String(10), default="email")
    consented_channels: Mapped[list] = mapped_column(JSON, default=list)
    escort_name: Mapped[str | None] = mapped_column(String(120))
    escort_phone: Mapped[str | None] = mapped_column(String(20))
    rems_patient_id: Mapped[str | None] = mapped_column(String(40))
    rems_enrolled_on: Mapped[date | None] = mapped_column(Date)
    screening_status: Mapped[str] = mapped_column(String(20), default="pending")
    consent_status: Mapped[str] = mapped_column(String(20), default="pending")
    # The latest treatment consent's expiry: a dose after it is refused whatever the status says today.
    consent_expires_on: Mapped[date | None] = mapped_column(Date)
    # Where the planner plans their courses unless reception asks for another site.
    home_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", name="fk_patients_home_site"))
    # Set when they texted STOP (or the SMS provider reported the number opted out): no SMS until they text START.
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The name folded for search (lower case, no accents, a space before each word), kept in step
    # with the name: by this default on any insert (Core ones too), by the event below on change.
    search_name: Mapped[str] = mapped_column(String(400), default=lambda context: _folded_name(context),
                                             server_default="")


def _folded_name(context) -> str:
    return search_name(context.get_current_parameters().get("name") or "")


@event.listens_for(Patient.name, "set")
def _name_changed(patient: Patient, value: str, _old, _initiator) -> None:
    patient.search_name = search_name(value or "")
