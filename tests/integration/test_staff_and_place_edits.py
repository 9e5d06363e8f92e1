"""Staff, rooms and sites are changed and deactivated (kept, with a date), never under the sessions booked ahead.

Each rule: a refused case (CoverBroken naming the session, nothing written) and a safe control.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, Room, Site, Staff
from planner.domain.calendar import to_utc
from planner.domain.errors import BookingRefused, CoverBroken, InvalidData
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.availability import find_free_windows
from planner.services.booking import SessionOrder, book_session, cancel_session
from planner.services.change_inputs import RoomChange, SiteChange, StaffChange
from planner.services.offers import find_offers
from planner.services.place_edits import change_room, change_site, deactivate_room, deactivate_site
from planner.services.staff_members import change_staff, deactivate_staff
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # the Friday before factories.MONDAY
NY = "America/New_York"
SESSION_1 = "(IV ketamine infusion, Mon 23 Nov 2026 09:00 at Midtown):"


def iv_at(clinic, hour: int = 9, nurse: int = 0, patient: int = 0, chair: int = 0) -> int:
    return book_session(SessionOrder(clinic.patients[patient], clinic.site, clinic.iv, to_utc(f.MONDAY, time(hour), NY),
                                     clinic.chairs[chair], ((clinic.prescriber, "supervising_prescriber"),
                                                            (clinic.nurses[nurse], "monitoring_clinician"))),
                        SYSTEM, NOW)


def fresh(model, key: int):
    db.session.rollback()
    return db.session.get(model, key)


def actions() -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def names_session(refused, session_id: int) -> str:
    (reason,) = refused.value.reasons
    assert reason.message.startswith(f"Session {session_id} {SESSION_1}")
    return reason.message


# --- staff ----------------------------------------------------------------------------------------

def test_a_nurse_booked_ahead_cannot_be_deactivated_and_one_with_nothing_booked_can_and_is_never_offered(clinic):
    booked = iv_at(clinic, nurse=0)
    with pytest.raises(CoverBroken) as refused:
        deactivate_staff(clinic.nurses[0], SYSTEM, NOW)
    assert "Rosa Diaz is booked in it" in names_session(refused, booked)
    assert fresh(Staff, clinic.nurses[0]).active
    deactivate_staff(clinic.nurses[1], SYSTEM, NOW)
    row = fresh(Staff, clinic.nurses[1])
    assert (row.active, row.deactivated_at) == (False, NOW)  # kept, with the moment
    offers = find_offers(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW, clinic.patients[1], limit=100).offers
    assert offers and not any(m.staff_id == clinic.nurses[1] for o in offers for m in o.team)
    with pytest.raises(BookingRefused) as refused_booking:
        iv_at(clinic, 11, nurse=1, patient=1, chair=1)
    assert [r.code for r in refused_booking.value.reasons] == ["staff_unknown"]
    assert actions()[-1] == "staff.deactivated"
    change_staff(clinic.nurses[1], StaffChange(active=True), SYSTEM, NOW)  # back again
    assert iv_at(clinic, 11, nurse=1, patient=1, chair=1)


@pytest.mark.parametrize("disciplines, breaks", [(["therapist"], True), (["RN", "NP"], False)])
def test_a_discipline_change_is_refused_when_a_booked_role_needs_the_old_one(clinic, disciplines, breaks):
    booked = iv_at(clinic)
    change = StaffChange(name="Rosa Díaz-Ortiz", disciplines=disciplines)
    if breaks:
        with pytest.raises(CoverBroken) as refused:
            change_staff(clinic.nurses[0], change, SYSTEM, NOW)
        assert "cannot act as monitoring clinician" in names_session(refused, booked)
        assert (fresh(Staff, clinic.nurses[0]).name, fresh(Staff, clinic.nurses[0]).disciplines) == ("Rosa Diaz", ["RN"])
    else:
        change_staff(clinic.nurses[0], change, SYSTEM, NOW)
        assert fresh(Staff, clinic.nurses[0]).disciplines == ["NP", "RN"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.changed")).one()
        assert event.details == {"before": {"name": "Rosa Diaz", "disciplines": ["RN"]},
                                 "after": {"name": "Rosa Díaz-Ortiz", "disciplines": ["NP", "RN"]}}


def test_a_staff_email_another_person_has_is_refused_naming_the_field(clinic):
    f.make_staff("Dr Bo Chen", email="bo@example.org")
    with pytest.raises(InvalidData) as refused:
        change_staff(clinic.nurses[0], StaffChange(email="bo@example.org"), SYSTEM, NOW)
    assert [p.field for p in refused.value.problems] == ["email"]


# --- rooms ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, breaks", [
    (RoomChange(active=False), "It is booked in Chair 1"),
    (RoomChange(capabilities=["pulse_oximeter"]), "Chair 1 has no infusion pump"),
    (RoomChange(capabilities=["infusion_pump_monitor"], name="Chair 1A"), None),  # loses the oximeter: IV needs none
])
def test_a_room_change_is_refused_while_a_session_booked_in_it_needs_what_it_would_lose(clinic, change, breaks):
    booked = iv_at(clinic)
    before = fresh(Room, clinic.chairs[0])
    kept = (before.name, before.capabilities, before.active)
    if breaks:
        with pytest.raises(CoverBroken) as refused:
            change_room(clinic.chairs[0], change, SYSTEM, NOW)
        assert breaks in names_session(refused, booked)
        row = fresh(Room, clinic.chairs[0])
        assert (row.name, row.capabilities, row.active) == kept
    else:
        change_room(clinic.chairs[0], change, SYSTEM, NOW)
        assert fresh(Room, clinic.chairs[0]).capabilities == ["infusion_pump_monitor"]
        assert actions()[-1] == "room.changed"


def test_a_room_with_nothing_booked_is_deactivated_kept_and_never_offered(clinic):
    deactivate_room(clinic.chairs[2], SYSTEM, NOW)
    row = fresh(Room, clinic.chairs[2])
    assert (row.active, row.deactivated_at) == (False, NOW)
    offers = find_offers(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW, clinic.patients[0], limit=100).offers
    assert offers and clinic.chairs[2] not in {o.room_id for o in offers}


# --- sites ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, breaks", [
    (SiteChange(hours=[{"weekday": 0, "opens": "10:00", "closes": "18:00"}]), "outside the site's opening hours"),
    (SiteChange(closures=[{"day": date(2026, 11, 23), "reason": "Flood"}]), "closed on Monday 23 Nov"),
    (SiteChange(hours=[{"weekday": 0, "opens": "07:00", "closes": "19:00"}], name="Midtown East"), None),
    (SiteChange(closures=[{"day": date(2026, 11, 24), "reason": "Training"}], phone="+12125550100"), None),
])
def test_a_site_change_is_refused_when_a_session_booked_there_would_fall_outside_it(clinic, change, breaks):
    booked = iv_at(clinic)
    if breaks:
        with pytest.raises(CoverBroken) as refused:
            change_site(clinic.site, change, SYSTEM, NOW)
        assert breaks in names_session(refused, booked)
        row = fresh(Site, clinic.site)
        assert (row.name, len(row.hours), row.closures) == ("Midtown", 5, [])
    else:
        change_site(clinic.site, change, SYSTEM, NOW)
        assert actions()[-1] == "site.changed"


def test_a_site_that_stops_giving_esketamine_is_refused_while_an_esketamine_dose_is_booked_there(clinic):
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.esketamine,
                                       to_utc(f.MONDAY, time(9), NY), clinic.chairs[0],
                                       ((clinic.prescriber, "supervising_prescriber"),
                                        (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, NOW)
    with pytest.raises(CoverBroken) as refused:
        change_site(clinic.site, SiteChange(esketamine_certified=False), SYSTEM, NOW)
    assert f"Session {booked} (Esketamine nasal spray" in refused.value.reasons[0].message
    cancel_session(booked, SYSTEM, NOW)
    change_site(clinic.site, SiteChange(esketamine_certified=False), SYSTEM, NOW)
    assert not fresh(Site, clinic.site).esketamine_certified


def test_a_site_is_deactivated_only_with_nothing_booked_there_and_then_offers_and_books_nothing(clinic):
    booked = iv_at(clinic)
    with pytest.raises(CoverBroken) as refused:
        deactivate_site(clinic.site, SYSTEM, NOW)
    assert "It is booked at Midtown" in names_session(refused, booked)
    assert fresh(Site, clinic.site).active
    cancel_session(booked, SYSTEM, NOW)
    deactivate_site(clinic.site, SYSTEM, NOW)
    assert (fresh(Site, clinic.site).active, fresh(Site, clinic.site).deactivated_at) == (False, NOW)
    assert find_free_windows(clinic.site, clinic.iv, f.MONDAY, f.MONDAY, NOW) == []
    with pytest.raises(BookingRefused) as refused_booking:
        iv_at(clinic)
    assert "site_inactive" in [r.code for r in refused_booking.value.reasons]
    assert actions()[-1] == "site.deactivated"
