"""Reception registers and edits patients (the API's rules, every error beside its field) and opens their page."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

import planner.clock
from planner.db.models import Patient
from planner.extensions import db
from tests import factories as f
from tests.web.clinic_messages import at, book_iv, make_reachable, outbox_rows
from tests.web.conftest import audit, csrf_from

GOOD = {"name": "Maya Okafor", "mrn": "NEW-1", "date_of_birth": "1988-03-14", "email": "maya@example.org",
        "phone": "+12125550177", "consented_channels": ["email", "sms"], "preferred_channel": "sms",
        "escort_name": "Ben Okafor", "escort_phone": "+12125550178", "rems_patient_id": "", "home_site_id": ""}


def post_form(client, path: str, **changes):
    form = client.get(path)
    assert form.status_code == 200
    return client.post(path, data={**GOOD, **changes, "csrf_token": csrf_from(form.data)})


def patient_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Patient))


def patient(mrn: str) -> Patient:
    db.session.rollback()
    return db.session.scalars(select(Patient).where(Patient.mrn == mrn)).one()


def test_reception_registers_a_patient_and_lands_on_their_page(signed_in, clinic):
    client = signed_in("reception")
    response = post_form(client, "/patients/new")
    assert response.status_code == 303
    row = patient("NEW-1")
    assert response.headers["Location"].endswith(f"/patients/{row.id}")
    assert (row.preferred_channel, row.consented_channels, row.home_site_id) == ("sms", ["email", "sms"], clinic.site)
    assert [e.entity_id for e in audit("patient.created")] == [str(row.id)]
    page = client.get(f"/patients/{row.id}").data.decode()
    assert "Maya Okafor" in page and "Ben Okafor" in page and "No dose may be booked yet." in page


def test_a_missing_name_and_a_date_of_birth_in_the_future_are_shown_beside_their_fields_and_nothing_is_written(
        signed_in, clinic):
    before = patient_count()
    response = post_form(signed_in("reception"), "/patients/new", name="  ", date_of_birth="2999-01-01")
    page = response.data.decode()
    assert response.status_code == 422
    assert '<p class="field-error" id="name-error">Name is required.</p>' in page
    assert 'id="date_of_birth-error"' in page and "must lie between" in page
    assert 'aria-invalid="true"' in page and 'value="Maya Okafor"' not in page  # name blank as typed
    assert 'value="NEW-1"' in page  # what was typed right stays
    assert patient_count() == before


def test_a_date_of_birth_after_today_is_refused_beside_its_field(signed_in, clinic):
    response = post_form(signed_in("reception"), "/patients/new", date_of_birth="2099-01-01")
    assert response.status_code == 422
    assert "Date of birth is in the future" in response.data.decode()


def test_a_duplicate_mrn_is_refused_with_a_clear_message_beside_the_mrn(signed_in, clinic):
    before = patient_count()
    response = post_form(signed_in("reception"), "/patients/new", mrn="MRN-1")
    assert response.status_code == 422
    assert '<p class="field-error" id="mrn-error">The MRN MRN-1 is already in use.</p>' in response.data.decode()
    assert patient_count() == before


def test_texting_consent_without_a_phone_is_shown_beside_the_channels(signed_in, clinic):
    response = post_form(signed_in("reception"), "/patients/new", phone="", preferred_channel="")
    assert response.status_code == 422
    assert 'id="consented_channels-error">Sms is a consented channel but no phone number is given' in \
        response.data.decode()


def test_an_edit_is_saved_audited_with_before_and_after_and_shown_in_the_history(signed_in, clinic):
    client = signed_in("reception")
    row_id = clinic.patients[0]
    form = client.get(f"/patients/{row_id}/edit")
    assert 'value="MRN-1"' in form.data.decode()
    values = {"name": "Patient MRN-1", "mrn": "MRN-1", "date_of_birth": "1980-05-17", "email": "mrn-1@example.org",
              "phone": "+12125550111", "consented_channels": [], "preferred_channel": "email",
              "escort_name": "", "escort_phone": "", "rems_patient_id": "RMRN-1", "home_site_id": str(clinic.site)}
    response = client.post(f"/patients/{row_id}/edit", data={**values, "csrf_token": csrf_from(form.data)})
    assert response.status_code == 303
    assert patient("MRN-1").phone == "+12125550111"
    (event,) = audit("patient.updated")
    assert event.entity_id == str(row_id)
    assert event.details == {"before": {"phone": None}, "after": {"phone": "+12125550111"}}
    page = client.get(f"/patients/{row_id}").data.decode()
    assert "+12125550111" in page and "changed" in page


def test_the_form_offers_no_status_and_a_status_posted_anyway_changes_nothing(signed_in, clinic):
    client = signed_in("reception")
    row_id = clinic.patients[0]
    form = client.get(f"/patients/{row_id}/edit").data.decode()
    assert 'name="screening_status"' not in form and 'name="consent_status"' not in form
    assert 'name="rems_enrolled_on"' not in form
    assert f'href="/patients/{row_id}/consent/new">Record consent</a>' in form  # where the statuses are recorded
    values = {**GOOD, "mrn": "MRN-1", "name": "Patient MRN-1", "date_of_birth": "1980-05-17",
              "email": "mrn-1@example.org", "consented_channels": [], "preferred_channel": "email",
              "escort_name": "", "escort_phone": "", "rems_patient_id": "RMRN-1", "home_site_id": str(clinic.site),
              "consent_status": "withdrawn", "screening_status": "excluded", "rems_enrolled_on": "2025-01-01"}
    response = client.post(f"/patients/{row_id}/edit", data={**values, "csrf_token": csrf_from(form)})
    assert response.status_code == 303  # the safe control: the same form saves, with only what it offers
    row = patient("MRN-1")
    assert (row.screening_status, row.consent_status, row.rems_enrolled_on) == ("cleared", "signed", f.LONG_AGO)
    (event,) = audit("patient.updated")  # the phone from GOOD was saved; no status was touched
    assert "phone" in event.details["after"]
    assert not {"screening_status", "consent_status", "rems_enrolled_on"} & set(event.details["after"])


def test_an_edit_to_another_patients_mrn_is_refused_and_changes_nothing(signed_in, clinic):
    client = signed_in("admin")
    response = post_form(client, f"/patients/{clinic.patients[0]}/edit", mrn="MRN-2")
    assert response.status_code == 422 and "The MRN MRN-2 is already in use." in response.data.decode()
    assert patient("MRN-1").name == "Patient MRN-1" and audit("patient.updated") == []


def test_the_page_shows_sessions_ahead_and_behind_in_site_time_with_the_zone_and_the_messages_sent(
        signed_in, clinic, clinic_clock, monkeypatch):
    make_reachable(clinic)
    book_iv(clinic, clinic_clock, start=at(9))
    book_iv(clinic, clinic_clock, start=at(9, day_offset=2))
    monkeypatch.setattr(planner.clock, "now", lambda: datetime(2026, 11, 24, 17, tzinfo=timezone.utc))  # Tuesday
    page = signed_in("reception").get(f"/patients/{clinic.patients[0]}").data.decode()
    ahead, past = page.split("Sessions ahead")[1].split("Past sessions")
    assert "Wed 25 Nov 2026" in ahead and "09:00–" in ahead and "EST" in ahead and "Mon 23 Nov" not in ahead
    assert "Mon 23 Nov 2026" in past
    invites = outbox_rows(kind="invite", recipient_kind="patient", recipient_id=clinic.patients[0])
    assert invites and all(f'href="/outbox/{m.id}"' in page for m in invites)
    assert 'href="/book?patient=' in page and 'href="/courses/new?patient=' in page


def test_past_the_newest_eight_the_messages_fold_away_and_each_is_still_listed_once(signed_in, clinic, clinic_clock):
    make_reachable(clinic)
    for day in (0, 2, 4):
        book_iv(clinic, clinic_clock, start=at(9, day_offset=day))
    messages = outbox_rows(recipient_kind="patient", recipient_id=clinic.patients[0])
    assert len(messages) > 8
    page = signed_in("reception").get(f"/patients/{clinic.patients[0]}").data.decode()
    shown, folded = page.split("Messages to them")[1].split('<details class="more-messages">')
    assert f"The {len(messages) - 8} earlier messages" in folded
    newest = sorted(messages, key=lambda m: m.id, reverse=True)
    assert all(f'href="/outbox/{m.id}"' in shown for m in newest[:8])
    assert all(page.count(f'href="/outbox/{m.id}"') == 1 and f'href="/outbox/{m.id}"' in folded for m in newest[8:])


def test_a_clinician_sees_the_page_but_may_not_register_or_edit_and_the_refusal_is_logged(signed_in, clinic, caplog):
    make_reachable(clinic)
    book_iv(clinic, datetime(2026, 11, 20, 12, tzinfo=timezone.utc), start=at(9))
    client = signed_in("clinician")
    page = client.get(f"/patients/{clinic.patients[0]}")
    text = page.data.decode()
    assert page.status_code == 200 and "/edit" not in text and "/book?" not in text
    assert "Invite" in text and "/outbox/" not in text  # the outbox is reception's: no link to a 403
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.get("/patients/new").status_code == 403
        assert client.get(f"/patients/{clinic.patients[0]}/edit").status_code == 403
    assert sum("access refused" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.parametrize("path", ["/patients/999999", "/patients/99999999999999999999", "/patients/0",
                                  "/patients/abc", "/patients/999999/edit", "/patients/-1"])
def test_an_unknown_patient_is_a_404(signed_in, clinic, path):
    assert signed_in("reception").get(path).status_code == 404


def test_a_form_without_its_security_token_is_refused_and_writes_nothing(signed_in, clinic):
    before = patient_count()
    response = signed_in("reception").post("/patients/new", data=GOOD)
    assert response.status_code == 400 and patient_count() == before


def test_a_renamed_patient_is_found_by_the_new_name_and_no_longer_by_the_old(signed_in, clinic):
    client = signed_in("reception")
    response = post_form(client, f"/patients/{clinic.patients[0]}/edit", name="Zoë Ibáñez", mrn="MRN-1")
    assert response.status_code == 303
    assert f'href="/patients/{clinic.patients[0]}">Zoë Ibáñez<' in client.get("/patients/results?q=ibanez").data.decode()
    assert "Zoë" not in client.get("/patients/results?q=okafor").data.decode()
    assert 'class="hit-name"' not in client.get("/patients/results?q=mrn-1 patient").data.decode()


@pytest.mark.parametrize("field, value", [
    ("home_site_id", "99999999999999999999"), ("home_site_id", "abc"), ("home_site_id", "777"),
    ("consented_channels", "fax"), ("preferred_channel", "pigeon"),
    ("date_of_birth", "1980-02-30"), ("date_of_birth", "99999-01-01"),
    ("name", "Ana\x00Lopez"), ("mrn", "M" * 41), ("email", "not-an-address"), ("phone", "212 555 0177"),
])
def test_a_bad_value_in_any_field_is_named_beside_that_field_and_nothing_is_written(signed_in, clinic, field, value):
    before = patient_count()
    response = post_form(signed_in("reception"), "/patients/new", **{field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.data.decode()
    assert patient_count() == before


def test_the_api_names_a_home_site_id_too_large_for_any_site_instead_of_failing(client, clinic, api_token):
    body = {"mrn": "BIG-1", "name": "Big Number", "date_of_birth": "1980-01-01", "home_site_id": 2**40}
    response = client.post("/api/patients", json=body, headers={"Authorization": f"Bearer {api_token('reception')}"})
    assert response.status_code == 422
    assert [f["field"] for f in response.get_json()["fields"]] == ["home_site_id"]
