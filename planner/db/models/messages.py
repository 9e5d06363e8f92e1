"""The outbox of messages to patients and staff, its history, calendar-feed tokens, patients' requests."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db

OUTBOX_STATES = ("pending", "sending", "sent", "failed", "dropped", "superseded")
_STATE_LIST = ", ".join(f"'{s}'" for s in OUTBOX_STATES)


class OutboxMessage(db.Model):
    """One message to one person by one channel, written in the transaction of the change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "state", "due_at"),
                      Index("ix_outbox_recipient_sent", "recipient_kind", "recipient_id", "channel", "sent_at"),
                      CheckConstraint(f"state IN ({_STATE_LIST})", name="ck_outbox_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # (session, recipient, channel, kind, sequence): the same message can never be queued twice.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(10))  # patient, staff
    recipient_id: Mapped[int] = mapped_column(Integer)
    recipient_name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(10))          # email, sms
    address: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))             # invite, cancel, reminder-72h, ...
    sequence: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict] = mapped_column(JSON)                 # SessionFacts as queued
    state: Mapped[str] = mapped_column(String(12), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(300), default="")  # why dropped, failed or superseded


class OutboxEvent(db.Model):
    """A step in a message's life (queued, claimed, sent, retried, dropped), for the delivery log."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(300), default="")


class FeedToken(db.Model):
    """A revocable token behind one calendar feed URL, stored as its SHA-256 only."""

    __tablename__ = "feed_tokens"
    __table_args__ = (CheckConstraint("(staff_id IS NULL) <> (patient_id IS NULL)", name="ck_feed_tokens_one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PatientRequest(db.Model):
    """A patient's request about a session (another time), for reception to work."""

    __tablename__ = "patient_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="another_time")
    note: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(12), default="open")  # open, done, withdrawn
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class LinkUse(db.Model):
    """A patient's link acted on: a link is bound to one version of its session and works once."""

    __tablename__ = "link_uses"
    __table_args__ = (UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClinicSettings(db.Model):
    """How the clinic tells people: its name, what staff invites show, quiet hours (one row)."""

    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_name: Mapped[str] = mapped_column(String(120), default="The clinic")
    # Off by default: staff invites are as discreet as patients'; on adds the session type's name.
    staff_invites_detailed: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_from: Mapped[time] = mapped_column(Time, default=time(21, 0))
    quiet_until: Mapped[time] = mapped_column(Time, default=time(8, 0))
