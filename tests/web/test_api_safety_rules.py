"""The safety rules through the API: clear 409s and 422s that name what they refuse, and nothing written."""

from __future__ import annotations

from datetime import time

import pytest

from planner.db.models import SessionType, Shift, TimeOff
from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields

NY = "America/New_York"


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


def booked_iv(clinic, clock) -> int:
    return book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(f.MONDAY, time(9), NY),
                                     clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                        (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, clock)


def test_time_off_under_a_booked_session_is_409_naming_the_session_and_writes_nothing(clinic, admin, clinic_clock):
    session_id = booked_iv(clinic, clinic_clock)
    response = admin.post(f"/api/staff/{clinic.nurses[0]}/time-off",
                          {"starts_at": to_utc(f.MONDAY, time(8), NY).isoformat(),
                           "ends_at": to_utc(f.MONDAY, time(12), NY).isoformat(), "reason": "sick"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"].startswith("That change would leave booked sessions without valid cover; nothing was "
                                    "changed. To mark someone away anyway, enter it as a call-out")
    assert [c["code"] for c in body["conflicts"]] == ["cover_broken"]
    assert body["conflicts"][0]["message"].startswith(f"Session {session_id} (IV ketamine infusion, Mon 23 Nov 2026")
    assert count(TimeOff) == 0


def test_a_shift_overlapping_one_at_another_site_is_422_on_its_start(clinic, admin):
    other = f.make_site(name="Downtown")
    before = count(Shift)
    response = admin.post(f"/api/staff/{clinic.prescriber}/shifts", {
        "site_id": other, "starts_at": to_utc(f.MONDAY, time(12), NY).isoformat(),
        "ends_at": to_utc(f.MONDAY, time(16), NY).isoformat()})
    assert fields(response) == {"starts_at"}
    assert count(Shift) == before


def test_a_session_type_below_the_floor_is_422_naming_each_field(clinic, admin):
    bare = {**f.ESKETAMINE, "key": "esk-bare", "role_requirements": [], "room_capability": None,
            "observation_minutes": 0}
    before = count(SessionType)
    assert fields(admin.post("/api/session-types", bare)) == {"room_capability", "observation_minutes",
                                                              "role_requirements"}
    assert count(SessionType) == before


def test_a_session_type_is_changed_by_an_admin_within_the_floor(client, clinic, admin):
    path = f"/api/session-types/{clinic.iv}"
    raised = admin.patch(path, {"observation_minutes": 90, "name": "IV infusion (long recovery)"})
    assert raised.status_code == 200
    assert (raised.get_json()["observation_minutes"], raised.get_json()["name"]) == (90, "IV infusion (long recovery)")
    assert fields(admin.patch(path, {"observation_minutes": 10})) == {"observation_minutes"}
    assert fields(admin.patch(path, {"key": "renamed"})) == {"key"}  # a new kind of session is a new type
    assert fields(admin.patch(path, {})) == {"body"}
    assert admin.patch("/api/session-types/999999", {"name": "Nobody"}).status_code == 404
    assert ApiClient(client, "reception").patch(path, {"name": "Mine"}).status_code == 403
    assert admin.get(path).get_json()["observation_minutes"] == 90


def test_a_proposal_says_which_site_it_plans_at_and_why(course_clinic, client, clinic_clock):
    reception = ApiClient(client, "reception")
    patient = f.ready_patient()
    answer = reception.post("/api/courses/proposals", {"patient_id": patient, "protocol": "iv-induction",
                                                       "start": "2026-11-23"}).get_json()
    assert answer["site_note"] == "Planned at the patient's home site, Midtown."
    assert {p["site_id"] for p in answer["plans"]} == {course_clinic.site}
