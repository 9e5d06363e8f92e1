"""Shared by the feed, outbox and SMS page tests: a reachable clinic, booking helpers, reading pages back."""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select, update

from planner.db.models import OutboxMessage, Patient, Site, Staff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY

DESK = Actor("reception@example.org")
SITE_PHONE = "+12125550100"
PATIENT_PHONE = "+12125550142"


def at(hour: int, day_offset: int = 0) -> datetime:
    """A wall-clock hour in New York in the week of factories.MONDAY, as UTC."""
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), "America/New_York")


def make_reachable(clinic) -> None:
    """Every patient takes email and SMS at PATIENT_PHONE, every staff member has an email, the site a phone."""
    db.session.execute(update(Patient).values(consented_channels=["email", "sms"], phone=PATIENT_PHONE))
    for staff_id in [clinic.prescriber, *clinic.nurses, clinic.therapist]:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.execute(update(Site).values(phone=SITE_PHONE))
    db.session.commit()


def book_iv(clinic, now: datetime, patient: int = 0, chair: int = 0, nurse: int = 0, start: datetime | None = None) -> int:
    """An IV session (the clinic's MD supervising, an RN monitoring), booked at `now`."""
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], "monitoring_clinician"))
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start or at(9),
                                     clinic.chairs[chair], staff), DESK, now)


def book_therapy(clinic, now: datetime, patient: int = 0, start: datetime | None = None) -> int:
    """An integration session with the therapist in the office, booked at `now`."""
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.integration, start or at(14),
                                     clinic.office, ((clinic.therapist, "therapist"),)), DESK, now)


def outbox_rows(**where) -> list[OutboxMessage]:
    """Outbox messages matching column == value, oldest first, read afresh."""
    db.session.rollback()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    rows = db.session.scalars(query).all()
    db.session.rollback()
    return list(rows)


def text_of(response) -> str:
    """The page as a person reads it: tags removed, blanks folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.data.decode())).strip())


def calendar(body: bytes | str):
    """A calendar file as the independent parser (`ical`) reads it."""
    return IcsCalendarStream.calendar_from_ics(body if isinstance(body, str) else body.decode("utf-8"))
