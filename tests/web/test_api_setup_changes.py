"""The API edits, ends and re-instates staff, shifts, time off, credentials, rooms and sites: admin only, 409 naming
the sessions a change would break with nothing written, 422 naming the field, and the row kept with its date."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, Credential, Shift, TimeOff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.web.api_client import ApiClient, count, fields

NY = "America/New_York"
MONDAY_9 = "2026-11-23T14:00:00Z"  # 09:00 in New York


@pytest.fixture
def admin(client, clinic_clock):
    return ApiClient(client, "admin")


@pytest.fixture
def booked(clinic, clinic_clock) -> int:
    """An IV dose on Monday at 09:00 with Rosa Diaz monitoring."""
    return book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(f.MONDAY, time(9), NY),
                                     clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                        (clinic.nurses[0], "monitoring_clinician"))),
                        SYSTEM, clinic_clock)


def monday_shift(staff_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(Shift.id).where(Shift.staff_id == staff_id).order_by(Shift.starts_at))


def conflicts(response) -> list[str]:
    assert response.status_code == 409, response.get_json()
    return [item["message"] for item in response.get_json()["conflicts"]]


def test_time_off_added_over_a_booked_session_by_an_edit_is_409_naming_it_and_nothing_is_written(admin, clinic, booked):
    nurse = clinic.nurses[0]
    leave = admin.post(f"/api/staff/{nurse}/time-off", {"starts_at": "2026-11-23T18:00:00Z",
                                                        "ends_at": "2026-11-23T22:00:00Z"}).get_json()["time_off"][0]
    audited = count(AuditEvent)
    refused = admin.patch(f"/api/staff/{nurse}/time-off/{leave['id']}", {"starts_at": MONDAY_9})
    (message,) = conflicts(refused)
    assert message.startswith(f"Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown):")
    assert count(AuditEvent) == audited and db.session.get(TimeOff, leave["id"]).starts_at.hour == 18
    withdrawn = admin.delete(f"/api/staff/{nurse}/time-off/{leave['id']}")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["time_off"][0]["withdrawn_at"] == "2026-11-20T12:00:00Z"  # kept, marked


def test_a_shortened_shift_that_still_covers_is_200_and_one_that_does_not_is_409(admin, clinic, booked):
    nurse, shift = clinic.nurses[0], monday_shift(clinic.nurses[0])
    assert conflicts(admin.patch(f"/api/staff/{nurse}/shifts/{shift}", {"ends_at": "2026-11-23T15:00:00Z"}))
    assert conflicts(admin.delete(f"/api/staff/{nurse}/shifts/{shift}"))
    shortened = admin.patch(f"/api/staff/{nurse}/shifts/{shift}", {"ends_at": "2026-11-23T17:00:00Z"})
    assert shortened.status_code == 200
    assert shortened.get_json()["shifts"][0] == {"id": shift, "site_id": clinic.site, "starts_at": "2026-11-23T13:00:00Z",
                                                 "ends_at": "2026-11-23T17:00:00Z", "withdrawn_at": None}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "shift.changed")).one()
    assert event.details == {"before": {"ends_at": "2026-11-23T23:00:00Z"}, "after": {"ends_at": "2026-11-23T17:00:00Z"}}


def test_a_credential_a_booked_dose_relies_on_is_not_revoked_and_a_spare_one_is(admin, clinic, booked):
    nurse = clinic.nurses[0]
    bls = db.session.scalar(select(Credential.id).where(Credential.staff_id == nurse, Credential.kind == "bls"))
    assert "has no valid BLS" in conflicts(admin.delete(f"/api/staff/{nurse}/credentials/{bls}"))[0]
    assert db.session.get(Credential, bls).revoked_on is None
    other = clinic.nurses[1]
    spare = db.session.scalar(select(Credential.id).where(Credential.staff_id == other, Credential.kind == "bls"))
    revoked = admin.delete(f"/api/staff/{other}/credentials/{spare}")
    assert revoked.status_code == 200
    assert [c["revoked_on"] for c in revoked.get_json()["credentials"] if c["id"] == spare] == ["2026-11-20"]
    audited = count(AuditEvent)
    again = admin.delete(f"/api/staff/{other}/credentials/{spare}")  # revoking twice is revoking once
    assert again.status_code == 200 and again.get_json() == revoked.get_json() and count(AuditEvent) == audited


def test_staff_deactivated_with_nothing_booked_is_200_kept_and_with_sessions_ahead_409(admin, clinic, booked):
    assert "Rosa Diaz is booked in it" in conflicts(admin.delete(f"/api/staff/{clinic.nurses[0]}"))[0]
    answer = admin.delete(f"/api/staff/{clinic.nurses[1]}")
    assert answer.status_code == 200
    assert (answer.get_json()["active"], answer.get_json()["deactivated_at"]) == (False, "2026-11-20T12:00:00Z")
    assert admin.get(f"/api/staff/{clinic.nurses[1]}").status_code == 200  # kept
    assert admin.patch(f"/api/staff/{clinic.nurses[1]}", {"active": True}).get_json()["deactivated_at"] is None
    again = admin.patch(f"/api/staff/{clinic.nurses[1]}", {"active": False, "phone": "+12125550199"}).get_json()
    assert (again["active"], again["deactivated_at"], again["phone"]) == (False, "2026-11-20T12:00:00Z", "+12125550199")


def test_rooms_and_sites_are_changed_and_deactivated_unless_a_booked_session_depends_on_them(admin, clinic, booked):
    assert conflicts(admin.delete(f"/api/rooms/{clinic.chairs[0]}"))
    assert conflicts(admin.patch(f"/api/rooms/{clinic.chairs[0]}", {"capabilities": []}))
    assert admin.delete(f"/api/rooms/{clinic.chairs[2]}").get_json()["active"] is False
    assert conflicts(admin.delete(f"/api/sites/{clinic.site}"))
    renamed = admin.patch(f"/api/sites/{clinic.site}", {"name": "Midtown East", "phone": None})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Midtown East"
    assert renamed.get_json()["active"] is True and renamed.get_json()["deactivated_at"] is None


@pytest.mark.parametrize("path, body, field", [
    ("/api/staff/{nurse}/shifts/{shift}", {}, "body"),
    ("/api/staff/{nurse}/shifts/{shift}", {"starts_at": None}, "starts_at"),
    ("/api/staff/{nurse}/shifts/{shift}", {"ends_at": "2026-11-23T12:00:00Z"}, "body"),  # before it starts
    ("/api/staff/{nurse}/shifts/{shift}", {"ends_at": "2026-11-25T12:00:00Z"}, "body"),  # longer than a day
    ("/api/staff/{nurse}/shifts/{shift}", {"site_id": 999}, "site_id"),
    ("/api/staff/{nurse}/shifts/{shift}", {"colour": "red"}, "colour"),
    ("/api/staff/{nurse}", {"disciplines": []}, "disciplines"),
    ("/api/staff/{nurse}", {"name": None}, "name"),
    ("/api/rooms/{chair}", {"kind": "sofa"}, "kind"),
    ("/api/sites/{site}", {"timezone": "Europe/London"}, "timezone"),  # a site's zone stays
    ("/api/sites/{site}", {"limits": {"therapist": 2}}, "limits.therapist"),
])
def test_bad_changes_are_422_naming_the_field_and_write_nothing(admin, clinic, path, body, field):
    ids = {"nurse": clinic.nurses[1], "shift": monday_shift(clinic.nurses[1]), "chair": clinic.chairs[0],
           "site": clinic.site}
    audited = count(AuditEvent)
    assert field in fields(admin.patch(path.format(**ids), body))
    assert count(AuditEvent) == audited


def test_only_an_admin_changes_the_set_up_and_another_persons_shift_is_not_found(client, clinic, clinic_clock):
    shift = monday_shift(clinic.nurses[1])
    reception = ApiClient(client, "reception")
    assert reception.delete(f"/api/staff/{clinic.nurses[1]}/shifts/{shift}").status_code == 403
    assert reception.patch(f"/api/rooms/{clinic.chairs[0]}", {"name": "X"}).status_code == 403
    admin = ApiClient(client, "admin")
    assert admin.delete(f"/api/staff/{clinic.nurses[0]}/shifts/{shift}").status_code == 404
    assert count(AuditEvent) == 0


def test_the_day_view_no_longer_lists_a_withdrawn_shift_or_a_deactivated_person(admin, clinic, signed_in):
    from tests.web.clinic_messages import text_of

    reception = signed_in("reception")
    day_view = f"/sessions?site_id={clinic.site}&day=2026-11-23"
    assert all(name in text_of(reception.get(day_view)) for name in ("Rosa Diaz", "Sam Lee", "Theo Park"))
    assert admin.delete(f"/api/staff/{clinic.nurses[1]}/shifts/{monday_shift(clinic.nurses[1])}").status_code == 200
    assert admin.delete(f"/api/staff/{clinic.therapist}").status_code == 200
    page = text_of(reception.get(day_view))
    assert "Rosa Diaz" in page and "Sam Lee" not in page and "Theo Park" not in page
