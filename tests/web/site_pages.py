"""Helpers for the site set-up page tests: an admin signed in, a booked dose, posting one of the page's forms."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from planner.db.models import AuditEvent
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.web.conftest import csrf_from

NY = "America/New_York"


def book_dose(clinic, now, hour: int = 9, day=f.MONDAY, patient: int = 0, chair: int = 0, kind: str = "iv") -> int:
    """A dose at the clinic on a local day and hour, with the prescriber and the first nurse."""
    type_id = clinic.iv if kind == "iv" else clinic.esketamine
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, type_id, to_utc(day, time(hour), NY),
                                     clinic.chairs[chair], ((clinic.prescriber, "supervising_prescriber"),
                                                            (clinic.nurses[0], "monitoring_clinician"))),
                        SYSTEM, now)


def post_form(client, path: str, prefix: str, page: str = "", **fields):
    """Post one form of a page as a browser would: its prefixed fields and its CSRF token."""
    token = csrf_from(client.get(page or path.split("/setup")[0] + "/setup").data)
    data = {f"{prefix}-csrf_token": token}
    for name, value in fields.items():
        data[f"{prefix}-{name}"] = value
    return client.post(path, data=data)


def audited() -> int:
    """How many audit events there are (read afresh: services commit on their own)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def error_beside(page: bytes, field_id: str) -> str:
    """The error shown beside a field (its id), or '' when none is."""
    text = page.decode()
    marker = f'id="{field_id}-error">'
    if marker not in text:
        return ""
    return text.split(marker, 1)[1].split("</p>", 1)[0]
