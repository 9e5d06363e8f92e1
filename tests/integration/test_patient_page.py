"""The patient's page from a signed link: what it shows, and confirm, cancel and another time through it."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from planner.db.models import AuditEvent, Course, LinkUse, OutboxMessage, Patient, PatientRequest, Session, Site, Staff
from planner.domain.calendar import to_utc
from planner.domain.errors import LinkRefused
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.booking import SessionOrder, book_session, cancel_session, change_status, reschedule_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.patient_actions import ask_another_time, cancel_from_link, confirm_from_link
from planner.services.patient_page import link_expiry, patient_page
from planner.services.patient_requests import open_requests
from tests.factories import MONDAY, booking_order, ready_patient

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # the Friday before the clinic's week
SECRET = "testing-secret"
ZONE = "America/New_York"
DESK = Actor("reception@example.org")


def at(hour: int, day_offset: int = 0) -> datetime:
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), ZONE)


def book(clinic, patient=0, chair=0, nurse=0, start=None, kind="iv") -> int:
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], "monitoring_clinician"))
    if kind == "integration":
        return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.integration, start or at(14),
                                         clinic.office, ((clinic.therapist, "therapist"),)), DESK, NOW)
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start or at(9),
                                     clinic.chairs[chair], staff), DESK, NOW)


def link(session_id: int, secret: str = SECRET) -> str:
    """The token the sender would put in a message now: the session's current version, expiring at its start."""
    row = fresh(session_id)
    return sign_link(row.id, row.version, link_expiry(row.starts_at), secret)


def fresh(session_id: int) -> Session:
    db.session.rollback()
    return db.session.get(Session, session_id)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(LinkRefused) as refused:
        call(*args, **kwargs)
    return refused.value.reasons[0].code


@pytest.fixture
def site_phone(clinic):
    db.session.execute(update(Site).values(phone="+1 212 555 0100"))
    db.session.commit()
    return "+1 212 555 0100"


# --- what the page shows -----------------------------------------------------------------------


def test_a_good_link_shows_the_session_in_site_time_its_preparation_and_the_patients_other_sessions(clinic,
                                                                                                      site_phone):
    first = book(clinic)
    later = book(clinic, start=at(9, 2))
    therapy = book(clinic, start=at(14, 3), kind="integration")
    book(clinic, patient=1, chair=1, nurse=1)  # another patient's session is never shown
    cancel_session(book(clinic, start=at(9, 4)), DESK, NOW)  # nor a cancelled one of theirs

    page = patient_page(link(first), SECRET, NOW)
    assert page.verdict == "ok" and page.phone == site_phone and page.site_name == "Midtown"
    shown = page.session
    assert (shown.visit.starts_at.isoformat(), shown.visit.zone) == ("2026-11-23T09:00:00-05:00", ZONE)
    assert shown.visit.ends_at.isoformat() == "2026-11-23T10:45:00-05:00"
    assert shown.can_act and not shown.confirmed and not shown.cancelled
    assert any("solid food for 6 hours" in line for line in shown.preparation)
    assert any("responsible adult" in line for line in shown.preparation)
    assert [v.starts_at for v in page.upcoming] == [fresh(later).starts_at, fresh(therapy).starts_at]
    assert all(v.site_name == "Midtown" for v in page.upcoming)


def test_a_session_that_is_not_a_dose_has_no_preparation(clinic):
    therapy = book(clinic, start=at(14), kind="integration")
    page = patient_page(link(therapy), SECRET, NOW)
    assert page.verdict == "ok" and page.session.preparation == ()


def test_a_forged_or_mangled_link_is_broken_and_shows_nothing_of_any_session(clinic, site_phone):
    session_id = book(clinic)
    for token in (link(session_id, secret="someone else's"), link(session_id)[:-2], "", "a.b.c.d", "x" * 300):
        page = patient_page(token, SECRET, NOW)
        assert (page.verdict, page.session, page.phone, page.site_name, page.upcoming) == ("broken", None, None,
                                                                                          None, ())


def test_a_link_to_a_session_that_does_not_exist_is_broken(clinic):
    token = sign_link(9999, 1, at(9), SECRET)
    assert patient_page(token, SECRET, NOW).verdict == "broken"
    assert refused_code(confirm_from_link, token, SECRET, NOW) == "broken"


def test_a_link_expires_at_the_sessions_start_and_then_shows_only_whom_to_call(clinic, site_phone):
    session_id = book(clinic)
    token = link(session_id)
    assert patient_page(token, SECRET, at(9) - timedelta(minutes=1)).verdict == "ok"
    page = patient_page(token, SECRET, at(9))
    assert (page.verdict, page.session, page.phone) == ("expired", None, site_phone)
    assert refused_code(cancel_from_link, token, SECRET, at(9)) == "expired"
    assert fresh(session_id).status == "booked"


# --- confirm -----------------------------------------------------------------------------------


def test_confirming_marks_the_session_confirmed_and_a_second_confirm_is_refused_as_used(clinic):
    session_id = book(clinic)
    token, version = link(session_id), fresh(session_id).version
    assert confirm_from_link(token, SECRET, NOW, "203.0.113.9") == session_id
    row = fresh(session_id)
    assert row.confirmed_at == NOW and row.version == version + 1
    assert refused_code(confirm_from_link, token, SECRET, NOW + timedelta(seconds=1)) == "used"
    assert count(LinkUse) == 1 and fresh(session_id).version == version + 1
    page = patient_page(token, SECRET, NOW)
    assert (page.verdict, page.done, page.session.confirmed, page.session.can_act) == ("used", "confirm", True, False)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.confirmed")).one()
    assert (event.actor, event.remote_addr) == ("patient link", "203.0.113.9")


def test_the_next_message_s_link_works_after_a_confirm_and_shows_the_session_confirmed(clinic):
    session_id = book(clinic)
    confirm_from_link(link(session_id), SECRET, NOW)
    page = patient_page(link(session_id), SECRET, NOW)
    assert page.verdict == "ok" and page.session.confirmed and page.session.can_act


def test_two_confirms_of_one_link_at_once_make_one_change(app, clinic):
    session_id = book(clinic)
    token = link(session_id)
    db.session.rollback()
    barrier, outcomes = threading.Barrier(2), []

    def confirm():
        with app.app_context():
            barrier.wait()
            try:
                confirm_from_link(token, SECRET, NOW)
                outcomes.append("confirmed")
            except LinkRefused as refused:
                outcomes.append(refused.reasons[0].code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["confirmed", "used"]
    assert count(LinkUse) == 1 and fresh(session_id).version == 2


# --- outdated ----------------------------------------------------------------------------------


def test_a_link_after_reception_moved_the_session_is_outdated_and_changes_nothing(clinic, site_phone):
    session_id = book(clinic)
    token = link(session_id)
    reschedule_session(session_id, at(11), DESK, NOW)
    before = fresh(session_id)
    state = (before.status, before.version, before.starts_at, before.confirmed_at)
    page = patient_page(token, SECRET, NOW)
    assert (page.verdict, page.session, page.phone) == ("outdated", None, site_phone)
    assert refused_code(confirm_from_link, token, SECRET, NOW) == "outdated"
    assert refused_code(cancel_from_link, token, SECRET, NOW) == "outdated"
    assert refused_code(ask_another_time, token, SECRET, NOW, "mornings") == "outdated"
    after = fresh(session_id)
    assert (after.status, after.version, after.starts_at, after.confirmed_at) == state
    assert count(LinkUse) == 0 and count(PatientRequest) == 0


def test_a_link_in_a_cancellation_message_shows_the_session_cancelled_and_cannot_act(clinic):
    session_id = book(clinic)
    cancel_session(session_id, DESK, NOW)
    token = link(session_id)  # the sender signs the CANCEL's link at the cancelled version
    page = patient_page(token, SECRET, NOW)
    assert page.verdict == "ok" and page.session.cancelled and not page.session.can_act
    assert page.session.preparation == ()
    assert refused_code(confirm_from_link, token, SECRET, NOW) == "closed"
    assert count(LinkUse) == 0 and fresh(session_id).confirmed_at is None


# --- cancel ------------------------------------------------------------------------------------


def test_cancelling_a_single_session_cancels_it_and_uses_the_link_up(clinic):
    session_id = book(clinic)
    token = link(session_id)
    outcome = cancel_from_link(token, SECRET, NOW, "Feeling unwell\x07")
    row = fresh(session_id)
    assert (outcome.replanned, outcome.replan_request) == (False, None)
    assert row.status == "cancelled" and row.note == "Cancelled by the patient. Feeling unwell"
    assert refused_code(cancel_from_link, token, SECRET, NOW) == "used"
    page = patient_page(token, SECRET, NOW)
    assert (page.verdict, page.done, page.session.cancelled) == ("used", "cancel", True)


@pytest.fixture
def course(course_clinic):
    """An IV induction course of six doses from Monday 23 November, mornings; patient and staff take email."""
    patient = ready_patient()
    db.session.execute(update(Patient).where(Patient.id == patient).values(consented_channels=["email"]))
    for staff_id in [course_clinic.prescriber, *course_clinic.nurses, course_clinic.therapist]:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.commit()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    return book_course(booking_order(proposal, patient), SYSTEM, NOW)


def doses(course_id: int, status: str = "booked") -> list[Session]:
    db.session.rollback()
    return list(db.session.scalars(select(Session).where(Session.course_id == course_id, Session.purpose == "dose",
                                                         Session.status == status).order_by(Session.starts_at)))


def test_cancelling_a_course_dose_cancels_it_queues_cancels_and_replans_the_course(course):
    booked = doses(course)
    third = booked[2]
    # The invites went out, so the cancellation must take them back from the patient's calendar.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "invite").values(state="sent", sent_at=NOW))
    db.session.commit()
    outcome = cancel_from_link(link(third.id), SECRET, NOW, remote_addr="198.51.100.7")
    assert outcome.replanned and outcome.replan_request is None
    assert fresh(third.id).status == "cancelled"
    cancels = db.session.scalars(select(OutboxMessage).where(OutboxMessage.session_id == third.id,
                                                             OutboxMessage.kind == "cancel")).all()
    assert {m.recipient_kind for m in cancels} == {"patient", "staff"}
    assert all(m.sequence == fresh(third.id).sequence for m in cancels)
    live = doses(course)
    assert len(live) == 6 and third.id not in {d.id for d in live}  # a make-up dose took its place
    made_up = [d for d in live if d.id not in {b.id for b in booked}]
    assert len(made_up) == 1
    db.session.rollback()
    assert [e.kind for e in db.session.get(Course, course).events] == ["booked", "replanned"]
    assert count(OutboxMessage, OutboxMessage.session_id == made_up[0].id, OutboxMessage.kind == "invite") >= 1
    assert count(PatientRequest) == 0


def test_when_the_course_cannot_be_replanned_the_cancel_stands_and_reception_gets_a_request(course):
    third = doses(course)[2]
    patient_id = third.patient_id
    # Consent lapsed since the course was booked: no dose may be planned until it is signed again.
    db.session.execute(update(Patient).where(Patient.id == patient_id).values(consent_status="pending"))
    db.session.commit()
    outcome = cancel_from_link(link(third.id), SECRET, NOW)
    assert not outcome.replanned and outcome.replan_request is not None
    assert fresh(third.id).status == "cancelled" and len(doses(course)) == 5
    [request] = open_requests()
    assert (request.kind, request.session_id, request.patient_id) == ("replan", third.id, patient_id)
    assert "could not be re-planned" in request.note
    assert patient_page(link(third.id), SECRET, NOW).replan_pending


def test_a_checked_in_session_s_old_link_is_outdated(clinic):
    session_id = book(clinic)
    token = link(session_id)
    change_status(session_id, "arrived", DESK, at(8, 0), escort_confirmed=True)
    assert patient_page(token, SECRET, at(8, 0)).verdict == "outdated"


def test_a_used_link_shows_what_was_done_and_the_session_as_it_now_stands(clinic):
    session_id = book(clinic)
    token = link(session_id)
    confirm_from_link(token, SECRET, NOW)
    cancel_session(session_id, DESK, NOW + timedelta(hours=1))  # reception cancels it afterwards
    page = patient_page(token, SECRET, NOW + timedelta(hours=2))
    assert (page.verdict, page.done, page.session.cancelled, page.session.preparation) == ("used", "confirm", True, ())
    assert page.done_at.isoformat() == "2026-11-20T07:00:00-05:00"  # in the site's zone
