"""The FHIR routes: FHIR JSON for clinicians, schedules for reception, OperationOutcome for every refusal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.web.api.fhir_schemas import FhirAppointmentOut, FhirBundleOut, FhirCarePlanOut, FhirOperationOutcomeOut
from tests import factories as f
from tests.fhir_check import bundle_resources, valid_fhir
from tests.web.api_client import ApiClient
from tests.web.conftest import audit

FHIR = "application/fhir+json"
MONDAY = f.MONDAY.isoformat()
NEXT_MONDAY = (f.MONDAY + timedelta(days=7)).isoformat()


@pytest.fixture
def booked(clinic, clinic_clock):
    """The small clinic with one session booked on Monday at 09:00 in New York, in a course of its own."""
    start = datetime.combine(f.MONDAY, time(9), tzinfo=ZoneInfo("America/New_York"))
    session_id = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start, clinic.chairs[0],
                                           ((clinic.prescriber, "supervising_prescriber"),
                                            (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, clinic_clock)
    return clinic, session_id


def fhir_json(response, status: int = 200, model=FhirBundleOut) -> dict:
    """The answer's body after checking its status, its FHIR content type and its documented outline."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR
    TypeAdapter(model).validate_json(response.data, strict=True)
    return response.get_json()


def refused(response, status: int, code: str) -> list[dict]:
    """The issues of an OperationOutcome refusal with this status and issue type."""
    outcome = fhir_json(response, status, FhirOperationOutcomeOut)
    valid_fhir(outcome)
    assert {issue["code"] for issue in outcome["issue"]} == {code}
    return outcome["issue"]


def test_a_clinician_reads_a_patients_appointments_by_either_route_and_each_read_is_audited(client, booked):
    clinic, session_id = booked
    clinician = ApiClient(client, "clinician")
    by_compartment = fhir_json(clinician.get(f"/api/fhir/Patient/{clinic.patients[0]}/Appointment"))
    by_search = fhir_json(clinician.get("/api/fhir/Appointment", patient=clinic.patients[0]))
    assert by_compartment["entry"] == by_search["entry"]
    [appointment] = bundle_resources(by_search)
    assert appointment["id"] == str(session_id) and appointment["status"] == "booked"
    assert appointment["start"] == "2026-11-23T09:00:00-05:00"
    assert by_search["entry"][0]["fullUrl"] == f"http://localhost/api/fhir/Appointment/{session_id}"
    assert by_search["link"][0]["url"].endswith(f"/api/fhir/Appointment?patient={clinic.patients[0]}")
    # The entry's fullUrl is a read of that Appointment, which answers the same resource.
    one = clinician.client.get(by_search["entry"][0]["fullUrl"], headers=clinician.headers)
    assert fhir_json(one, model=FhirAppointmentOut) == appointment
    assert [(e.entity, e.entity_id) for e in audit("fhir.read")] == [("patient_record", str(clinic.patients[0]))] * 3
    refused(clinician.get(f"/api/fhir/Appointment/{session_id + 1}"), 404, "not-found")


def test_reception_reads_schedules_and_slots_but_no_patients_appointments_or_care_plan(client, booked):
    clinic, _ = booked
    reception = ApiClient(client, "reception")
    [schedule] = bundle_resources(fhir_json(reception.get("/api/fhir/Schedule", site=clinic.site)))
    assert schedule["id"] == f"site-{clinic.site}"
    assert schedule["actor"] == [{"reference": f"Location/site-{clinic.site}", "display": "Midtown"}]
    slots = reception.client.get(f"/api/fhir/Slot?schedule=site-{clinic.site}&start=ge{MONDAY}&start=lt{NEXT_MONDAY}",
                                 headers=reception.headers)
    found = bundle_resources(fhir_json(slots))
    assert {s["status"] for s in found} == {"free", "busy"}
    refused(reception.get(f"/api/fhir/Patient/{clinic.patients[0]}/Appointment"), 403, "forbidden")
    refused(reception.get("/api/fhir/Appointment", patient=clinic.patients[0]), 403, "forbidden")
    refused(reception.get("/api/fhir/CarePlan/1"), 403, "forbidden")
    refused(reception.get("/api/fhir/Appointment/1"), 403, "forbidden")
    assert audit("fhir.read") == []


def test_a_schedules_free_slots_over_a_day_are_the_offers_apis_every_free_start(client, booked):
    clinic, _ = booked
    reception = ApiClient(client, "reception")
    offers = reception.get("/api/offers", site_id=clinic.site, session_type_id=clinic.iv, **{"from": MONDAY},
                           more="true", limit=100).get_json()
    assert 0 < len(offers["offers"]) < 100
    # One day (ge and le the same day), the IV type only: as the offers were asked.
    slots = reception.client.get(f"/api/fhir/Slot?schedule=site-{clinic.site}&start=ge{MONDAY}&start=le{MONDAY}"
                                 "&service-type=iv-dose", headers=reception.headers)
    free = [s for s in bundle_resources(fhir_json(slots)) if s["status"] == "free"]
    assert [s["start"] for s in free] == [o["local_start"] for o in offers["offers"]]
    assert [s["end"] for s in free] == [o["local_end"] for o in offers["offers"]]
    assert {s["serviceType"][0]["coding"][0]["code"] for s in free} == {"iv-dose"}


def test_a_clinician_reads_a_course_as_a_care_plan(client, course_clinic, clinic_clock):
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), clinic_clock, f.MONDAY)
    course_id = book_course(f.booking_order(proposal, patient), SYSTEM, clinic_clock)
    plan = fhir_json(ApiClient(client, "clinician").get(f"/api/fhir/CarePlan/{course_id}"), model=FhirCarePlanOut)
    valid_fhir(plan)
    assert plan["id"] == str(course_id) and plan["status"] == "active" and len(plan["activity"]) == 13
    refused(ApiClient(client, "admin").get(f"/api/fhir/CarePlan/{course_id + 1}"), 404, "not-found")


@pytest.mark.parametrize("query, field", [
    ("start=ge2026-11-23&start=lt2026-12-01", "start"),        # 8 days: wider than a week
    ("start=ge2026-11-23", "start"),                           # no upper bound
    ("start=ge2026-11-23&start=ge2026-11-24", "start"),        # two lower bounds
    ("start=lt2026-11-23&start=ge2026-11-23", "start"),        # nothing between them
    ("start=ge2026-02-30&start=lt2026-03-02", "start"),        # no such day
    ("start=eq2026-11-23&start=lt2026-11-24", "start"),        # a prefix it does not take
    ("start=ge2026-11-23&start=lt2026-11-24&service-type=nope", "service-type"),
    ("start=ge2026-11-23&start=lt2026-11-24&_count=5", "_count"),
])
def test_a_bad_slot_search_is_a_422_operation_outcome_naming_the_parameter(client, booked, query, field):
    clinic, _ = booked
    reception = ApiClient(client, "reception")
    response = reception.client.get(f"/api/fhir/Slot?schedule=site-{clinic.site}&{query}", headers=reception.headers)
    issues = refused(response, 422, "invalid")
    # The parameter, or one of its values (start[0] is the first start given).
    assert {issue["expression"][0].split("[")[0] for issue in issues} == {field}


def test_odd_ids_and_missing_tokens_are_operation_outcomes_too(client, booked):
    clinic, _ = booked
    admin = ApiClient(client, "admin")
    refused(admin.get("/api/fhir/Schedule", site=clinic.site + 100), 404, "not-found")
    refused(admin.get("/api/fhir/Appointment", patient=999), 404, "not-found")
    refused(admin.get("/api/fhir/Appointment", patient="abc"), 422, "invalid")
    refused(admin.get("/api/fhir/Slot", schedule="room-1", start=f"ge{MONDAY}"), 422, "invalid")
    week = f"start=ge{MONDAY}&start=lt{NEXT_MONDAY}"
    refused(admin.client.get(f"/api/fhir/Slot?schedule=site-{clinic.site + 100}&{week}", headers=admin.headers),
            404, "not-found")
    refused(client.get("/api/fhir/Schedule", query_string={"site": clinic.site}), 401, "login")
    refused(admin.client.delete("/api/fhir/CarePlan/1", headers=admin.headers), 405, "not-supported")
    refused(admin.get("/api/fhir/Encounter"), 404, "not-found")
