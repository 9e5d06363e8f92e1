"""Sessions nobody checked in for: marked no-show once they are well over, so the day's record is true."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from planner.db.models import Session
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.errors import InvalidTransition, StatusRefused
from planner.services import SYSTEM
from planner.services.booking import change_status

# Reception often checks a patient in late; an hour after the session's end nobody will.
GRACE = timedelta(hours=1)


def mark_no_shows(now: datetime) -> int:
    """Mark every session still booked an hour after its end as a no-show; returns how many."""
    with unit_of_work(write=False) as session:
        overdue = session.scalars(select(Session.id).where(Session.status == lifecycle.BOOKED,
                                                           Session.ends_at <= now - GRACE)).all()
    marked = 0
    for session_id in overdue:
        try:  # each through the one status path, so courses refresh and the outbox follows
            change_status(session_id, lifecycle.NO_SHOW, SYSTEM, now, "not checked in (marked by the scheduler)")
            marked += 1
        except (InvalidTransition, StatusRefused):
            continue  # someone changed it meanwhile; theirs stands
    return marked
