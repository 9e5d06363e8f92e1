"""The clinic setup API: created records, and a clear 422 for every kind of bad input."""

from __future__ import annotations

import pytest

from planner.db.models import Credential, Patient, Room, SessionType, Shift, Site, Staff, TimeOff
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields

SITE = {"name": "Harbour", "timezone": "Australia/Sydney", "hours": [{"weekday": 0, "opens": "08:00", "closes": "17:00"}],
        "closures": [{"day": "2026-12-25", "reason": "Christmas"}], "limits": {"monitoring_clinician": 3}}


@pytest.fixture
def admin(client):
    return ApiClient(client, "admin")


def test_an_admin_creates_a_site_and_reads_it_back(admin):
    created = admin.post("/api/sites", SITE)
    assert created.status_code == 201
    site = created.get_json()
    assert site["timezone"] == "Australia/Sydney" and site["limits"] == {"monitoring_clinician": 3}
    assert admin.get(f"/api/sites/{site['id']}").get_json()["closures"] == [{"day": "2026-12-25", "reason": "Christmas"}]


@pytest.mark.parametrize("bad, field", [
    ({**SITE, "timezone": "Mars/Olympus"}, "timezone"),
    ({**SITE, "hours": [{"weekday": 7, "opens": "08:00", "closes": "17:00"}]}, "hours[0].weekday"),
    ({**SITE, "hours": [{"weekday": 1, "opens": "17:00", "closes": "08:00"}]}, "hours[0]"),
    ({**SITE, "name": 42}, "name"),
    ({**SITE, "closures": [{"day": "3000-01-01"}]}, "closures[0].day"),
    ({**SITE, "limits": {"monitoring_clinician": 0}}, "limits.monitoring_clinician"),
    ({**SITE, "colour": "blue"}, "colour"),
])
def test_a_bad_site_is_refused_with_the_field_and_nothing_is_written(admin, bad, field):
    assert field in fields(admin.post("/api/sites", bad))
    assert count(Site) == 0


def test_a_body_that_is_not_a_json_object_is_refused(admin):
    assert fields(admin.post("/api/sites", data="name=x", content_type="application/x-www-form-urlencoded")) == {"body"}
    assert fields(admin.post("/api/sites", [SITE])) == {"body"}


def test_rooms_need_a_known_site_and_a_known_kind(admin):
    site = f.make_site()
    assert admin.post("/api/rooms", {"site_id": site, "name": "Chair 9", "kind": "infusion_chair",
                                     "capabilities": ["infusion_pump_monitor"]}).status_code == 201
    assert fields(admin.post("/api/rooms", {"site_id": 999, "name": "X", "kind": "infusion_chair"})) == {"site_id"}
    assert fields(admin.post("/api/rooms", {"site_id": site, "name": "Y", "kind": "sofa",
                                            "capabilities": ["laser"]})) == {"kind", "capabilities[0]"}
    assert count(Room) == 1


def test_staff_are_created_with_credentials_and_bad_ones_are_refused(admin):
    good = {"name": "Rosa Diaz", "email": "rosa@example.org", "disciplines": ["RN"],
            "credentials": [{"kind": "bls", "issued_on": "2025-01-01", "expires_on": "2027-01-01"}]}
    created = admin.post("/api/staff", good)
    assert created.status_code == 201 and created.get_json()["credentials"][0]["kind"] == "bls"
    assert "disciplines[0]" in fields(admin.post("/api/staff", {**good, "email": "x@example.org", "disciplines": ["wizard"]}))
    assert "credentials[0]" in fields(admin.post("/api/staff", {**good, "email": "y@example.org", "credentials": [
        {"kind": "acls", "issued_on": "2026-01-01", "expires_on": "2025-01-01"}]}))
    assert "email" in fields(admin.post("/api/staff", good))  # already in use
    assert count(Staff) == 1 and count(Credential) == 1


def test_shifts_time_off_and_credentials_refuse_times_without_a_zone_and_backwards_spans(admin):
    site, staff = f.make_site(), f.make_staff()
    ok = admin.post(f"/api/staff/{staff}/shifts", {"site_id": site, "starts_at": "2026-11-23T13:00:00Z",
                                                   "ends_at": "2026-11-23T21:00:00Z"})
    assert ok.status_code == 201 and len(ok.get_json()["shifts"]) == 1
    assert "starts_at" in fields(admin.post(f"/api/staff/{staff}/shifts", {
        "site_id": site, "starts_at": "2026-11-24T08:00:00", "ends_at": "2026-11-24T16:00:00Z"}))
    assert fields(admin.post(f"/api/staff/{staff}/shifts", {
        "site_id": site, "starts_at": "2026-11-24T16:00:00Z", "ends_at": "2026-11-24T08:00:00Z"})) == {"body"}
    assert "site_id" in fields(admin.post(f"/api/staff/{staff}/shifts", {
        "site_id": 999, "starts_at": "2026-11-24T08:00:00Z", "ends_at": "2026-11-24T16:00:00Z"}))
    assert "starts_at" in fields(admin.post(f"/api/staff/{staff}/time-off", {
        "starts_at": "tomorrow", "ends_at": "2026-11-24T16:00:00Z"}))
    assert "kind" in fields(admin.post(f"/api/staff/{staff}/credentials", {"kind": "pilot", "issued_on": "2020-01-01"}))
    assert admin.post("/api/staff/999/shifts", {"site_id": site, "starts_at": "2026-11-23T13:00:00Z",
                                                "ends_at": "2026-11-23T21:00:00Z"}).status_code == 404
    assert count(Shift) == 1 and count(TimeOff) == 0


def test_patients_need_an_e164_phone_and_a_plausible_birth_date(client):
    f.make_site()  # the clinic's one site is each patient's home site
    reception = ApiClient(client, "reception")
    good = {"mrn": "A-100", "name": "Jo Smith", "date_of_birth": "1979-02-03", "phone": "+12125550123",
            "consented_channels": ["sms"]}
    assert reception.post("/api/patients", good).status_code == 201
    assert fields(reception.post("/api/patients", {**good, "mrn": "A-101", "phone": "212-555-0123"})) == {"phone"}
    assert fields(reception.post("/api/patients", {**good, "mrn": "A-102", "date_of_birth": "1066-10-14"})) == {
        "date_of_birth"}
    assert fields(reception.post("/api/patients", good)) == {"mrn"}
    assert count(Patient) == 1


def test_session_types_are_checked(admin):
    assert admin.post("/api/session-types", f.IV_DOSING).status_code == 201
    bad = {**f.IV_DOSING, "key": "Bad Key!", "observation_minutes": -5}
    assert fields(admin.post("/api/session-types", bad)) == {"key", "observation_minutes"}
    twice = {**f.IV_DOSING, "key": "iv-2", "role_requirements": f.IV_DOSING["role_requirements"] * 2}
    assert fields(admin.post("/api/session-types", twice)) == {"body"}
    assert count(SessionType) == 1


def test_unknown_ids_are_404_and_lists_work(admin):
    for path in ("/api/sites/9", "/api/rooms/9", "/api/staff/9", "/api/patients/9", "/api/session-types/9",
                 "/api/sessions/9"):
        response = admin.get(path)
        assert response.status_code == 404 and "No " in response.get_json()["error"]
    for path in ("/api/sites", "/api/rooms", "/api/staff", "/api/patients", "/api/session-types"):
        assert admin.get(path).get_json() == []


def test_the_api_wants_a_token_and_the_right_role(client):
    assert client.get("/api/sites").status_code == 401
    assert client.get("/api/sites", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    clinician = ApiClient(client, "clinician")
    assert clinician.get("/api/sites").status_code == 200
    assert clinician.post("/api/sites", SITE).status_code == 403
    assert count(Site) == 0


def test_a_signed_in_browser_session_cannot_call_the_api_without_a_token(client, user_factory):
    from tests.web.conftest import sign_in

    _, email, password = user_factory("admin")
    sign_in(client, email, password)
    assert client.get("/").status_code == 200
    assert client.get("/api/sites").status_code == 401
    assert client.post("/api/sites", json=SITE).status_code == 401
    assert count(Site) == 0
