"""A 09:00 session stays 09:00 on the site's wall clock on the Mondays after DST starts and ends."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner.db.models import Session
from planner.domain.calendar import local, to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.availability import find_free_windows
from planner.services.booking import SessionOrder, book_session, reschedule_session
from tests import factories as f

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
# (zone, the Friday before a transition, the Monday after it, UTC offset that Monday)
TRANSITIONS = [
    ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), -4),     # DST starts Sun 8 Mar
    ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), -5),  # DST ends Sun 1 Nov
    ("Europe/London", date(2026, 3, 27), date(2026, 3, 30), 1),       # BST starts Sun 29 Mar
    ("Europe/London", date(2026, 10, 23), date(2026, 10, 26), 0),     # BST ends Sun 25 Oct
]


def clinic_in(zone: str, days: list[date]):
    site = f.make_site(name=f"Site {zone}", timezone=zone)
    chair = f.make_room(site)
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurse = f.make_staff("Rosa Diaz", ["RN"], f.credentials("licence", "bls"))
    for person in (prescriber, nurse):
        for day in days:
            f.make_shift(person, site, day, "08:00", "18:00", zone)
    patient = f.make_patient()
    iv = f.make_session_type(f.IV_DOSING)
    staff = ((prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician"))
    return site, chair, patient, iv, staff


@pytest.mark.parametrize("zone, friday, monday, offset", TRANSITIONS)
def test_a_nine_oclock_session_stays_at_nine_local_across_the_change(app, zone, friday, monday, offset):
    site, chair, patient, iv, staff = clinic_in(zone, [friday, monday])
    before = book_session(SessionOrder(patient, site, iv, to_utc(friday, time(9), zone), chair, staff), SYSTEM, NOW)
    after = book_session(SessionOrder(patient, site, iv, to_utc(monday, time(9), zone), chair, staff), SYSTEM, NOW)
    friday_start = db.session.get(Session, before).starts_at
    monday_start = db.session.get(Session, after).starts_at
    assert local(friday_start, zone).time() == local(monday_start, zone).time() == time(9)
    assert monday_start.hour == (9 - offset) % 24  # stored in UTC, an hour apart from the Friday's UTC hour
    assert abs((monday_start - friday_start) - timedelta(days=3)) == timedelta(hours=1)


@pytest.mark.parametrize("zone, friday, monday, offset", TRANSITIONS)
def test_free_windows_open_at_eight_local_on_both_sides_of_the_change(app, zone, friday, monday, offset):
    site, _chair, _patient, iv, _staff = clinic_in(zone, [friday, monday])
    windows = find_free_windows(site, iv, friday, monday, NOW)
    assert [local(w.starts_from, zone).strftime("%a %H:%M") for w in windows] == ["Fri 08:00", "Mon 08:00"]
    assert [local(w.starts_until, zone).strftime("%H:%M") for w in windows] == ["16:15", "16:15"]


def test_moving_a_session_across_the_change_keeps_the_wall_time_asked_for(app):
    zone = "America/New_York"
    site, chair, patient, iv, staff = clinic_in(zone, [date(2026, 10, 30), date(2026, 11, 2)])
    session_id = book_session(SessionOrder(patient, site, iv, to_utc(date(2026, 10, 30), time(9), zone), chair, staff),
                              SYSTEM, NOW)
    reschedule_session(session_id, to_utc(date(2026, 11, 2), time(9), zone), SYSTEM, NOW)
    moved = db.session.get(Session, session_id)
    assert local(moved.starts_at, zone).isoformat() == "2026-11-02T09:00:00-05:00"
    assert local(moved.ends_at, zone).isoformat() == "2026-11-02T10:45:00-05:00"
