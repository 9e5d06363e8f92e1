"""Booking, moving and cancelling single sessions, and booking several at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Session, SessionStaff, SessionType
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain import front_desk, lifecycle
from planner.domain.booking import check_session
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.calendar import local
from planner.domain.errors import BatchRefused, BookingRefused, InvalidData, NotFound, Reason, StatusRefused
from planner.domain.planning.verify import LiveSession, added_breaches, move_breaches
from planner.domain.patients import dosing_readiness
from planner.domain.rems import esketamine_reasons
from planner.services import Actor
from planner.services.audit import record
from planner.services.course_status import refresh_course_status
from planner.services.notices import queue_notices
from planner.services.request_resolution import resolve_by_move
from planner.services.rems_forms import owe_monitoring_form

# The steps that lead to giving a dose: each needs the REMS to hold for an esketamine session.
TOWARD_THE_DOSE = frozenset({lifecycle.BOOKED, lifecycle.ARRIVED, lifecycle.IN_PROGRESS})


@dataclass(frozen=True)
class SessionOrder:
    """What reception asks for: one session for a patient, at a place and time, with staff."""

    patient_id: int
    site_id: int
    session_type_id: int
    start: datetime
    room_id: int | None = None
    staff: tuple[tuple[int, str], ...] = ()  # (staff_id, role)
    course_id: int | None = None
    note: str = ""
    purpose: str | None = None       # within a course: dose, preparation, integration, ...
    dose_number: int | None = None   # the dose it is, or the dose it is tied to


def book_session(order: SessionOrder, actor: Actor, now: datetime) -> int:
    """Book one session, or raise BookingRefused with every reason; returns its id."""
    try:
        return _book([order], actor, now, None)[0]
    except BatchRefused as refused:
        raise BookingRefused(refused.refusals[0]) from None


def book_sessions(orders: list[SessionOrder], actor: Actor, now: datetime) -> list[int]:
    """Book several sessions all or nothing; BatchRefused names each refused one."""
    return _book(orders, actor, now, "sessions")


def _book(orders: list[SessionOrder], actor: Actor, now: datetime, prefix: str | None) -> list[int]:
    if not orders:
        raise InvalidData([Reason("empty", "Give at least one session to book.", "sessions")])
    with unit_of_work() as session:
        # What the orders name (patient, site, type, room, staff) is read before the lock: the lock
        # guards the sessions and duties the rules read, and holding it shorter lets more through.
        requests = [build_request(session, order, f"{prefix}[{index}]." if prefix else "")
                    for index, order in enumerate(orders)]
        lock_for_booking(session, {o.site_id for o in orders}, {s for o in orders for s, _ in o.staff},
                         {o.patient_id for o in orders})
        ids = place_orders(session, orders, actor, now, prefix, requests)
        session.commit()
        return ids


def place_orders(session: OrmSession, orders: list[SessionOrder], actor: Actor, now: datetime,
                 prefix: str | None = "sessions", requests: list[SessionRequest] | None = None) -> list[int]:
    """Check and add sessions inside the caller's locked transaction; their ids, or BatchRefused if any is refused."""
    session.flush()  # the checks read with plain SQL: they must see the caller's changes so far
    refusals: dict[int, list[Reason]] = {}
    created: list[tuple[int, SessionOrder, SessionRequest]] = []
    for index, order in enumerate(orders):
        request = (requests[index] if requests is not None
                   else build_request(session, order, f"{prefix}[{index}]." if prefix else ""))
        reasons = check_request(session, request, now)
        if reasons:
            refusals[index] = reasons
            continue
        # Written at once, so the next order in the batch sees this one.
        created.append((_insert(session, order, request, now), order, request))
    if refusals:
        raise BatchRefused(refusals)
    for session_id, order, request in created:
        record(session, actor, "session.booked", "session", session_id, now, start=request.window.start.isoformat(),
               site_id=order.site_id, room_id=order.room_id, patient_id=order.patient_id, course_id=order.course_id)
    ids = [session_id for session_id, _, _ in created]
    queue_notices(session, ids, now)  # invites and reminders commit with the booking, or not at all
    return ids


def reschedule_session(session_id: int, start: datetime, actor: Actor, now: datetime,
                       room_id: int | None = None, staff: tuple[tuple[int, str], ...] | None = None) -> int:
    """Move a session (and optionally its room or staff); returns the new version."""
    with unit_of_work() as session:
        moved = move_session(session, session_id, start, actor, now, room_id, staff)
        session.commit()
        return moved.version


def move_session(session: OrmSession, session_id: int, start: datetime, actor: Actor, now: datetime,
                 room_id: int | None = None, staff: tuple[tuple[int, str], ...] | None = None) -> Rescheduled:
    """reschedule_session inside the caller's transaction (which commits it): the new version, requests resolved."""
    row = _get(session, session_id)
    lifecycle.ensure_movable(row.status)
    order = SessionOrder(row.patient_id, row.site_id, row.session_type_id, start,
                         room_id if room_id is not None else row.room_id,
                         staff if staff is not None else tuple((p.staff_id, p.role) for p in row.staff),
                         row.course_id)
    lock_for_booking(session, {row.site_id}, {s for s, _ in order.staff}, {row.patient_id})
    request = build_request(session, order)
    reasons = check_request(session, request, now, ignore=row.id)
    if row.course_id is not None:
        reasons += course_move_reasons(session, row.course_id, row.id, request)
    if reasons:
        raise BookingRefused(reasons)
    before, team_before = row.starts_at, {(p.staff_id, p.role) for p in row.staff}
    if (row.starts_at, row.room_id, team_before) != (request.window.start, order.room_id, set(order.staff)):
        row.sequence += 1  # calendars show time, place and team: they must update
    if row.starts_at != request.window.start:
        row.confirmed_at = None  # the patient confirmed the old time, not this one
    row.starts_at, row.ends_at, row.room_id = request.window.start, request.window.end, order.room_id
    row.staff = placements_for(request)
    row.version += 1
    row.updated_at = now
    queue_notices(session, [row.id], now)
    record(session, actor, "session.rescheduled", "session", row.id, now, before=before.isoformat(),
           after=row.starts_at.isoformat(), room_id=row.room_id, version=row.version)
    # The patient's "another time" is answered by the move, whichever path made it (page, API, CLI).
    version = row.version  # read before the caller's commit expires the row
    return Rescheduled(version, tuple(resolve_by_move(session, row.id, actor, now)))


@dataclass(frozen=True)
class Rescheduled:
    """A move made: the session's new version and the patient's requests it answered (marked done)."""

    version: int
    resolved: tuple[int, ...]


def course_move_reasons(session: OrmSession, course_id: int, session_id: int, request: SessionRequest) -> list[Reason]:
    """The protocol rules a course would newly break if one of its sessions took the request's day."""
    course = reads.course(session, course_id)
    zone = request.site.calendar.zone
    live = [LiveSession(s.id, s.purpose, s.type_key, s.dose_number, local(s.start, zone).date())
            # A held dose is made up by another: only the sessions that stand count.
            for s in course.sessions if lifecycle.holds_place(s.status) and s.status != lifecycle.HELD]
    return move_breaches(course.protocol, live, session_id, request.site.calendar.local_day(request.start))


def course_add_reasons(session: OrmSession, course_id: int, request: SessionRequest, purpose: str | None,
                       dose_number: int | None) -> list[Reason]:
    """The protocol rules a course would newly break if a session for purpose and dose_number took the request's day."""
    course = reads.course(session, course_id)
    live = [LiveSession(s.id, s.purpose, s.type_key, s.dose_number, local(s.start, request.site.calendar.zone).date())
            for s in course.sessions if lifecycle.holds_place(s.status) and s.status != lifecycle.HELD]
    added = LiveSession(0, purpose or "", request.session_type.key, dose_number,
                        request.site.calendar.local_day(request.start))
    return added_breaches(course.protocol, live, added)


def cancel_session(session_id: int, actor: Actor, now: datetime, reason: str = "") -> int:
    """Cancel a session, releasing its room and staff; returns the new version."""
    return change_status(session_id, lifecycle.CANCELLED, actor, now, reason)


def change_status(session_id: int, status: str, actor: Actor, now: datetime, reason: str = "",
                  escort_confirmed: bool = False) -> int:
    """Move a session along its lifecycle (arrived, held, no-show, ...); returns the new version."""
    with unit_of_work() as session:
        version = set_status(session, session_id, status, actor, now, reason, escort_confirmed)
        session.commit()
        return version


def set_status(session: OrmSession, session_id: int, status: str, actor: Actor, now: datetime,
               reason: str = "", escort_confirmed: bool = False, reviewed: bool = False) -> int:
    """change_status inside the caller's transaction (which commits it); returns the new version.

    Checking in a dose needs its escort confirmed (domain.md: a responsible adult takes the
    patient home after every dose), on every path that checks a patient in; holding a dose needs
    a reason (front_desk.hold_reason), on every path that holds one. A held dose goes on only
    through the prescriber's review (reviewed, from checkin_vitals.review_held_dose, which checks
    who reviews): the board's "Start" and the status API cannot clear a hold.
    """
    if status == lifecycle.HELD:  # whoever reviews a held dose needs to know why, on every path
        reason = front_desk.hold_reason(status, reason)
    # Locked and read as committed: of two desks moving one session on at once, the second sees
    # the first's status and is refused by the lifecycle, rather than doing the step twice.
    row = session.get(Session, session_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound("session", session_id)
    before = row.status
    row.status = lifecycle.transition(row.status, status)
    site = reads.site(session, row.site_id)
    stype = reads.session_type_from_row(session.get(SessionType, row.session_type_id))
    # Every reason at once: a refusal names the escort and the timing together.
    refused = (front_desk.escort_reasons(stype.kind, status, escort_confirmed)
               + front_desk.review_reasons(stype.kind, before, status, reviewed)
               + lifecycle.timing_reasons(status, row.starts_at, now, site.calendar.zone))
    if status in TOWARD_THE_DOSE and stype.is_dosing:
        # Screening and consent may have changed since the booking (a withdrawal, an expiry, a new
        # screening that needs review): no step toward the dose is taken without them, on any path.
        patient = reads.patient(session, row.patient_id)
        day = site.calendar.local_day(row.starts_at)
        refused += dosing_readiness(patient, day)
        if stype.is_esketamine:
            # REMS (domain.md): enrolment or certification may have lapsed since the booking.
            refused += esketamine_reasons(stype, site, patient.rems_enrolled_on, day)
    if refused:
        raise StatusRefused(refused)
    if status == lifecycle.ARRIVED and front_desk.needs_escort(stype.kind):
        record(session, actor, "session.escort_confirmed", "session", row.id, now)
    row.version += 1
    if status == lifecycle.CANCELLED:
        row.sequence += 1  # iTIP: a CANCEL carries a higher SEQUENCE than the invite it takes back
    row.updated_at = now
    if reason:
        row.note = reason[:500]
    queue_notices(session, [row.id], now)
    record(session, actor, f"session.{status}", "session", row.id, now, before=before, reason=reason,
           version=row.version)
    if row.course_id is not None:
        refresh_course_status(session, row.course_id, now)
    if status == lifecycle.FULFILLED and stype.is_esketamine:
        # The dose was given: the REMS patient monitoring form is owed, in this same transaction.
        owe_monitoring_form(session, row, site.calendar.zone, actor, now)
    return row.version  # read before the caller's commit expires the row


def _get(session: OrmSession, session_id: int) -> Session:
    row = session.get(Session, session_id)
    if row is None:
        raise NotFound("session", session_id)
    return row


def build_request(session: OrmSession, order: SessionOrder, prefix: str = "") -> SessionRequest:
    """The domain request for an order; ids that name nothing are bad input (422), not conflicts."""
    problems = []
    if order.start.tzinfo is None:
        problems.append(Reason("naive_time", "Give the start with a time zone offset.", f"{prefix}start"))
    # The patient, whose screening, consent and REMS status matter, is read afresh.
    found = reads.booking_subjects(session, order.patient_id, order.site_id, order.session_type_id)
    patient, site, stype = found.patient, found.site, found.session_type
    room = found.rooms.get(order.room_id) if order.room_id is not None else None
    for value, key, field, what in ((patient, order.patient_id, "patient_id", "patient"),
                                    (site, order.site_id, "site_id", "site"),
                                    (stype, order.session_type_id, "session_type_id", "session type"),
                                    (room, order.room_id, "room_id", "room")):
        if key is not None and value is None:
            problems.append(Reason("unknown", f"No {what} with id {key}.", f"{prefix}{field}"))
    for index, (staff_id, _role) in enumerate(order.staff):
        if staff_id not in found.staff_ids:
            problems.append(Reason("unknown", f"No staff member with id {staff_id}.",
                                   f"{prefix}staff[{index}].staff_id"))
    if problems:
        raise InvalidData(problems)
    placements = tuple(Placement(staff_id, role) for staff_id, role in order.staff)
    return SessionRequest(patient, site, stype, order.start, order.room_id, placements)


def check_request(session: OrmSession, request: SessionRequest, now: datetime,
                  ignore: int | None = None) -> list[Reason]:
    """Every booking-rule reason against the request, reading only rows near its window."""
    return check_session(request, reads.for_booking(session, request), now, ignore_session_id=ignore)


def placements_for(request: SessionRequest) -> list[SessionStaff]:
    """Staff rows for a request, each with the part of the window its role covers."""
    return [SessionStaff(**placed) for placed in _placement_values(request)]


def _placement_values(request: SessionRequest) -> list[dict]:
    needs = {need.role: need for need in request.session_type.needs}
    values = []
    for p in request.placements:
        window = request.session_type.role_window(request.start, needs[p.role])
        values.append({"staff_id": p.staff_id, "role": p.role, "starts_at": window.start, "ends_at": window.end})
    return values


def _insert(session: OrmSession, order: SessionOrder, request: SessionRequest, now: datetime) -> int:
    # Plain inserts: the ORM's unit of work cost more than the writes themselves, and nothing in
    # the transaction needs the rows as objects.
    sessions, staff = Session.__table__, SessionStaff.__table__
    session_id = session.execute(insert(sessions).returning(sessions.c.id).values(
        patient_id=order.patient_id, site_id=order.site_id, session_type_id=order.session_type_id,
        room_id=order.room_id, starts_at=request.window.start, ends_at=request.window.end, status=lifecycle.BOOKED,
        version=1, course_id=order.course_id, note=order.note, purpose=order.purpose, dose_number=order.dose_number,
        created_at=now, updated_at=now)).scalar_one()
    placed = [{"session_id": session_id, **values} for values in _placement_values(request)]
    if placed:
        session.execute(insert(staff), placed)
    return session_id
