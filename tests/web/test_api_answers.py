"""Real answers of every route, successes and refusals, validate strictly against the models the OpenAPI
document declares for them (schemas.py describes present.py; this holds the two together)."""

from __future__ import annotations

import pytest

from tests.factories import ready_patient
from tests.web.api_client import ApiClient
from tests.web.fuzz_target import seed_fuzz_clinic
from tests.web.test_api_schema import conforms


class Checked:
    """An API client whose every answer must match the document; remembers the statuses it saw."""

    def __init__(self, app, client, role: str):
        self.app, self.api, self.seen = app, ApiClient(client, role), set()

    def call(self, method: str, path: str, body=None, status: int | None = None):
        response = self.api.client.open(path, method=method, json=body, headers=self.api.headers)
        if status is not None:
            assert response.status_code == status, (method, path, response.get_json())
        conforms(self.app, method, path, response)
        self.seen.add((method, path.split("?")[0], response.status_code))
        return response.get_json()


@pytest.fixture
def ids(app, clinic_clock) -> dict[str, list[int]]:
    return seed_fuzz_clinic()


def test_every_read_answers_what_the_document_says(app, client, ids):
    admin = Checked(app, client, "admin")
    for kind, path in [("site_id", "sites"), ("room_id", "rooms"), ("staff_id", "staff"),
                       ("patient_id", "patients"), ("type_id", "session-types")]:
        assert len(admin.call("GET", f"/api/{path}", status=200)) == len(ids[kind])
        for key in ids[kind]:
            admin.call("GET", f"/api/{path}/{key}", status=200)
        admin.call("GET", f"/api/{path}/{2**31 - 1}", status=404)
    for key in ids["session_id"]:
        admin.call("GET", f"/api/sessions/{key}", status=200)
    for key in ids["course_id"]:
        admin.call("GET", f"/api/courses/{key}", status=200)
        admin.call("GET", f"/api/courses/{key}/replan", status=200)
    assert admin.call("GET", "/api/sessions?from=2026-11-23T00:00:00Z&to=2026-12-31T00:00:00Z", status=200)
    admin.call("GET", "/api/sessions?from=2026-11-23T00:00:00Z", status=422)
    found = admin.call("GET", f"/api/availability?site_id={ids['site_id'][0]}&session_type_id="
                              f"{ids['session_type_id'][0]}&from=2026-11-23&to=2026-11-27", status=200)
    assert found["windows"]
    assert len(admin.call("GET", "/api/protocols", status=200)) >= 4
    admin.call("GET", "/api/openapi.json", status=200)


def test_every_write_and_refusal_answers_what_the_document_says(app, client, ids, monkeypatch):
    admin, reception = Checked(app, client, "admin"), Checked(app, client, "reception")
    site = admin.call("POST", "/api/sites", {"name": "Harbour", "timezone": "Australia/Sydney",
                                             "hours": [{"weekday": 0, "opens": "08:00", "closes": "17:00"}],
                                             "closures": [{"day": "2026-12-25", "reason": "Christmas"}],
                                             "limits": {"monitoring_clinician": 3}}, status=201)
    admin.call("POST", "/api/rooms", {"site_id": site["id"], "name": "Chair 1", "kind": "infusion_chair"}, status=201)
    nurse = admin.call("POST", "/api/staff", {"name": "Ines Ruiz", "email": "ines@clinic.example", "disciplines": ["RN"],
                                              "credentials": [{"kind": "bls", "issued_on": "2025-01-01",
                                                               "expires_on": "2027-01-01"}]}, status=201)
    admin.call("POST", f"/api/staff/{nurse['id']}/credentials", {"kind": "licence", "issued_on": "2020-01-01"},
               status=201)
    admin.call("POST", f"/api/staff/{nurse['id']}/shifts", {"site_id": site["id"], "starts_at": "2026-11-23T21:00:00Z",
                                                            "ends_at": "2026-11-24T07:00:00Z"}, status=201)
    admin.call("POST", f"/api/staff/{nurse['id']}/time-off", {"starts_at": "2026-12-01T00:00:00Z",
                                                              "ends_at": "2026-12-02T00:00:00Z", "reason": "course"},
               status=201)
    check_in = admin.call("POST", "/api/session-types", {"key": "check-in", "name": "Check-in", "kind": "integration",
                                                         "route": "none", "active_minutes": 15}, status=201)
    admin.call("PATCH", f"/api/session-types/{check_in['id']}", {"active_minutes": 20}, status=200)
    admin.call("PATCH", f"/api/session-types/{check_in['id']}", {"route": "IV"}, status=422)
    sam = reception.call("POST", "/api/patients", {"mrn": "MRN-900", "name": "Sam Ode", "date_of_birth": "1990-04-01",
                                                   "email": "sam@example.org", "consented_channels": ["email"],
                                                   "home_site_id": site["id"]}, status=201)
    reception.call("PATCH", f"/api/patients/{sam['id']}", {"phone": "+12125550123"}, status=200)
    reception.call("PATCH", f"/api/patients/{sam['id']}", {"email": None}, status=422)  # email is consented
    reception.call("POST", "/api/patients", {"mrn": "MRN-900", "name": "Sam Ode", "date_of_birth": "1990-04-01"},
                   status=422)
    admin.call("POST", "/api/sites", {"name": "Harbour"}, status=422)
    admin.call("POST", "/api/sites", [], status=422)
    Checked(app, client, "clinician").call("POST", "/api/sites", {}, status=403)
    _sessions(reception, ids, monkeypatch)
    _courses(admin, reception, ids)


def _sessions(reception: Checked, ids: dict[str, list[int]], monkeypatch) -> None:
    staff = [{"staff_id": ids["staff_id"][0], "role": "supervising_prescriber"},
             {"staff_id": ids["staff_id"][2], "role": "monitoring_clinician"}]
    order = {"patient_id": ids["patient_id"][1], "site_id": ids["site_id"][0], "session_type_id": ids["type_id"][0],
             "start": "2026-11-24T15:00:00Z", "room_id": ids["room_id"][1], "staff": staff}
    booked = reception.call("POST", "/api/sessions", order, status=201)
    reception.call("POST", "/api/sessions", order, status=409)  # the same patient, room and staff at that time
    batch = reception.call("POST", "/api/sessions/batch", {"sessions": [{**order, "start": "2026-11-25T15:00:00Z"}]},
                           status=201)
    reception.call("POST", "/api/sessions/batch", {"sessions": [{**order, "start": "2026-11-25T15:00:00Z"}]},
                   status=409)
    reception.call("POST", f"/api/sessions/{booked['id']}/reschedule", {"start": "2026-11-24T16:00:00Z"}, status=200)
    reception.call("POST", f"/api/sessions/{booked['id']}/status", {"status": "arrived", "escort_confirmed": True},
                   status=409)  # days ahead
    import planner.clock
    from datetime import datetime, timezone

    with monkeypatch.context() as on_the_day:
        on_the_day.setattr(planner.clock, "now", lambda: datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc))
        reception.call("POST", f"/api/sessions/{booked['id']}/status", {"status": "arrived", "escort_confirmed": True},
                       status=200)
    reception.call("POST", f"/api/sessions/{batch[0]['id']}/cancel", {"reason": "flu"}, status=200)
    reception.call("POST", f"/api/sessions/{batch[0]['id']}/cancel", {}, status=409)


def _courses(admin: Checked, reception: Checked, ids: dict[str, list[int]]) -> None:
    listed = {p["key"]: p for p in admin.call("GET", "/api/protocols")}
    protocol = {k: v for k, v in listed["iv-induction"].items() if k != "version"}
    admin.call("POST", "/api/protocols", protocol, status=201)
    first, second = ready_patient("READY-A"), ready_patient("READY-B")
    offer = reception.call("POST", "/api/courses/proposals", {"patient_id": first, "protocol": "iv-induction",
                                                              "start": "2026-11-30"}, status=200)
    reception.call("POST", "/api/courses", {**offer["plans"][0]["book"], "patient_id": second}, status=201)
    stale = reception.call("POST", "/api/courses", offer["plans"][0]["book"], status=409)
    assert stale["fresh"]["plans"]
    course = ids["course_id"][0]
    shown = reception.call("GET", f"/api/courses/{course}")
    third = next(s for s in shown["sessions"] if s["purpose"] == "dose" and s["dose_number"] == 3)
    reception.call("POST", f"/api/sessions/{third['id']}/cancel", {"reason": "flu"}, status=200)
    changed = reception.call("POST", f"/api/courses/{course}/replan", {"fingerprint": "0000"}, status=409)
    assert changed["fresh"]["fingerprint"]
    reception.call("POST", f"/api/courses/{course}/replan", {"fingerprint": changed["fresh"]["fingerprint"]},
                   status=200)
    reception.call("POST", f"/api/courses/{course}/stop", {"reason": "moved away"}, status=200)
    reception.call("POST", f"/api/courses/{course}/stop", None, status=409)
