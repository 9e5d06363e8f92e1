"""Helpers for the admin's staff page tests: a session booked with a nurse, rows read afresh, forms posted with a token."""

from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import func, select

from planner.db.models import Credential, Shift, Staff, TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY
from tests.web.conftest import csrf_from

NY = "America/New_York"
NINE = to_utc(MONDAY, time(9), NY)
BOOKED_AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def book_nurse(clinic, nurse: int = 0, at: datetime = NINE, chair: int = 0) -> int:
    """An IV dose on MONDAY with the clinic's prescriber and one of its nurses; returns the session id."""
    return book_session(SessionOrder(clinic.patients[chair], clinic.site, clinic.iv, at, clinic.chairs[chair],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[nurse], "monitoring_clinician"))), SYSTEM, BOOKED_AT)


def rows(model, **where) -> list:
    """Rows of a model, read in a fresh snapshot (the services commit on their own)."""
    db.session.rollback()
    statement = select(model).order_by(model.id)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    found = list(db.session.scalars(statement))
    for row in found:
        db.session.expunge(row)
    return found


def count(model) -> int:
    """How many rows a table holds, read afresh."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def post(client, path: str, data: dict | None = None, form_path: str | None = None):
    """Post a form the way a browser does: GET the page it is on for its token, then POST."""
    page = client.get(form_path or path)
    assert page.status_code == 200, page.data[:400]
    return client.post(path, data={**(data or {}), "csrf_token": csrf_from(page.data)})


def shift_on(staff_id: int, day) -> Shift:
    """The person's shift starting on a local New York day."""
    return next(s for s in rows(Shift, staff_id=staff_id) if s.starts_at.date() == day)  # 08:00 EST is 13:00 UTC


__all__ = ["Credential", "Staff", "TimeOff", "book_nurse", "rows", "count", "post", "shift_on", "NINE", "NY"]
