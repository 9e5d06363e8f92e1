"""A course's status follows its doses: planned, active once a dose is given, completed, or stopped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Course, CourseEvent, Session
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.courses import course_status
from planner.domain.errors import InvalidTransition, NotFound
from planner.services import Actor
from planner.services.audit import record
from planner.services.notices import queue_notices
from planner.services.protocols import protocol_version

def refresh_course_status(session: OrmSession, course_id: int, now: datetime) -> str:
    """Bring a course's status in line with its doses (inside the caller's transaction)."""
    course = session.get(Course, course_id)
    if course is None or course.status == "stopped":
        return course.status if course else ""
    doses = list(session.scalars(select(Session.status).where(Session.course_id == course_id,
                                                              Session.purpose == "dose")))
    status = course_status(course.status, doses, protocol_version(session, course.protocol_id).total_doses)
    if status != course.status:
        course.status, course.updated_at = status, now
        session.add(CourseEvent(course_id=course_id, at=now, actor="system", kind=status, details={}))
    return status


def stop_course(course_id: int, actor: Actor, now: datetime, reason: str = "") -> int:
    """Stop a course: cancel its sessions still to come; returns how many were cancelled."""
    with unit_of_work() as session:
        course = session.get(Course, course_id)
        if course is None:
            raise NotFound("course", course_id)
        if course.status in ("stopped", "completed"):
            raise InvalidTransition(course.status, "stopped")
        upcoming = session.scalars(select(Session).where(Session.course_id == course_id,
                                                         Session.status.in_(lifecycle.MOVABLE)))
        cancelled = []
        for row in upcoming:
            row.status, row.version, row.sequence, row.updated_at = (lifecycle.CANCELLED, row.version + 1,
                                                                     row.sequence + 1, now)
            cancelled.append(row.id)
        queue_notices(session, cancelled, now)
        cancelled = len(cancelled)
        course.status, course.version, course.updated_at = "stopped", course.version + 1, now
        session.add(CourseEvent(course_id=course_id, at=now, actor=actor.label, kind="stopped",
                                details={"reason": reason, "cancelled": cancelled}))
        record(session, actor, "course.stopped", "course", course_id, now, reason=reason, cancelled=cancelled)
        session.commit()
        return cancelled
