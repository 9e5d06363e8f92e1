"""Booking a proposed course all at once, re-checked at commit time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Course, CourseEvent, SessionType, Site
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import BatchRefused, InvalidData, PlanStale, Reason
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import SessionOrder, place_orders
from planner.services.course_inputs import BookCourseIn
from planner.services.course_planning import ready_patient, propose_course
from planner.services.protocols import active_protocol
from planner.services.validation import parse


def book_course(data: dict, actor: Actor, now: datetime) -> int:
    """Book every session of a proposed course or none; a stale plan raises PlanStale with a fresh offer."""
    course = parse(BookCourseIn, data)
    try:
        return _book(course, actor, now)
    except BatchRefused as refused:
        fresh = propose_course(course.patient_id, course.protocol, course.preferences, now, course.start)
        raise PlanStale(refused.refusals, fresh) from None


def _book(course: BookCourseIn, actor: Actor, now: datetime) -> int:
    with unit_of_work() as session:
        ready_patient(session, course.patient_id)
        protocol_row, protocol = active_protocol(session, course.protocol)
        site = session.get(Site, course.site_id)
        if site is None:
            raise InvalidData([Reason("unknown", f"No site with id {course.site_id}.", "site_id")])
        type_ids = _type_ids(session, course)
        items = [CourseItem(s.purpose, s.session_type, s.dose_number, local(s.start, site.timezone).date())
                 for s in course.sessions]
        breaches = course_breaches(protocol, items)
        if breaches:
            raise InvalidData(breaches)
        lock_for_booking(session, {site.id}, {p.staff_id for s in course.sessions for p in s.staff},
                         {course.patient_id})
        first = course.start or min(item.day for item in items)
        row = Course(patient_id=course.patient_id, protocol_id=protocol_row.id, site_id=site.id, status="planned",
                     preferences=course.preferences.model_dump(mode="json"), first_day=first, version=1,
                     created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        orders = [SessionOrder(course.patient_id, site.id, type_ids[s.session_type], s.start, s.room_id,
                               tuple((p.staff_id, p.role) for p in s.staff), row.id, purpose=s.purpose,
                               dose_number=s.dose_number) for s in course.sessions]
        created = place_orders(session, orders, actor, now, "sessions")
        session.add(CourseEvent(course_id=row.id, at=now, actor=actor.label, kind="booked",
                                details={"sessions": created, "protocol_version": protocol.version}))
        record(session, actor, "course.booked", "course", row.id, now, protocol=protocol.key,
               version=protocol.version, sessions=len(created))
        session.commit()
        return row.id


def _type_ids(session: OrmSession, course: BookCourseIn) -> dict[str, int]:
    keys = {s.session_type for s in course.sessions}
    found = dict(session.execute(select(SessionType.key, SessionType.id).where(SessionType.key.in_(keys))).all())
    missing = [Reason("unknown", f"No session type {s.session_type!r}.", f"sessions[{i}].session_type")
               for i, s in enumerate(course.sessions) if s.session_type not in found]
    if missing:
        raise InvalidData(missing)
    return found
