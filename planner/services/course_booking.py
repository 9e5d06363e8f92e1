"""Booking a proposed course all at once, re-checked at commit time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from planner.db import reads
from planner.db.models import Course, CourseEvent
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import BatchRefused, InvalidData, PlanStale, Reason
from planner.domain.planning import Plan
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import SessionOrder, place_orders
from planner.services.course_inputs import BookCourseIn, PreferencesIn
from planner.services.course_planning import propose_course, ready_patient
from planner.services.protocols import active_protocol


@dataclass(frozen=True)
class PlannedOrder:
    """One session of a course to book: its type, what it is in the course, when, where and with whom."""

    type_key: str
    purpose: str
    dose_number: int
    start: datetime
    room_id: int | None = None
    staff: tuple[tuple[int, str], ...] = ()  # (staff_id, role)


@dataclass(frozen=True)
class CourseOrder:
    """A whole course to book: a patient, a protocol, a site and every planned session."""

    patient_id: int
    protocol: str
    site_id: int
    sessions: tuple[PlannedOrder, ...]
    preferences: PreferencesIn = field(default_factory=PreferencesIn)
    start: date | None = None


def course_order(data: BookCourseIn) -> CourseOrder:
    """The order a validated request body asks for."""
    return CourseOrder(data.patient_id, data.protocol, data.site_id,
                       tuple(PlannedOrder(s.session_type, s.purpose, s.dose_number, s.start, s.room_id,
                                          tuple((p.staff_id, p.role) for p in s.staff)) for s in data.sessions),
                       data.preferences, data.start)


def order_for_plan(plan: Plan, patient_id: int, protocol: str, preferences: PreferencesIn,
                   start: date | None = None) -> CourseOrder:
    """The order that books a proposed plan as it stands."""
    return CourseOrder(patient_id, protocol, plan.sessions[0].site_id,
                       tuple(PlannedOrder(s.type_key, s.purpose, s.dose_number, s.start, s.room_id,
                                          tuple((p.staff_id, p.role) for p in s.placements)) for s in plan.sessions),
                       preferences, start)


def book_course(order: CourseOrder, actor: Actor, now: datetime) -> int:
    """Book every session of a proposed course or none; a stale plan raises PlanStale with a fresh offer."""
    try:
        return _book(order, actor, now)
    except BatchRefused as refused:
        fresh = propose_course(order.patient_id, order.protocol, order.preferences, now, order.start)
        raise PlanStale(refused.refusals, fresh) from None


def _book(order: CourseOrder, actor: Actor, now: datetime) -> int:
    with unit_of_work() as session:
        ready_patient(session, order.patient_id)
        protocol_row, protocol = active_protocol(session, order.protocol)
        site = reads.site(session, order.site_id)
        if site is None:
            raise InvalidData([Reason("unknown", f"No site with id {order.site_id}.", "site_id")])
        types = reads.session_types(session)
        missing = [Reason("unknown", f"No session type {s.type_key!r}.", f"sessions[{i}].session_type")
                   for i, s in enumerate(order.sessions) if s.type_key not in types]
        if missing:
            raise InvalidData(missing)
        items = [CourseItem(s.purpose, s.type_key, s.dose_number, local(s.start, site.calendar.zone).date())
                 for s in order.sessions]
        breaches = course_breaches(protocol, items)
        if breaches:
            raise InvalidData(breaches)
        lock_for_booking(session, {site.id}, {staff_id for s in order.sessions for staff_id, _ in s.staff},
                         {order.patient_id})
        first = order.start or min(item.day for item in items)
        row = Course(patient_id=order.patient_id, protocol_id=protocol_row.id, site_id=site.id, status="planned",
                     preferences=order.preferences.model_dump(mode="json"), first_day=first, version=1,
                     created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        orders = [SessionOrder(order.patient_id, site.id, types[s.type_key].id, s.start, s.room_id, s.staff, row.id,
                               purpose=s.purpose, dose_number=s.dose_number) for s in order.sessions]
        created = place_orders(session, orders, actor, now, "sessions")
        session.add(CourseEvent(course_id=row.id, at=now, actor=actor.label, kind="booked",
                                details={"sessions": created, "protocol_version": protocol.version}))
        record(session, actor, "course.booked", "course", row.id, now, protocol=protocol.key,
               version=protocol.version, sessions=len(created))
        session.commit()
        return row.id
