"""Twilio's webhook for patients' replies: STOP opts the number out at once, START lets it back in, forgeries change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner.adapters.sms import twilio_signature
from planner.db.models import OutboxEvent, Patient
from planner.extensions import db
from planner.services.couriers import OutboxCourier, postmark_from
from planner.services.delivery import send_due
from tests.web.clinic_messages import PATIENT_PHONE, at, book_iv, make_reachable, outbox_rows
from tests.web.conftest import audit

TOKEN = "twilio-auth-token-for-tests"
PUBLIC_URL = "https://planner.clinic.example"
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture
def gateway(app, monkeypatch):
    """The app as deployed behind its public https address, with a Twilio auth token set."""
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)
    return app


@pytest.fixture
def booked(gateway, clinic, clinic_clock):
    """Patients 0 (at PATIENT_PHONE) and 1 (another number; each patient has their own) booked, texts and emails queued."""
    make_reachable(clinic)
    for n, patient in enumerate(clinic.patients[1:], start=1):  # patient 0 alone keeps PATIENT_PHONE
        db.session.execute(update(Patient).where(Patient.id == patient).values(phone=f"+1212555030{n}"))
    db.session.commit()
    book_iv(clinic, clinic_clock)
    book_iv(clinic, clinic_clock, patient=1, chair=1, nurse=1, start=at(11))
    return clinic


def twilio_form(body: str, sender: str = PATIENT_PHONE) -> dict:
    """The fields Twilio posts for an inbound text."""
    return {"MessageSid": "SM0123456789abcdef0123456789abcdef", "AccountSid": "AC0123456789abcdef0123456789abcdef",
            "From": sender, "To": "+12125550000", "Body": body, "NumMedia": "0"}


def post_text(client, body: str, sender: str = PATIENT_PHONE, *, path: str = "/sms/inbound",
              signed_url: str | None = None, token: str = TOKEN, signature: str | None = None):
    """Post a text as Twilio does, signed over the public URL unless told otherwise."""
    form = twilio_form(body, sender)
    if signature is None:
        signature = twilio_signature(signed_url or PUBLIC_URL + path, form, token)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def opted_out(patient_id: int):
    db.session.rollback()
    value = db.session.scalar(select(Patient.sms_opted_out_at).where(Patient.id == patient_id))
    db.session.rollback()
    return value


def texts_and_emails(patient_id: int) -> tuple[set, set]:
    rows = outbox_rows(recipient_kind="patient", recipient_id=patient_id)
    return ({(m.state, m.reason) for m in rows if m.channel == "sms"},
            {m.state for m in rows if m.channel == "email"})


def test_a_signed_stop_opts_the_patient_out_and_drops_their_pending_texts_but_not_their_emails(client, booked,
                                                                                               clinic_clock):
    patient, other = booked.patients[0], booked.patients[1]
    assert texts_and_emails(patient) == ({("pending", "")}, {"pending"})

    response = post_text(client, "STOP")
    assert response.status_code == 200
    assert response.mimetype == "text/xml" and response.data == EMPTY_TWIML

    assert opted_out(patient) == clinic_clock
    assert texts_and_emails(patient) == ({("dropped", "the patient texted STOP")}, {"pending"})
    dropped = [m.id for m in outbox_rows(recipient_id=patient, recipient_kind="patient", channel="sms")]
    assert len(dropped) == 3
    history = db.session.scalars(select(OutboxEvent.state).where(OutboxEvent.message_id.in_(dropped))).all()
    db.session.rollback()
    assert history.count("dropped") == 3
    assert opted_out(other) is None and texts_and_emails(other)[0] == {("pending", "")}
    assert [(e.actor, e.entity_id) for e in audit("patient.sms_stop")] == [("sms gateway", str(patient))]


def test_after_stop_a_new_booking_queues_no_text_and_after_start_the_next_one_does(client, booked, clinic_clock):
    patient = booked.patients[0]
    assert post_text(client, "Stop").status_code == 200
    later = book_iv(booked, clinic_clock, start=at(9, 2))
    assert [m for m in outbox_rows(session_id=later, channel="sms")] == []
    assert {m.kind for m in outbox_rows(session_id=later, channel="email", recipient_kind="patient")} >= {"invite"}

    assert post_text(client, "START").status_code == 200
    assert opted_out(patient) is None
    assert [e.entity_id for e in audit("patient.sms_start")] == [str(patient)]
    again = book_iv(booked, clinic_clock, start=at(9, 4))
    assert {(m.kind, m.state) for m in outbox_rows(session_id=again, channel="sms")} == {
        ("reminder-72h", "pending"), ("reminder-24h", "pending"), ("reminder-2h", "pending")}


@pytest.mark.parametrize("body", [" stop. ", "UNSUBSCRIBE", "Cancel", "stop all", "QUIT!"])
def test_every_opt_out_word_twilio_honours_opts_the_patient_out(client, booked, body):
    assert post_text(client, body).status_code == 200
    assert opted_out(booked.patients[0]) is not None


@pytest.mark.parametrize("body", ["Stop by at 3?", "cancel my tuesday", "", "thanks"])
def test_a_text_that_is_not_an_opt_out_word_changes_nothing(client, booked, body):
    before = texts_and_emails(booked.patients[0])
    assert post_text(client, body).status_code == 200
    assert opted_out(booked.patients[0]) is None
    assert texts_and_emails(booked.patients[0]) == before


def test_a_stop_from_a_number_no_patient_gave_changes_nothing(client, booked):
    assert post_text(client, "STOP", sender="+12125550111").status_code == 200
    assert all(opted_out(p) is None for p in booked.patients)
    assert audit("patient.sms_stop") == []


@pytest.mark.parametrize("forgery", [
    pytest.param(dict(signature="bm90IGEgc2lnbmF0dXJl"), id="a-made-up-signature"),
    pytest.param(dict(signature=""), id="an-empty-signature"),
    pytest.param(dict(token="another-accounts-token"), id="signed-with-another-token"),
    pytest.param(dict(signed_url="http://127.0.0.1:5000/sms/inbound"), id="signed-for-another-address"),
    pytest.param(dict(signed_url=PUBLIC_URL + "/sms/other"), id="signed-for-another-path"),
])
def test_a_text_with_a_bad_signature_is_403_and_changes_nothing(client, booked, forgery):
    before = texts_and_emails(booked.patients[0])
    response = post_text(client, "STOP", **forgery)
    assert response.status_code == 403
    assert opted_out(booked.patients[0]) is None
    assert texts_and_emails(booked.patients[0]) == before


def test_a_signature_for_another_body_is_403(client, booked):
    signature = twilio_signature(PUBLIC_URL + "/sms/inbound", twilio_form("hello"), TOKEN)
    assert post_text(client, "STOP", signature=signature).status_code == 403
    assert opted_out(booked.patients[0]) is None


def test_a_request_without_the_signature_header_is_403(client, booked):
    assert client.post("/sms/inbound", data=twilio_form("STOP")).status_code == 403
    assert opted_out(booked.patients[0]) is None


def test_a_webhook_address_with_a_query_string_is_signed_with_it(client, booked):
    path = "/sms/inbound?clinic=midtown"
    assert post_text(client, "STOP", path="/sms/inbound", signed_url=PUBLIC_URL + path).status_code == 403
    assert post_text(client, "STOP", path=path).status_code == 200
    assert opted_out(booked.patients[0]) is not None


def test_without_a_twilio_token_the_webhook_is_not_there(app, client, clinic, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "")
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)
    make_reachable(clinic)
    response = post_text(client, "STOP", token="")
    assert response.status_code == 404
    assert opted_out(clinic.patients[0]) is None


def test_the_webhook_takes_only_posts(client, gateway):
    assert client.get("/sms/inbound").status_code == 405


def test_a_text_sent_before_stop_stays_sent_and_none_goes_after_it_while_emails_do(app, client, booked,
                                                                                             clinic_clock):
    patient = booked.patients[0]
    due = at(9) - timedelta(hours=72) + timedelta(seconds=1)
    send_due(OutboxCourier(postmark_from(app.config)), lambda: due, "test-sender")
    assert ("sent", "") in texts_and_emails(patient)[0]
    assert post_text(client, "STOP").status_code == 200
    texts = {m.kind: m.state for m in outbox_rows(recipient_kind="patient", recipient_id=patient, channel="sms")}
    assert texts == {"reminder-72h": "sent", "reminder-24h": "dropped", "reminder-2h": "dropped"}
    # 08:00: the 2 h reminder, moved out of the quiet hours (until 08:00), and the 24 h one are both due.
    send_due(OutboxCourier(postmark_from(app.config)), lambda: at(8) + timedelta(seconds=1), "test-sender")
    texts, emails = texts_and_emails(patient)
    assert {state for state, _ in texts} == {"sent", "dropped"} and emails == {"sent"}
    assert len([m for m in outbox_rows(recipient_id=patient, channel="sms", state="sent")]) == 1


def test_a_stop_from_a_phone_two_patients_share_opts_both_out(client, booked, clinic_clock):
    first, second = booked.patients[0], booked.patients[2]
    db.session.execute(update(Patient).where(Patient.id == second).values(phone=PATIENT_PHONE))
    db.session.commit()
    assert post_text(client, "STOP").status_code == 200
    assert opted_out(first) == opted_out(second) == clinic_clock
    assert opted_out(booked.patients[1]) is None
    assert sorted(int(e.entity_id) for e in audit("patient.sms_stop")) == sorted([first, second])


def test_start_puts_the_texts_still_ahead_back_in_line_and_gives_sessions_booked_meanwhile_theirs(client, booked,
                                                                                                clinic_clock):
    patient = booked.patients[0]
    first = outbox_rows(recipient_kind="patient", recipient_id=patient, channel="sms")[0].session_id
    assert post_text(client, "STOP").status_code == 200
    meanwhile = book_iv(booked, clinic_clock, start=at(9, 2))
    assert post_text(client, "START").status_code == 200
    for session_id in (first, meanwhile):
        texts = outbox_rows(session_id=session_id, channel="sms")
        assert sorted((m.kind, m.state) for m in texts if m.state != "dropped") == [
            ("reminder-24h", "pending"), ("reminder-2h", "pending"), ("reminder-72h", "pending")], session_id
    text = outbox_rows(session_id=first, channel="sms")[0].id
    history = db.session.scalars(select(OutboxEvent.detail).where(OutboxEvent.message_id == text)
                                 .order_by(OutboxEvent.id)).all()
    db.session.rollback()
    assert history == ["queued", "the patient texted STOP", "the patient texted START"]


def test_start_does_not_bring_back_a_text_whose_moment_passed_while_the_patient_was_opted_out(client, booked,
                                                                                             monkeypatch):
    import planner.clock

    patient = booked.patients[0]
    assert post_text(client, "STOP").status_code == 200
    # Monday 04:00 in New York: the 72 h and 24 h reminders' moments went by while the number was stopped.
    monkeypatch.setattr(planner.clock, "now", lambda: at(4))
    assert post_text(client, "START").status_code == 200
    texts = {m.kind: m.state for m in outbox_rows(recipient_kind="patient", recipient_id=patient, channel="sms")}
    assert texts == {"reminder-72h": "dropped", "reminder-24h": "dropped", "reminder-2h": "pending"}
