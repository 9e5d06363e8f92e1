"""The today board: arrivals in site time, chairs, the front desk's actions through the status service, 304s."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner.db.models import Session
from planner.extensions import db
from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import audit, csrf_from
from tests.web.test_pages import text_of


@pytest.fixture
def board_clinic(app):
    return seed_board_clinic()


@pytest.fixture
def reception(signed_in):
    return signed_in("reception")


def status_of(session_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(Session.status).where(Session.id == session_id))


def board_url(clinic, day=None) -> str:
    return f"/sites/{clinic.site}/board" + (f"?day={day}" if day else "")


def act(client, clinic, session_id: int, action: str, fetch: bool = False, **fields):
    token = csrf_from(client.get(board_url(clinic)).data)
    headers = {"X-Requested-With": "fetch"} if fetch else {}
    return client.post(f"/board/sessions/{session_id}/status", data={"csrf_token": token, "action": action, **fields},
                       headers=headers)


def test_the_board_lists_today_s_arrivals_in_order_in_the_site_s_wall_time(reception, board_clinic):
    response = reception.get(board_url(board_clinic))
    assert response.status_code == 200
    page = text_of(response)
    assert board_clinic.zone in page
    assert f"Harbour Clinic · {board_clinic.today:%A %d %B %Y}" in page
    order = [page.index(name) for name in ("09:00–10:45 Noel Early", "13:00–14:45 Jordan Avery",
                                           "16:00–17:45 Lee Later")]
    assert order == sorted(order), page


def test_the_site_picker_links_each_site_s_board(reception, board_clinic):
    page = reception.get("/board").data.decode()
    assert f'href="/sites/{board_clinic.site}/board"' in page and "Harbour Clinic" in page


def test_each_chair_shows_who_is_in_it_now(reception, board_clinic):
    act(reception, board_clinic, board_clinic.early, "check_in", escort_confirmed="y")
    page = reception.get(board_url(board_clinic)).data.decode()
    chair = re.search(r'data-room="Chair 2">(.*?)</li>', page, re.S).group(1)
    assert "Noel Early" in chair and "arrived" in chair


def test_a_dose_is_not_checked_in_until_the_escort_is_confirmed(reception, board_clinic):
    response = act(reception, board_clinic, board_clinic.midday, "check_in")
    assert response.status_code == 409
    assert "confirm the escort before checking the patient in" in text_of(response)
    assert status_of(board_clinic.midday) == "booked"
    assert audit("session.arrived") == []


def test_checking_in_with_the_escort_confirmed_marks_the_patient_arrived_and_records_the_escort(reception,
                                                                                                 board_clinic):
    response = act(reception, board_clinic, board_clinic.midday, "check_in", escort_confirmed="y")
    assert response.status_code == 303
    assert status_of(board_clinic.midday) == "arrived"
    assert [e.entity_id for e in audit("session.escort_confirmed")] == [str(board_clinic.midday)]
    assert "Jordan Avery checked in." in text_of(reception.get(response.headers["Location"]))


def test_a_no_show_after_the_start_goes_through_and_queues_the_notices(reception, board_clinic):
    response = act(reception, board_clinic, board_clinic.early, "no_show")
    assert response.status_code == 303
    assert status_of(board_clinic.early) == "no_show"
    assert [e.details["before"] for e in audit("session.no_show")] == ["booked"]


def test_a_no_show_before_the_start_is_refused_in_plain_words(reception, board_clinic):
    response = act(reception, board_clinic, board_clinic.late, "no_show")
    assert response.status_code == 409
    assert "it can be marked a no-show only after it has started" in text_of(response)
    assert status_of(board_clinic.late) == "booked"


def test_a_transition_the_lifecycle_forbids_is_refused_and_the_board_shows_the_current_status(reception,
                                                                                               board_clinic):
    response = act(reception, board_clinic, board_clinic.early, "fulfilled", fetch=True)
    assert response.status_code == 409
    page = text_of(response)
    assert "A session that is booked cannot become fulfilled." in page
    assert "Noel Early" in page and "<html" not in response.data.decode()
    assert status_of(board_clinic.early) == "booked"


def test_the_script_s_action_gets_the_live_part_back_with_what_happened(reception, board_clinic):
    response = act(reception, board_clinic, board_clinic.early, "check_in", fetch=True, escort_confirmed="y")
    assert response.status_code == 200
    body = response.data.decode()
    assert "<html" not in body and 'data-notice' in body
    assert "Noel Early checked in." in text_of(response)
    assert response.headers["ETag"]


def test_a_clinician_starts_and_fulfils_a_dose(signed_in, board_clinic):
    clinician = signed_in("clinician")
    act(clinician, board_clinic, board_clinic.early, "check_in", escort_confirmed="y")
    for action, status in (("start", "in_progress"), ("fulfilled", "fulfilled")):
        assert act(clinician, board_clinic, board_clinic.early, action, reason="ignored").status_code == 303
        assert status_of(board_clinic.early) == status
    assert "ignored" not in str(audit("session.in_progress")[0].details)  # only a hold takes a reason


def test_a_dose_held_on_the_board_waits_for_the_prescriber_s_review_with_no_start_button(signed_in, board_clinic):
    clinician = signed_in("clinician")
    act(clinician, board_clinic, board_clinic.early, "check_in", escort_confirmed="y")
    assert 'aria-label="Start: Noel Early"' in clinician.get(board_url(board_clinic)).data.decode()  # control
    assert act(clinician, board_clinic, board_clinic.early, "held", reason="Blood pressure 165/100").status_code == 303
    board = clinician.get(board_url(board_clinic)).data.decode()
    assert 'aria-label="Start: Noel Early"' not in board
    assert f'href="/sessions/{board_clinic.early}#review">Awaiting review by a prescriber</a>' in board
    response = act(clinician, board_clinic, board_clinic.early, "start")  # a board open since before the hold
    assert response.status_code == 409 and "A held dose goes on only when a prescriber clears it" in text_of(response)
    assert status_of(board_clinic.early) == "held" and audit("session.in_progress") == []


def test_holding_a_dose_needs_a_reason_said_beside_the_field_with_nothing_changed(reception, board_clinic):
    act(reception, board_clinic, board_clinic.early, "check_in", escort_confirmed="y")
    for typed, said in (("   ", "Say why the dose is held."), ("x" * 501, "Keep the reason to 500 characters")):
        response = act(reception, board_clinic, board_clinic.early, "held", reason=typed)
        page = response.data.decode()
        assert response.status_code == 422 and status_of(board_clinic.early) == "arrived"
        field = re.search(rf'<input id="hold-reason-{board_clinic.early}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field and f'aria-describedby="hold-reason-{board_clinic.early}-error"' in field
        error = re.search(rf'id="hold-reason-{board_clinic.early}-error">([^<]*)<', page).group(1)
        assert said in error
    fetched = act(reception, board_clinic, board_clinic.early, "held", fetch=True, reason="")
    assert fetched.status_code == 422 and "<html" not in fetched.data.decode()
    assert f'id="hold-reason-{board_clinic.early}-error">Say why the dose is held.' in fetched.data.decode()
    assert audit("session.held") == []


def test_a_held_dose_shows_its_reason_on_the_board_and_in_its_history(reception, board_clinic):
    act(reception, board_clinic, board_clinic.early, "check_in", escort_confirmed="y")
    response = act(reception, board_clinic, board_clinic.early, "held", fetch=True,
                   reason="  Blood pressure\n165/100, waiting for Dr Kim ")
    assert response.status_code == 200 and status_of(board_clinic.early) == "held"
    assert "Held: Blood pressure 165/100, waiting for Dr Kim" in text_of(response)
    assert "Held: Blood pressure 165/100, waiting for Dr Kim" in text_of(reception.get(board_url(board_clinic)))
    [held] = audit("session.held")
    assert held.details["reason"] == "Blood pressure 165/100, waiting for Dr Kim"


def test_the_live_part_answers_304_until_something_on_the_board_changes(reception, board_clinic):
    live = f"/sites/{board_clinic.site}/board/live"
    first = reception.get(live)
    assert first.status_code == 200 and "Jordan Avery" in first.data.decode()
    tag = first.headers["ETag"]
    again = reception.get(live, headers={"If-None-Match": tag})
    # The minute may turn between the two requests; then the tag changes and 200 is right.
    assert again.status_code == 304 or again.headers["ETag"] != tag
    if again.status_code == 304:
        assert again.data == b""
    act(reception, board_clinic, board_clinic.early, "no_show")
    after = reception.get(live, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert "no show" in text_of(after)


def test_a_holiday_says_the_site_is_closed_and_why_not_that_nobody_is_on_shift(reception, board_clinic):
    page = text_of(reception.get(board_url(board_clinic, board_clinic.holiday.isoformat())))
    assert f"The site is closed on {board_clinic.holiday:%A %d %B %Y}: Thanksgiving." in page
    assert "nobody is on shift" not in page.lower()


def test_an_open_day_without_shifts_says_nobody_is_on_shift(reception, board_clinic):
    day = board_clinic.holiday + timedelta(days=1)
    page = text_of(reception.get(board_url(board_clinic, day.isoformat())))
    assert f"The site is open on {day:%A %d %B %Y}, but nobody is on shift." in page


@pytest.mark.parametrize("query", ["day=tomorrow", "day=2026-02-30", "day=99999-01-01", "day=1800-01-01",
                                   "day=2026-1-1", "day=%00"])
def test_a_day_that_is_not_a_date_is_answered_422(reception, board_clinic, query):
    for path in (f"/sites/{board_clinic.site}/board", f"/sites/{board_clinic.site}/board/live"):
        response = reception.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert "day must be a date" in text_of(response)


@pytest.mark.parametrize("path", ["/sites/999999/board", "/sites/99999999999999999999/board", "/sites/abc/board",
                                  "/sites/-1/board/live", "/sites/0/board"])
def test_an_unknown_site_is_404(reception, board_clinic, path):
    assert reception.get(path).status_code == 404


def test_an_unknown_action_or_session_writes_nothing(reception, board_clinic):
    assert act(reception, board_clinic, board_clinic.early, "teleport").status_code == 422
    assert act(reception, board_clinic, 987654, "no_show").status_code == 404
    assert act(reception, board_clinic, board_clinic.early, "").status_code == 422
    assert status_of(board_clinic.early) == "booked"


def test_an_action_without_its_csrf_token_is_refused(reception, board_clinic):
    response = reception.post(f"/board/sessions/{board_clinic.early}/status", data={"action": "no_show"})
    assert response.status_code == 400
    assert status_of(board_clinic.early) == "booked"


def test_someone_not_signed_in_is_sent_to_sign_in_and_the_refusal_is_logged(client, board_clinic, caplog):
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = client.get(board_url(board_clinic))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert any("access refused" in r.getMessage() and "not signed in" in r.getMessage() for r in caplog.records)


def test_the_day_view_and_the_overview_name_a_holiday_as_a_closure(reception, board_clinic):
    day_view = text_of(reception.get(f"/sessions?site_id={board_clinic.site}&day={board_clinic.holiday.isoformat()}"))
    assert f"The site is closed on {board_clinic.holiday:%A %d %B %Y}: Thanksgiving." in day_view
    assert "Nobody is on shift" not in day_view


def test_an_admin_sees_the_board_and_may_act(signed_in, board_clinic):
    admin = signed_in("admin")
    assert admin.get(board_url(board_clinic)).status_code == 200
    assert act(admin, board_clinic, board_clinic.early, "no_show").status_code == 303
    assert status_of(board_clinic.early) == "no_show"


def test_the_page_hands_its_script_the_etag_its_live_part_answers_304_to(reception, board_clinic):
    page = reception.get(board_url(board_clinic)).data.decode()
    tag = re.search(r'data-etag="([0-9a-f]+)"', page).group(1)
    live = reception.get(f"/sites/{board_clinic.site}/board/live?day={board_clinic.today}",
                         headers={"If-None-Match": tag})
    # Unless the minute turned between the two requests (then the board may show someone due now).
    assert live.status_code == 304 or live.headers["ETag"].strip('"') != tag
