"""Consent withdrawn and consent expiring: no dose after either, on every path; the doses still booked are named, not cancelled."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import planner.clock

from planner.db.models import AuditEvent, ConsentRecord, Patient, Session
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, InvalidData, PlanStale
from planner.extensions import db
from planner.jobs import build_scheduler, run_job
from planner.services import SYSTEM, Actor
from planner.services.booking import book_session, cancel_session, reschedule_session
from planner.services.consent_doses import doses_to_settle
from planner.services.consent_expiry import expire_consents
from planner.services.consent_withdrawal import withdraw_consent
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.my_day import clinician_days
from planner.services.offers import find_offers
from planner.services.screening_inputs import ConsentIn, WithdrawalIn
from planner.services.screening_records import consents_of, record_consent
from tests import factories as f
from tests.integration.test_dosing_rules_on_every_path import NOW, NY, codes, dose

DESK = Actor("Rae at the desk")
TUESDAY = f.MONDAY + timedelta(days=1)


def row(patient: int) -> Patient:
    db.session.rollback()
    return db.session.get(Patient, patient)


def audits(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def status_of(session_id: int) -> str:
    db.session.rollback()
    return db.session.get(Session, session_id).status


def expiring(patient: int, expires_on: date) -> None:
    record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 2), expires_on=expires_on), DESK, NOW)


# --- withdrawn ---------------------------------------------------------------------------------------

def test_a_withdrawal_is_a_record_of_its_own_names_the_doses_booked_ahead_and_cancels_none(clinic):
    patient = clinic.patients[0]
    monday = book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    tuesday = book_session(dose(clinic, patient, TUESDAY, 9), SYSTEM, NOW)
    done = withdraw_consent(patient, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="Moving away"), DESK, NOW)
    assert done.consent_status == "withdrawn" and row(patient).consent_status == "withdrawn"
    assert [d.id for d in done.doses] == [monday, tuesday]
    assert status_of(monday) == status_of(tuesday) == "booked"  # named, never cancelled silently
    latest, *earlier = consents_of(patient)
    assert (latest.kind, latest.signed_on, latest.note, latest.recorded_by) == (
        "withdrawal", date(2026, 11, 20), "Moving away", "Rae at the desk")
    signed = next(c for c in earlier if c.kind == "treatment")
    assert latest.supersedes == signed.id  # it withdraws the signed consent before it
    (event,) = audits("consent.withdrawn")
    assert event.details["patient_id"] == patient and event.details["doses_still_booked"] == [monday, tuesday]
    assert event.details["before"]["consent_status"] == "signed" and event.actor == "Rae at the desk"


def test_no_dose_is_booked_or_moved_after_a_withdrawal_and_a_new_signed_consent_restores_both(clinic):
    patient = clinic.patients[0]
    booked = book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    withdraw_consent(patient, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="Changed their mind"), DESK, NOW)
    with pytest.raises(BookingRefused) as refused:
        book_session(dose(clinic, patient, TUESDAY, 9), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"consent_not_signed"}
    assert "withdrawn consent" in refused.value.reasons[0].message
    with pytest.raises(BookingRefused):
        reschedule_session(booked, to_utc(f.MONDAY, time(11), NY), SYSTEM, NOW)
    restored = record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 20)), DESK, NOW)
    assert restored.consent_status == "signed"
    newest, withdrawal = consents_of(patient)[:2]
    assert withdrawal.kind == "withdrawal" and newest.supersedes == withdrawal.id  # the new form supersedes it
    assert book_session(dose(clinic, patient, TUESDAY, 9), SYSTEM, NOW)
    assert reschedule_session(booked, to_utc(f.MONDAY, time(11), NY), SYSTEM, NOW)


@pytest.mark.parametrize(("given", "field", "code"), [
    ({"withdrawn_on": date(2026, 11, 25), "reason": "Moving"}, "withdrawn_on", "in_future"),
    ({"withdrawn_on": date(2026, 11, 20), "reason": "   "}, "reason", "missing"),
    ({"withdrawn_on": date(2019, 12, 1), "reason": "Moving"}, "withdrawn_on", "before_signed"),
])
def test_a_withdrawal_dated_ahead_before_its_consent_or_without_a_reason_is_refused_and_nothing_is_written(
        clinic, given, field, code):
    patient = clinic.patients[0]
    before = consents_of(patient)
    with pytest.raises(InvalidData) as refused:
        withdraw_consent(patient, WithdrawalIn(**given), DESK, NOW)
    assert {(p.field, p.code) for p in refused.value.problems} == {(field, code)}
    assert consents_of(patient) == before and row(patient).consent_status == "signed"
    assert audits("consent.withdrawn") == []


def test_a_withdrawal_with_nothing_to_withdraw_is_refused_while_a_signed_consent_is_withdrawn(clinic):
    unsigned = f.make_patient("NEW-1", consent_status="pending")
    with pytest.raises(InvalidData) as refused:
        withdraw_consent(unsigned, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="No"), DESK, NOW)
    assert {p.code for p in refused.value.problems} == {"nothing_to_withdraw"}
    signed = clinic.patients[1]  # the safe control: one with a signed consent withdraws, then not twice
    withdraw_consent(signed, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="No"), DESK, NOW)
    with pytest.raises(InvalidData) as twice:
        withdraw_consent(signed, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="No"), DESK, NOW)
    assert {p.code for p in twice.value.problems} == {"already_withdrawn"}
    assert db.session.scalar(select(ConsentRecord.id).where(ConsentRecord.patient_id == unsigned,
                                                            ConsentRecord.kind == "withdrawal")) is None


# --- expiry, judged by the dose's own day -------------------------------------------------------------

def test_a_dose_after_the_consent_expires_is_refused_while_one_on_the_last_day_is_booked(clinic):
    patient = clinic.patients[0]
    expiring(patient, f.MONDAY)
    assert row(patient).consent_status == "signed"  # it holds today
    with pytest.raises(BookingRefused) as refused:
        book_session(dose(clinic, patient, TUESDAY, 9), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"consent_not_signed"}
    assert "expires on 11/23/2026, before this dose (11/24/2026)" in refused.value.reasons[0].message
    assert book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)  # the last day it holds


def test_a_dose_is_not_moved_past_the_consent_expiry_but_moves_within_it(clinic):
    patient = clinic.patients[0]
    booked = book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    expiring(patient, f.MONDAY)
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(booked, to_utc(TUESDAY, time(9), NY), SYSTEM, NOW)
    assert codes(refused.value.reasons) == {"consent_not_signed"}
    assert reschedule_session(booked, to_utc(f.MONDAY, time(11), NY), SYSTEM, NOW)


def test_a_course_is_planned_only_within_the_consent_and_a_stale_plan_past_a_new_expiry_is_not_booked(
        course_clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    order = f.booking_order(proposal, patient)
    last_dose = max(s.start for s in proposal.plans[0].sessions)
    expiring(patient, f.MONDAY + timedelta(days=3))  # signed again, expiring before the course could end
    with pytest.raises(PlanStale) as stale:  # every dose after the expiry is named
        book_course(order, SYSTEM, NOW)
    assert "expires on 11/26/2026, before this dose (11/30/2026)" in str(stale.value)
    short = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    assert short.plans == [] and any("expires on 11/26/2026" in r for r in short.reasons)
    expiring(patient, last_dose.date() + timedelta(days=30))  # the safe control: a consent covering it all
    assert book_course(order, SYSTEM, NOW)


# --- the daily check ----------------------------------------------------------------------------------

def test_the_daily_check_sets_an_expired_consent_back_to_pending_audited_naming_the_doses_after_it(clinic):
    expired, holding = clinic.patients[0], clinic.patients[1]
    later = book_session(dose(clinic, expired, TUESDAY, 9), SYSTEM, NOW)
    book_session(dose(clinic, holding, TUESDAY, 11, chair=1, nurse=1), SYSTEM, NOW)
    expiring(expired, f.MONDAY)
    expiring(holding, f.MONDAY + timedelta(days=30))
    assert expire_consents(NOW).patients == []  # nothing has expired yet
    tuesday_noon = datetime(2026, 11, 24, 6, tzinfo=timezone.utc)  # 01:00 on Tuesday in New York
    report = expire_consents(tuesday_noon)
    assert (report.patients, report.doses) == ([expired], 1)
    assert (row(expired).consent_status, row(holding).consent_status) == ("pending", "signed")
    (event,) = audits("consent.expired")
    assert (event.entity, event.entity_id, event.actor) == ("patient", str(expired), "system")
    assert event.details["expired_on"] == "2026-11-23" and event.details["doses_still_booked"] == [later]
    assert status_of(later) == "booked"  # named, not cancelled
    (settle,) = doses_to_settle(tuesday_noon)  # on the desk's worklist too
    assert (settle.dose.id, settle.patient_id, settle.why) == (later, expired, "consent expired 11/23/2026")
    assert expire_consents(tuesday_noon).patients == [] and len(audits("consent.expired")) == 1  # a repeat is harmless


def test_the_daily_check_judges_the_day_in_the_patients_home_zone(clinic):
    patient = clinic.patients[0]
    expiring(patient, f.MONDAY)
    # 03:00 UTC on Tuesday is still Monday 22:00 in New York: the consent holds until the day ends there.
    assert expire_consents(datetime(2026, 11, 24, 3, tzinfo=timezone.utc)).patients == []
    assert expire_consents(datetime(2026, 11, 24, 5, 30, tzinfo=timezone.utc)).patients == [patient]


def test_a_re_plan_places_no_dose_past_the_consent_expiry(course_clinic):
    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, f.MONDAY)
    course = book_course(f.booking_order(proposal, patient), SYSTEM, NOW)
    db.session.rollback()
    doses = list(db.session.scalars(select(Session).where(Session.course_id == course, Session.purpose == "dose")
                                    .order_by(Session.starts_at)))
    cancel_session(doses[1].id, SYSTEM, NOW)
    holding = preview_replan(course, NOW)  # the safe control: with the consent as it was, a re-plan places it
    assert holding.changes and not holding.reasons
    expiring(patient, doses[1].starts_at.date() + timedelta(days=1))
    replan = preview_replan(course, NOW)
    assert replan.changes == [] and any("expires on" in reason for reason in replan.reasons)


def test_the_scheduler_runs_the_consent_check_daily_and_the_command_runs_it_on_demand(app, clinic, caplog,
                                                                                     monkeypatch):
    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert jobs["consent-expiry"].trigger.interval == timedelta(days=1)
    expiring(clinic.patients[0], f.MONDAY)
    monkeypatch.setattr(planner.clock, "now", lambda: datetime(2026, 11, 23, 17, tzinfo=timezone.utc))
    caplog.set_level("INFO", logger="planner.jobs")
    run_job(app, "consent-expiry", expire_consents)  # Monday noon in New York: it still holds
    assert "job consent-expiry done: 0 consents expired, 0 doses booked after expiry" in caplog.text
    monkeypatch.setattr(planner.clock, "now", lambda: datetime(2026, 11, 25, 17, tzinfo=timezone.utc))
    result = app.test_cli_runner().invoke(args=["planner", "expire-consents"])
    assert result.exit_code == 0 and "Consent check: 1 consents expired, 0 doses booked after expiry." in result.output
    assert row(clinic.patients[0]).consent_status == "pending"


def test_my_day_reads_a_doses_consent_by_the_doses_day(clinic):
    patient = clinic.patients[0]
    book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    tuesday = book_session(dose(clinic, patient, TUESDAY, 9), SYSTEM, NOW)
    expiring(patient, TUESDAY)  # the safe control first: it holds on both days
    days = clinician_days(clinic.prescriber, f.MONDAY, 2, NOW)
    assert [s.preparation.consent for day in days.days for s in day.sessions] == ["signed", "signed"]
    expiring(patient, f.MONDAY)  # a new form, expiring a day sooner
    days = clinician_days(clinic.prescriber, f.MONDAY, 2, NOW)
    by_id = {s.id: s.preparation.consent for day in days.days for s in day.sessions}
    assert by_id[tuesday] == "pending" and sorted(by_id.values()) == ["pending", "signed"]


def test_offers_for_a_dose_stop_at_the_consent_expiry_and_say_why_past_it(clinic):
    patient = clinic.patients[0]
    expiring(patient, f.MONDAY)
    offered = find_offers(clinic.site, clinic.iv, f.MONDAY, TUESDAY, NOW, patient, more=True)
    days = {o.start.astimezone(ZoneInfo(NY)).date() for o in offered.offers}
    assert days == {f.MONDAY}  # Monday, its last day, is offered; Tuesday is not
    past = find_offers(clinic.site, clinic.iv, TUESDAY, TUESDAY, NOW, patient)
    assert past.offers == [] and any("expires on 11/23/2026" in r.message for r in past.reasons)


@pytest.mark.parametrize("then", ["withdrawn", "expired"])
def test_a_dose_booked_before_its_consent_ended_is_not_checked_in_until_a_new_consent(clinic, then):
    from planner.domain.errors import StatusRefused
    from planner.services.booking import change_status

    patient = clinic.patients[0]
    booked = book_session(dose(clinic, patient, f.MONDAY, 9), SYSTEM, NOW)
    if then == "withdrawn":
        withdraw_consent(patient, WithdrawalIn(withdrawn_on=date(2026, 11, 20), reason="Changed their mind"), DESK, NOW)
    else:  # the consent on file lapses the day before the dose, after the booking
        expiring(patient, f.MONDAY - timedelta(days=1))
    at_the_desk = to_utc(f.MONDAY, time(8, 45), NY)
    with pytest.raises(StatusRefused) as refused:
        change_status(booked, "arrived", DESK, at_the_desk, escort_confirmed=True)
    assert codes(refused.value.reasons) == {"consent_not_signed"} and status_of(booked) == "booked"
    record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 20)), DESK, NOW)
    change_status(booked, "arrived", DESK, at_the_desk, escort_confirmed=True)
    assert status_of(booked) == "arrived"
