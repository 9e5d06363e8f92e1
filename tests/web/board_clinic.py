"""A clinic for the today board's tests: three dosing visits today at one site, a holiday tomorrow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planner import clock
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.web.conftest import ALL_WEEK, zone_near_noon


@dataclass
class BoardClinic:
    site: int
    zone: str
    today: date
    holiday: date
    early: int   # 09:00, started already: may be a no-show
    midday: int  # 13:00, may be checked in (with the escort confirmed)
    late: int    # 16:00, not started whatever the hour of the test: too early for a no-show
    prescriber: int = 0  # Dr Ada Kim (MD, licensed): supervises every visit, may review a held dose
    nurse: int = 0       # Rosa Diaz (RN): monitors every visit, may record vitals but not review a hold


def seed_board_clinic(site_name: str = "Harbour Clinic") -> BoardClinic:
    """A site open every day, near its noon now, with visits at 09:00, 13:00 and 16:00 and a closure tomorrow.

    The zone is the one nearest noon (at most 2 h 15 from it), so 09:00 has begun and 16:00 has not.
    """
    zone = zone_near_noon(clock.now())
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    holiday = today + timedelta(days=1)
    site = f.make_site(name=site_name, timezone=zone, hours=ALL_WEEK,
                       closures=[{"day": holiday, "reason": "Thanksgiving"}])
    chairs = [f.make_room(site, name="Chair 1"), f.make_room(site, name="Chair 2")]
    prescriber = f.make_staff("Dr Ada Kim", ["MD"])
    nurse = f.make_staff("Rosa Diaz", ["RN"], f.credentials("licence", "bls"))
    for person in (prescriber, nurse):
        f.make_shift(person, site, today, "08:00", "18:00", zone=zone)
    iv = f.make_session_type(f.IV_DOSING)
    morning = datetime.combine(today, time(6, 0), tzinfo=ZoneInfo(zone))
    team = ((prescriber, "supervising_prescriber"), (nurse, "monitoring_clinician"))
    booked = []
    for mrn, name, at, chair in (("MRN-71", "Noel Early", time(9, 0), chairs[1]),
                                 ("MRN-72", "Jordan Avery", time(13, 0), chairs[0]),
                                 ("MRN-73", "Lee Later", time(16, 0), chairs[0])):
        patient = f.make_patient(mrn, name=name)
        start = datetime.combine(today, at, tzinfo=ZoneInfo(zone))
        booked.append(book_session(SessionOrder(patient, site, iv, start, chair, team), SYSTEM, morning))
    return BoardClinic(site, zone, today, holiday, *booked, prescriber=prescriber, nurse=nurse)
