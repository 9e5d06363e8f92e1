"""A site's Slots over a week of the small clinic, pinned: free exactly where booking would accept a session.

The week holds a booked dose, a booked therapy session, a day marked closed and a gap in the
prescriber's day. The oracle is the booking rules themselves (domain check_session), asked for
every start time of the days, every room and every team of the right disciplines, over one fresh
read of the clinic (what booking reads, nothing kept): a start is free for a type when some room
and team are accepted there. Every resource is parsed by fhir.resources (tests/fhir_check.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from itertools import product
from zoneinfo import ZoneInfo

from planner.db import reads
from planner.domain.availability import eligible_rooms
from planner.domain.booking import check_session
from planner.domain.calendar import day_start
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.intervals import Interval
from planner.domain.offers import ANY_PATIENT
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.change_inputs import SiteChange
from planner.services.fhir_slots import schedule_slots
from planner.services.place_edits import change_site
from tests import factories as f
from tests.fhir_check import bundle_resources

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ZONE = ZoneInfo("America/New_York")
BASE = "http://clinic.example/api/fhir"
WEDNESDAY, THURSDAY = f.MONDAY + timedelta(days=2), f.MONDAY + timedelta(days=3)


def _week_with_a_dose_a_therapy_session_a_closed_day_and_a_gap(clinic) -> dict[str, datetime]:
    dose = datetime.combine(f.MONDAY, time(9), tzinfo=ZONE)
    therapy = datetime.combine(f.MONDAY + timedelta(days=1), time(10), tzinfo=ZONE)
    booked = {
        book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, dose, clinic.chairs[0],
                                  ((clinic.prescriber, "supervising_prescriber"),
                                   (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, NOW): dose,
        book_session(SessionOrder(clinic.patients[1], clinic.site, clinic.integration, therapy, clinic.office,
                                  ((clinic.therapist, "therapist"),)), SYSTEM, NOW): therapy,
    }
    change_site(clinic.site, SiteChange(closures=[{"day": WEDNESDAY, "reason": "Training"}]), SYSTEM, NOW)
    # The only prescriber is away from 12:00 to 14:00 on Thursday: no dose can be supervised then.
    f.make_time_off(clinic.prescriber, datetime.combine(THURSDAY, time(12), tzinfo=ZONE),
                    datetime.combine(THURSDAY, time(14), tzinfo=ZONE))
    return {f"site-{clinic.site}-session-{session_id}": start for session_id, start in booked.items()}


def _accepted(clinic, first, end) -> dict[str, dict[datetime, set[str]]]:
    """Per session type key: every start from first to the day before end at which booking accepts some room and
    team, with the rooms it accepts there."""
    with reads.reading() as session:
        site = reads.site(session, clinic.site)
        types = reads.session_types(session)
        state = reads.for_callout(session, site, Interval(day_start(first, ZONE.key), day_start(end, ZONE.key)), ())
    step = timedelta(minutes=site.slot_minutes)
    found: dict[str, dict[datetime, set[str]]] = {}
    for key, stype in types.items():
        rooms = eligible_rooms(stype, state) if stype.room_capability else [None]
        teams = list(product(*[[m.id for m in state.roster.staff.values() if m.disciplines & need.disciplines]
                               for need in stype.needs]))
        found[key] = {}
        day = first
        while day < end:
            start = datetime.combine(day, time(7), tzinfo=ZONE)
            while start < datetime.combine(day, time(19), tzinfo=ZONE):
                for room, team in product(rooms, teams):
                    request = SessionRequest(ANY_PATIENT, site, stype, start, room and room.id,
                                             tuple(Placement(staff_id, need.role)
                                                   for staff_id, need in zip(team, stype.needs)))
                    if not check_session(request, state, NOW):
                        found[key].setdefault(start, set()).add(room.name if room else "")
                start += step
            day += timedelta(days=1)
    return found


def test_free_slots_are_exactly_the_starts_booking_accepts_and_busy_ones_the_sessions_booked(clinic):
    busy = _week_with_a_dose_a_therapy_session_a_closed_day_and_a_gap(clinic)
    end = f.MONDAY + timedelta(days=5)
    slots = bundle_resources(schedule_slots(f"site-{clinic.site}", f.MONDAY, end, NOW, BASE, BASE))
    accepted = _accepted(clinic, f.MONDAY, end)
    free = {key: [s for s in slots if s["status"] == "free" and s["serviceType"][0]["coding"][0]["code"] == key]
            for key in accepted}
    for key, starts in accepted.items():
        assert [datetime.fromisoformat(s["start"]) for s in free[key]] == sorted(starts), key
        # The room a free slot names is one booking accepts then.
        assert all(s["comment"].removeprefix("For example in ") in starts[datetime.fromisoformat(s["start"])]
                   for s in free[key]), key
    assert {s["id"]: datetime.fromisoformat(s["start"]) for s in slots if s["status"] == "busy"} == busy
    assert len(slots) == len(busy) + sum(len(found) for found in accepted.values())
    # What the week holds, said plainly: the closed day has no slot; the prescriber's gap takes doses, not therapy.
    local = [datetime.fromisoformat(s["start"]).astimezone(ZONE) for s in slots]
    assert not [at for at in local if at.date() == WEDNESDAY]
    thursday_doses = [datetime.fromisoformat(s["start"]).astimezone(ZONE).time() for s in free["iv-dose"]
                      if datetime.fromisoformat(s["start"]).astimezone(ZONE).date() == THURSDAY]
    assert thursday_doses and not [at for at in thursday_doses if time(11, 30) <= at < time(14)]
    assert time(12) in [datetime.fromisoformat(s["start"]).astimezone(ZONE).time() for s in free["integration"]
                        if datetime.fromisoformat(s["start"]).astimezone(ZONE).date() == THURSDAY]
    # In time order, busy before free at one start.
    assert [(s["start"], s["status"] != "busy") for s in slots] == \
        sorted((s["start"], s["status"] != "busy") for s in slots)
