"""Screening and consent from the patient's page: the checklist item by item, errors beside items, who sees answers."""

from __future__ import annotations

import re

import pytest

from planner.db.models import Patient, ScreeningRecord
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import count_of
from tests.web.conftest import csrf_from

ITEMS = ("vascular_disease", "brain_haemorrhage", "hypersensitivity", "pregnancy", "heart_disease",
         "psychosis_or_mania", "substance_dependence", "intracranial_pressure", "liver_disease")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.data.decode()))


@pytest.fixture
def patient(clinic, clinic_clock):
    return f.make_patient("NEW-7", screening_status="pending", consent_status="pending", rems_enrolled_on=None)


def status(patient_id: int) -> tuple[str, str]:
    db.session.rollback()
    row = db.session.get(Patient, patient_id)
    return row.screening_status, row.consent_status


def test_a_clinician_answers_the_checklist_and_the_card_shows_the_outcome_and_the_yes_items(signed_in, patient):
    clinician = signed_in("clinician")
    form = clinician.get(f"/patients/{patient}/screening/new")
    assert form.status_code == 200 and 'name="pregnancy" value="yes"' in form.data.decode()
    answers = {key: "no" for key in ITEMS} | {"pregnancy": "yes"}
    done = clinician.post(f"/patients/{patient}/screening/new",
                          data={**answers, "outcome": "cleared", "note": "Negative test on 18 Nov.",
                                "csrf_token": csrf_from(form.data)})
    assert done.status_code == 303 and status(patient) == ("cleared", "pending")
    page = text_of(clinician.get(f"/patients/{patient}"))
    assert "Yes to: Pregnancy" in page and "Negative test on 18 Nov." in page


def test_an_unanswered_item_is_shown_beside_it_and_nothing_is_written(signed_in, patient):
    clinician = signed_in("clinician")
    form = clinician.get(f"/patients/{patient}/screening/new")
    answers = {key: "no" for key in ITEMS if key != "liver_disease"}
    refused = clinician.post(f"/patients/{patient}/screening/new",
                             data={**answers, "outcome": "cleared", "csrf_token": csrf_from(form.data)})
    assert refused.status_code == 422
    assert re.search(r'id="liver_disease-error">This is required\.', refused.data.decode())
    assert 'name="pregnancy" value="no" checked' in refused.data.decode()  # what was chosen is kept
    assert count_of(ScreeningRecord, patient) == 0


def test_reception_records_a_consent_date_and_sees_the_outcome_but_never_the_answers(signed_in, patient):
    clinician, reception = signed_in("clinician"), signed_in("reception")
    form = clinician.get(f"/patients/{patient}/screening/new")
    clinician.post(f"/patients/{patient}/screening/new",
                   data={**{key: "no" for key in ITEMS}, "outcome": "needs_review", "note": "Ask the cardiologist.",
                         "csrf_token": csrf_from(form.data)})
    assert reception.get(f"/patients/{patient}/screening/new").status_code == 403
    form = reception.get(f"/patients/{patient}/consent/new")
    done = reception.post(f"/patients/{patient}/consent/new",
                          data={"kind": "treatment", "signed_on": "2026-11-19", "csrf_token": csrf_from(form.data)})
    assert done.status_code == 303 and status(patient) == ("pending", "signed")
    page = text_of(reception.get(f"/patients/{patient}"))
    assert "needs review" in page and "signed 11/19/2026" in page
    assert "Ask the cardiologist" not in page and "No to every item" not in page


def test_a_consent_signed_in_the_future_is_shown_beside_its_date(signed_in, patient):
    reception = signed_in("reception")
    form = reception.get(f"/patients/{patient}/consent/new")
    refused = reception.post(f"/patients/{patient}/consent/new",
                             data={"kind": "treatment", "signed_on": "2099-01-01", "csrf_token": csrf_from(form.data)})
    assert refused.status_code == 422 and 'id="signed_on-error"' in refused.data.decode()
    assert status(patient) == ("pending", "pending")
