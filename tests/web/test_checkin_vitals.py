"""The check-in gate over the API: vitals above the site's threshold hold a dose; a prescriber clears or holds it off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import Session, VitalsReading, VitalsThreshold
from planner.extensions import db
from tests.web.api_client import ApiClient, fields
from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import audit


@pytest.fixture
def board(app):
    return seed_board_clinic()


@pytest.fixture
def nurse(client):
    return ApiClient(client, "clinician")


@pytest.fixture
def desk(client):
    return ApiClient(client, "reception")


@pytest.fixture
def prescriber(client, board):
    """The token of an account linked to Dr Ada Kim (MD, licensed): who may review a held dose."""
    return ApiClient(client, "clinician", staff_id=board.prescriber)


def checked_in(desk, session_id: int) -> None:
    response = desk.post(f"/api/sessions/{session_id}/status", {"status": "arrived", "escort_confirmed": True})
    assert response.status_code == 200, response.get_json()


def session_row(session_id: int) -> Session:
    db.session.rollback()
    return db.session.get(Session, session_id)


def readings(session_id: int) -> list[VitalsReading]:
    db.session.rollback()
    return list(db.session.scalars(select(VitalsReading).where(VitalsReading.session_id == session_id)
                                   .order_by(VitalsReading.id)))


def test_vitals_above_140_90_hold_the_dose_with_the_reading_as_its_reason_in_one_step(board, desk, nurse):
    checked_in(desk, board.midday)
    response = nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 152, "diastolic": 94, "heart_rate": 78})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["held_because"] == "pre-dose blood pressure above the threshold 140/90"
    row = session_row(board.midday)
    assert (row.status, row.note) == ("held", "pre-dose blood pressure above the threshold 140/90")
    [reading] = readings(board.midday)
    assert (reading.systolic, reading.diastolic, reading.heart_rate, reading.held) == (152, 94, 78, True)
    assert reading.taken_by.startswith("clinician-") and reading.taken_by_id and reading.threshold == "140/90"
    assert [e.details["reason"] for e in audit("session.held")] == ["pre-dose blood pressure above the threshold 140/90"]
    assert [e.details["systolic"] for e in audit("session.vitals_recorded")] == [152]


def test_vitals_at_the_threshold_let_the_dose_go_on(board, desk, nurse):
    checked_in(desk, board.midday)
    response = nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 140, "diastolic": 90, "heart_rate": 70})
    assert response.status_code == 201
    assert response.get_json() == {"reading_id": readings(board.midday)[0].id, "session_id": board.midday,
                                   "status": "arrived", "held_because": ""}
    assert session_row(board.midday).status == "arrived" and audit("session.held") == []


def test_a_site_s_own_threshold_is_read_from_its_data(board, desk, nurse):
    from datetime import datetime, timezone

    db.session.add(VitalsThreshold(site_id=board.site, systolic=130, diastolic=85,
                                   updated_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    db.session.commit()
    checked_in(desk, board.midday)
    response = nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 135, "diastolic": 80, "heart_rate": 70})
    assert response.get_json()["held_because"] == "pre-dose blood pressure above the threshold 130/85"


def test_a_correction_supersedes_the_first_reading_and_keeps_it(board, desk, nurse):
    checked_in(desk, board.midday)
    path = f"/api/sessions/{board.midday}/vitals"
    nurse.post(path, {"systolic": 152, "diastolic": 94, "heart_rate": 78})
    assert nurse.post(path, {"systolic": 128, "diastolic": 84, "heart_rate": 76}).status_code == 201
    first, second = readings(board.midday)
    assert second.supersedes_id == first.id and (first.systolic, second.systolic) == (152, 128)
    assert session_row(board.midday).status == "held"  # the hold stays for the prescriber to review


@pytest.mark.parametrize("reading, field", [({"systolic": 20, "diastolic": 10, "heart_rate": 70}, "systolic"),
                                            ({"systolic": 400, "diastolic": 90, "heart_rate": 70}, "systolic"),
                                            ({"systolic": 120, "diastolic": 130, "heart_rate": 70}, "diastolic"),
                                            ({"systolic": 120, "diastolic": 80, "heart_rate": 5}, "heart_rate"),
                                            ({"systolic": 120, "diastolic": 80}, "heart_rate"),
                                            ({"systolic": 120, "diastolic": 80, "heart_rate": 70, "x": 1}, "x")])
def test_impossible_vitals_are_refused_naming_the_field_and_nothing_is_written(board, desk, nurse, reading, field):
    checked_in(desk, board.midday)
    assert field in fields(nurse.post(f"/api/sessions/{board.midday}/vitals", reading))
    assert readings(board.midday) == [] and session_row(board.midday).status == "arrived"


def test_vitals_before_check_in_are_refused_with_409(board, nurse):
    response = nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 120, "diastolic": 80, "heart_rate": 70})
    assert response.status_code == 409
    assert [c["code"] for c in response.get_json()["conflicts"]] == ["wrong_status"]
    assert readings(board.midday) == []


def test_reception_may_not_record_vitals_or_review_a_hold(board, desk):
    checked_in(desk, board.midday)
    assert desk.post(f"/api/sessions/{board.midday}/vitals",
                     {"systolic": 120, "diastolic": 80, "heart_rate": 70}).status_code == 403
    assert desk.post(f"/api/sessions/{board.midday}/review", {"decision": "clear"}).status_code == 403


def test_the_prescriber_clears_a_held_dose_and_it_goes_on(board, desk, nurse, prescriber):
    checked_in(desk, board.midday)
    nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 152, "diastolic": 94, "heart_rate": 78})
    response = prescriber.post(f"/api/sessions/{board.midday}/review", {"decision": "clear", "note": "repeat 138/88"})
    assert response.status_code == 200 and response.get_json()["status"] == "in_progress"
    [cleared] = audit("session.hold_cleared")
    assert cleared.details["held_because"] == "pre-dose blood pressure above the threshold 140/90"
    assert (cleared.details["prescriber"], cleared.details["prescriber_staff_id"]) == ("Dr Ada Kim", board.prescriber)


def test_holding_a_dose_off_cancels_it_for_today_with_its_reason(board, desk, nurse, prescriber):
    checked_in(desk, board.midday)
    nurse.post(f"/api/sessions/{board.midday}/vitals", {"systolic": 152, "diastolic": 94, "heart_rate": 78})
    path = f"/api/sessions/{board.midday}/review"
    assert fields(prescriber.post(path, {"decision": "hold_off"})) == {"note"}
    response = prescriber.post(path, {"decision": "hold_off", "note": "still 150/95 after rest"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    row = session_row(board.midday)
    assert (row.status, row.note) == ("cancelled", "held off today: still 150/95 after rest")
    assert [(e.details["note"], e.details["prescriber"]) for e in audit("session.hold_kept")] == [
        ("still 150/95 after rest", "Dr Ada Kim")]


def test_a_dose_that_is_not_held_cannot_be_reviewed(board, desk, prescriber):
    checked_in(desk, board.midday)
    response = prescriber.post(f"/api/sessions/{board.midday}/review", {"decision": "clear"})
    assert response.status_code == 409 and session_row(board.midday).status == "arrived"
