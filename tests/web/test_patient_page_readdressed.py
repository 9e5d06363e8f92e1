"""Reception's edit form moves the waiting messages; the patient's page shows where each went and why."""

from __future__ import annotations

from sqlalchemy import update

from planner.db.models import OutboxMessage
from planner.extensions import db
from planner.services.patient_registry import form_values
from tests.web.clinic_messages import at, book_iv, make_reachable, outbox_rows
from tests.web.conftest import csrf_from


def edit(client, patient_id: int, **changes):
    """The edit form posted with the record as it shows it (form_values), these fields changed."""
    form = client.get(f"/patients/{patient_id}/edit")
    data = {**form_values(patient_id), **changes, "csrf_token": csrf_from(form.data)}
    return client.post(f"/patients/{patient_id}/edit", data=data)


def row_of(page: str, message_id: int) -> str:
    return page.split(f'href="/outbox/{message_id}"')[1].split("</tr>")[0]


def test_a_new_email_from_the_form_shows_the_waiting_messages_readdressed_and_the_sent_invite_where_it_went(
        signed_in, clinic, clinic_clock):
    make_reachable(clinic)
    patient = clinic.patients[0]
    book_iv(clinic, clinic_clock, start=at(9))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "invite").values(state="sent",
                                                                                       sent_at=clinic_clock))
    db.session.commit()
    client = signed_in("reception")
    response = edit(client, patient, email="maya.new@example.net", consented_channels=["email"],
                    preferred_channel="email")
    assert response.status_code == 303, response.data.decode()
    page = client.get(f"/patients/{patient}").data.decode()
    reminder = outbox_rows(recipient_id=patient, recipient_kind="patient", channel="email", kind="reminder-24h")[0]
    assert "maya.new@example.net" in row_of(page, reminder.id) and "re-addressed" in row_of(page, reminder.id)
    text = outbox_rows(recipient_id=patient, recipient_kind="patient", channel="sms", kind="reminder-24h")[0]
    assert "superseded" in row_of(page, text.id)
    assert "the patient no longer consents to SMS" in row_of(page, text.id)
    assert "re-addressed" not in row_of(page, text.id)
    assert "Messages waiting: 3 re-addressed, 3 superseded." in page  # the history of the record
    (invite,) = outbox_rows(recipient_id=patient, recipient_kind="patient", kind="invite")
    assert "mrn-1@example.org" in row_of(page, invite.id) and "re-addressed" not in row_of(page, invite.id)
