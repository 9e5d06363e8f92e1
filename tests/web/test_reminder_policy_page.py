"""The admin sets each session type's reminder hours in the browser; reminders of sessions booked ahead follow."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from planner.db.models import OutboxMessage, Patient, SessionType
from planner.extensions import db
from tests.web.conftest import audit, csrf_from
from tests.web.site_pages import audited, book_dose, error_beside


@pytest.fixture
def admin(signed_in, clinic, clinic_clock):
    return signed_in("admin")


def save(client, type_id: int, typed: str):
    token = csrf_from(client.get("/settings/reminders").data)
    return client.post(f"/settings/reminders/{type_id}",
                       data={f"type-{type_id}-csrf_token": token, f"type-{type_id}-reminder_hours": typed})


def hours(type_id: int):
    db.session.rollback()
    return db.session.get(SessionType, type_id).reminder_hours


def pending_reminders(session_id: int) -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.session_id == session_id, OutboxMessage.state == "pending",
        OutboxMessage.kind.startswith("reminder"), OutboxMessage.recipient_kind == "patient",
        OutboxMessage.channel == "email")))


def test_only_the_admin_sets_reminders_and_a_refusal_is_logged(signed_in, clinic, caplog):
    client = signed_in("reception")
    with caplog.at_level(logging.WARNING, logger="planner.access"):
        assert client.get("/settings/reminders").status_code == 403
    assert "access refused: GET /settings/reminders by reception" in caplog.text


def test_new_hours_requeue_the_reminders_of_sessions_booked_ahead_and_blank_is_the_default(admin, clinic, clinic_clock):
    db.session.execute(update(Patient).values(consented_channels=["email"]))  # reachable by email
    db.session.commit()
    booked = book_dose(clinic, clinic_clock)
    assert pending_reminders(booked) == {"reminder-72h", "reminder-24h", "reminder-2h"}
    answer = save(admin, clinic.iv, "48, 3")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"#type-{clinic.iv}")
    assert hours(clinic.iv) == [48, 3] and pending_reminders(booked) == {"reminder-48h", "reminder-3h"}
    assert [e.details["after"] for e in audit("session_type.changed")] == [{"reminder_hours": [48, 3]}]
    assert 'value="48, 3"' in admin.get("/settings/reminders").data.decode()
    assert save(admin, clinic.iv, "12").status_code == 303
    assert hours(clinic.iv) == [12] and pending_reminders(booked) == {"reminder-12h"}
    assert save(admin, clinic.iv, "none").status_code == 303
    assert hours(clinic.iv) == [] and pending_reminders(booked) == set()
    assert save(admin, clinic.iv, "").status_code == 303
    assert hours(clinic.iv) is None
    later = book_dose(clinic, clinic_clock, hour=13, patient=1, chair=1)
    assert pending_reminders(later) == {"reminder-72h", "reminder-24h", "reminder-2h"}  # the clinic default


@pytest.mark.parametrize("typed, words", [
    ("soon", "whole hours separated by commas"),
    ("24, 24", "each number of hours once"),
    ("500", "336"),
    ("72, 48, 24, 12, 2", "Up to four reminders"),
    ("-3", "whole hours"),
])
def test_bad_hours_are_shown_beside_the_types_field_and_nothing_changes(admin, clinic, typed, words):
    before = audited()
    answer = save(admin, clinic.iv, typed)
    assert answer.status_code == 422
    assert words in error_beside(answer.data, f"type-{clinic.iv}-reminder_hours")
    assert hours(clinic.iv) is None and audited() == before


def test_an_unknown_session_type_is_404(admin, clinic):
    assert save(admin, 999, "24").status_code == 404
