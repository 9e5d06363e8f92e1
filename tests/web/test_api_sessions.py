"""The sessions API: book, batch, reschedule, cancel, status, availability; 409 and 422 answers."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from planner.db.models import AuditEvent, Session
from planner.domain.calendar import to_utc
from tests.factories import MONDAY
from tests.web.api_client import ApiClient, count, fields


def at(hour: int, minute: int = 0, days: int = 0) -> str:
    return to_utc(MONDAY + timedelta(days=days), time(hour, minute), "America/New_York").isoformat()


@pytest.fixture
def reception(client, clinic_clock):
    return ApiClient(client, "reception")


def iv(clinic, patient=0, chair=0, nurse=0, start=None) -> dict:
    return {"patient_id": clinic.patients[patient], "site_id": clinic.site, "session_type_id": clinic.iv,
            "start": start or at(9), "room_id": clinic.chairs[chair],
            "staff": [{"staff_id": clinic.prescriber, "role": "supervising_prescriber"},
                      {"staff_id": clinic.nurses[nurse], "role": "monitoring_clinician"}]}


def test_booking_answers_201_with_utc_and_site_local_times(clinic, reception):
    response = reception.post("/api/sessions", iv(clinic))
    assert response.status_code == 201
    session = response.get_json()
    assert session["start"] == "2026-11-23T14:00:00Z" and session["local_start"] == "2026-11-23T09:00:00-05:00"
    assert session["status"] == "booked" and session["version"] == 1
    assert reception.get(f"/api/sessions/{session['id']}").get_json() == session


def test_a_conflict_is_409_with_every_reason_in_clinic_words(clinic, reception):
    reception.post("/api/sessions", iv(clinic))
    clash = iv(clinic, patient=0, chair=0, start=at(9, 30))
    clash["staff"] = [{"staff_id": clinic.therapist, "role": "supervising_prescriber"}]
    response = reception.post("/api/sessions", clash)
    assert response.status_code == 409
    codes = {c["code"] for c in response.get_json()["conflicts"]}
    assert codes == {"room_taken", "staff_wrong_discipline", "credential_not_valid", "role_missing",
                     "patient_double_booked", "patient_dosed_that_day"}
    assert all(c["message"] for c in response.get_json()["conflicts"])
    assert count(Session) == 1


def test_a_session_on_a_weekend_is_refused_because_the_site_is_closed(clinic, reception):
    response = reception.post("/api/sessions", iv(clinic, start=at(9, days=5)))
    assert response.status_code == 409
    assert [c["code"] for c in response.get_json()["conflicts"]] == ["site_closed", "staff_off_shift", "staff_off_shift",
                                                                      "no_acls_on_site"]


@pytest.mark.parametrize("change, field", [
    ({"start": "2026-11-23T09:00:00"}, "start"),              # no zone
    ({"start": "3026-11-23T09:00:00Z"}, "start"),             # absurd date
    ({"start": "next tuesday"}, "start"),
    ({"patient_id": 999}, "patient_id"),                      # unknown ids are bad input
    ({"site_id": 999}, "site_id"),
    ({"session_type_id": 999}, "session_type_id"),
    ({"room_id": 999}, "room_id"),
    ({"patient_id": "one"}, "patient_id"),                    # wrong type
    ({"staff": [{"staff_id": 999, "role": "monitoring_clinician"}]}, "staff[0].staff_id"),
    ({"staff": [{"staff_id": 1, "role": "bouncer"}]}, "staff[0].role"),
    ({"colour": "red"}, "colour"),
])
def test_bad_booking_input_is_422_naming_the_field_and_writes_nothing(clinic, reception, change, field):
    assert field in fields(reception.post("/api/sessions", {**iv(clinic), **change}))
    assert count(Session) == 0 and count(AuditEvent) == 0


def test_a_batch_books_all_or_nothing(clinic, reception):
    good, clash = iv(clinic, patient=0), iv(clinic, patient=1)  # same chair, same time
    response = reception.post("/api/sessions/batch", {"sessions": [good, clash]})
    assert response.status_code == 409
    assert {(c["index"], c["code"]) for c in response.get_json()["conflicts"]} == {(1, "room_taken")}
    assert count(Session) == 0
    clash["room_id"], clash["staff"][1]["staff_id"] = clinic.chairs[1], clinic.nurses[1]
    created = reception.post("/api/sessions/batch", {"sessions": [good, clash]})
    assert created.status_code == 201 and len(created.get_json()) == 2
    assert "sessions[1].patient_id" in fields(reception.post("/api/sessions/batch", {
        "sessions": [good, {**good, "patient_id": 999}]}))
    assert fields(reception.post("/api/sessions/batch", {"sessions": []})) == {"sessions"}


def test_rescheduling_moves_the_session_and_raises_its_version(clinic, reception):
    session = reception.post("/api/sessions", iv(clinic)).get_json()
    moved = reception.post(f"/api/sessions/{session['id']}/reschedule", {"start": at(14)})
    assert moved.status_code == 200
    assert moved.get_json()["local_start"] == "2026-11-23T14:00:00-05:00" and moved.get_json()["version"] == 2
    late = reception.post(f"/api/sessions/{session['id']}/reschedule", {"start": at(17)})
    assert late.status_code == 409 and "site_closed" in {c["code"] for c in late.get_json()["conflicts"]}
    assert "start" in fields(reception.post(f"/api/sessions/{session['id']}/reschedule", {"start": "2026-11-23"}))
    assert reception.post("/api/sessions/999/reschedule", {"start": at(14)}).status_code == 404


def test_cancelling_frees_the_place_and_a_second_cancel_is_a_conflict(clinic, reception):
    session = reception.post("/api/sessions", iv(clinic)).get_json()
    cancelled = reception.post(f"/api/sessions/{session['id']}/cancel", {"reason": "unwell"})
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["version"] == 2
    assert reception.post("/api/sessions", iv(clinic, patient=1)).status_code == 201
    again = reception.post(f"/api/sessions/{session['id']}/cancel", {})
    assert again.status_code == 409 and "cannot become cancelled" in again.get_json()["error"]


def test_status_changes_follow_the_lifecycle(clinic, reception, monkeypatch):
    import planner.clock
    from planner.domain.calendar import to_utc as wall

    session = reception.post("/api/sessions", iv(clinic)).get_json()
    path = f"/api/sessions/{session['id']}/status"
    assert reception.post(path, {"status": "fulfilled"}).status_code == 409
    # Three days ahead, nobody can have arrived yet (the clock reads the Friday before).
    early = reception.post(path, {"status": "arrived", "escort_confirmed": True})
    assert early.status_code == 409 and [c["code"] for c in early.get_json()["conflicts"]] == ["not_the_day"]
    monkeypatch.setattr(planner.clock, "now", lambda: wall(MONDAY, time(8, 40), "America/New_York"))
    # A dose: the API asks for the escort as the today board does, and says so beside the field.
    alone = reception.post(path, {"status": "arrived"})
    assert alone.status_code == 409 and [(c["code"], c["field"]) for c in alone.get_json()["conflicts"]] == [
        ("escort_not_confirmed", "escort_confirmed")]
    assert reception.post(path, {"status": "arrived", "escort_confirmed": True}).get_json()["status"] == "arrived"
    # A hold needs its reason on the API as on the board: a 422 naming it, and the dose stays arrived.
    unexplained = reception.post(path, {"status": "held", "reason": "  "})
    assert unexplained.status_code == 422 and fields(unexplained) == {"reason"}
    assert reception.get(f"/api/sessions/{session['id']}").get_json()["status"] == "arrived"
    assert reception.post(path, {"status": "held", "reason": "BP 150/95"}).get_json()["status"] == "held"
    assert fields(reception.post(path, {"status": "teleported"})) == {"status"}


def test_listing_sessions_needs_a_sane_span(clinic, reception):
    reception.post("/api/sessions", iv(clinic))
    listed = reception.get("/api/sessions", **{"from": at(0), "to": at(23), "site_id": clinic.site})
    assert [s["local_start"] for s in listed.get_json()] == ["2026-11-23T09:00:00-05:00"]
    assert "body" in fields(reception.get("/api/sessions", **{"from": at(23), "to": at(0)}))
    assert "from" in fields(reception.get("/api/sessions", to=at(0)))


def test_availability_lists_free_windows_in_utc(clinic, reception):
    day = MONDAY.isoformat()
    response = reception.get("/api/availability", site_id=clinic.site, session_type_id=clinic.iv,
                             **{"from": day, "to": day})
    windows = response.get_json()["windows"]
    # Open 08:00-18:00 New York (13:00-23:00Z); an IV visit is 1 h 45 min, so the last start is 16:15.
    assert windows == [{"starts_from": "2026-11-23T13:00:00Z", "starts_until": "2026-11-23T21:15:00Z",
                        "ends_by": "2026-11-23T23:00:00Z"}]


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-11-30", "to": "2026-11-23"}, "to"),
    ({"from": "2026-11-23", "to": "2027-11-23"}, "to"),
    ({"from": "yesterday", "to": "2026-11-23"}, "from"),
    ({"from": "2026-11-23"}, "to"),
])
def test_bad_availability_queries_are_422(clinic, reception, params, field):
    args = {"site_id": clinic.site, "session_type_id": clinic.iv, **params}
    assert field in fields(reception.get("/api/availability", **args))


def test_availability_for_unknown_ids_is_422(clinic, reception):
    assert fields(reception.get("/api/availability", site_id=999, session_type_id=998, patient_id=997,
                                **{"from": "2026-11-23", "to": "2026-11-23"})) == {
        "site_id", "session_type_id", "patient_id"}
