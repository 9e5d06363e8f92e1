"""The call-out pages: admin only, a preview in plain words, apply in one click, stale previews refused, no 500."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from planner.db.models import SessionStaff, TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY
from tests.web.api_client import ApiClient
from tests.web.conftest import audit, csrf_from
from tests.web.test_api_schema import conforms

NY = "America/New_York"
ASK = {"from": "2026-11-23T07:00", "to": "2026-11-23T19:00"}


@pytest.fixture
def booked(clinic, clinic_clock):
    """An IV dose Monday 09:00 monitored by Rosa Diaz; Sam Lee is free to take it."""
    order = SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(MONDAY, time(9), NY), clinic.chairs[0],
                         ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician")))
    return clinic, book_session(order, SYSTEM, clinic_clock)


def team(session_id: int) -> set[int]:
    db.session.rollback()
    found = set(db.session.scalars(select(SessionStaff.staff_id).where(SessionStaff.session_id == session_id)))
    db.session.rollback()
    return found


def test_the_preview_names_each_session_and_its_repair_in_plain_words(signed_in, booked):
    clinic, session_id = booked
    page = signed_in("admin").get("/callouts/new", query_string={"staff_id": clinic.nurses[0], **ASK})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rosa Diaz away Mon 23 Nov 07:00 EST to Mon 23 Nov 19:00 EST." in text
    assert "Sam Lee (RN) takes over as monitoring clinician." in text
    assert f'data-testid="repair-{session_id}"' in text


def test_applying_the_preview_reassigns_records_the_time_off_and_shows_who_was_told(signed_in, booked):
    clinic, session_id = booked
    admin = signed_in("admin")
    page = admin.get("/callouts/new", query_string={"staff_id": clinic.nurses[0], **ASK}).get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    done = admin.post("/callouts", data={"csrf_token": csrf_from(page), "staff_id": clinic.nurses[0], **ASK,
                                         "token": token, "reason": "Flu"})
    assert done.status_code == 302
    summary = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sam Lee (RN) takes over as monitoring clinician." in summary
    assert f"Rosa Diaz: taken off session {session_id}, a cancellation" in summary
    assert f"Sam Lee: put on session {session_id}, an invite" in summary
    assert team(session_id) == {clinic.prescriber, clinic.nurses[1]}
    assert "Rosa Diaz" in admin.get("/callouts").get_data(as_text=True)
    assert audit("callout.applied")


def test_a_stale_preview_is_refused_with_the_fresh_one_and_nothing_changes(signed_in, booked):
    clinic, session_id = booked
    admin = signed_in("admin")
    page = admin.get("/callouts/new", query_string={"staff_id": clinic.nurses[0], **ASK}).get_data(as_text=True)
    refused = admin.post("/callouts", data={"csrf_token": csrf_from(page), "staff_id": clinic.nurses[0], **ASK,
                                            "token": "not-the-preview"})
    assert refused.status_code == 409
    assert 'data-testid="stale"' in refused.get_data(as_text=True)
    assert team(session_id) == {clinic.prescriber, clinic.nurses[0]}
    assert db.session.scalars(select(TimeOff)).all() == []


def test_choosing_to_leave_a_session_as_a_gap_is_previewed_and_carried_to_apply(signed_in, booked):
    clinic, session_id = booked
    admin = signed_in("admin")
    page = admin.get("/callouts/new", query_string={"staff_id": clinic.nurses[0], **ASK,
                                                    f"repair-{session_id}": "gap"}).get_data(as_text=True)
    assert "Cannot be repaired" in page and f'name="repair-{session_id}" value="gap"' in page


@pytest.mark.parametrize("query, field", [
    ({"staff_id": "x", **ASK}, "staff_id"),
    ({"staff_id": "1", "from": "tomorrow", "to": ASK["to"]}, "from"),
    ({"staff_id": "1", "from": ASK["to"], "to": ASK["from"]}, "to"),
    ({"staff_id": "999999", **ASK}, "staff_id"),
    ({"staff_id": "1", **ASK, "repair-1": "explode"}, "choices"),
])
def test_bad_input_is_answered_beside_its_field_never_a_500(signed_in, booked, query, field):
    page = signed_in("admin").get("/callouts/new", query_string=query)
    assert page.status_code == 422
    assert f'id="{field}-error"' in page.get_data(as_text=True)


def test_posting_without_the_csrf_token_changes_nothing(signed_in, booked):
    clinic, session_id = booked
    refused = signed_in("admin").post("/callouts", data={"staff_id": clinic.nurses[0], **ASK, "token": "x"})
    assert refused.status_code == 400
    assert team(session_id) == {clinic.prescriber, clinic.nurses[0]}


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_an_admin_may_open_the_call_out_pages(signed_in, booked, role):
    client = signed_in(role)
    assert client.get("/callouts/new").status_code == 403
    assert client.get("/callouts").status_code == 403


def test_the_api_previews_and_applies_a_call_out_and_refuses_a_stale_token(app, client, booked):
    clinic, session_id = booked
    api = ApiClient(client, "admin")
    ask = {"staff_id": clinic.nurses[0], "starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-24T00:00:00Z"}
    preview = api.post("/api/callouts/preview", json=ask)
    conforms(app, "POST", "/api/callouts/preview", preview)
    [repair] = preview.get_json()["repairs"]
    assert (repair["session_id"], repair["action"]) == (session_id, "reassign")
    stale = api.post("/api/callouts", json={**ask, "token": "0" * 32})
    conforms(app, "POST", "/api/callouts", stale)
    assert stale.status_code == 409 and stale.get_json()["fresh"]["token"] == preview.get_json()["token"]
    done = api.post("/api/callouts", json={**ask, "token": preview.get_json()["token"], "reason": "Flu"})
    conforms(app, "POST", "/api/callouts", done)
    assert done.status_code == 201 and team(session_id) == {clinic.prescriber, clinic.nurses[1]}


def test_the_api_refuses_a_clinician_and_a_span_that_ends_before_it_starts(app, client, booked):
    clinic, _ = booked
    ask = {"staff_id": clinic.nurses[0], "starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-23T10:00:00Z"}
    assert ApiClient(client, "clinician").post("/api/callouts/preview", json=ask).status_code == 403
    bad = ApiClient(client, "admin").post("/api/callouts/preview", json=ask)
    conforms(app, "POST", "/api/callouts/preview", bad)
    assert bad.status_code == 422 and bad.get_json()["fields"][0]["field"] == "ends_at"


def test_time_off_refused_for_breaking_cover_goes_through_as_a_call_out_that_repairs_the_session(app, client, booked):
    clinic, session_id = booked
    api = ApiClient(client, "admin")
    ask = {"starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-24T00:00:00Z"}
    refused = api.post(f"/api/staff/{clinic.nurses[0]}/time-off", json={**ask, "reason": "sick"})
    assert refused.status_code == 409 and "call-out" in refused.get_json()["error"]
    preview = api.post("/api/callouts/preview", json={**ask, "staff_id": clinic.nurses[0]}).get_json()
    done = api.post("/api/callouts", json={**ask, "staff_id": clinic.nurses[0], "token": preview["token"]})
    assert done.status_code == 201
    db.session.rollback()
    assert db.session.scalars(select(TimeOff.kind).where(TimeOff.staff_id == clinic.nurses[0])).all() == ["call-out"]
    assert team(session_id) == {clinic.prescriber, clinic.nurses[1]}
