"""The held-dose flow through a course: high blood pressure at check-in holds the dose; held off, it is re-planned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, PatientRequest, Session
from planner.domain.errors import ReviewRefused
from planner.domain.vitals import Vitals
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.accounts import create_user
from planner.services.booking import change_status
from planner.services.checkin_vitals import record_vitals, review_held_dose
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from tests.factories import booking_order, ready_patient
from tests.integration.test_course_replan import DOSE_1_MORNING, NOW, dose, follows_protocol, live


def prescriber_account(clinic) -> Actor:
    """The account of the clinic's prescriber (MD, licensed): only a prescriber reviews a held dose."""
    user_id = create_user("ada@clinic.example", "Ada Kim", "clinician", "correct horse battery", clinic.prescriber,
                          now=NOW)
    return Actor("ada@clinic.example", user_id)


@pytest.fixture
def course(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    return book_course(booking_order(proposal, patient), SYSTEM, NOW)


def test_a_dose_held_for_blood_pressure_and_held_off_is_re_planned_in_its_course_never_dropped(course, course_clinic):
    first = dose(course, 1)
    change_status(first.id, "arrived", SYSTEM, DOSE_1_MORNING, escort_confirmed=True)
    done = record_vitals(first.id, Vitals(152, 94, 80), SYSTEM, DOSE_1_MORNING)
    assert (done.status, done.held_because) == ("held", "pre-dose blood pressure above the threshold 140/90")
    with pytest.raises(ReviewRefused):  # the system is no prescriber: nothing changes
        review_held_dose(first.id, "hold_off", "still high after rest", SYSTEM, DOSE_1_MORNING)
    prescriber = prescriber_account(course_clinic)
    assert review_held_dose(first.id, "hold_off", "still high after rest", prescriber, DOSE_1_MORNING) == "cancelled"
    db.session.rollback()
    assert db.session.get(Session, first.id).note == "held off today: still high after rest"
    waiting = db.session.scalars(select(PatientRequest).where(PatientRequest.session_id == first.id)).one()
    assert (waiting.kind, waiting.state) == ("replan", "open")  # on the desk's list until the course is re-planned
    replan = preview_replan(course, DOSE_1_MORNING)
    assert [c.purpose for c in replan.changes if c.session_id is None] == ["dose"]  # the lost dose, offered again
    apply_changes(course, SYSTEM, DOSE_1_MORNING, replan.fingerprint)
    assert len([s for s in live(course) if s.purpose == "dose" and s.status == "booked"]) == 6
    assert follows_protocol(course) == []
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "session",
                                                                AuditEvent.entity_id == str(first.id))
                                      .order_by(AuditEvent.id)))
    assert actions[-5:] == ["session.arrived", "session.vitals_recorded", "session.held", "session.cancelled",
                            "session.hold_kept"]
    db.session.rollback()
    assert db.session.get(PatientRequest, waiting.id).state != "open"  # applying the re-plan resolved it


def test_an_esketamine_induction_dose_held_off_is_made_up_unlike_a_plain_miss(course_clinic):
    patient = ready_patient("ESK-2")
    proposal = propose_course(patient, "esketamine-mdsi", PreferencesIn(), NOW, date(2026, 11, 23))
    course_id = book_course(booking_order(proposal, patient, "esketamine-mdsi"), SYSTEM, NOW)
    first = dose(course_id, 1)
    on_the_day = first.starts_at - timedelta(minutes=10)
    change_status(first.id, "arrived", SYSTEM, on_the_day, escort_confirmed=True)
    record_vitals(first.id, Vitals(150, 96, 84), SYSTEM, on_the_day)
    review_held_dose(first.id, "hold_off", "still high", prescriber_account(course_clinic), on_the_day)
    replan = preview_replan(course_id, on_the_day)
    assert "schedule continues as planned" not in replan.note
    assert [c.purpose for c in replan.changes if c.session_id is None] == ["dose"]
