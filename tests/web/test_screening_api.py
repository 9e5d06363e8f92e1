"""The screening and consent API: recording (422 naming the item), the statuses it sets, who may read the answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, ConsentRecord, ScreeningRecord
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import ApiClient, count_of, fields

ALL_NO = {"vascular_disease": False, "brain_haemorrhage": False, "hypersensitivity": False, "pregnancy": False,
          "heart_disease": False, "psychosis_or_mania": False, "substance_dependence": False,
          "intracranial_pressure": False, "liver_disease": False}


@pytest.fixture
def patient(clinic, clinic_clock):
    return f.make_patient("NEW-9", screening_status="pending", consent_status="pending", rems_enrolled_on=None)


def test_a_clinician_records_a_screening_and_reception_a_consent_and_the_statuses_follow(client, patient):
    clinician, reception = ApiClient(client, "clinician"), ApiClient(client, "reception")
    done = clinician.post(f"/api/patients/{patient}/screenings", json={"answers": ALL_NO, "outcome": "cleared"})
    assert done.status_code == 201, done.get_json()
    assert done.get_json() | {"id": 0} == {"id": 0, "patient_id": patient, "screening_status": "cleared",
                                           "consent_status": "pending"}
    signed = reception.post(f"/api/patients/{patient}/consents", json={"kind": "treatment", "signed_on": "2026-11-19"})
    assert signed.status_code == 201 and signed.get_json()["consent_status"] == "signed"
    assert reception.get(f"/api/patients/{patient}").get_json()["consent_status"] == "signed"
    (consent,) = reception.get(f"/api/patients/{patient}/consents").get_json()
    assert (consent["kind"], consent["signed_on"], consent["supersedes"]) == ("treatment", "2026-11-19", None)
    (screening,) = clinician.get(f"/api/patients/{patient}/screenings").get_json()
    assert screening["answers"] == ALL_NO and screening["outcome"] == "cleared"
    db.session.rollback()
    assert sorted(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id.is_not(None),
                                                                    AuditEvent.action.like("%.recorded")))) == \
        ["consent.recorded", "screening.recorded"]


def test_reception_never_reads_or_records_screening_answers(client, patient):
    reception = ApiClient(client, "reception")
    assert reception.get(f"/api/patients/{patient}/screenings").status_code == 403
    assert reception.post(f"/api/patients/{patient}/screenings",
                          json={"answers": ALL_NO, "outcome": "cleared"}).status_code == 403
    assert count_of(ScreeningRecord, patient) == 0


def test_an_item_left_out_or_mistyped_is_a_422_naming_it_and_nothing_is_written(client, patient):
    clinician = ApiClient(client, "clinician")
    answers = {k: v for k, v in ALL_NO.items() if k != "pregnancy"}
    assert fields(clinician.post(f"/api/patients/{patient}/screenings",
                                 json={"answers": answers, "outcome": "cleared"})) == {"answers.pregnancy"}
    assert fields(clinician.post(f"/api/patients/{patient}/screenings",
                                 json={"answers": {**ALL_NO, "liver_disease": "no"}, "outcome": "cleared"})) == \
        {"answers.liver_disease"}
    assert fields(clinician.post(f"/api/patients/{patient}/screenings",
                                 json={"answers": {**ALL_NO, "pregnancy": True}, "outcome": "cleared"})) == {"note"}
    assert fields(clinician.post(f"/api/patients/{patient}/consents",
                                 json={"kind": "verbal", "signed_on": "2026-11-19"})) == {"kind"}
    assert count_of(ScreeningRecord, patient) == 0 and count_of(ConsentRecord, patient) == 0
    assert clinician.post("/api/patients/999999/consents",
                          json={"kind": "treatment", "signed_on": "2026-11-19"}).status_code == 404
