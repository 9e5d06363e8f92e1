"""The check-in gate on a session's page: the vitals form after check-in, errors beside fields, the prescriber's review."""

from __future__ import annotations

import pytest

from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import csrf_from
from tests.web.test_pages import text_of
from tests.web.test_today_board import act, status_of


@pytest.fixture
def board(app):
    return seed_board_clinic()


@pytest.fixture
def nurse(signed_in):
    return signed_in("clinician")


@pytest.fixture
def reception(signed_in):
    return signed_in("reception")


@pytest.fixture
def prescriber(board, as_staff):
    """Signed in as Dr Ada Kim (MD, licensed): who may review a held dose."""
    return as_staff(board.prescriber)


def page_of(client, session_id: int):
    return client.get(f"/sessions/{session_id}")


def post(client, session_id: int, what: str, **fields):
    token = csrf_from(page_of(client, session_id).data)
    return client.post(f"/sessions/{session_id}/{what}", data={"csrf_token": token, **fields})


def test_the_vitals_form_appears_only_after_check_in_and_only_for_clinicians(board, reception, nurse):
    assert "Pre-dose vitals" not in text_of(page_of(nurse, board.midday))
    act(reception, board, board.midday, "check_in", escort_confirmed="y")
    assert 'name="systolic"' in page_of(nurse, board.midday).data.decode()
    assert 'name="systolic"' not in page_of(reception, board.midday).data.decode()
    assert post(reception, board.midday, "vitals", systolic="120", diastolic="80", heart_rate="70").status_code == 403


def test_an_impossible_reading_is_shown_again_with_the_error_beside_its_field(board, reception, nurse):
    act(reception, board, board.midday, "check_in", escort_confirmed="y")
    response = post(nurse, board.midday, "vitals", systolic="20", diastolic="10", heart_rate="")
    assert response.status_code == 422
    html = response.data.decode()
    assert 'id="heart_rate-error"' in html and "Give a whole number." in html
    response = post(nurse, board.midday, "vitals", systolic="20", diastolic="10", heart_rate="70")
    html = response.data.decode()
    assert 'id="systolic-error"' in html and "Systolic pressure must be between 50 and 300 mmHg." in html
    assert status_of(board.midday) == "arrived"


def test_high_blood_pressure_holds_the_dose_and_the_prescriber_sees_why_and_clears_it(board, reception, nurse,
                                                                                      prescriber):
    act(reception, board, board.midday, "check_in", escort_confirmed="y")
    response = post(nurse, board.midday, "vitals", systolic="152", diastolic="94", heart_rate="78")
    assert response.status_code == 303
    page = text_of(nurse.get(response.headers["Location"]))
    assert "Dose held for prescriber review: pre-dose blood pressure above the threshold 140/90" in page
    assert "Prescriber review" in page and "Blood pressure 152/94" in page and "heart rate 78" in page
    # Reception sees the dose held and why in words, on its page and the board, never the reading.
    for desk in (text_of(reception.get(f"/sessions/{board.midday}")),
                 text_of(reception.get(f"/sites/{board.site}/board"))):
        assert "pre-dose blood pressure above the threshold 140/90" in desk and "152/94" not in desk
    assert post(prescriber, board.midday, "review", decision="hold_off", note="").status_code == 422
    response = post(prescriber, board.midday, "review", decision="clear", note="repeat reading 136/86")
    assert response.status_code == 303 and status_of(board.midday) == "in_progress"


def test_holding_a_one_off_dose_off_puts_it_on_the_requests_list_for_a_new_time(board, reception, nurse, prescriber):
    act(reception, board, board.midday, "check_in", escort_confirmed="y")
    post(nurse, board.midday, "vitals", systolic="160", diastolic="100", heart_rate="90")
    response = post(prescriber, board.midday, "review", decision="hold_off", note="still high after rest")
    assert response.status_code == 303 and status_of(board.midday) == "cancelled"
    page = text_of(nurse.get(f"/sessions/{board.midday}"))
    assert "held off today: still high after rest" in page and "needs a new time" in page
