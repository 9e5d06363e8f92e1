"""The sender against a real SMTP server: sent once, retried, dropped when its moment passed, parsed back."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from email import message_from_bytes, policy

from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from planner.db.models import OutboxEvent, OutboxMessage
from planner.domain.calendar import to_utc
from planner.domain.discretion import clinical_words_in
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session, cancel_session, reschedule_session
from planner.services.couriers import KEPT, OutboxCourier
from planner.services.delivery import send_due
from planner.services.outbox_claims import claim_due, retry
from planner.services.rendering import Postmark
from planner.adapters.mail import SmtpTransport
from tests.factories import MONDAY
from tests.smtp_server import SmtpServer

BOOKED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
DESK = Actor("reception@example.org")
POSTMARK = Postmark(("Midtown Clinic", "appointments@clinic.example"), "https://clinic.example", "clinic.example",
                    "link-secret")


def at(hour: int, day_offset: int = 0):
    return to_utc(MONDAY + timedelta(days=day_offset), time(hour), "America/New_York")


def book(clinic, start=None):
    return book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start or at(9), clinic.chairs[0],
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurses[0], "monitoring_clinician"))), DESK, BOOKED_AT)


def courier(server):
    return OutboxCourier(POSTMARK, SmtpTransport(server.host, server.port))


def run(server, moment, **kwargs):
    return send_due(courier(server), lambda: moment, "test-sender", **kwargs)


def rows(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    found = db.session.scalars(query).all()
    db.session.rollback()
    return found


def calendar_of(raw: bytes):
    mail = message_from_bytes(raw, policy=policy.default)
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    ics = parts[0].get_content()
    ics = ics if isinstance(ics, str) else ics.decode()
    return mail, parts[0].get_param("method"), IcsCalendarStream.calendar_from_ics(ics)


def test_invites_go_out_once_to_each_person_and_a_second_run_sends_nothing(reachable, smtp):
    book(reachable)
    report = run(smtp, BOOKED_AT)
    assert report.sent == 3  # invites to the patient, the prescriber and the nurse; no reminder is due yet
    assert sorted(m.rcpt_tos[0] for m in smtp.received()) == sorted(
        ["mrn-1@example.org", f"staff{reachable.prescriber}@example.org", f"staff{reachable.nurses[0]}@example.org"])
    assert run(smtp, BOOKED_AT + timedelta(minutes=1)).sent == 0
    assert len(smtp.received()) == 3
    assert {m.state for m in rows(kind="invite")} == {"sent"}


def test_an_invite_then_its_cancel_parse_back_with_one_uid_a_higher_sequence_and_matching_methods(reachable, smtp):
    session_id = book(reachable)
    run(smtp, BOOKED_AT)
    cancel_session(session_id, DESK, BOOKED_AT + timedelta(hours=1))
    run(smtp, BOOKED_AT + timedelta(hours=1))
    to_patient = [m for m in smtp.received() if m.rcpt_tos == ["mrn-1@example.org"]]
    assert len(to_patient) == 2
    (first, first_method, first_cal), (second, second_method, second_cal) = (calendar_of(m.data) for m in to_patient)
    assert (first_method, second_method) == ("REQUEST", "CANCEL")
    assert first_cal.method == "REQUEST" and second_cal.method == "CANCEL"
    one, two = first_cal.events[0], second_cal.events[0]
    assert one.uid == two.uid == f"session-{session_id}@clinic.example"
    assert two.sequence > one.sequence
    assert one.dtstart == at(9)
    # Nothing clinical in what the patient's mail shows first.
    assert not clinical_words_in(str(first["Subject"])) and not clinical_words_in(one.summary)


def test_a_reminder_due_later_waits_and_goes_when_its_time_comes(reachable, smtp):
    book(reachable)
    run(smtp, BOOKED_AT)
    before = len(smtp.received())
    due = at(9) - timedelta(hours=72)
    assert run(smtp, due - timedelta(minutes=1)).sent == 0
    report = run(smtp, due + timedelta(seconds=5))
    assert report.sent == 2  # the email, and the SMS kept in the app (no SMS backend)
    reminder = smtp.received()[before:]
    assert len(reminder) == 1 and "How to prepare" in reminder[0].data.decode()
    sms = rows(channel="sms", kind="reminder-72h")[0]
    assert sms.state == "sent" and sms.provider_id == KEPT


def test_a_reminder_for_a_moved_session_is_never_sent_and_the_new_one_is(reachable, smtp):
    session_id = book(reachable)
    reschedule_session(session_id, at(13), DESK, BOOKED_AT + timedelta(minutes=5))
    run(smtp, at(13) - timedelta(hours=72) + timedelta(seconds=1))
    reminders = [m for m in rows() if m.kind == "reminder-72h" and m.channel == "email"]
    assert {(m.sequence, m.state) for m in reminders} == {(0, "superseded"), (1, "sent")}


def test_a_message_whose_moment_passed_is_dropped_with_a_reason_not_sent_late(reachable, smtp):
    book(reachable)
    # The sender was down until after the session began: nothing of it is sent now.
    report = run(smtp, at(9) + timedelta(minutes=10))
    assert report.sent == 0 and smtp.received() == []
    states = {m.state for m in rows()}
    assert states == {"dropped"}
    assert all("already started" in m.reason for m in rows())


def test_a_temporary_refusal_is_retried_after_a_backoff_and_a_permanent_one_fails_visibly(reachable):
    book(reachable)
    with SmtpServer(reply="451 4.3.0 try again later") as busy:
        report = run(busy, BOOKED_AT)
    assert report.retrying == 3 and report.sent == 0
    pending = rows(kind="invite")
    assert {m.state for m in pending} == {"pending"} and all(m.due_at == BOOKED_AT + timedelta(minutes=1)
                                                            for m in pending)
    with SmtpServer(reply="550 5.1.1 no such mailbox") as refusing:
        report = run(refusing, BOOKED_AT + timedelta(minutes=2))
    assert report.failed == 3
    failed = rows(kind="invite")
    assert {m.state for m in failed} == {"failed"} and "550" in failed[0].reason
    with SmtpServer() as fine:
        retry(failed[0].id, Actor("admin@example.org"), BOOKED_AT + timedelta(minutes=3))
        assert run(fine, BOOKED_AT + timedelta(minutes=3)).sent == 1
    history = db.session.scalars(select(OutboxEvent.state).where(OutboxEvent.message_id == failed[0].id)
                                 .order_by(OutboxEvent.id)).all()
    assert history == ["pending", "sending", "pending", "sending", "failed", "pending", "sending", "sent"]


def test_a_claim_whose_sender_died_is_retaken_after_its_lease(reachable, smtp):
    book(reachable)
    taken = claim_due(BOOKED_AT, "crashed-sender", lease=timedelta(minutes=5))
    assert len(taken.messages) == 3
    assert run(smtp, BOOKED_AT + timedelta(minutes=4)).sent == 0  # still leased
    assert run(smtp, BOOKED_AT + timedelta(minutes=6)).sent == 3
    assert len(smtp.received()) == 3


def test_sms_caps_hold_one_a_day_per_patient(reachable, smtp):
    c = reachable
    book(reachable)
    book_session(SessionOrder(c.patients[0], c.site, c.integration, at(9, 1), c.office, ((c.therapist, "therapist"),)),
                 DESK, BOOKED_AT)
    # Both sessions' 72 h SMS reminders fall within one day: the second is dropped, not sent.
    run(smtp, at(9, 1) - timedelta(hours=72) + timedelta(seconds=1))
    texts = [m for m in rows(channel="sms") if m.kind == "reminder-72h"]
    assert sorted(m.state for m in texts) == ["dropped", "sent"]
    assert "1 SMS a day" in next(m.reason for m in texts if m.state == "dropped")
