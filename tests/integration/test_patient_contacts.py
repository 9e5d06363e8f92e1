"""A patient's edited contact details reach the outbox, in the edit's own transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner.db.models import AuditEvent, OutboxEvent, OutboxMessage, Patient
from planner.domain.errors import InvalidData
from planner.extensions import db
from planner.services.booking import cancel_session
from planner.services.patient_inputs import PatientChange
from planner.services.patient_registry import change_patient, form_values, update_patient
from planner.services.sms_replies import handle_sms_reply
from tests.integration.test_outbox_sender import BOOKED_AT, DESK, at, book, rows, run

EDITED_AT = BOOKED_AT + timedelta(minutes=30)
NEW_EMAIL = "maya.new@example.net"


def edit(patient_id: int, now=EDITED_AT, **changes):
    """Reception's edit form, sent with these fields changed."""
    return update_patient(patient_id, {**form_values(patient_id), **changes}, DESK, now)


def snapshot():
    """Every message's state, address and reason, and the count of history events."""
    found = db.session.execute(select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.address,
                                      OutboxMessage.reason).order_by(OutboxMessage.id)).all()
    events = db.session.scalar(select(db.func.count()).select_from(OutboxEvent))
    db.session.rollback()
    return [tuple(r) for r in found], events


def events_of(message_id: int) -> list[OutboxEvent]:
    found = db.session.scalars(select(OutboxEvent).where(OutboxEvent.message_id == message_id)
                               .order_by(OutboxEvent.id)).all()
    db.session.rollback()
    return list(found)


def patient_messages(patient_id: int, **where):
    return [m for m in rows(recipient_kind="patient", **where) if m.recipient_id == patient_id]


def test_a_changed_email_sends_the_pending_reminder_to_the_new_address_and_the_sent_invite_stays_where_it_went(
        reachable, smtp):
    patient = reachable.patients[0]
    book(reachable)
    run(smtp, BOOKED_AT)  # the invites leave, to the old address
    changes = edit(patient, email=NEW_EMAIL)
    assert set(changes) == {"email"}
    (invite,) = patient_messages(patient, kind="invite")
    assert (invite.state, invite.address) == ("sent", "mrn-1@example.org")
    reminders = patient_messages(patient, channel="email", state="pending")
    assert reminders and {m.address for m in reminders} == {NEW_EMAIL}
    moved = events_of(reminders[0].id)[-1]
    assert moved.detail == "re-addressed: the patient's email address changed (was m…@example.org)"
    assert "mrn-1@example.org" not in moved.detail
    (audited,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.updated")).all()
    assert audited.details["outbox"] == {"readdressed": len(reminders)}
    db.session.rollback()

    before = len(smtp.received())
    report = run(smtp, at(9) - timedelta(hours=72) + timedelta(seconds=5))
    assert report.sent == 2  # the email reminder, and the SMS kept in the app
    (mail,) = smtp.received()[before:]
    assert mail.rcpt_tos == [NEW_EMAIL]


def test_withdrawing_sms_consent_supersedes_the_pending_texts_with_a_plain_reason_and_leaves_the_emails(reachable):
    patient = reachable.patients[0]
    book(reachable)
    edit(patient, consented_channels=["email"], preferred_channel="email")
    texts = patient_messages(patient, channel="sms")
    assert texts and {(m.state, m.reason) for m in texts} == {("superseded", "the patient no longer consents to SMS")}
    assert events_of(texts[0].id)[-1].detail == "the patient no longer consents to SMS"
    assert {m.state for m in patient_messages(patient, channel="email")} == {"pending"}


def test_removing_the_phone_with_sms_consent_withdrawn_says_the_consent_went(reachable):
    patient = reachable.patients[0]
    book(reachable)
    edit(patient, consented_channels=["email"], preferred_channel="email", phone="")
    assert {m.reason for m in patient_messages(patient, channel="sms")} == {"the patient no longer consents to SMS"}


def test_adding_email_consent_queues_reminders_for_sessions_ahead_only_not_past_or_cancelled(reachable):
    c = reachable
    patient = c.patients[0]
    db.session.execute(update(Patient).where(Patient.id == patient).values(consented_channels=["sms"],
                                                                           preferred_channel="sms"))
    db.session.commit()
    book(c, at(9))  # Monday: over by Tuesday, when the consent comes
    cancelled = book(c, at(9, day_offset=2))
    ahead = book(c, at(9, day_offset=4))
    cancel_session(cancelled, DESK, BOOKED_AT + timedelta(hours=1))
    tuesday = at(12, day_offset=1)
    assert not patient_messages(patient, channel="email")
    edit(patient, now=tuesday, consented_channels=["sms", "email"])
    emails = patient_messages(patient, channel="email")
    assert {m.session_id for m in emails} == {ahead}
    # Friday 9:00's 72-hour reminder was due Tuesday 9:00, before the consent: not queued late.
    assert {m.kind for m in emails} == {"invite", "reminder-24h", "reminder-2h"}
    assert {(m.state, m.address) for m in emails} == {("pending", "mrn-1@example.org")}


def test_withdrawing_email_and_consenting_again_brings_the_reminders_back_to_the_address_given(reachable):
    patient = reachable.patients[0]
    book(reachable)
    queued = {m.id for m in patient_messages(patient, channel="email")}
    edit(patient, consented_channels=["sms"], preferred_channel="sms")
    assert {m.state for m in patient_messages(patient, channel="email")} == {"superseded"}
    edit(patient, now=EDITED_AT + timedelta(minutes=5), consented_channels=["sms", "email"], email=NEW_EMAIL)
    back = patient_messages(patient, channel="email")
    assert {m.id for m in back} == queued  # the same rows, not copies: their keys are the same
    assert {(m.state, m.address) for m in back} == {("pending", NEW_EMAIL)}
    assert events_of(back[0].id)[-1].detail == "queued again: the patient may be reached by email again"


def test_an_sms_opt_out_holds_when_reception_changes_the_number_or_consents_to_sms(reachable):
    patient = reachable.patients[0]
    db.session.execute(update(Patient).where(Patient.id == patient).values(consented_channels=["email"],
                                                                           sms_opted_out_at=BOOKED_AT))
    db.session.commit()
    book(reachable)
    edit(patient, consented_channels=["email", "sms"], phone="+12125550199")
    assert not patient_messages(patient, channel="sms")
    db.session.rollback()
    assert db.session.get(Patient, patient).sms_opted_out_at is not None


def test_an_edit_that_changes_nothing_about_contacts_touches_no_message(reachable):
    patient = reachable.patients[0]
    book(reachable)
    before = snapshot()
    changes = edit(patient, escort_name="Ben Okafor")
    assert set(changes) == {"escort_name"}
    assert snapshot() == before


@pytest.mark.parametrize("changes", [
    {"email": NEW_EMAIL, "phone": "212-555-0199"},          # refused by the rules before the transaction
    {"email": NEW_EMAIL, "consented_channels": ["email"], "mrn": "MRN-2"},  # refused inside it (MRN taken)
    {"email": NEW_EMAIL, "home_site_id": "999"},            # refused inside it (no such site)
])
def test_a_refused_edit_changes_no_message_and_no_record(reachable, changes):
    patient = reachable.patients[0]
    book(reachable)
    before = snapshot()
    with pytest.raises(InvalidData):
        edit(patient, **changes)
    assert snapshot() == before
    assert db.session.get(Patient, patient).email == "mrn-1@example.org"
    db.session.rollback()


def test_a_message_a_sender_holds_is_not_readdressed(reachable):
    patient = reachable.patients[0]
    book(reachable)
    (invite,) = patient_messages(patient, kind="invite")
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == invite.id).values(state="sending"))
    db.session.commit()
    edit(patient, email=NEW_EMAIL)
    (held,) = patient_messages(patient, kind="invite")
    assert (held.state, held.address) == ("sending", "mrn-1@example.org")
    assert {m.address for m in patient_messages(patient, channel="email", state="pending")} == {NEW_EMAIL}


def test_a_cancellation_after_an_email_change_goes_to_the_new_address_and_none_after_email_is_withdrawn(
        reachable, smtp):
    c = reachable
    patient = c.patients[0]
    first, second = book(c, at(9)), book(c, at(9, day_offset=2))
    run(smtp, BOOKED_AT)
    edit(patient, email=NEW_EMAIL)
    cancel_session(first, DESK, EDITED_AT + timedelta(minutes=1))
    (cancel,) = patient_messages(patient, kind="cancel")
    assert cancel.address == NEW_EMAIL
    edit(patient, now=EDITED_AT + timedelta(minutes=2), consented_channels=["sms"], preferred_channel="sms")
    cancel_session(second, DESK, EDITED_AT + timedelta(minutes=3))
    assert [m.session_id for m in patient_messages(patient, kind="cancel")] == [first]


def test_start_brings_no_text_back_once_sms_consent_is_withdrawn(reachable):
    patient = reachable.patients[0]
    book(reachable)
    assert handle_sms_reply("+12125550142", "STOP", EDITED_AT) == "stop"
    edit(patient, now=EDITED_AT + timedelta(minutes=1), consented_channels=["email"], preferred_channel="email")
    assert handle_sms_reply("+12125550142", "START", EDITED_AT + timedelta(minutes=2)) == "start"
    assert {m.state for m in patient_messages(patient, channel="sms")} == {"dropped"}


def test_the_api_change_moves_the_messages_as_the_form_does(reachable):
    patient = reachable.patients[0]
    book(reachable)
    change_patient(patient, PatientChange(email=NEW_EMAIL), DESK, EDITED_AT)
    assert {m.address for m in patient_messages(patient, channel="email", state="pending")} == {NEW_EMAIL}
