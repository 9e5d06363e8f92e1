"""The dosing rules hold on every path that can break them: one session, a batch, a course, a move, a re-plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from planner.db.models import Session
from planner.domain.calendar import to_utc
from planner.domain.errors import BatchRefused, BookingRefused, PlanStale, StatusRefused
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session, book_sessions, change_status, reschedule_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NY = "America/New_York"


def dose(clinic, patient: int, day: date, hour: int, chair: int = 0, nurse: int = 0, site=None, room=None,
         prescriber=None, zone: str = NY) -> SessionOrder:
    return SessionOrder(patient, site or clinic.site, clinic.iv, to_utc(day, time(hour), zone),
                        room or clinic.chairs[chair],
                        ((prescriber or clinic.prescriber, "supervising_prescriber"),
                         (clinic.nurses[nurse], "monitoring_clinician")))


def therapy(clinic, patient: int, day: date, hour: int) -> SessionOrder:
    return SessionOrder(patient, clinic.site, clinic.integration, to_utc(day, time(hour), NY), clinic.office,
                        ((clinic.therapist, "therapist"),))


def set_patient(patient: int, **columns) -> None:
    """Change a patient's record the way an intake form will (no endpoint edits patients yet)."""
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    db.session.execute(text(f"UPDATE patients SET {assignments} WHERE id = :id"), {"id": patient, **columns})
    db.session.commit()


def sessions_of(patient: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Session).where(Session.patient_id == patient))


def codes(reasons) -> set[str]:
    return {r.code for r in reasons}


# --- screening and consent -----------------------------------------------------------------------

def test_a_dose_for_a_patient_excluded_at_screening_is_refused_alone_and_in_a_batch(clinic):
    patient = f.make_patient("EXCL-1", screening_status="excluded", consent_status="withdrawn")
    with pytest.raises(BookingRefused) as single:
        book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    assert codes(single.value.reasons) == {"screening_not_cleared", "consent_not_signed"}
    with pytest.raises(BatchRefused) as batch:
        book_sessions([therapy(clinic, patient, f.MONDAY, 14), dose(clinic, patient, f.MONDAY + timedelta(1), 9)],
                      SYSTEM, NOW)
    assert list(batch.value.refusals) == [1]  # the psychotherapy was fine; the dose was not
    assert sessions_of(patient) == 0


def test_psychotherapy_is_booked_for_a_patient_not_yet_screened(clinic):
    patient = f.make_patient("NEW-1", screening_status="pending", consent_status="pending")
    assert book_session(therapy(clinic, patient, f.MONDAY, 14), SYSTEM, NOW)


def test_a_dose_cannot_be_moved_once_consent_is_withdrawn(clinic):
    patient = clinic.patients[0]
    booked = book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    set_patient(patient, consent_status="withdrawn")
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(booked, to_utc(f.MONDAY, time(11), NY), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"consent_not_signed"}
    db.session.rollback()
    assert db.session.get(Session, booked).starts_at == to_utc(f.MONDAY, time(9), NY)


def test_a_course_is_neither_booked_nor_re_planned_without_consent(course_clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    order = f.booking_order(proposal, patient)
    set_patient(patient, consent_status="withdrawn")
    with pytest.raises(BookingRefused):
        book_course(order, SYSTEM, NOW)
    set_patient(patient, consent_status="signed")
    course = book_course(order, SYSTEM, NOW)
    third = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 3,
                                                       Session.purpose == "dose"))
    from planner.services.booking import cancel_session
    cancel_session(third, SYSTEM, NOW)
    set_patient(patient, screening_status="excluded")
    replan = preview_replan(course, NOW)
    assert replan.changes == [] and replan.reasons == [
        "The patient's contraindication screening excluded them from ketamine treatment."]
    with pytest.raises(PlanStale):
        apply_changes(course, SYSTEM, NOW, None)


# --- one dose a day ------------------------------------------------------------------------------

@pytest.fixture
def camden(clinic):
    """A London site with a chair, a prescriber and a nurse of its own, open on the small clinic's Monday."""
    site = f.make_site(name="Camden", timezone="Europe/London")
    chair = f.make_room(site, name="Chair 1")
    doctor = f.make_staff("Dr Oliver Hughes", ["MD"])
    nurse = f.make_staff("Emily Clarke", ["RN"], f.credentials("licence", "bls"))
    for person in (doctor, nurse):
        f.make_shift(person, site, f.MONDAY, "08:00", "18:00", zone="Europe/London")
    return site, chair, doctor, nurse


def test_two_infusions_on_one_day_at_two_sites_are_refused(clinic, camden):
    site, chair, doctor, nurse = camden
    patient = clinic.patients[0]
    book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)  # Midtown, 09:00 in New York (14:00 in London)
    camden_dose = SessionOrder(patient, site, clinic.iv, to_utc(f.MONDAY, time(9), "Europe/London"), chair,
                               ((doctor, "supervising_prescriber"), (nurse, "monitoring_clinician")))
    with pytest.raises(BookingRefused) as refused:
        book_session(camden_dose, SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"patient_dosed_that_day"}
    assert "at another site" in refused.value.reasons[0].message
    # The same chair and team take another patient: only the patient's own day was in the way.
    other = SessionOrder(clinic.patients[1], site, clinic.iv, camden_dose.start, chair, camden_dose.staff)
    assert book_session(other, SYSTEM, NOW)


def test_a_batch_with_two_doses_on_one_day_is_refused_whole(clinic):
    patient = clinic.patients[0]
    with pytest.raises(BatchRefused) as refused:
        book_sessions([dose(clinic, patient, f.MONDAY, 9), dose(clinic, patient, f.MONDAY, 14, chair=1, nurse=1)],
                      SYSTEM, NOW)
    assert refused.value.refusals == {1: refused.value.refusals[1]}
    assert codes(refused.value.refusals[1]) == {"patient_dosed_that_day"}
    assert sessions_of(patient) == 0


def test_moving_a_dose_onto_a_day_with_another_dose_is_refused(clinic):
    patient = clinic.patients[0]
    book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    tuesday = book_session(dose(clinic, patient, f.MONDAY + timedelta(1), 9), SYSTEM, NOW)
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(tuesday, to_utc(f.MONDAY, time(14), NY), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"patient_dosed_that_day"}
    assert reschedule_session(tuesday, to_utc(f.MONDAY + timedelta(1), time(14), NY), SYSTEM, NOW) == 2


def test_a_course_plan_avoids_a_day_the_patient_already_has_a_dose_and_a_stale_plan_books_nothing(course_clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    doses = [s for s in proposal.plans[0].sessions if s.purpose == "dose"]
    # A standalone infusion lands on dose 3's day, in the afternoon, before the course is booked.
    third_day = doses[2].start.astimezone(timezone.utc).date()
    order = f.booking_order(proposal, patient)
    book_session(SessionOrder(patient, course_clinic.site, course_clinic.iv,
                              datetime.combine(third_day, time(20), tzinfo=timezone.utc), course_clinic.chairs[2],
                              ((course_clinic.prescriber, "supervising_prescriber"),
                               (course_clinic.nurses[1], "monitoring_clinician"))), SYSTEM, NOW)
    with pytest.raises(PlanStale) as stale:
        book_course(order, SYSTEM, NOW)
    assert "patient_dosed_that_day" in {r.code for rs in stale.value.refusals.values() for r in rs}
    fresh = stale.value.fresh.plans[0]
    assert third_day not in {s.start.date() for s in fresh.sessions if s.purpose == "dose"}
    assert sessions_of(patient) == 1  # only the standalone infusion


# --- status follows time -------------------------------------------------------------------------

def test_a_session_three_days_ahead_cannot_be_marked_arrived_or_no_show(clinic):
    booked = book_session(dose(clinic, clinic.patients[0], f.MONDAY, 9), SYSTEM, NOW)
    for status, code in (("arrived", "not_the_day"), ("no_show", "not_yet")):
        with pytest.raises(StatusRefused) as refused:
            change_status(booked, status, SYSTEM, NOW, escort_confirmed=True)
        assert codes(refused.value.reasons) == {code}
    db.session.rollback()
    row = db.session.get(Session, booked)
    assert (row.status, row.version) == ("booked", 1)
    morning = to_utc(f.MONDAY, time(8, 45), NY)
    assert change_status(booked, "arrived", SYSTEM, morning, escort_confirmed=True) == 2
    with pytest.raises(StatusRefused):
        change_status(booked, "in_progress", SYSTEM, morning + timedelta(days=1))


# --- re-planning -----------------------------------------------------------------------------------

def test_a_re_plan_never_puts_the_made_up_dose_on_a_day_the_patient_has_another(course_clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    course = book_course(f.booking_order(proposal, patient), SYSTEM, NOW)
    third = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 3,
                                                       Session.purpose == "dose"))
    from planner.services.booking import cancel_session
    cancel_session(third, SYSTEM, NOW)
    wanted = next(c.new.start for c in preview_replan(course, NOW).changes if c.session_id is None)
    # A standalone booster lands on the day the re-plan wanted, in the evening.
    evening = datetime.combine(wanted.date(), time(21), tzinfo=timezone.utc)  # 16:00 in New York
    book_session(SessionOrder(patient, course_clinic.site, course_clinic.iv, evening, course_clinic.chairs[2],
                              ((course_clinic.prescriber, "supervising_prescriber"),
                               (course_clinic.nurses[1], "monitoring_clinician"))), SYSTEM, NOW)
    replan = apply_changes(course, SYSTEM, NOW, None)
    added = next(c.new.start for c in replan.changes if c.session_id is None)
    assert added.astimezone(timezone.utc).date() != wanted.date()


def test_a_re_plan_that_would_break_the_protocol_is_refused_whole(course_clinic, monkeypatch):
    from dataclasses import replace as remake

    import planner.services.course_replan as service
    from planner.domain.planning.replan import Change, Replan

    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    course = book_course(f.booking_order(proposal, patient), SYSTEM, NOW)
    honest = service.compute_replan
    last = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 6,
                                                      Session.purpose == "dose"))

    def planner_gone_wrong(session, course_id, now):
        # A "plan" that moves the last dose two weeks later: every booking rule holds, the 21-day window does not.
        assert honest(session, course_id, now).changes == []
        row = session.get(Session, last)
        planned = next(s for s in proposal.plans[0].sessions if s.purpose == "dose" and s.dose_number == 6)
        later = remake(planned, start=row.starts_at + timedelta(days=14), end=row.ends_at + timedelta(days=14))
        return Replan(course_id, [Change(last, "iv-infusion", "dose", 6, row.starts_at, later)])

    monkeypatch.setattr("planner.services.course_replan_apply.compute_replan", planner_gone_wrong)
    monkeypatch.setattr("planner.services.course_replan_apply.preview_replan", lambda course_id, now: None)
    with pytest.raises(PlanStale) as stale:
        apply_changes(course, SYSTEM, NOW, None)
    assert any(r.code == "cadence" for rs in stale.value.refusals.values() for r in rs), stale.value.refusals
    db.session.rollback()
    assert db.session.get(Session, last).version == 1  # nothing moved


def test_a_dose_is_checked_in_only_with_its_escort_confirmed_on_every_path_and_the_escort_is_audited(clinic):
    from planner.db.models import AuditEvent
    from planner.services.front_desk import act_on_session

    morning = to_utc(f.MONDAY, time(8, 45), NY)
    first = book_session(dose(clinic, clinic.patients[0], f.MONDAY, 9), SYSTEM, NOW)
    second = book_session(dose(clinic, clinic.patients[1], f.MONDAY, 9, chair=1), SYSTEM, NOW)
    # The service (the API's path) and the today board refuse alike, and both say it twice over
    # when the day is wrong too: every reason at once.
    with pytest.raises(StatusRefused) as refused:
        change_status(first, "arrived", SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"escort_not_confirmed", "not_the_day"}
    for check_in in (lambda: change_status(first, "arrived", SYSTEM, morning),
                     lambda: act_on_session(second, "check_in", SYSTEM, morning)):
        with pytest.raises(StatusRefused) as refused:
            check_in()
        assert codes(refused.value.reasons) == {"escort_not_confirmed"}
    db.session.rollback()
    assert [db.session.get(Session, s).status for s in (first, second)] == ["booked", "booked"]
    change_status(first, "arrived", SYSTEM, morning, escort_confirmed=True)
    act_on_session(second, "check_in", SYSTEM, morning, escort_confirmed=True)
    confirmed = db.session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "session.escort_confirmed")).all()
    db.session.rollback()
    assert sorted(confirmed) == sorted([str(first), str(second)])
