"""The outbox follows every change to a session, in the change's own transaction."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, update

from planner.db.models import OutboxMessage, Patient, Session, Staff
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import (
    SessionOrder, book_session, book_sessions, cancel_session, change_status, reschedule_session,
)
from planner.services.notices import queue_notices
from tests.factories import MONDAY

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
DESK = Actor("reception@example.org")


def at(hour: int, day_offset: int = 0):
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), "America/New_York")


def iv_order(clinic, patient=0, chair=0, nurse=0, start=None):
    return SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, start or at(9), clinic.chairs[chair],
                        ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], "monitoring_clinician")))


@pytest.fixture
def reachable(clinic):
    """Every patient takes email and SMS; every staff member has an email."""
    db.session.execute(update(Patient).values(consented_channels=["email", "sms"], phone="+12125550142"))
    for staff_id in [clinic.prescriber, *clinic.nurses, clinic.therapist]:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.commit()
    return clinic


def messages(session_id=None, **where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if session_id is not None:
        query = query.where(OutboxMessage.session_id == session_id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    rows = db.session.scalars(query).all()
    db.session.rollback()
    return rows


def summary(rows):
    return sorted((m.recipient_kind, m.recipient_id, m.channel, m.kind, m.sequence) for m in rows)


def send_all(session_id):
    """Pretend every pending invite left (the sender's job, tested on its own)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.session_id == session_id,
                                                   OutboxMessage.state == "pending", OutboxMessage.kind == "invite")
                       .values(state="sent", sent_at=NOW))
    db.session.commit()


def test_booking_queues_an_invite_for_the_patient_and_each_staff_member_and_the_patients_reminders(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    patient = c.patients[0]
    expected = [("patient", patient, "email", "invite", 0),
                ("staff", c.prescriber, "email", "invite", 0), ("staff", c.nurses[0], "email", "invite", 0)]
    expected += [("patient", patient, channel, f"reminder-{h}h", 0) for h in (72, 24, 2) for channel in ("email", "sms")]
    rows = messages(session_id)
    assert summary(rows) == sorted(expected)
    assert {m.state for m in rows} == {"pending"}
    invites = [m for m in rows if m.kind == "invite"]
    assert all(m.due_at == NOW for m in invites)
    reminders = {(m.kind, m.channel): m for m in rows if m.kind.startswith("reminder")}
    assert reminders[("reminder-72h", "email")].due_at == at(9) - timedelta(hours=72)
    # The first reminder carries the preparation; the others do not.
    assert reminders[("reminder-72h", "sms")].facts["preparation"]
    assert reminders[("reminder-24h", "email")].facts["preparation"] == []


def test_a_refused_booking_queues_nothing(reachable):
    c = reachable
    book_session(iv_order(c), DESK, NOW)
    before = len(messages())
    with pytest.raises(BookingRefused):
        book_session(iv_order(c, patient=1, start=at(10)), DESK, NOW)  # the same chair
    assert len(messages()) == before


def test_a_batch_queues_messages_for_each_session_it_books(reachable):
    c = reachable
    ids = book_sessions([iv_order(c), iv_order(c, patient=1, chair=1, start=at(9, 1))], DESK, NOW)
    assert {m.session_id for m in messages()} == set(ids)


def test_staff_invites_name_the_room_and_patient_invites_do_not(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    rows = messages(session_id, kind="invite")
    rooms = {m.recipient_kind: m.facts["room_name"] for m in rows}
    assert rooms == {"patient": None, "staff": "Chair 1"}
    assert all(m.facts["detail"] is None for m in rows)  # staff invites are discreet unless the clinic widens them


def test_moving_a_session_supersedes_its_reminders_and_queues_an_update_at_a_higher_sequence(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    send_all(session_id)
    reschedule_session(session_id, at(11), DESK, NOW)
    rows = messages(session_id)
    old = [m for m in rows if m.sequence == 0 and m.kind.startswith("reminder")]
    assert old and {m.state for m in old} == {"superseded"}
    new = [m for m in rows if m.sequence == 1]
    assert {(m.recipient_kind, m.kind) for m in new if m.kind == "invite"} == {("patient", "invite"),
                                                                               ("staff", "invite")}
    assert len([m for m in new if m.kind.startswith("reminder")]) == 6
    assert all(m.state == "pending" for m in new)


def test_cancelling_after_the_invite_went_sends_a_cancel_with_the_same_session_and_a_higher_sequence(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    send_all(session_id)
    cancel_session(session_id, DESK, NOW, "patient unwell")
    rows = messages(session_id)
    cancels = [m for m in rows if m.kind == "cancel"]
    assert summary(cancels) == sorted([("patient", c.patients[0], "email", "cancel", 1),
                                       ("staff", c.prescriber, "email", "cancel", 1),
                                       ("staff", c.nurses[0], "email", "cancel", 1)])
    assert all(m.facts["cancelled"] for m in cancels)
    assert {m.state for m in rows if m.kind.startswith("reminder")} == {"superseded"}


def test_cancelling_before_the_invite_went_takes_it_back_without_a_cancel(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    cancel_session(session_id, DESK, NOW)
    rows = messages(session_id)
    assert not [m for m in rows if m.kind == "cancel"]
    assert {m.state for m in rows} == {"superseded"}


def test_a_staff_member_taken_off_a_session_gets_a_cancel_and_the_new_one_an_invite(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    send_all(session_id)
    reschedule_session(session_id, at(9), DESK, NOW,
                       staff=((c.prescriber, "supervising_prescriber"), (c.nurses[1], "monitoring_clinician")))
    rows = messages(session_id, sequence=1)
    assert summary([m for m in rows if m.recipient_kind == "staff"]) == sorted([
        ("staff", c.nurses[0], "email", "cancel", 1), ("staff", c.nurses[1], "email", "invite", 1),
        ("staff", c.prescriber, "email", "invite", 1)])


def test_a_change_that_calendars_do_not_show_sends_nothing_new(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    before = summary(messages(session_id))
    reschedule_session(session_id, at(9), DESK, NOW)  # same time, room and team
    assert db.session.get(Session, session_id).sequence == 0
    assert summary(messages(session_id)) == before


def test_queueing_twice_writes_nothing_twice(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    before = summary(messages(session_id))
    queue_notices(db.session, [session_id], NOW)
    db.session.commit()
    assert summary(messages(session_id)) == before


def test_checking_in_takes_back_the_reminders_still_pending(reachable):
    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    on_the_day = at(8, 0)
    change_status(session_id, "arrived", DESK, on_the_day, escort_confirmed=True)
    rows = messages(session_id)
    assert {m.state for m in rows if m.kind.startswith("reminder")} == {"superseded"}
    assert not [m for m in rows if m.kind == "cancel"]


def test_a_patient_who_takes_no_email_gets_no_email_and_no_sms_after_stop(reachable):
    c = reachable
    db.session.execute(update(Patient).where(Patient.id == c.patients[0])
                       .values(consented_channels=["sms"], sms_opted_out_at=NOW))
    db.session.commit()
    session_id = book_session(iv_order(c), DESK, NOW)
    assert not messages(session_id, recipient_kind="patient")


def test_a_session_booked_the_day_before_skips_the_72_hour_reminder_but_keeps_the_preparation(reachable):
    c = reachable
    late = at(9) - timedelta(hours=30)
    session_id = book_session(iv_order(c), DESK, late)
    reminders = messages(session_id, channel="email", recipient_kind="patient")
    kinds = {m.kind: m for m in reminders if m.kind.startswith("reminder")}
    assert set(kinds) == {"reminder-24h", "reminder-2h"}
    assert kinds["reminder-24h"].facts["preparation"]


def test_a_session_types_own_reminder_hours_replace_the_default_and_a_change_requeues_what_is_booked(reachable):
    from planner.services.inputs import SessionTypeChange
    from planner.services.session_types import update_session_type

    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    update_session_type(c.iv, SessionTypeChange(reminder_hours=[48, 3]), DESK, NOW)
    rows = [m for m in messages(session_id, recipient_kind="patient", channel="email") if m.kind.startswith("reminder")]
    assert {(m.kind, m.state) for m in rows} == {("reminder-72h", "superseded"), ("reminder-24h", "superseded"),
                                                 ("reminder-2h", "superseded"), ("reminder-48h", "pending"),
                                                 ("reminder-3h", "pending")}
    assert next(m for m in rows if m.kind == "reminder-48h").facts["preparation"]  # the first one carries it
    update_session_type(c.iv, SessionTypeChange(reminder_hours=[]), DESK, NOW)
    assert not [m for m in messages(session_id, state="pending") if m.kind.startswith("reminder")]


def test_reminder_hours_changed_and_changed_back_queue_the_first_reminders_again(reachable):
    from planner.db.models import OutboxEvent
    from planner.services.inputs import SessionTypeChange
    from planner.services.session_types import update_session_type

    c = reachable
    session_id = book_session(iv_order(c), DESK, NOW)
    update_session_type(c.iv, SessionTypeChange(reminder_hours=[24]), DESK, NOW)
    update_session_type(c.iv, SessionTypeChange(reminder_hours=[72, 24, 2]), DESK, NOW + timedelta(minutes=5))
    rows = [m for m in messages(session_id, recipient_kind="patient", channel="email") if m.kind.startswith("reminder")]
    assert sorted((m.kind, m.state) for m in rows) == [("reminder-24h", "pending"), ("reminder-2h", "pending"),
                                                       ("reminder-72h", "pending")]
    seventy_two = next(m for m in rows if m.kind == "reminder-72h")
    assert seventy_two.due_at == at(9) - timedelta(hours=72) and seventy_two.facts["preparation"]
    history = db.session.scalars(select(OutboxEvent.detail).where(OutboxEvent.message_id == seventy_two.id)
                                 .order_by(OutboxEvent.id)).all()
    assert history == ["queued", "the reminder policy changed", "queued again"]
