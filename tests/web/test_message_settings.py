"""The admin sets how the clinic tells people; the next messages follow it."""

from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import select, update

from planner.db.models import ClinicSettings, OutboxMessage, Staff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.factories import MONDAY
from tests.web.conftest import audit, csrf_from, sign_in

BOOKED_AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def settings_row():
    db.session.rollback()
    return db.session.get(ClinicSettings, 1)


def post_settings(client, **form):
    page = client.get("/settings/messages")
    return client.post("/settings/messages", data={"csrf_token": csrf_from(page.data), **form})


def test_only_the_admin_sees_the_settings(client, user_factory):
    _, email, password = user_factory("reception")
    sign_in(client, email, password)
    assert client.get("/settings/messages").status_code == 403


def test_the_admin_renames_the_clinic_and_widens_staff_invites_and_it_is_audited(client, user_factory):
    _, email, password = user_factory("admin")
    sign_in(client, email, password)
    response = post_settings(client, clinic_name="Harbour Wellness", staff_invites_detailed="on",
                             quiet_from="22:00", quiet_until="07:30")
    assert response.status_code == 302
    row = settings_row()
    assert (row.clinic_name, row.staff_invites_detailed, row.quiet_from, row.quiet_until) == (
        "Harbour Wellness", True, time(22), time(7, 30))
    assert [e.details["after"]["clinic_name"] for e in audit("settings.messages_changed")] == ["Harbour Wellness"]
    assert "Harbour Wellness" in client.get("/settings/messages").data.decode()


def test_bad_settings_are_shown_beside_their_fields_and_nothing_changes(client, user_factory):
    _, email, password = user_factory("admin")
    sign_in(client, email, password)
    post_settings(client, clinic_name="Harbour Wellness", quiet_from="21:00", quiet_until="08:00")
    response = post_settings(client, clinic_name="   ", quiet_from="25:00", quiet_until="soon")
    assert response.status_code == 422
    page = response.data.decode()
    assert 'id="clinic_name-error"' in page and 'id="quiet_from-error"' in page and 'id="quiet_until-error"' in page
    assert settings_row().clinic_name == "Harbour Wellness"


def test_widened_staff_invites_carry_the_session_type_and_patient_invites_never_do(client, clinic, user_factory):
    _, email, password = user_factory("admin")
    sign_in(client, email, password)
    post_settings(client, clinic_name="Harbour Wellness", staff_invites_detailed="on", quiet_from="21:00",
                  quiet_until="08:00")
    db.session.execute(update(Staff).values(email=None))
    db.session.execute(update(Staff).where(Staff.id == clinic.prescriber).values(email="ada@clinic.example"))
    db.session.commit()
    book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(MONDAY, time(9), "America/New_York"),
                              clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                 (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, BOOKED_AT)
    invites = {m.recipient_kind: m.facts for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "invite"))}
    assert invites["staff"]["detail"] == "IV ketamine infusion"
    assert invites["staff"]["clinic_name"] == "Harbour Wellness"
