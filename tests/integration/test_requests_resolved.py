"""Patients' requests resolved by the booking that answers them: a move, a course's re-plan, in the same commit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from planner.db.models import AuditEvent, Patient, PatientRequest
from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, PlanStale, RequestResolved
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import reschedule_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan_apply import apply_replan
from planner.services.patient_actions import ask_another_time, cancel_from_link
from planner.services.patient_requests import open_requests, resolve_request
from planner.services.session_moves import move, rebook, rebook_offers
from planner.services.session_page import cancel
from tests.factories import booking_order, ready_patient
from tests.integration.test_patient_page import DESK, NOW, SECRET, ZONE, at, book, count, doses, fresh, link


@pytest.fixture
def course(course_clinic):
    """An IV induction course of six doses from Monday 23 November, mornings."""
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    return book_course(booking_order(proposal, patient), SYSTEM, NOW)


def staff_of(session_id: int) -> tuple[tuple[int, str], ...]:
    return tuple((p.staff_id, p.role) for p in fresh(session_id).staff)


def state_of(request_id: int) -> str:
    db.session.rollback()
    return db.session.get(PatientRequest, request_id).state


def test_moving_a_session_by_any_path_marks_its_another_time_request_done_and_audits_it(clinic):
    session_id = book(clinic)
    request_id = ask_another_time(link(session_id), SECRET, NOW, "Afternoons please")
    # The API's and the CLI's path: no request named, the open one for the session is derived.
    reschedule_session(session_id, at(14), DESK, NOW)
    assert state_of(request_id) == "done" and open_requests() == []
    row = db.session.get(PatientRequest, request_id)
    assert (row.resolved_at, row.resolved_by) == (NOW, DESK.label)
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_request.done")).all()
    assert (event.entity_id, event.details["by"], event.details["session_id"]) == (str(request_id),
                                                                                  "session.rescheduled", session_id)


def test_the_desk_s_move_says_which_requests_it_resolved(clinic):
    session_id = book(clinic)
    request_id = ask_another_time(link(session_id), SECRET, NOW)
    moved = move(session_id, at(14), clinic.chairs[0], staff_of(session_id), DESK, NOW, request_id)
    assert moved.resolved == (request_id,) and state_of(request_id) == "done"


def test_a_refused_move_leaves_the_request_open(clinic):
    session_id = book(clinic)
    book(clinic, patient=1, start=at(14))  # chair 0 and nurse 0 are taken at 14:00
    request_id = ask_another_time(link(session_id), SECRET, NOW)
    with pytest.raises(BookingRefused):
        move(session_id, at(14), clinic.chairs[0], staff_of(session_id), DESK, NOW, request_id)
    assert state_of(request_id) == "open" and fresh(session_id).starts_at == at(9)
    assert count(AuditEvent, AuditEvent.action == "patient_request.done") == 0


def test_a_request_withdrawn_while_the_desk_worked_it_stops_the_move(clinic):
    session_id = book(clinic)
    request_id = ask_another_time(link(session_id), SECRET, NOW)
    resolve_request(request_id, DESK, NOW, "withdrawn")
    with pytest.raises(RequestResolved):
        move(session_id, at(14), clinic.chairs[0], staff_of(session_id), DESK, NOW, request_id)
    assert fresh(session_id).starts_at == at(9) and state_of(request_id) == "withdrawn"


def test_applying_a_course_s_replan_marks_its_replan_request_done_in_the_same_commit(course):
    third = doses(course)[2]
    patient_id = third.patient_id
    # Consent lapsed: the re-plan after the patient's cancel cannot be made, so reception gets a request.
    db.session.execute(update(Patient).where(Patient.id == patient_id).values(consent_status="pending"))
    db.session.commit()
    request_id = cancel_from_link(link(third.id), SECRET, NOW).replan_request
    with pytest.raises(PlanStale):
        apply_replan(course, DESK, NOW, None)  # still no plan: the request stays on the list
    assert state_of(request_id) == "open"

    db.session.execute(update(Patient).where(Patient.id == patient_id).values(consent_status="signed"))
    db.session.commit()
    applied = apply_replan(course, DESK, NOW, None)
    assert applied.resolved == (request_id,) and state_of(request_id) == "done"
    assert len(doses(course)) == 6 and open_requests() == []
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_request.done")).all()
    assert (event.details["by"], event.details["course_id"]) == ("course.replanned", course)


def test_a_cancelled_course_dose_waiting_for_a_new_time_is_booked_back_into_its_course_from_an_offer(course):
    third = doses(course)[2]
    request_id = cancel(third.id, "The prescriber is ill", DESK, NOW, new_time=True)
    [waiting] = open_requests()
    assert (waiting.id, waiting.kind, waiting.session_status, waiting.course_id) == (request_id, "replan", "cancelled",
                                                                                    course)
    day = local(third.starts_at, ZONE).date()
    after_the_last = local(doses(course)[-1].starts_at, ZONE).date() + timedelta(days=1)

    # After the last dose every free time would break the protocol (dose 3 after dose 6): set aside with
    # why, and refused if posted all the same.
    late = rebook_offers(third.id, after_the_last, after_the_last, NOW)
    assert late.found.offers == [] and late.breaking
    offer, reasons = late.breaking[0]
    assert reasons[0].message == "Dose 3 on Thu 03 Dec would be 8 days after dose 2; the protocol allows at most 7."
    with pytest.raises(BookingRefused):
        rebook(request_id, offer.start, offer.room_id, tuple((m.staff_id, m.role) for m in offer.team), DESK, NOW)
    assert state_of(request_id) == "open"

    offer = rebook_offers(third.id, day, day, NOW).found.offers[0]
    new_id = rebook(request_id, offer.start, offer.room_id, tuple((m.staff_id, m.role) for m in offer.team), DESK, NOW)
    back = fresh(new_id)
    assert (back.course_id, back.purpose, back.dose_number, back.status) == (course, "dose", 3, "booked")
    assert state_of(request_id) == "done" and open_requests() == [] and len(doses(course)) == 6
