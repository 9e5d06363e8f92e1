"""Proposing and booking whole courses on the real database."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.db.models import Course, CourseEvent, Session
from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, InvalidData, PlanStale
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.protocols import save_protocol
from tests import factories as f
from tests.factories import as_order, booking_body, booking_order, ready_patient

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ZONE = "America/New_York"


def test_a_proposal_offers_a_complete_iv_course_and_alternatives(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, date(2026, 11, 23))
    assert proposal.plans and not proposal.reasons
    best = proposal.plans[0]
    assert len(best.sessions) == 13
    assert [s.purpose for s in best.sessions].count("dose") == 6
    morning = local(best.sessions[1].start, ZONE).hour < 12
    assert any((local(p.sessions[1].start, ZONE).hour < 12) != morning for p in proposal.plans[1:])


def test_booking_a_proposed_course_writes_every_session_with_its_course(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    course_id = book_course(booking_order(proposal, patient), SYSTEM, NOW)
    sessions = db.session.scalars(select(Session).where(Session.course_id == course_id)).all()
    assert len(sessions) == 13 and {s.status for s in sessions} == {"booked"}
    assert sorted(s.dose_number for s in sessions if s.purpose == "dose") == [1, 2, 3, 4, 5, 6]
    course = db.session.get(Course, course_id)
    assert course.status == "planned" and course.protocol.key == "iv-induction"
    assert [e.kind for e in db.session.scalars(select(CourseEvent))] == ["booked"]


def test_a_stale_plan_books_nothing_and_comes_back_with_a_fresh_one(course_clinic):
    patient, rival = ready_patient(), ready_patient("RIVAL")
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    body = booking_body(proposal, patient)
    rival_body = booking_body(proposal, rival)
    book_course(as_order(rival_body), SYSTEM, NOW)  # someone else takes those chairs and nurses first
    with pytest.raises(PlanStale) as stale:
        book_course(as_order(body), SYSTEM, NOW)
    assert stale.value.refusals and stale.value.fresh.plans
    assert db.session.scalar(select(func.count()).select_from(Course)) == 1
    assert db.session.scalar(select(func.count()).select_from(Session).where(Session.patient_id == patient)) == 0


def test_a_plan_that_breaks_the_protocol_is_refused_as_bad_input(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, date(2026, 11, 23))
    body = booking_body(proposal, patient)
    body["sessions"] = [s for s in body["sessions"] if s["dose_number"] != 6 or s["purpose"] != "dose"]
    with pytest.raises(InvalidData) as bad:
        book_course(as_order(body), SYSTEM, NOW)
    assert "doses" in {p.code for p in bad.value.problems}


def test_a_course_cannot_start_before_screening_and_consent(course_clinic):
    patient = f.make_patient("NEW-1", screening_status="pending", consent_status="pending")
    with pytest.raises(BookingRefused) as refused:
        propose_course(patient, "iv-induction", PreferencesIn(), NOW)
    assert {r.code for r in refused.value.reasons} == {"screening_not_cleared", "consent_not_signed"}


def test_no_plan_explains_the_binding_constraint(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(weekdays=[5]), NOW, date(2026, 11, 23))
    assert proposal.plans == [] and any("the protocol needs 6 dose(s)" in r for r in proposal.reasons)


def test_a_new_protocol_version_leaves_running_courses_on_theirs(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), NOW, date(2026, 11, 23))
    course_id = book_course(booking_order(proposal, patient), SYSTEM, NOW)
    from planner.domain.protocol_library import DEFAULT_PROTOCOLS
    from planner.domain.protocols import protocol_to_dict

    changed = protocol_to_dict(DEFAULT_PROTOCOLS[0])
    changed["phases"][0]["window_days"] = 28
    assert save_protocol(changed, SYSTEM, NOW) == ("iv-induction", 2)
    assert db.session.get(Course, course_id).protocol.version == 1


def test_a_protocol_that_can_never_be_met_is_refused(course_clinic):
    bad = {"key": "odd", "name": "Odd", "dosing_type": "iv-infusion",
           "phases": [{"name": "x", "doses": 4, "min_gap_days": 5, "max_gap_days": 2}]}
    with pytest.raises(InvalidData) as refused:
        save_protocol(bad, SYSTEM, NOW)
    assert refused.value.problems[0].field == "phases[0].max_gap_days"
