"""PATCH /api/patients/<id>: only the fields given change, by the rules of registering, audited, messages following."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, Patient
from planner.extensions import db
from tests.web.api_client import ApiClient, fields
from tests.web.clinic_messages import at, book_iv, make_reachable, outbox_rows


@pytest.fixture
def reception(client, clinic, clinic_clock):
    return ApiClient(client, "reception")


def record(patient_id: int) -> dict:
    """The patient's stored fields and the count of audited edits, read afresh."""
    db.session.rollback()
    row = db.session.get(Patient, patient_id)
    values = {column.name: getattr(row, column.name) for column in Patient.__table__.columns}
    edits = len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.updated")).all())
    db.session.rollback()
    return {**values, "edits": edits}


def test_a_patch_changes_only_the_fields_given_and_is_audited_before_and_after(reception, clinic):
    patient = clinic.patients[0]
    before = record(patient)
    response = reception.patch(f"/api/patients/{patient}", {"phone": "+12125550177", "escort_name": "Ben Okafor"})
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["id"], answer["phone"], answer["escort_name"]) == (patient, "+12125550177", "Ben Okafor")
    assert (answer["mrn"], answer["email"], answer["date_of_birth"]) == ("MRN-1", "mrn-1@example.org", "1980-05-17")
    after = record(patient)
    assert {k for k in after if after[k] != before[k]} == {"phone", "escort_name", "edits"}
    db.session.rollback()
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.updated")).all()
    assert event.details == {"before": {"phone": None, "escort_name": None},
                             "after": {"phone": "+12125550177", "escort_name": "Ben Okafor"}}


def test_null_clears_an_optional_field(reception, clinic):
    patient = clinic.patients[0]
    reception.patch(f"/api/patients/{patient}", {"escort_name": "Ben Okafor"})
    response = reception.patch(f"/api/patients/{patient}", {"escort_name": None})
    assert response.status_code == 200 and response.get_json()["escort_name"] is None


def test_an_unknown_patient_is_404(reception):
    response = reception.patch("/api/patients/9999", {"name": "Nobody"})
    assert response.status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"consented_channels": ["email"], "email": None}, "consented_channels"),  # a consented channel needs its address
    ({"consented_channels": ["sms"], "preferred_channel": "sms"}, "consented_channels"),  # no phone for SMS
    ({"consented_channels": ["email"], "preferred_channel": "sms"}, "preferred_channel"),  # one they consented to
    ({"phone": "212-555-0123"}, "phone"),                     # E.164
    ({"escort_phone": "+0"}, "escort_phone"),
    ({"email": "not an address"}, "email"),
    ({"date_of_birth": "2099-01-01"}, "date_of_birth"),       # not in the future
    ({"rems_enrolled_on": "2026-01-05"}, "rems_enrolled_on"),  # set by the REMS enrolment record only
    ({"mrn": "MRN-2"}, "mrn"),                                # taken by another patient
    ({"mrn": None}, "mrn"),                                   # a required field takes a value or is left out
    ({"name": ""}, "name"),
    ({"screening_status": "cleared"}, "screening_status"),     # set by screening records only
    ({"consent_status": "signed"}, "consent_status"),         # set by consent records only
    ({"home_site_id": 999}, "home_site_id"),                  # no such site
    ({"home_site_id": "1"}, "home_site_id"),                  # an id is a number, not text
    ({}, "body"),                                             # say what to change
    ({"favourite_colour": "blue"}, "favourite_colour"),       # an unknown field is named, not ignored
])
def test_a_bad_change_is_422_naming_the_field_and_writes_nothing(reception, clinic, change, field):
    patient = clinic.patients[0]
    before = record(patient)
    response = reception.patch(f"/api/patients/{patient}", change)
    assert field in fields(response)
    assert record(patient) == before


def test_every_bad_field_is_named_at_once(reception, clinic):
    response = reception.patch(f"/api/patients/{clinic.patients[0]}",
                               {"phone": "12", "email": "x", "favourite_colour": "blue"})
    assert fields(response) == {"phone", "email", "favourite_colour"}


def test_a_body_that_is_not_json_is_422(reception, clinic):
    response = reception.client.patch(f"/api/patients/{clinic.patients[0]}", data="name=x",
                                      headers=reception.headers, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422


def test_a_clinician_may_read_a_patient_but_not_change_one(client, clinic, clinic_clock):
    clinician = ApiClient(client, "clinician")
    assert clinician.get(f"/api/patients/{clinic.patients[0]}").status_code == 200
    assert clinician.patch(f"/api/patients/{clinic.patients[0]}", {"name": "X"}).status_code == 403
    assert ApiClient(client, "admin").patch(f"/api/patients/{clinic.patients[0]}", {"name": "X"}).status_code == 200


def test_a_new_email_through_the_api_readdresses_the_waiting_messages(reception, clinic, clinic_clock):
    make_reachable(clinic)
    book_iv(clinic, clinic_clock, start=at(9))
    patient = clinic.patients[0]
    response = reception.patch(f"/api/patients/{patient}", {"email": "maya.new@example.net"})
    assert response.status_code == 200
    waiting = outbox_rows(recipient_kind="patient", recipient_id=patient, channel="email")
    assert waiting and {(m.state, m.address) for m in waiting} == {("pending", "maya.new@example.net")}
