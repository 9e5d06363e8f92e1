"""The protocol API: one protocol with its versions, one version, retire and restore (issue 12, part 2)."""

from __future__ import annotations

import pytest

from planner.db.models import ProtocolRetirement, ProtocolVersion
from tests.factories import ready_patient
from tests.web.api_client import ApiClient, count, fields
from tests.web.conftest import audit
from tests.web.fuzz_target import fingerprint, fingerprint_query


@pytest.fixture
def admin(client, course_clinic, clinic_clock):
    return ApiClient(client, "admin")


def _new_version(admin, **phase) -> None:
    listed = {p["key"]: p for p in admin.get("/api/protocols").get_json()}
    changed = {k: v for k, v in listed["iv-induction"].items() if k != "version"}
    changed["phases"][0].update(phase)
    assert admin.post("/api/protocols", changed).status_code == 201


def _propose(api, patient):
    return api.post("/api/courses/proposals", {"patient_id": patient, "protocol": "iv-induction",
                                               "start": "2026-11-23", "preferences": {}})


def test_a_protocol_shows_its_active_version_and_every_version_with_who_saved_it_and_what_changed(admin):
    _new_version(admin, min_gap_days=2)
    shown = admin.get("/api/protocols/iv-induction")
    assert shown.status_code == 200
    data = shown.get_json()
    assert data["active"]["version"] == 2 and data["active"]["phases"][0]["min_gap_days"] == 2
    assert [v["version"] for v in data["versions"]] == [2, 1]
    assert data["versions"][0]["saved_by"].startswith("admin-") and data["versions"][1]["saved_by"] == "system"
    assert data["versions"][0]["changes"] == ["Phase 1 (induction): 1 to 7 days apart became 2 to 7 days apart."]
    assert data["retired"] is None and data["retirements"] == []
    first = admin.get("/api/protocols/iv-induction/versions/1").get_json()
    assert first["version"] == 1 and first["active"] is False and first["phases"][0]["min_gap_days"] == 1


@pytest.mark.parametrize("path", ["/api/protocols/no-such", "/api/protocols/iv-induction/versions/3",
                                  "/api/protocols/no-such/versions/1", "/api/protocols/Not%20a%20key"])
def test_an_unknown_protocol_or_version_is_404(admin, path):
    assert admin.get(path).status_code == 404


def test_retiring_keeps_running_courses_refuses_new_ones_and_restoring_brings_it_back(admin):
    reception = ApiClient(admin.client, "reception")
    patient = ready_patient("P-RUN")
    booked = reception.post("/api/courses", _propose(reception, patient).get_json()["plans"][0]["book"])
    assert booked.status_code == 201
    retired = admin.patch("/api/protocols/iv-induction", {"retired": True, "reason": "Replaced by the 2027 protocol"})
    assert retired.status_code == 200
    data = retired.get_json()
    assert data["retired"]["reason"] == "Replaced by the 2027 protocol" and data["retired"]["retired_by"].startswith("admin-")
    assert data["active"]["running_courses"] == 1  # the running course keeps its version
    refused = _propose(reception, ready_patient("P-NEW"))
    assert refused.status_code == 422
    [problem] = refused.get_json()["fields"]
    assert problem["field"] == "protocol" and "was retired on 2026-11-20" in problem["message"]
    assert "iv-induction" not in {p["key"] for p in admin.get("/api/protocols").get_json()}
    again = admin.patch("/api/protocols/iv-induction", {"retired": True, "reason": "twice"})
    assert again.status_code == 409 and again.get_json()["conflicts"][0]["field"] == "retired"
    restored = admin.patch("/api/protocols/iv-induction", {"retired": False, "reason": "The 2027 protocol was withdrawn"})
    assert restored.status_code == 200 and restored.get_json()["retired"] is None
    [kept] = restored.get_json()["retirements"]
    assert kept["restore_reason"] == "The 2027 protocol was withdrawn" and kept["restored_at"]
    assert _propose(reception, ready_patient("P-BACK")).status_code == 200
    assert [e.details["reason"] for e in audit("protocol.retired")] == ["Replaced by the 2027 protocol"]
    assert [e.details["after"] for e in audit("protocol.restored")] == [{"retired": False}]


def test_restoring_a_protocol_in_use_is_409_and_writes_nothing(admin):
    before = fingerprint(fingerprint_query())
    answer = admin.patch("/api/protocols/kap", {"retired": False, "reason": "by mistake"})
    assert answer.status_code == 409 and answer.get_json()["conflicts"][0]["code"] == "not_retired"
    assert fingerprint(fingerprint_query()) == before


@pytest.mark.parametrize("change, field", [
    ({"retired": True}, "reason"),
    ({"retired": True, "reason": "   "}, "reason"),
    ({"reason": "no longer used"}, "retired"),
    ({"retired": "yes", "reason": "x"}, "retired"),
    ({"retired": True, "reason": "x" * 501}, "reason"),
    ({"retired": True, "reason": "x", "when": "now"}, "when"),
])
def test_a_bad_retirement_is_422_naming_the_field_and_writes_nothing(admin, change, field):
    answer = admin.patch("/api/protocols/iv-induction", change)
    assert answer.status_code == 422 and fields(answer) == {field}
    assert count(ProtocolRetirement) == 0


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_an_admin_retires_a_protocol_or_saves_a_version_but_every_role_reads_them(admin, role):
    other = ApiClient(admin.client, role)
    assert other.patch("/api/protocols/kap", {"retired": True, "reason": "x"}).status_code == 403
    protocol = {k: v for k, v in other.get("/api/protocols").get_json()[0].items() if k != "version"}
    assert other.post("/api/protocols", protocol).status_code == 403
    assert other.get("/api/protocols/kap").status_code == 200
    assert other.get("/api/protocols/kap/versions/1").status_code == 200
    assert count(ProtocolRetirement) == 0 and count(ProtocolVersion) == 7


def test_every_protocol_answer_is_exactly_what_the_document_says(app, admin):
    from tests.web.test_api_schema import conforms

    for method, path, body, status in [
        ("GET", "/api/protocols/kap", None, 200), ("GET", "/api/protocols/kap/versions/1", None, 200),
        ("GET", "/api/protocols/kap/versions/9", None, 404), ("PATCH", "/api/protocols/kap", {"retired": 1}, 422),
        ("PATCH", "/api/protocols/kap", {"retired": True, "reason": "unused"}, 200),
        ("PATCH", "/api/protocols/kap", {"retired": True, "reason": "unused"}, 409),
    ]:
        response = admin.client.open(path, method=method, json=body, headers=admin.headers)
        assert response.status_code == status, (method, path, response.get_json())
        conforms(app, method, path, response)
