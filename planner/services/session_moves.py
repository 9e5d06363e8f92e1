"""Moving one booked session: offers for its new time (as if it were not there), and the move itself."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import update

from planner.db import reads
from planner.db.models import PatientRequest, Session
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain import lifecycle
from planner.domain.availability import free_windows
from planner.domain.calendar import local
from planner.domain.clinic import SessionRequest
from planner.domain.errors import (BatchRefused, BookingRefused, InvalidData, NotFound, Reason, RequestResolved,
                                   StatusRefused)
from planner.domain.patient_page import ANOTHER_TIME_REQUEST, REPLAN_REQUEST
from planner.domain.offers import SPREAD, Offer, make_offers, start_times
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import (Rescheduled, SessionOrder, build_request, course_add_reasons,
                                      course_move_reasons, move_session, place_orders)
from planner.services.course_status import refresh_course_status
from planner.services.offers import LONGEST, Offers, find_offers
from planner.services.session_page import REBOOK_REQUEST

# Requests about a cancelled session waiting for a new time: booking an offer answers them.
WAITING = (REBOOK_REQUEST, REPLAN_REQUEST)

MOST = 20


@dataclass(frozen=True)
class MoveOffers:
    """Offers for a session's new time; those that would break its course's protocol are set aside with why."""

    found: Offers
    breaking: list[tuple[Offer, list[Reason]]]  # course sessions only: offers the protocol refuses


def move_offers(session_id: int, first: date, last: date, now: datetime, limit: int = MOST,
                more: bool = False) -> MoveOffers:
    """Offers from first to last (site-local days) that reschedule would accept for this session, best first.

    Spread an hour apart on each day, as find_offers; more=True offers every start time instead.
    """
    if last < first:
        raise InvalidData([Reason("end_before_start", "The last day comes before the first.", "day")])
    if last - first > LONGEST:
        raise InvalidData([Reason("too_long", "Ask for offers over at most a week (7 days) at a time.", "day")])
    with reads.reading() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        if row.status not in lifecycle.MOVABLE:
            raise StatusRefused([Reason("not_movable", f"A session that is {lifecycle_words(row.status)} cannot "
                                                       "be moved.", "status")])
        site, patient = reads.site(session, row.site_id), reads.patient(session, row.patient_id)
        stype = reads.session_type(session, row.session_type_id)
        # The clinic as if this session were not there: its own chair, team and the patient's
        # "one dose a day" must not stand in the way of its new time (reschedule ignores it too).
        state = reads.for_offers(session, site, first, last, row.patient_id).without({row.id})
        windows = free_windows(stype, state, first, last, now, row.patient_id)
        starts = [s for s in start_times(windows, timedelta(minutes=site.slot_minutes)) if s != row.starts_at]
        listed = make_offers(stype, state, starts, now, patient, limit, None if more else SPREAD)
        offers, breaking = listed.offers, []
        if row.course_id is not None:
            kept = []
            for offer in offers:
                request = SessionRequest(patient, site, stype, offer.start, offer.room_id, ())
                reasons = course_move_reasons(session, row.course_id, row.id, request)
                (breaking.append((offer, reasons)) if reasons else kept.append(offer))
            offers = kept
        return MoveOffers(Offers(site, stype, patient, first, last, offers, listed.reasons, listed.closer), breaking)


@dataclass(frozen=True)
class Neighbour:
    """One of the course's sessions that still stand, as it would be after the move."""

    purpose: str
    dose_number: int | None
    start: datetime         # in the site's zone; the moved one at its new time
    moved: bool
    days_from_moved: int    # local days from the moved session's new day (negative: before it)


@dataclass(frozen=True)
class CourseMove:
    """What moving a course's session would do to its course: the rules it would break, and its sessions after it."""

    reasons: list[Reason]
    around: list[Neighbour]  # the course's standing sessions within NEAR days of the new time, in time order


NEAR = 7  # a week either side: the gaps a dose move can touch


def course_check(session_id: int, start: datetime) -> CourseMove:
    """What the session's course protocol would newly break were it moved to start, and the course around it then."""
    with reads.reading() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        if row.course_id is None:
            return CourseMove([], [])
        site, patient = reads.site(session, row.site_id), reads.patient(session, row.patient_id)
        stype = reads.session_type(session, row.session_type_id)
        request = SessionRequest(patient, site, stype, start, None, ())
        reasons = course_move_reasons(session, row.course_id, row.id, request)
        calendar = site.calendar
        new_day = calendar.local_day(start)
        around = []
        for s in reads.course(session, row.course_id).sessions:
            if not lifecycle.holds_place(s.status) or s.status == lifecycle.HELD:
                continue
            when = start if s.id == row.id else s.start
            days = (calendar.local_day(when) - new_day).days
            if abs(days) <= NEAR:
                around.append(Neighbour(s.purpose, s.dose_number, local(when, calendar.zone), s.id == row.id, days))
        return CourseMove(reasons, sorted(around, key=lambda n: n.start))


def move(session_id: int, start: datetime, room_id: int | None, staff: tuple[tuple[int, str], ...], actor: Actor,
         now: datetime, request_id: int | None = None, shown_version: int | None = None) -> Rescheduled:
    """Move a session through the booking rules; its open "another time" requests are marked done in the same commit.

    request_id: the request the desk was working; if it was resolved meanwhile (the patient withdrew it),
    nothing moves. shown_version: the version the offers were made for; a session changed since is refused.
    """
    with unit_of_work() as session:
        if request_id is not None:
            _about(session, request_id, session_id)
        moved = move_session(session, session_id, start, actor, now, room_id, staff)
        if shown_version is not None and moved.version != shown_version + 1:
            raise BookingRefused([Reason("changed", "The session changed since these offers were shown (someone "
                                                    "moved it or changed its status).", "version")])
        if request_id is not None and request_id not in moved.resolved:
            # Resolved by someone else meanwhile (withdrawn, done by hand): the desk's reason to move is gone.
            raise RequestResolved([Reason("resolved", "This request was already resolved.", "request")])
        session.commit()  # the move and the requests' resolution stand or fall together
        return moved


def _about(session, request_id: int, session_id: int) -> None:
    """NotFound unless the request is an "another time" request about this session."""
    found = session.get(PatientRequest, request_id)
    if found is None or found.session_id != session_id or found.kind != ANOTHER_TIME_REQUEST:
        raise NotFound("patient request", request_id)


def _resolve_for(session, request_id: int, session_id: int, actor: Actor, now: datetime) -> None:
    """Mark an open request about this session done (inside the caller's transaction)."""
    found = session.get(PatientRequest, request_id)
    if found is None or found.session_id != session_id:
        raise NotFound("patient request", request_id)
    # Conditional: two desks working the same request cannot both resolve it.
    changed = session.execute(update(PatientRequest)
                              .where(PatientRequest.id == request_id, PatientRequest.state == "open")
                              .values(state="done", resolved_at=now, resolved_by=actor.label[:200])).rowcount
    if not changed:
        raise RequestResolved([Reason("resolved", "This request was already resolved.", "request")])
    record(session, actor, "patient_request.done", "patient_request", request_id, now, session_id=session_id)


def lifecycle_words(status: str) -> str:
    """A status as the desk says it."""
    return status.replace("_", " ")


def rebook(request_id: int, start: datetime, room_id: int | None, staff: tuple[tuple[int, str], ...], actor: Actor,
           now: datetime) -> int:
    """Book the new time a cancelled session's request asks for, resolving the request in the same commit.

    A one-off session (a "rebook" request) gets a new one-off session; a course's session waiting to
    be re-planned (a "replan" request) gets its place back in its course (same purpose and dose),
    refused if the course's protocol would break.
    """
    with unit_of_work() as session:
        ask = session.get(PatientRequest, request_id)
        if ask is None or ask.kind not in WAITING:
            raise NotFound("patient request", request_id)
        old = session.get(Session, ask.session_id)
        in_course = ask.kind == REPLAN_REQUEST and old.course_id is not None
        order = SessionOrder(old.patient_id, old.site_id, old.session_type_id, start, room_id, staff,
                             old.course_id if in_course else None,
                             note=f"New time for session {old.id}, cancelled.",
                             purpose=old.purpose if in_course else None,
                             dose_number=old.dose_number if in_course else None)
        request = build_request(session, order)
        _resolve_for(session, request_id, old.id, actor, now)
        lock_for_booking(session, {order.site_id}, {s for s, _ in staff}, {order.patient_id})
        if in_course:
            reasons = course_add_reasons(session, old.course_id, request, old.purpose, old.dose_number)
            if reasons:
                raise BookingRefused(reasons)
        try:
            [session_id] = place_orders(session, [order], actor, now, None, [request])
        except BatchRefused as refused:
            raise BookingRefused(refused.refusals[0]) from None
        if in_course:
            refresh_course_status(session, old.course_id, now)
        session.commit()
        return session_id


def rebook_offers(session_id: int, first: date, last: date, now: datetime, more: bool = False) -> MoveOffers:
    """Offers for a cancelled session's new time; for a course's session, those its protocol refuses set aside."""
    with reads.reading() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        site_id, type_id, patient_id, course_id = row.site_id, row.session_type_id, row.patient_id, row.course_id
        purpose, dose_number = row.purpose, row.dose_number
    found = find_offers(site_id, type_id, first, last, now, patient_id, more=more)
    if course_id is None:
        return MoveOffers(found, [])
    kept, breaking = [], []
    with reads.reading() as session:
        for offer in found.offers:
            request = SessionRequest(found.patient, found.site, found.session_type, offer.start, offer.room_id, ())
            reasons = course_add_reasons(session, course_id, request, purpose, dose_number)
            (breaking.append((offer, reasons)) if reasons else kept.append(offer))
    return MoveOffers(replace(found, offers=kept), breaking)
