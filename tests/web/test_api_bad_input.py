"""Input of any shape gets a 4xx naming the problem, never a 500, and writes nothing: ids beyond any row,
JSON nested 100,000 deep, bodies too large, `true` where a number belongs."""

from __future__ import annotations

import json

import pytest

from tests.web.api_client import ApiClient, fields
from tests.web.api_routes import api_routes
from tests.web.fuzz_target import fingerprint, fingerprint_query, seed_fuzz_clinic

# Just past PostgreSQL's integer, past 64 bits, and the example.
TOO_BIG = [2**31, 2**64, 99999999999999999999999]
ROUTES_WITH_IDS = [r for r in api_routes() if r.has_ids]
POST_ROUTES = [r for r in api_routes() if r.method == "POST"]


@pytest.fixture
def ids(app, clinic_clock) -> dict[str, int]:
    """The fuzzer's seeded clinic (with a booked session and course): the first id of each kind."""
    return {name: found[0] for name, found in seed_fuzz_clinic().items()}


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


@pytest.fixture
def unchanged(app):
    """unchanged() -> True while the database holds what it held when the test began."""
    statement = fingerprint_query()
    before = fingerprint(statement)
    return lambda: fingerprint(statement) == before


@pytest.mark.parametrize("number", TOO_BIG, ids=["2**31", "2**64", "10**23"])
@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_an_id_no_row_can_have_in_a_path_is_404_on_every_route(admin, unchanged, route, number):
    response = admin.client.open(route.path(every=number), method=route.method, json={}, headers=admin.headers)
    assert response.status_code == 404, response.data
    fhir = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found",
                                                           "diagnostics": "Not found."}]}
    assert response.get_json() == (fhir if route.rule.startswith("/api/fhir/") else {"error": "Not found."})
    assert unchanged()


@pytest.mark.parametrize("path, name", [
    ("/api/sessions?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&site_id={n}", "site_id"),
    ("/api/sessions?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&patient_id={n}", "patient_id"),
    ("/api/availability?site_id={n}&session_type_id=1&from=2026-11-23&to=2026-11-24", "site_id"),
    ("/api/availability?site_id=1&session_type_id={n}&from=2026-11-23&to=2026-11-24", "session_type_id"),
    ("/api/availability?site_id=1&session_type_id=1&from=2026-11-23&to=2026-11-24&patient_id={n}", "patient_id"),
])
@pytest.mark.parametrize("number", TOO_BIG, ids=["2**31", "2**64", "10**23"])
def test_an_id_beyond_the_database_range_in_a_query_is_422_naming_it(admin, path, name, number):
    assert fields(admin.client.get(path.format(n=number), headers=admin.headers)) == {name}


def _body_ids(ids: dict[str, int]) -> list[tuple[str, dict, str, tuple | None]]:
    """(path, body, field, where in the body the bad value goes) for every id a body carries."""
    staff = [{"staff_id": ids["staff_id"], "role": "supervising_prescriber"}]
    session = {"patient_id": ids["patient_id"], "site_id": ids["site_id"], "session_type_id": ids["session_type_id"],
               "start": "2026-11-23T14:00:00Z", "room_id": ids["room_id"], "staff": staff}
    course = {"patient_id": ids["patient_id"], "protocol": "iv-induction", "site_id": ids["site_id"],
              "sessions": [{"session_type": "iv-infusion", "purpose": "dose", "dose_number": 1,
                            "start": "2026-11-23T14:00:00Z", "room_id": ids["room_id"], "staff": staff}]}
    propose = {"patient_id": ids["patient_id"], "protocol": "iv-induction", "preferences": {}}
    return [
        ("/api/rooms", {"site_id": 1, "name": "Chair 9", "kind": "infusion_chair"}, "site_id", None),
        (f"/api/staff/{ids['staff_id']}/shifts", {"site_id": 1, "starts_at": "2026-11-23T13:00:00Z",
                                                  "ends_at": "2026-11-23T20:00:00Z"}, "site_id", None),
        *[("/api/sessions", session, name, None) for name in ("patient_id", "site_id", "session_type_id", "room_id")],
        ("/api/sessions", session, "staff[0].staff_id", ("staff", 0, "staff_id")),
        ("/api/sessions/batch", {"sessions": [session]}, "sessions[0].patient_id", ("sessions", 0, "patient_id")),
        (f"/api/sessions/{ids['session_id']}/reschedule", {"start": "2026-11-24T14:00:00Z"}, "room_id", None),
        ("/api/courses/proposals", propose, "patient_id", None),
        ("/api/courses/proposals", propose, "preferences.site_id", ("preferences", "site_id")),
        ("/api/courses/proposals", propose, "preferences.therapist_id", ("preferences", "therapist_id")),
        *[("/api/courses", course, name, None) for name in ("patient_id", "site_id")],
        ("/api/courses", course, "sessions[0].room_id", ("sessions", 0, "room_id")),
    ]


def _put(body: dict, field: str, where, value) -> dict:
    body = json.loads(json.dumps(body))
    *parents, last = where or (field,)
    target = body
    for step in parents:
        target = target[step]
    target[last] = value
    return body


@pytest.mark.parametrize("value", [2**31, 2**64, True, "7", 7.0], ids=["2**31", "2**64", "true", "string", "float"])
def test_an_id_in_a_body_beyond_the_database_range_or_not_an_integer_is_422_naming_it(admin, ids, unchanged, value):
    for path, body, field, where in _body_ids(ids):
        response = admin.post(path, _put(body, field, where, value))
        assert fields(response) == {field}, (path, field, response.get_json())
    assert unchanged()


@pytest.mark.parametrize("query", ["site_id=true", "site_id=false", "site_id=", "site_id=%EF%BC%91", "site_id=-1"])
def test_an_id_in_a_query_that_is_not_a_plain_number_is_422(admin, query):
    path = f"/api/sessions?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&{query}"
    assert fields(admin.client.get(path, headers=admin.headers)) == {"site_id"}


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("document", [_nested(100_000), b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
                                      _nested(1_000)], ids=["arrays 100,000 deep", "objects 100,000 deep",
                                                             "arrays 1,000 deep"])
def test_json_nested_deeper_than_the_parser_allows_is_422_on_every_post_route(admin, ids, unchanged, document):
    for route in POST_ROUTES:
        response = admin.post(route.path(**ids), data=document, content_type="application/json")
        assert response.status_code == 422 and fields(response) == {"body"}, route
    assert unchanged()


def test_a_body_larger_than_a_mebibyte_is_413_before_it_is_read(admin, unchanged):
    big = json.dumps({"name": "x" * (1024 * 1024), "timezone": "Europe/Berlin"})
    response = admin.post("/api/sites", data=big, content_type="application/json")
    assert response.status_code == 413 and response.get_json() == {"error": "The request is too large."}
    assert unchanged()


def test_a_method_a_path_does_not_take_is_405_saying_which_it_does(admin):
    response = admin.client.delete("/api/sites", headers=admin.headers)
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_posting_a_replan_for_a_course_id_too_big_for_any_row_is_404_not_405(admin):
    # werkzeug compares methods before converting: a GET rule on the same path once made this a 405.
    response = admin.post(f"/api/courses/{2**31}/replan", {})
    assert response.status_code == 404
