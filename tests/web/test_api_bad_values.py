"""Values of the right type that are still wrong: control characters in names and MRNs, a date of birth in
the future, a re-plan fingerprint that is not a string, text longer than its column, look-alike digits."""

from __future__ import annotations

import pytest

from planner.db.models import Patient, Room, Site, Staff
from tests.factories import ready_patient
from tests.web.api_client import ApiClient, count, fields

PATIENT = {"mrn": "MRN-500", "name": "Alex Moreno", "date_of_birth": "1984-02-29"}
# NUL (PostgreSQL refuses it in text), other C0 controls, DEL, C1 controls (NEL).
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.fixture
def reception(client, course_clinic, clinic_clock):
    return ApiClient(client, "reception")


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


@pytest.mark.parametrize("char", CONTROLS, ids=repr)
@pytest.mark.parametrize("field", ["name", "mrn", "escort_name", "rems_patient_id"])
def test_a_control_character_in_a_patients_name_or_mrn_is_422_naming_the_field(reception, field, char):
    response = reception.post("/api/patients", {**PATIENT, field: f"Al{char}ex"})
    assert fields(response) == {field}
    assert count(Patient) == 6  # the clinic's own patients only


def test_a_lone_surrogate_which_no_database_can_store_is_refused_as_unreadable_json(reception):
    response = reception.post("/api/patients", {**PATIENT, "name": "Al\ud800ex"})  # sent as the escape \ud800
    assert fields(response) == {"body"}
    assert count(Patient) == 6


@pytest.mark.parametrize("char", ["\t", "\n", "\r"], ids=repr)
def test_a_tab_or_line_break_is_refused_in_a_name_but_kept_in_a_note(reception, course_clinic, char):
    assert fields(reception.post("/api/patients", {**PATIENT, "name": f"Alex{char}Moreno"})) == {"name"}
    session = {"patient_id": course_clinic.patients[0], "site_id": course_clinic.site,
               "session_type_id": course_clinic.iv, "start": "2026-11-23T14:00:00Z",
               "room_id": course_clinic.chairs[0], "note": f"arrives by taxi{char}bring the escort form",
               "staff": [{"staff_id": course_clinic.prescriber, "role": "supervising_prescriber"},
                         {"staff_id": course_clinic.nurses[0], "role": "monitoring_clinician"}]}
    booked = reception.post("/api/sessions", session)
    assert booked.status_code == 201 and booked.get_json()["note"] == session["note"]
    assert fields(reception.post("/api/sessions", {**session, "note": "taxi\x00"})) == {"note"}


@pytest.mark.parametrize("path, body, field", [
    ("/api/sites", {"name": "Mid\x00town", "timezone": "America/New_York"}, "name"),
    ("/api/rooms", {"site_id": 1, "name": "Chair\x07", "kind": "infusion_chair"}, "name"),
    ("/api/staff", {"name": "Rosa\x00", "disciplines": ["RN"]}, "name"),
    ("/api/staff", {"name": "Rosa", "email": "rosa\x00@clinic.example", "disciplines": ["RN"]}, "email"),
    ("/api/staff", {"name": "Rosa", "disciplines": ["RN"],
                    "credentials": [{"kind": "licence", "number": "RN\x001", "issued_on": "2020-01-01"}]},
     "credentials[0].number"),
    ("/api/session-types", {"key": "iv", "name": "IV\x00", "kind": "dosing", "route": "IV", "active_minutes": 45},
     "name"),
])
def test_a_control_character_in_other_identifying_text_is_422(admin, path, body, field):
    assert fields(admin.post(path, body)) == {field}
    assert count(Site) == count(Room) == count(Staff) == 0


def test_a_date_of_birth_after_today_anywhere_on_earth_is_422_and_today_is_fine(reception):
    # The clock says 2026-11-20 12:00 UTC: already 2026-11-21 at UTC+14, nowhere yet the 22nd.
    assert fields(reception.post("/api/patients", {**PATIENT, "date_of_birth": "2026-11-22"})) == {"date_of_birth"}
    assert fields(reception.post("/api/patients", {**PATIENT, "date_of_birth": "2090-01-01"})) == {"date_of_birth"}
    assert count(Patient) == 6
    born_today = reception.post("/api/patients", {**PATIENT, "date_of_birth": "2026-11-21"})
    assert born_today.status_code == 201 and born_today.get_json()["date_of_birth"] == "2026-11-21"


@pytest.mark.parametrize("value", [True, False, "1", 1.5], ids=["true", "false", "string", "fraction"])
def test_true_or_a_number_as_text_where_a_patient_id_belongs_is_422(reception, value):
    body = {"patient_id": value, "protocol": "iv-induction"}
    assert fields(reception.post("/api/courses/proposals", body)) == {"patient_id"}


def _course_with_a_replan(reception, mrn: str = "READY-1") -> tuple[dict, dict]:
    patient = ready_patient(mrn)
    offer = reception.post("/api/courses/proposals", {"patient_id": patient, "protocol": "iv-induction",
                                                      "start": "2026-11-23", "preferences": {"time_of_day": "morning"}})
    course = reception.post("/api/courses", offer.get_json()["plans"][0]["book"]).get_json()
    third = next(s for s in course["sessions"] if s["purpose"] == "dose" and s["dose_number"] == 3)
    assert reception.post(f"/api/sessions/{third['id']}/cancel", {"reason": "flu"}).status_code == 200
    preview = reception.get(f"/api/courses/{course['id']}/replan").get_json()
    assert preview["changes"]
    return course, preview


@pytest.mark.parametrize("fingerprint", [123, True, ["abc"], {"value": "abc"}, "x" * 65, "ab\x00c"],
                         ids=["number", "true", "list", "object", "too long", "NUL"])
def test_a_replan_fingerprint_that_is_not_a_short_string_is_422_and_nothing_moves(reception, fingerprint):
    course, preview = _course_with_a_replan(reception)
    response = reception.post(f"/api/courses/{course['id']}/replan", {"fingerprint": fingerprint})
    assert fields(response) == {"fingerprint"}
    after = reception.get(f"/api/courses/{course['id']}").get_json()
    assert [h["kind"] for h in after["history"]] == ["booked"]
    assert reception.get(f"/api/courses/{course['id']}/replan").get_json()["changes"] == preview["changes"]


def test_a_replan_without_a_body_or_with_a_null_fingerprint_is_applied_as_it_stands(reception):
    course, _ = _course_with_a_replan(reception)
    assert reception.post(f"/api/courses/{course['id']}/replan", {"fingerprint": None}).status_code == 200
    course, _ = _course_with_a_replan(reception, "READY-2")
    applied = reception.client.post(f"/api/courses/{course['id']}/replan", headers=reception.headers)
    assert applied.status_code == 200


def test_a_stop_reason_that_is_not_text_is_422_and_the_course_goes_on(reception):
    course, _ = _course_with_a_replan(reception)
    assert fields(reception.post(f"/api/courses/{course['id']}/stop", {"reason": 42})) == {"reason"}
    assert reception.get(f"/api/courses/{course['id']}").get_json()["status"] != "stopped"


@pytest.mark.parametrize("path, body, field", [
    # Each was a PostgreSQL 500 (value too long for the column) before the limit matched the column.
    ("/api/rooms", {"site_id": 1, "name": "C" * 81, "kind": "infusion_chair"}, "name"),
    ("/api/staff", {"name": "Rosa", "email": "r" * 190 + "@clinic.example", "disciplines": ["RN"]}, "email"),
    # Arabic-Indic digits are digits to Python's \d, but no SMS gateway dials them.
    ("/api/staff", {"name": "Rosa", "phone": "+١٢١٢٥٥٥٠١٢٣", "disciplines": ["RN"]}, "phone"),
    # A day's opening hours are wall-clock times: an offset would contradict the site's zone.
    ("/api/sites", {"name": "Harbour", "timezone": "Europe/Berlin",
                    "hours": [{"weekday": 0, "opens": "08:00+02:00", "closes": "17:00"}]}, "hours[0].opens"),
])
def test_text_that_cannot_be_stored_as_given_is_422(admin, path, body, field):
    if "site_id" in body:
        body = {**body, "site_id": admin.post("/api/sites", {"name": "Midtown", "timezone": "America/New_York"})
                .get_json()["id"]}
    assert fields(admin.post(path, body)) == {field}


@pytest.mark.parametrize("change, field", [
    ({"gap_from_previous_phase": [10**30, None]}, "phases[0].gap_from_previous_phase[0]"),
    ({"gap_from_previous_phase": [1, 10**30]}, "phases[0].gap_from_previous_phase[1]"),
])
def test_a_protocol_gap_too_large_to_plan_is_422_not_a_date_overflow(client, course_clinic, change, field):
    admin = ApiClient(client, "admin")
    protocol = {k: v for k, v in admin.get("/api/protocols").get_json()[0].items() if k != "version"}
    protocol["phases"][0].update(change)
    assert fields(admin.post("/api/protocols", protocol)) == {field}
