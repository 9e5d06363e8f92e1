"""Esketamine REMS enrolment holds on every path that can place a dose: one, a batch, a course, a move, a re-plan, a status."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, text

from planner.db.models import Session
from planner.domain.calendar import to_utc
from planner.domain.errors import BatchRefused, BookingRefused, PlanStale, StatusRefused
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import (
    SessionOrder, book_session, book_sessions, change_status, reschedule_session,
)
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"
TUESDAY = f.MONDAY + timedelta(days=1)
NOT_ENROLLED = "patient_not_rems_enrolled"


def spray(clinic, patient: int, day, hour: int = 9, chair: int = 0) -> SessionOrder:
    return SessionOrder(patient, clinic.site, clinic.esketamine, to_utc(day, time(hour), NY), clinic.chairs[chair],
                        ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[chair % 2], "monitoring_clinician")))


def enrol(patient: int, on) -> None:
    """Change a patient's REMS enrolment as an edit of their record would."""
    db.session.execute(text("UPDATE patients SET rems_enrolled_on = :on WHERE id = :id"), {"id": patient, "on": on})
    db.session.commit()


def codes(reasons) -> set[str]:
    return {r.code for r in reasons}


def test_a_single_dose_and_a_batch_are_refused_before_enrolment_and_booked_from_its_day(clinic):
    patient = f.make_patient("ESK-1", rems_enrolled_on=TUESDAY)
    with pytest.raises(BookingRefused) as single:
        book_session(spray(clinic, patient, f.MONDAY), SYSTEM, NOW)
    assert codes(single.value.reasons) == {NOT_ENROLLED}
    with pytest.raises(BatchRefused) as batch:
        book_sessions([spray(clinic, patient, TUESDAY), spray(clinic, patient, f.MONDAY, chair=1)], SYSTEM, NOW)
    assert list(batch.value.refusals) == [1]
    assert book_session(spray(clinic, patient, TUESDAY), SYSTEM, NOW)  # the day of enrolment is fine


def test_a_dose_cannot_be_moved_to_a_day_before_the_patients_enrolment(clinic):
    patient = f.make_patient("ESK-2", rems_enrolled_on=TUESDAY)
    booked = book_session(spray(clinic, patient, TUESDAY), SYSTEM, NOW)
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(booked, to_utc(f.MONDAY, time(9), NY), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {NOT_ENROLLED}
    db.session.rollback()
    assert db.session.get(Session, booked).starts_at == to_utc(TUESDAY, time(9), NY)


def test_a_dose_booked_before_the_enrolment_was_withdrawn_is_not_checked_in_nor_started(clinic):
    patient = clinic.patients[0]
    booked = book_session(spray(clinic, patient, f.MONDAY), SYSTEM, NOW)
    enrol(patient, None)
    morning = to_utc(f.MONDAY, time(8, 45), NY)
    with pytest.raises(StatusRefused) as refused:
        change_status(booked, "arrived", SYSTEM, morning, escort_confirmed=True)
    assert codes(refused.value.reasons) == {NOT_ENROLLED}
    enrol(patient, f.LONG_AGO)
    change_status(booked, "arrived", SYSTEM, morning, escort_confirmed=True)
    enrol(patient, None)  # withdrawn between check-in and the dose
    with pytest.raises(StatusRefused) as refused:
        change_status(booked, "in_progress", SYSTEM, morning + timedelta(minutes=20))
    assert codes(refused.value.reasons) == {NOT_ENROLLED}
    assert change_status(booked, "cancelled", SYSTEM, morning + timedelta(minutes=25), "not enrolled") == 3
    db.session.rollback()
    assert db.session.get(Session, booked).status == "cancelled"


def test_a_dose_at_a_site_that_lost_its_certification_is_not_checked_in_but_an_infusion_is(clinic):
    booked = book_session(spray(clinic, clinic.patients[0], f.MONDAY), SYSTEM, NOW)
    infusion = book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.iv, to_utc(f.MONDAY, time(9), NY),
                                         clinic.chairs[1], ((clinic.prescriber, "supervising_prescriber"),
                                                            (clinic.nurses[1], "monitoring_clinician"))), SYSTEM, NOW)
    db.session.execute(text("UPDATE sites SET esketamine_certified = :no WHERE id = :id"),
                       {"no": False, "id": clinic.site})
    db.session.commit()
    morning = to_utc(f.MONDAY, time(8, 45), NY)
    with pytest.raises(StatusRefused) as refused:
        change_status(booked, "arrived", SYSTEM, morning, escort_confirmed=True)
    assert codes(refused.value.reasons) == {"site_not_rems_certified"}
    assert change_status(infusion, "arrived", SYSTEM, morning, escort_confirmed=True) == 2


def test_an_esketamine_course_is_neither_proposed_booked_nor_re_planned_without_enrolment(course_clinic):
    patient = f.ready_patient()
    enrol(patient, None)
    refused = propose_course(patient, "esketamine-mdsi", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    assert refused.plans == [] and any("REMS" in reason for reason in refused.reasons)
    enrol(patient, f.LONG_AGO)
    proposal = propose_course(patient, "esketamine-mdsi", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    order = f.booking_order(proposal, patient, "esketamine-mdsi")
    enrol(patient, None)
    with pytest.raises((BookingRefused, PlanStale)) as booking:
        book_course(order, SYSTEM, NOW)
    found = getattr(booking.value, "reasons", None) or [r for rs in booking.value.refusals.values() for r in rs]
    assert NOT_ENROLLED in codes(found)
    enrol(patient, f.LONG_AGO)
    course = book_course(order, SYSTEM, NOW)
    first = db.session.scalars(select(Session).where(Session.course_id == course, Session.dose_number == 1,
                                                     Session.purpose == "dose")).one()
    start, first_id = first.starts_at, first.id
    # The first dose is held at check-in; a held dose is always made up, so the re-plan must place one.
    change_status(first_id, "arrived", SYSTEM, start - timedelta(minutes=15), escort_confirmed=True)
    change_status(first_id, "held", SYSTEM, start, "BP 150/95")
    enrol(patient, None)
    replan = preview_replan(course, start + timedelta(hours=1))
    assert replan.changes == [] and replan.reasons == [
        "The patient is not enrolled in the esketamine REMS before the first session."]
    with pytest.raises(PlanStale):
        apply_changes(course, SYSTEM, start + timedelta(hours=1), None)
    enrol(patient, f.LONG_AGO)
    assert preview_replan(course, start + timedelta(hours=1)).changes  # the control: enrolled, it re-plans
