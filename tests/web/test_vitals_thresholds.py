"""Each site's check-in blood pressure threshold: the admin reads and sets it on /settings/vitals and the API.

The default 140/90 shows until a site sets its own; a threshold outside 120/80 to 180/110, or
typed the wrong way round, is refused naming the field with nothing written; a change is audited
before and after, judges check-ins from then on, and leaves doses already checked in as they were.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import VitalsReading, VitalsThreshold
from planner.extensions import db
from tests.web.api_client import ApiClient, count, fields
from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import audit, csrf_from
from tests.web.test_pages import text_of
from tests.web.test_today_board import status_of


@pytest.fixture
def board(app):
    return seed_board_clinic()


@pytest.fixture
def admin_api(client):
    return ApiClient(client, "admin")


def path(site_id: int) -> str:
    return f"/api/sites/{site_id}/vitals-threshold"


def checked_in_with(client, session_id: int, systolic: int, diastolic: int) -> dict:
    desk, nurse = ApiClient(client, "reception"), ApiClient(client, "clinician")
    assert desk.post(f"/api/sessions/{session_id}/status",
                     {"status": "arrived", "escort_confirmed": True}).status_code == 200
    return nurse.post(f"/api/sessions/{session_id}/vitals",
                      {"systolic": systolic, "diastolic": diastolic, "heart_rate": 72}).get_json()


def test_a_site_without_its_own_threshold_reads_as_the_default_140_90(board, admin_api):
    response = admin_api.get(path(board.site))
    assert response.status_code == 200
    assert response.get_json() == {"site_id": board.site, "site": "Harbour Clinic", "systolic": 140,
                                   "diastolic": 90, "is_default": True, "updated_at": None}


def test_setting_a_threshold_is_audited_before_and_after_and_judges_the_next_check_in(board, admin_api, client):
    response = admin_api.put(path(board.site), {"systolic": 130, "diastolic": 85})
    assert response.status_code == 200
    shown = response.get_json()
    assert (shown["systolic"], shown["diastolic"], shown["is_default"]) == (130, 85, False) and shown["updated_at"]
    [changed] = audit("vitals_threshold.changed")
    assert (changed.entity, changed.entity_id) == ("site", str(board.site))
    assert changed.details == {"before": {"systolic": 140, "diastolic": 90, "default": True},
                               "after": {"systolic": 130, "diastolic": 85, "default": False}}
    assert admin_api.put(path(board.site), {"systolic": 130, "diastolic": 85}).status_code == 200
    assert len(audit("vitals_threshold.changed")) == 1  # the same values again change nothing
    done = checked_in_with(client, board.midday, 135, 80)  # within 140/90, above 130/85
    assert (done["status"], done["held_because"]) == ("held", "pre-dose blood pressure above the threshold 130/85")


def test_doses_already_checked_in_keep_their_judgement_when_the_threshold_changes(board, admin_api, client):
    held = checked_in_with(client, board.early, 145, 85)
    let_go = checked_in_with(client, board.midday, 135, 80)
    assert (held["status"], let_go["status"]) == ("held", "arrived")
    assert admin_api.put(path(board.site), {"systolic": 150, "diastolic": 95}).status_code == 200
    assert status_of(board.early) == "held"  # still for the prescriber's review
    assert admin_api.put(path(board.site), {"systolic": 130, "diastolic": 80}).status_code == 200
    assert status_of(board.midday) == "arrived"  # not held afterwards
    db.session.rollback()
    assert [r.threshold for r in db.session.scalars(select(VitalsReading).order_by(VitalsReading.id))] == [
        "140/90", "140/90"]


@pytest.mark.parametrize("asked, field", [
    ({"systolic": 119, "diastolic": 85}, "systolic"),
    ({"systolic": 181, "diastolic": 85}, "systolic"),
    ({"systolic": 150, "diastolic": 79}, "diastolic"),
    ({"systolic": 150, "diastolic": 111}, "diastolic"),
    ({"systolic": 90, "diastolic": 140}, "systolic"),
    ({"systolic": "150", "diastolic": 90}, "systolic"),
    ({"systolic": 150}, "diastolic"),
    ({"systolic": 150, "diastolic": 90, "heart_rate": 100}, "heart_rate"),
])
def test_a_threshold_a_clinic_could_not_use_is_refused_naming_the_field_and_nothing_is_written(
        board, admin_api, asked, field):
    assert field in fields(admin_api.put(path(board.site), asked))
    assert count(VitalsThreshold) == 0 and audit("vitals_threshold.changed") == []
    assert admin_api.put(path(board.site), {"systolic": 150, "diastolic": 90}).status_code == 200  # control


def test_only_the_admin_reads_or_sets_a_threshold_and_an_unknown_site_is_404(board, client, admin_api):
    for role in ("reception", "clinician"):
        api = ApiClient(client, role)
        assert api.get(path(board.site)).status_code == 403
        assert api.put(path(board.site), {"systolic": 150, "diastolic": 90}).status_code == 403
    assert count(VitalsThreshold) == 0
    assert admin_api.get(path(board.site + 999)).status_code == 404
    assert admin_api.put(path(board.site + 999), {"systolic": 150, "diastolic": 90}).status_code == 404


def test_the_threshold_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    assert {"get", "put"} <= set(document["paths"]["/api/sites/{site_id}/vitals-threshold"])


# --- the page --------------------------------------------------------------------------------------


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def save(client, site_id: int, systolic: str, diastolic: str):
    token = csrf_from(client.get("/settings/vitals").data)
    return client.post(f"/settings/vitals/{site_id}", data={"csrf_token": token, f"site-{site_id}-systolic": systolic,
                                                           f"site-{site_id}-diastolic": diastolic})


def test_the_set_up_page_leads_to_each_site_s_threshold_with_the_default_shown(board, admin):
    assert 'href="/settings/vitals"' in admin.get("/setup").data.decode()
    page = text_of(admin.get("/settings/vitals"))
    assert "Harbour Clinic Now: 140/90 · the default (not set for this site)" in page
    assert "Doses already checked in keep their judgement" in page and "No changes recorded." in page


def test_a_wrong_threshold_is_shown_again_with_each_error_beside_its_field_and_nothing_saved(board, admin):
    response = save(admin, board.site, "90", "140")
    assert response.status_code == 422
    html = response.data.decode()
    assert f'id="site-{board.site}-systolic-error"' in html and f'id="site-{board.site}-diastolic-error"' in html
    assert "The systolic threshold must be between 120 and 180 mmHg. The systolic threshold must be above the " \
           "diastolic" in text_of(response)
    assert "The diastolic threshold must be between 80 and 110 mmHg." in text_of(response)
    assert 'value="90"' in html and 'value="140"' in html  # as typed
    response = save(admin, board.site, "", "85")
    assert response.status_code == 422 and "Give a whole number of mmHg." in text_of(response)
    assert count(VitalsThreshold) == 0 and audit("vitals_threshold.changed") == []


def test_a_saved_threshold_shows_as_the_site_s_own_with_its_history(board, admin):
    response = save(admin, board.site, "150", "95")
    assert response.status_code == 303
    page = text_of(admin.get(response.headers["Location"]))
    assert "a dose checked in from now on is held above 150/95" in page
    assert "Now: 150/95 · this site's own, set" in page
    assert "140/90 (default) → 150/95" in page


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_admin_may_open_or_save_the_thresholds(board, signed_in, role):
    client = signed_in(role)
    assert client.get("/settings/vitals").status_code == 403
    token = csrf_from(client.get("/").data)  # their own session's token (the sign-out form's)
    response = client.post(f"/settings/vitals/{board.site}", data={"csrf_token": token,
                                                                  f"site-{board.site}-systolic": "150",
                                                                  f"site-{board.site}-diastolic": "95"})
    assert response.status_code == 403 and count(VitalsThreshold) == 0
