"""The outcome measures API: entering a questionnaire (422 naming the item), a course's scores, who may read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import OutcomeEntry, Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests.factories import booking_order, ready_patient
from tests.web.api_client import ApiClient, count, fields


@pytest.fixture
def course(course_clinic, clinic_clock):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course_id = book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)
    return course_id, patient


def test_a_clinician_enters_a_phq9_and_reads_the_course_s_scores_bands_and_progress(client, course):
    course_id, patient = course
    clinician = ApiClient(client, "clinician")
    first = clinician.post(f"/api/patients/{patient}/outcomes",
                           json={"measure": "phq9", "items": [2, 2, 2, 2, 2, 2, 2, 2, 2], "course_id": course_id,
                                 "taken_at": "2026-11-20T10:00:00Z"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json() | {"id": 0} == {"id": 0, "patient_id": patient, "course_id": course_id, "measure": "phq9",
                                           "total": 18, "band": "moderately severe", "flags": ["self_harm_item"]}
    clinician.post(f"/api/patients/{patient}/outcomes",
                   json={"measure": "phq9", "items": [1, 1, 1, 1, 1, 1, 1, 1, 0], "course_id": course_id})
    answer = clinician.get(f"/api/courses/{course_id}/outcomes")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["series"] == [{"measure": "phq9", "baseline": 18, "latest": 8, "change_percent": -56,
                               "response": True, "remission": False, "meaningful": None, "substantial": None,
                               "status": "PHQ-9 down 56% from baseline 18: response; not yet remission"}]
    assert [e["total"] for e in body["entries"]] == [8, 18] and body["entries"][1]["band"] == "moderately severe"


def test_a_wrong_item_is_a_422_naming_the_item_and_nothing_is_written(client, course):
    course_id, patient = course
    reception = ApiClient(client, "reception")
    refused = reception.post(f"/api/patients/{patient}/outcomes", json={"measure": "gad7", "items": [0, 0, 4, 0, 0, 0]})
    assert fields(refused) == {"items[2]", "items[6]"}
    assert "GAD-7 item 3 (Worrying too much about different things)" in str(refused.get_json())
    assert fields(reception.post(f"/api/patients/{patient}/outcomes", json={"measure": "gad7",
                                                                             "items": [0] * 6 + ["1"]})) == {"items[6]"}
    assert fields(reception.post(f"/api/patients/{patient}/outcomes", json={"measure": "bdi", "items": []})) == \
        {"measure"}
    assert count(OutcomeEntry) == 0
    assert reception.post("/api/patients/999999/outcomes", json={"measure": "pain", "items": [1]}).status_code == 404


def test_reception_enters_answers_but_never_reads_a_score(client, course):
    course_id, patient = course
    reception = ApiClient(client, "reception")
    entered = reception.post(f"/api/patients/{patient}/outcomes", json={"measure": "pain", "items": [7],
                                                                        "course_id": course_id})
    assert entered.status_code == 201
    assert (entered.get_json()["total"], entered.get_json()["band"], entered.get_json()["flags"]) == (None, None, None)
    assert reception.get(f"/api/courses/{course_id}/outcomes").status_code == 403
    assert ApiClient(client, "admin").get(f"/api/courses/{course_id}/outcomes").get_json()["entries"][0]["total"] == 7


def test_a_correction_through_the_api_supersedes_once_then_is_refused_with_409(client, course):
    course_id, patient = course
    clinician = ApiClient(client, "clinician")
    dose = db.session.scalar(select(Session.id).where(Session.course_id == course_id, Session.purpose == "dose"))
    wrong = clinician.post(f"/api/patients/{patient}/outcomes", json={"measure": "pain", "items": [9],
                                                                      "session_id": dose}).get_json()
    assert wrong["course_id"] == course_id
    body = {"measure": "pain", "items": [6], "session_id": dose, "supersedes": wrong["id"]}
    assert clinician.post(f"/api/patients/{patient}/outcomes", json=body).status_code == 201
    again = clinician.post(f"/api/patients/{patient}/outcomes", json=body)
    assert again.status_code == 409 and again.get_json()["conflicts"][0]["field"] == "supersedes"
    entries = clinician.get(f"/api/courses/{course_id}/outcomes").get_json()["entries"]
    assert [(e["total"], e["superseded_by"] is not None) for e in entries] == [(6, False), (9, True)]
