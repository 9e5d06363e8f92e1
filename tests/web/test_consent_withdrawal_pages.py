"""Consent withdrawn in the browser and the API, statuses only from records, the record's history in words, the REMS line."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from planner.db.models import ConsentRecord, Patient
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import ApiClient, count_of, fields
from tests.web.clinic_messages import book_iv
from tests.web.conftest import csrf_from

ALL_NO = {"vascular_disease": False, "brain_haemorrhage": False, "hypersensitivity": False, "pregnancy": False,
          "heart_disease": False, "psychosis_or_mania": False, "substance_dependence": False,
          "intracranial_pressure": False, "liver_disease": False}
NEW = {"mrn": "NEW-30", "name": "Ana Lopez", "date_of_birth": "1980-01-01"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.data.decode()))


def patients() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Patient))


def statuses(patient_id: int) -> tuple:
    db.session.rollback()
    row = db.session.get(Patient, patient_id)
    return row.screening_status, row.consent_status, row.rems_enrolled_on


# --- statuses only from records ---------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "route"), [
    ("screening_status", "cleared", "POST /api/patients/{id}/screenings"),
    ("consent_status", "signed", "POST /api/patients/{id}/consents"),
    ("rems_enrolled_on", "2026-01-05", "kind rems_enrolment"),
])
def test_registering_a_patient_with_a_status_is_a_422_naming_the_field_and_its_route(client, clinic, clinic_clock,
                                                                                       field, value, route):
    reception = ApiClient(client, "reception")
    before = patients()
    refused = reception.post("/api/patients", json={**NEW, field: value})
    assert fields(refused) == {field}
    (problem,) = refused.get_json()["fields"]
    assert route in problem["message"] and "never set directly" in problem["message"]
    assert patients() == before
    created = reception.post("/api/patients", json=NEW)  # the safe control: the same body without it
    assert created.status_code == 201 and created.get_json()["screening_status"] == "pending"


def test_a_patch_of_a_status_is_refused_and_changes_nothing_while_a_patch_of_the_phone_is_saved(client, clinic,
                                                                                                 clinic_clock):
    reception, patient = ApiClient(client, "reception"), clinic.patients[0]
    refused = reception.patch(f"/api/patients/{patient}", {"consent_status": "withdrawn", "phone": "+12125550111"})
    assert fields(refused) == {"consent_status"} and "consent-withdrawals" in refused.get_json()["fields"][0]["message"]
    assert statuses(patient)[1] == "signed"
    assert reception.patch(f"/api/patients/{patient}", {"phone": "+12125550111"}).status_code == 200


# --- consent withdrawn ------------------------------------------------------------------------------

def test_reception_records_a_withdrawal_by_api_and_the_answer_names_each_dose_still_booked(client, clinic,
                                                                                           clinic_clock):
    reception, patient = ApiClient(client, "reception"), clinic.patients[0]
    booked = book_iv(clinic, clinic_clock)
    done = reception.post(f"/api/patients/{patient}/consent-withdrawals",
                          json={"withdrawn_on": "2026-11-20", "reason": "Moving abroad"})
    assert done.status_code == 201, done.get_json()
    answer = done.get_json()
    assert answer["consent_status"] == "withdrawn"
    (dose,) = answer["doses_still_booked"]
    assert (dose["session_id"], dose["day"], dose["cancel"], dose["stop_course"]) == (
        booked, "2026-11-23", f"/api/sessions/{booked}/cancel", None)
    assert reception.get(f"/api/sessions/{booked}").get_json()["status"] == "booked"
    (latest, *_) = reception.get(f"/api/patients/{patient}/consents").get_json()
    assert (latest["kind"], latest["signed_on"], latest["note"]) == ("withdrawal", "2026-11-20", "Moving abroad")


def test_a_withdrawal_ahead_or_without_a_reason_is_a_422_naming_the_field_and_writes_nothing(client, clinic,
                                                                                             clinic_clock):
    reception, patient = ApiClient(client, "reception"), clinic.patients[0]
    before = count_of(ConsentRecord, patient)
    assert fields(reception.post(f"/api/patients/{patient}/consent-withdrawals",
                                 json={"withdrawn_on": "2026-12-01", "reason": "Moving"})) == {"withdrawn_on"}
    assert fields(reception.post(f"/api/patients/{patient}/consent-withdrawals",
                                 json={"withdrawn_on": "2026-11-20", "reason": ""})) == {"reason"}
    assert fields(reception.post(f"/api/patients/{patient}/consent-withdrawals",
                                 json={"withdrawn_on": "2026-11-20"})) == {"reason"}
    assert count_of(ConsentRecord, patient) == before and statuses(patient)[1] == "signed"
    unsigned = f.make_patient("NEW-31", consent_status="pending")
    assert fields(reception.post(f"/api/patients/{unsigned}/consent-withdrawals",
                                 json={"withdrawn_on": "2026-11-20", "reason": "No"})) == {"patient_id"}


def test_the_withdrawal_form_names_the_booked_dose_on_the_patients_page_with_links_to_cancel_and_stop(
        signed_in, clinic, clinic_clock):
    patient = clinic.patients[0]
    booked = book_iv(clinic, clinic_clock)
    desk = signed_in("reception")
    page = text_of(desk.get(f"/patients/{patient}"))
    assert "Doses booked without consent" not in page  # the safe control: consent signed, nothing named
    form = desk.get(f"/patients/{patient}/consent/withdraw")
    refused = desk.post(f"/patients/{patient}/consent/withdraw",
                        data={"withdrawn_on": "2026-11-20", "reason": "", "csrf_token": csrf_from(form.data)})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.data.decode()
    done = desk.post(f"/patients/{patient}/consent/withdraw",
                     data={"withdrawn_on": "2026-11-20", "reason": "Moving abroad", "csrf_token": csrf_from(form.data)})
    assert done.status_code == 303 and done.headers["Location"].endswith("#doses-without-consent")
    html = desk.get(f"/patients/{patient}").data.decode()
    section = html[html.index('data-testid="doses-without-consent"'):]
    assert f'href="/sessions/{booked}"' in section[:2000] and "The patient withdrew consent" in section[:2000]
    assert "1 dose is still booked" in html  # the flash
    history = text_of(desk.get(f"/patients/{patient}"))
    assert "recorded that the patient withdrew treatment consent on 11/20/2026: Moving abroad" in history


# --- the history and what reception reads -----------------------------------------------------------

def test_the_history_names_each_record_in_words_and_reception_never_reads_the_screening_answers(
        client, signed_in, clinic, clinic_clock):
    patient = f.make_patient("NEW-32", screening_status="pending", consent_status="pending", rems_enrolled_on=None)
    clinician = ApiClient(client, "clinician")
    assert clinician.post(f"/api/patients/{patient}/screenings",
                          json={"answers": {**ALL_NO, "pregnancy": True}, "outcome": "needs_review",
                                "note": "Test booked for Monday"}).status_code == 201
    assert clinician.post(f"/api/patients/{patient}/consents",
                          json={"kind": "treatment", "signed_on": "2026-11-19", "expires_on": "2027-05-19"}
                          ).status_code == 201
    desk = text_of(signed_in("reception").get(f"/patients/{patient}"))
    assert "recorded a screening: needs review" in desk
    assert "recorded a signed treatment consent, signed 11/19/2026, expires 05/19/2027" in desk
    assert "Pregnancy" not in desk and "Test booked for Monday" not in desk
    clinical = text_of(signed_in("clinician").get(f"/patients/{patient}"))
    assert "Yes to: Pregnancy" in clinical and "recorded a screening: needs review" in clinical


# --- the REMS enrolment line ------------------------------------------------------------------------

def test_the_rems_line_and_the_screening_card_read_the_one_enrolment_record(client, signed_in, clinic, clinic_clock):
    enrolled = clinic.patients[0]  # enrolled by the factory through a record
    page = text_of(signed_in("reception").get(f"/patients/{enrolled}"))
    assert "enrolled 01/01/2020" in page and "REMS enrolment form signed 01/01/2020" in page
    assert "REMS enrolment form none recorded" not in page
    newcomer = f.make_patient("NEW-33", rems_enrolled_on=None)
    page = text_of(signed_in("reception").get(f"/patients/{newcomer}"))
    assert "not enrolled (no esketamine)" in page and "REMS enrolment form none recorded" in page
    assert ApiClient(client, "reception").post(f"/api/patients/{newcomer}/consents",
                                               json={"kind": "rems_enrolment", "signed_on": "2026-11-18"}
                                               ).status_code == 201
    page = text_of(signed_in("reception").get(f"/patients/{newcomer}"))
    assert "enrolled 11/18/2026" in page and "REMS enrolment form signed 11/18/2026" in page
    assert statuses(newcomer)[2].isoformat() == "2026-11-18"


def test_a_screening_written_from_a_status_says_its_answers_were_not_recorded_never_no_to_every_item(
        client, signed_in, clinic, clinic_clock):
    imported = clinic.patients[0]  # the factory writes its records as the scenario import does: no answers
    card = text_of(signed_in("clinician").get(f"/patients/{imported}"))
    assert "Answers not recorded" in card and "No to every item" not in card
    screened = f.make_patient("NEW-34", screening_status="pending", rems_enrolled_on=None)
    assert ApiClient(client, "clinician").post(f"/api/patients/{screened}/screenings",
                                               json={"answers": ALL_NO, "outcome": "cleared"}).status_code == 201
    assert "No to every item" in text_of(signed_in("clinician").get(f"/patients/{screened}"))


def test_the_requests_worklist_names_a_dose_its_patients_consent_no_longer_covers(client, signed_in, clinic,
                                                                                  clinic_clock):
    withdrawn, holding = clinic.patients[0], clinic.patients[1]
    dose = book_iv(clinic, clinic_clock, patient=0)
    kept = book_iv(clinic, clinic_clock, patient=1, chair=1, nurse=1)
    desk = signed_in("reception")
    assert 'data-testid="doses-without-consent"' not in desk.get("/requests").data.decode()  # the safe control
    assert ApiClient(client, "reception").post(f"/api/patients/{withdrawn}/consent-withdrawals",
                                               json={"withdrawn_on": "2026-11-20", "reason": "Moving"}
                                               ).status_code == 201
    html = desk.get("/requests").data.decode()
    section = html[html.index('data-testid="doses-without-consent"'):]
    assert f'href="/sessions/{dose}"' in section and "consent withdrawn" in section
    assert f'href="/sessions/{kept}"' not in section and f'href="/patients/{holding}"' not in section
