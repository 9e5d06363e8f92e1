"""Only a prescriber clears or holds a held dose: an account linked to an MD, DO, NP or PA licensed on the dose's day.

Each refused case (403 on the API, the reason beside the review on the page, nothing changed,
the refusal logged) has its control: the same step by the prescriber goes through.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from planner.db.models import Credential
from planner.extensions import db
from tests import factories as f
from tests.web.api_client import ApiClient
from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import audit, csrf_from
from tests.web.test_pages import text_of
from tests.web.test_today_board import status_of

REVIEW_FORM = 'action="/sessions/{}/review'


@pytest.fixture
def board(app):
    return seed_board_clinic()


@pytest.fixture
def held(board, client):
    """The 13:00 dose checked in and held for a blood pressure of 152/94."""
    # Any clinician records vitals; the accounts linked to staff are the tests' own (one person, one login).
    desk, nurse = ApiClient(client, "reception"), ApiClient(client, "clinician")
    assert desk.post(f"/api/sessions/{board.midday}/status",
                     {"status": "arrived", "escort_confirmed": True}).status_code == 200
    assert nurse.post(f"/api/sessions/{board.midday}/vitals",
                      {"systolic": 152, "diastolic": 94, "heart_rate": 78}).get_json()["status"] == "held"
    return board.midday


def review(api: ApiClient, session_id: int):
    return api.post(f"/api/sessions/{session_id}/review", {"decision": "clear", "note": "repeat 136/86"})


def refused_quietly(response, session_id: int, caplog) -> str:
    """The 403's words, after checking that nothing changed and the refusal was logged."""
    assert response.status_code == 403, response.data
    assert status_of(session_id) == "held" and audit("session.hold_cleared") == []
    assert f"access refused: POST /sessions/{session_id}/review" in caplog.text \
        or f"access refused: POST /api/sessions/{session_id}/review" in caplog.text
    return response.get_json()["error"] if response.is_json else text_of(response)


@pytest.mark.parametrize("who", ["nurse", "unlinked clinician", "unlinked admin"])
def test_a_review_by_anyone_but_a_prescriber_is_refused_on_the_api_and_the_prescriber_s_goes_through(
        board, held, client, caplog, who):
    staff_id = board.nurse if who == "nurse" else None
    api = ApiClient(client, "admin" if "admin" in who else "clinician", staff_id=staff_id)
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        said = refused_quietly(review(api, held), held, caplog)
    assert said.startswith("Only a prescriber") and said.endswith("Nothing was changed.")
    assert ("Rosa Diaz (RN) is not one" in said) == (who == "nurse")
    assert review(ApiClient(client, "clinician", staff_id=board.prescriber), held).status_code == 200  # control
    assert status_of(held) == "in_progress"


def test_a_prescriber_whose_licence_ended_before_the_dose_s_day_is_refused_until_it_is_valid_again(
        board, held, client, caplog):
    prescriber = ApiClient(client, "clinician", staff_id=board.prescriber)
    day_before = board.today.fromordinal(board.today.toordinal() - 1)
    db.session.execute(update(Credential).where(Credential.staff_id == board.prescriber, Credential.kind == "licence")
                       .values(expires_on=day_before))
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        said = refused_quietly(review(prescriber, held), held, caplog)
    assert "Dr Ada Kim's licence is not valid on" in said
    db.session.execute(update(Credential).where(Credential.staff_id == board.prescriber, Credential.kind == "licence")
                       .values(expires_on=f.FAR_AHEAD))
    db.session.commit()
    assert review(prescriber, held).status_code == 200 and status_of(held) == "in_progress"  # control


def test_another_prescriber_than_the_supervising_one_may_review(board, held, client):
    other = f.make_staff("Sam Ortiz", ["NP"])
    assert review(ApiClient(client, "clinician", staff_id=other), held).status_code == 200
    assert [e.details["prescriber"] for e in audit("session.hold_cleared")] == ["Sam Ortiz"]


def test_the_page_says_who_may_review_and_offers_the_form_only_to_a_prescriber(board, held, as_staff, signed_in):
    nurse, prescriber = as_staff(board.nurse), as_staff(board.prescriber)
    for client in (nurse, signed_in("reception"), signed_in("clinician")):
        page = client.get(f"/sessions/{held}")
        assert "Awaiting review by a prescriber" in text_of(page)
        assert REVIEW_FORM.format(held) not in page.data.decode()
    assert "You cannot review it. Only a prescriber (MD, DO, NP or PA) may clear or hold a dose; Rosa Diaz (RN) is " \
           "not one." in text_of(nurse.get(f"/sessions/{held}"))
    page = prescriber.get(f"/sessions/{held}")
    assert "Awaiting review by a prescriber" in text_of(page) and REVIEW_FORM.format(held) in page.data.decode()
    assert "You cannot review it" not in text_of(page)


def test_a_review_posted_by_a_nurse_is_refused_beside_the_review_and_the_prescriber_s_goes_through(
        board, held, as_staff, caplog):
    nurse, prescriber = as_staff(board.nurse), as_staff(board.prescriber)
    token = csrf_from(nurse.get(f"/sessions/{held}").data)
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        response = nurse.post(f"/sessions/{held}/review", data={"csrf_token": token, "decision": "clear", "note": ""})
        said = refused_quietly(response, held, caplog)
    assert "Nothing was changed. Only a prescriber (MD, DO, NP or PA) may clear or hold a dose" in said
    token = csrf_from(prescriber.get(f"/sessions/{held}").data)
    response = prescriber.post(f"/sessions/{held}/review", data={"csrf_token": token, "decision": "clear",
                                                                 "note": "repeat 136/86"})
    assert response.status_code == 303 and status_of(held) == "in_progress"  # control
    assert [e.details["prescriber"] for e in audit("session.hold_cleared")] == ["Dr Ada Kim"]
    assert "hold cleared by" in text_of(prescriber.get(f"/sessions/{held}"))
    assert "reviewed by the prescriber Dr Ada Kim" in text_of(prescriber.get(f"/sessions/{held}"))


def test_the_status_api_cannot_start_a_held_dose_only_the_prescriber_s_review_can(board, held, client):
    for role in ("reception", "clinician", "admin"):
        response = ApiClient(client, role).post(f"/api/sessions/{held}/status", {"status": "in_progress"})
        assert response.status_code == 409
        assert [c["code"] for c in response.get_json()["conflicts"]] == ["needs_prescriber_review"]
    assert status_of(held) == "held" and audit("session.in_progress") == []
    assert review(ApiClient(client, "clinician", staff_id=board.prescriber), held).status_code == 200  # control
    assert [e.details["before"] for e in audit("session.in_progress")] == ["held"]
