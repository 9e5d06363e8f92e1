"""The offers API: times with a room and a full team in site time, booked as offered; bad input is 422."""

from __future__ import annotations

import pytest

from planner.db.models import Session
from tests.factories import MONDAY
from tests.web.api_client import ApiClient, count, fields
from tests.web.test_api_schema import conforms

DAY = MONDAY.isoformat()


@pytest.fixture
def reception(client, clinic_clock):
    return ApiClient(client, "reception")


def ask(api, clinic, **params):
    return api.get("/api/offers", **{"site_id": clinic.site, "session_type_id": clinic.iv, "from": DAY,
                                     "patient_id": clinic.patients[0], **params})


def test_offers_name_the_room_and_team_in_site_time_and_book_as_offered(app, clinic, reception):
    response = ask(reception, clinic, limit=3)
    assert response.status_code == 200
    conforms(app, "GET", "/api/offers", response)
    found = response.get_json()
    assert found["timezone"] == "America/New_York" and found["from"] == found["to"] == DAY
    first = found["offers"][0]
    assert first["start"] == "2026-11-23T13:00:00Z" and first["local_start"] == "2026-11-23T08:00:00-05:00"
    assert first["room"] == "Chair 1" and first["why"][0] == "Earliest free time on Mon 23 Nov"
    assert [(s["name"], s["role"]) for s in first["staff"]] == [("Dr Ada Kim", "supervising_prescriber"),
                                                              ("Rosa Diaz", "monitoring_clinician")]
    assert len(found["offers"]) == 3 and found["reasons"] == []
    booked = reception.post("/api/sessions", {
        "patient_id": clinic.patients[0], "site_id": clinic.site, "session_type_id": clinic.iv,
        "start": first["start"], "room_id": first["room_id"],
        "staff": [{"staff_id": s["staff_id"], "role": s["role"]} for s in first["staff"]]})
    assert booked.status_code == 201, booked.get_json()


def test_the_api_gives_the_pages_spread_list_and_more_true_gives_every_free_start(app, clinic, reception,
                                                                                  clinic_clock):
    from planner.services.offers import find_offers

    spread = ask(reception, clinic).get_json()
    page = find_offers(clinic.site, clinic.iv, MONDAY, MONDAY, clinic_clock, clinic.patients[0])
    assert [o["local_start"][11:16] for o in spread["offers"]] == [f"{h:02}:00" for h in range(8, 17)]
    assert [o["start"] for o in spread["offers"]] == [o.start.isoformat().replace("+00:00", "Z") for o in page.offers]
    assert spread["closer_times"] is True
    response = ask(reception, clinic, more="true", limit=4)
    conforms(app, "GET", "/api/offers", response)
    every = response.get_json()
    assert [o["local_start"][11:16] for o in every["offers"]] == ["08:00", "08:15", "08:30", "08:45"]
    assert every["closer_times"] is False
    assert "more" in fields(ask(reception, clinic, more="lots"))


def test_a_closed_day_has_no_offers_and_says_why(app, clinic, reception):
    response = ask(reception, clinic, **{"from": "2026-11-28"})
    conforms(app, "GET", "/api/offers", response)
    assert response.get_json()["offers"] == []
    assert response.get_json()["reasons"] == [{"code": "site_closed", "message": "Midtown is closed on Sat 28 Nov.",
                                               "field": "day"}]


@pytest.mark.parametrize("params, field", [
    ({"to": "2026-11-22"}, "to"),
    ({"to": "2026-11-30"}, "to"),
    ({"from": "tomorrow"}, "from"),
    ({"from": None}, "from"),
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "lots"}, "limit"),
    ({"limit": 2**64}, "limit"),
    ({"site_id": "true"}, "site_id"),
    ({"site_id": 2**31}, "site_id"),
    ({"patient_id": 99999999999999999999999}, "patient_id"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_offer_queries_are_422_naming_the_field(app, clinic, reception, params, field):
    asked = {k: v for k, v in params.items() if v is not None}
    response = reception.get("/api/offers", **{"site_id": clinic.site, "session_type_id": clinic.iv, "from": DAY,
                                               **asked}) if "from" not in params or params["from"] else \
        reception.get("/api/offers", site_id=clinic.site, session_type_id=clinic.iv)
    assert field in fields(response)
    conforms(app, "GET", "/api/offers", response)


def test_offers_for_unknown_ids_are_422_and_write_nothing(clinic, reception):
    assert fields(reception.get("/api/offers", site_id=999, session_type_id=998, patient_id=997, **{"from": DAY})) \
        == {"site_id", "session_type_id", "patient_id"}
    assert count(Session) == 0


def test_offers_need_a_token(client, clinic):
    assert client.get(f"/api/offers?site_id={clinic.site}&session_type_id={clinic.iv}&from={DAY}").status_code == 401
