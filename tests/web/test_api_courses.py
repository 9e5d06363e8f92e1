"""The courses API: propose, book in one action, show, re-plan; 409 with a fresh offer; 422 for bad input."""

from __future__ import annotations

import pytest

from planner.db.models import Course, ProtocolVersion, Session
from tests.factories import ready_patient
from tests.web.api_client import ApiClient, count, fields


@pytest.fixture
def reception(client, course_clinic, clinic_clock):
    return ApiClient(client, "reception")


def propose(api, patient, **prefs):
    return api.post("/api/courses/proposals", {"patient_id": patient, "protocol": "iv-induction",
                                               "start": "2026-11-23", "preferences": prefs})


def test_reception_proposes_and_books_a_whole_course_in_one_action(reception):
    patient = ready_patient()
    offer = propose(reception, patient, time_of_day="morning")
    assert offer.status_code == 200
    plans = offer.get_json()["plans"]
    assert plans and len(plans[0]["sessions"]) == 13 and plans[0]["score"]["doses_off_usual_time"] == 0
    assert plans[0]["sessions"][0]["local_start"].startswith("2026-11-23T")
    booked = reception.post("/api/courses", plans[0]["book"])
    assert booked.status_code == 201
    course = booked.get_json()
    assert course["protocol"] == {"key": "iv-induction", "version": 1, "name": "IV ketamine, depression induction"}
    assert len(course["sessions"]) == 13 and course["history"][0]["kind"] == "booked"
    assert reception.get(f"/api/courses/{course['id']}").get_json()["id"] == course["id"]


def test_a_stale_plan_is_409_with_a_fresh_offer_and_books_nothing(reception):
    first, second = ready_patient("P-1"), ready_patient("P-2")
    plan = propose(reception, first, time_of_day="morning").get_json()["plans"][0]["book"]
    rival = dict(plan, patient_id=second)
    assert reception.post("/api/courses", rival).status_code == 201
    stale = reception.post("/api/courses", plan)
    assert stale.status_code == 409
    answer = stale.get_json()
    assert answer["conflicts"] and answer["fresh"]["plans"]
    assert count(Course) == 1


@pytest.mark.parametrize("change, field", [
    ({"patient_id": "x"}, "patient_id"),
    ({"patient_id": 999}, "patient_id"),
    ({"protocol": "no-such"}, "protocol"),
    ({"start": "2026-02-30"}, "start"),
    ({"preferences": {"weekdays": [9]}}, "preferences"),
    ({"preferences": {"time_of_day": "midnight"}}, "preferences.time_of_day"),
    ({"preferences": {"site_id": 999}}, "preferences.site_id"),
    ({"colour": "red"}, "colour"),
])
def test_bad_proposal_input_is_422_naming_the_field(reception, change, field):
    patient = ready_patient()
    body = {"patient_id": patient, "protocol": "iv-induction", **change}
    assert field in fields(reception.post("/api/courses/proposals", body))


def test_a_booking_that_is_not_the_protocol_is_422_and_writes_nothing(reception):
    patient = ready_patient()
    plan = propose(reception, patient).get_json()["plans"][0]["book"]
    broken = dict(plan, sessions=plan["sessions"][:-1])
    assert "sessions" in fields(reception.post("/api/courses", broken))
    assert "sessions[0].start" in fields(reception.post("/api/courses", dict(plan, sessions=[
        dict(plan["sessions"][0], start="2026-11-23T09:00:00")] + plan["sessions"][1:])))
    assert fields(reception.post("/api/courses", [])) == {"body"}  # an array is not the object asked for
    assert fields(reception.post("/api/courses", {})) >= {"patient_id"}
    assert count(Course) == 0 and count(Session) == 0


def test_a_patient_not_ready_for_a_course_gets_409_with_the_reasons(reception):
    from tests.factories import make_patient

    patient = make_patient("NEW", screening_status="pending", consent_status="pending")
    response = reception.post("/api/courses/proposals", {"patient_id": patient, "protocol": "kap"})
    assert response.status_code == 409
    assert {c["code"] for c in response.get_json()["conflicts"]} == {"screening_not_cleared", "consent_not_signed"}


def test_re_planning_previews_then_applies_with_the_fingerprint(reception):
    patient = ready_patient()
    plan = propose(reception, patient, time_of_day="morning").get_json()["plans"][0]["book"]
    course = reception.post("/api/courses", plan).get_json()
    third = next(s for s in course["sessions"] if s["purpose"] == "dose" and s["dose_number"] == 3)
    assert reception.post(f"/api/sessions/{third['id']}/cancel", {"reason": "flu"}).status_code == 200
    preview = reception.get(f"/api/courses/{course['id']}/replan").get_json()
    kinds = sorted(c["kind"] for c in preview["changes"])
    assert kinds == ["add", "move"]
    wrong = reception.post(f"/api/courses/{course['id']}/replan", {"fingerprint": "0000"})
    assert wrong.status_code == 409 and wrong.get_json()["fresh"]["fingerprint"] == preview["fingerprint"]
    applied = reception.post(f"/api/courses/{course['id']}/replan", {"fingerprint": preview["fingerprint"]})
    assert applied.status_code == 200
    after = reception.get(f"/api/courses/{course['id']}").get_json()
    assert [h["kind"] for h in after["history"]] == ["booked", "replanned"]
    assert reception.get("/api/courses/999/replan").status_code == 404


def test_protocols_are_listed_and_an_admin_saves_a_new_version(client, course_clinic):
    admin = ApiClient(client, "admin")
    protocols = {p["key"]: p for p in admin.get("/api/protocols").get_json()}
    assert {"iv-induction", "esketamine-trd", "kap", "pain-5-day"} <= set(protocols)
    changed = {k: v for k, v in protocols["iv-induction"].items() if k != "version"}
    changed["phases"][0]["window_days"] = 28
    assert admin.post("/api/protocols", changed).get_json() == {"key": "iv-induction", "version": 2}
    kap = {k: v for k, v in protocols["kap"].items() if k != "version"}
    assert fields(admin.post("/api/protocols", kap)) == {"dosing_type"}  # this clinic has no IM dosing type
    bad = dict(changed, phases=[{"name": "x", "doses": 3, "min_gap_days": 9, "max_gap_days": 2}])
    assert "phases[0].max_gap_days" in fields(admin.post("/api/protocols", bad))
    assert "phases" in fields(admin.post("/api/protocols", dict(changed, phases=[])))
    assert count(ProtocolVersion) == 8


def test_stopping_a_course_cancels_what_is_still_to_come(reception):
    patient = ready_patient()
    plan = propose(reception, patient).get_json()["plans"][0]["book"]
    course = reception.post("/api/courses", plan).get_json()
    stopped = reception.post(f"/api/courses/{course['id']}/stop", {"reason": "moved away"})
    assert stopped.status_code == 200 and stopped.get_json()["status"] == "stopped"
    assert {s["status"] for s in stopped.get_json()["sessions"]} == {"cancelled"}
    assert reception.post(f"/api/courses/{course['id']}/stop", {}).status_code == 409
