"""Property tests: free_windows, fit_at and check_session agree on random small clinics.

Reception books from the free windows, so every start offered must really be bookable,
and no start the clinic could take may be missing from the offer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner.domain.availability import fit_at, free_windows
from planner.domain.booking import as_booked, check_session
from planner.domain.calendar import OpeningHours, SiteCalendar, to_utc
from planner.domain.clinic import (
    CAPABILITIES,
    BookedSession,
    ClinicState,
    Patient,
    SessionRequest,
    SessionType,
    Site,
)
from planner.domain.intervals import Interval
from planner.domain.policy import DOSING_ROUTES, ROUTE_RATIOS, RoutePolicy
from planner.domain.supervision import FLOORS
from planner.domain.staffing import (
    CREDENTIAL_KINDS,
    FULL_LOAD,
    ROLES,
    Credential,
    Duty,
    Roster,
    Shift,
    StaffMember,
    peak_load,
)
from tests.unit.builders import (
    LONDON,
    LONG_AGO,
    NEW_YORK,
    SYDNEY,
    esketamine,
    integration,
    iv_infusion,
    kap_dosing,
    reviewed_preparation,
    make_room,
)

ZONES = (NEW_YORK, LONDON, SYDNEY, "UTC", "America/Santiago")  # Santiago skips midnight in September
# Days next to every 2026 clock change in these zones, plus an ordinary Monday.
FIRST_DAYS = tuple(date(2026, m, d) for m, d in (
    (3, 6), (3, 8), (3, 9), (3, 28), (3, 29), (4, 4), (4, 5), (6, 15), (9, 5), (9, 6), (10, 3), (10, 4), (10, 24),
    (11, 1)))
DAY_START, DAY_END = 6 * 60, 22 * 60  # wall-clock minutes; no zone here changes clocks in this range
SITE = 1

pytestmark = pytest.mark.slow  # a few seconds each

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Clinic:
    state: ClinicState
    stype: SessionType
    patient: Patient
    first: date
    last: date
    now: datetime

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.state.site.slot_minutes)


def wall(day: date, minutes: int, zone: str) -> datetime:
    return to_utc(day, time(minutes // 60, minutes % 60), zone)


# Helpers take Hypothesis's draw function and ask only for cached primitive strategies:
# building composite strategies per draw made generation several times slower.

def stretch(draw, days: tuple[date, ...], zone: str, min_minutes: int = 5, max_minutes: int = 10 * 60) -> Interval:
    """A stretch of local time on one of the days, on a 5-minute grid."""
    day = draw(st.sampled_from(days))
    start = draw(st.integers(DAY_START // 5, (DAY_END - min_minutes) // 5)) * 5
    length = draw(st.integers(min_minutes // 5, max_minutes // 5)) * 5
    return Interval(wall(day, start, zone), wall(day, min(start + length, DAY_END), zone))


def opening_hours(draw, days: tuple[date, ...]) -> tuple[OpeningHours, ...]:
    """Zero to two blocks on each weekday searched, on a 15-minute grid."""
    blocks = []
    for weekday in sorted({d.weekday() for d in days}):
        cursor = DAY_START
        for _ in range(draw(st.sampled_from((1, 1, 1, 1, 1, 2, 2, 2, 0)))):
            opens = cursor + draw(st.integers(0, 16)) * 15
            closes = min(opens + draw(st.integers(8, 40)) * 15, DAY_END)
            if closes - opens < 60:
                break
            blocks.append(OpeningHours(weekday, time(opens // 60, opens % 60), time(closes // 60, closes % 60)))
            # Blocks may leave a gap, touch, or overlap: admins enter them that way too.
            cursor = closes + draw(st.sampled_from((15, 15, 0, -60)))
    return tuple(blocks)


CREDENTIAL_STATES = ("valid",) * 6 + ("missing", "expired", "not_yet", "ends_first_day")


def credentials(draw, first: date) -> tuple[Credential, ...]:
    found = []
    for kind in CREDENTIAL_KINDS:
        choice = draw(st.sampled_from(CREDENTIAL_STATES))
        if choice == "valid":
            found.append(Credential(kind, LONG_AGO))
        elif choice == "expired":
            found.append(Credential(kind, LONG_AGO, first - timedelta(days=1)))
        elif choice == "not_yet":
            found.append(Credential(kind, first + timedelta(days=1)))
        elif choice == "ends_first_day":
            found.append(Credential(kind, LONG_AGO, first))
    return tuple(found)


MOSTLY_OUR_SITE = (SITE, SITE, SITE, 2)
MOSTLY_TRUE = (True, True, True, False)
DISCIPLINE_SETS = tuple(frozenset(c) for c in (
    ("MD",), ("NP",), ("RN",), ("therapist",), ("MD",), ("NP", "RN"), ("RN",), ("therapist",), ("MD", "therapist")))


def staff_member(draw, staff_id: int, days: tuple[date, ...], zone: str) -> StaffMember:
    disciplines = draw(st.sampled_from(DISCIPLINE_SETS))
    if draw(st.booleans()):
        # A steady colleague: every credential, on shift all day every day, never away.
        shifts = tuple(Shift(SITE, Interval(wall(day, DAY_START, zone), wall(day, DAY_END, zone))) for day in days)
        return StaffMember(staff_id, f"Staff {staff_id}", disciplines,
                           tuple(Credential(kind, LONG_AGO) for kind in CREDENTIAL_KINDS), shifts)
    # Otherwise mostly a day shift at this site on each day, sometimes an odd extra stretch.
    shifts = []
    for day in days:
        if draw(st.sampled_from(MOSTLY_TRUE)):
            start = draw(st.integers(6 * 12, 10 * 12)) * 5
            end = min(start + draw(st.integers(4 * 12, 14 * 12)) * 5, DAY_END)
            shifts.append(Shift(draw(st.sampled_from(MOSTLY_OUR_SITE)), Interval(wall(day, start, zone),
                                                                                 wall(day, end, zone))))
    shifts += [Shift(draw(st.sampled_from(MOSTLY_OUR_SITE)), stretch(draw, days, zone, 30, 6 * 60))
               for _ in range(draw(st.integers(0, 1)))]
    leave = tuple(stretch(draw, days, zone, 15, 3 * 60) for _ in range(draw(st.sampled_from((0, 0, 0, 1)))))
    return StaffMember(staff_id, f"Staff {staff_id}", disciplines, credentials(draw, days[0]), tuple(shifts), leave,
                       active=draw(st.sampled_from(MOSTLY_TRUE)))


def booked_sessions(draw, days: tuple[date, ...], zone: str, room_ids: tuple[int | None, ...],
                    staff_ids: tuple[int, ...]) -> list[BookedSession]:
    sessions = []
    for index in range(draw(st.integers(0, 4))):
        session_id = 100 + index
        window = stretch(draw, days, zone, 15, 4 * 60)
        duties = []
        for _ in range(draw(st.integers(0, 2))):
            interval = window if draw(st.booleans()) else Interval(window.start, window.start + window.duration / 2)
            duties.append((draw(st.sampled_from(staff_ids)), Duty(interval, draw(st.sampled_from(ROLES)), session_id,
                                                                  draw(st.sampled_from((*DOSING_ROUTES, "none"))))))
        # Sometimes at another site (the patient's own sessions count wherever they are), sometimes a dose.
        site = draw(st.sampled_from((SITE, SITE, SITE, OTHER_SITE)))
        room = draw(st.sampled_from(room_ids)) if site == SITE else None
        sessions.append(BookedSession(session_id, draw(st.sampled_from((1, 2, 3))), site, room, window, tuple(duties),
                                      dosing=draw(st.booleans())))
    return sessions


SESSION_TYPES = (iv_infusion(), esketamine(), kap_dosing(), integration(), reviewed_preparation())
OTHER_SITE = SITE + 1


def session_type(draw) -> SessionType:
    base = draw(st.sampled_from(SESSION_TYPES))
    floor = FLOORS.get(base.route) if base.is_dosing else None
    # Dosing types stay on or above their supervision floor (types below it are never stored);
    # the others may drop their room too.
    least = floor.observation_minutes // 15 if floor else 0
    return replace(base, active_minutes=draw(st.integers(1, 8)) * 15,
                   observation_minutes=draw(st.integers(least, max(least, 8))) * 15,
                   room_capability=base.room_capability if floor else draw(
                       st.sampled_from((base.room_capability, base.room_capability, None))))


CAPABILITY_SETS = tuple(frozenset(c) for c in (
    CAPABILITIES, CAPABILITIES, CAPABILITIES, CAPABILITIES, CAPABILITIES,
    ("infusion_pump_monitor", "pulse_oximeter"), ("infusion_pump_monitor",), ("pulse_oximeter",),
    ("therapy",), ("therapy", "telehealth"), ()))


@st.composite
def clinics(draw) -> Clinic:
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from(FIRST_DAYS))
    last = first + timedelta(days=draw(st.integers(0, 1)))
    days = tuple(sorted({first, last}))
    # (sampled_from, not integers: Hypothesis favours the ends of an integer range.)
    closures = frozenset(days[:1]) if draw(st.sampled_from((False,) * 9 + (True,))) else frozenset()
    site = Site(SITE, "Site", SiteCalendar(zone, opening_hours(draw, days), closures),
                esketamine_certified=draw(st.sampled_from(MOSTLY_TRUE)),
                limits={role: draw(st.integers(1, 4)) for role in ROLES},
                # Some routes with ratios of their own, stricter or looser than the site's.
                policies={route: RoutePolicy(limits={role: draw(st.integers(1, 4)) for role in ROUTE_RATIOS
                                                     if draw(st.booleans())})
                          for route in DOSING_ROUTES if draw(st.booleans())},
                distinct_roles=draw(st.booleans()),
                slot_minutes=draw(st.sampled_from((10, 15, 30))))
    rooms = [make_room(room_id, site_id=draw(st.sampled_from(MOSTLY_OUR_SITE)),
                       capabilities=draw(st.sampled_from(CAPABILITY_SETS)), active=draw(st.sampled_from(MOSTLY_TRUE)))
             for room_id in range(1, draw(st.integers(1, 3)) + 1)]
    if draw(st.integers(0, 2)):
        rooms[0] = make_room(1, capabilities=CAPABILITIES)  # usually one fully equipped room in service
    staff = [staff_member(draw, staff_id, days, zone) for staff_id in range(1, draw(st.integers(2, 5)) + 1)]
    state = ClinicState(site, {r.id: r for r in rooms}, Roster({m.id: m for m in staff}, {}))
    for session in booked_sessions(draw, days, zone, tuple(r.id for r in rooms) + (None,),
                                   tuple(m.id for m in staff)):
        state.add(session)
    for _ in range(draw(st.sampled_from((0, 0, 1)))):  # a duty no session row stands behind
        staff_id = draw(st.sampled_from(tuple(state.roster.staff)))
        state.roster.duties.setdefault(staff_id, []).append(
            Duty(stretch(draw, days, zone, 15, 4 * 60), draw(st.sampled_from(ROLES))))
    # Usually before the first day opens, sometimes part-way through it.
    if draw(st.integers(0, 2)):
        now = wall(first - timedelta(days=1), 12 * 60, zone)
    else:
        now = wall(first, draw(st.integers(7 * 4, 16 * 4)) * 15, zone)
    return Clinic(state, session_type(draw), Patient(1, "MRN-1", "Patient 1", LONG_AGO, "cleared", "signed"), first, last, now)


def offered_starts(clinic: Clinic) -> list[datetime]:
    """Every start time inside every free window."""
    starts = []
    for window in free_windows(clinic.stype, clinic.state, clinic.first, clinic.last, clinic.now, clinic.patient.id):
        start = window.starts_from
        while start <= window.starts_until:
            starts.append(start)
            start += clinic.step
    return starts


def grid_starts(clinic: Clinic) -> list[datetime]:
    """Every start on the site's slot grid whose session ends by closing, not in the past."""
    starts = []
    for block in clinic.state.site.calendar.open_intervals(clinic.first, clinic.last):
        start = block.start
        while start + clinic.stype.duration <= block.end:
            if start >= clinic.now:
                starts.append(start)
            start += clinic.step
    return starts


def request_for(clinic: Clinic, start: datetime) -> SessionRequest | None:
    fit = fit_at(clinic.stype, clinic.state, start, clinic.patient.id)
    if fit is None:
        return None
    return SessionRequest(clinic.patient, clinic.state.site, clinic.stype, fit.start, fit.room_id, fit.placements)


@PROPERTY_SETTINGS
@given(clinics())
def test_every_start_in_a_free_window_has_a_fit_the_booking_rules_accept(clinic):
    offered = offered_starts(clinic)
    event("some starts offered" if offered else "nothing offered")  # see --hypothesis-show-statistics
    assert set(offered) <= set(grid_starts(clinic)), "a start off the slot grid, out of hours or in the past"
    for start in offered:
        request = request_for(clinic, start)
        assert request is not None, f"free_windows offered {start:%Y-%m-%d %H:%M}Z but fit_at found nothing"
        assert check_session(request, clinic.state, clinic.now) == [], f"refused at {start:%Y-%m-%d %H:%M}Z"


@PROPERTY_SETTINGS
@given(clinics())
def test_free_windows_leave_out_only_starts_at_which_nothing_fits(clinic):
    offered = set(offered_starts(clinic))
    if clinic.stype.is_esketamine and not clinic.state.site.esketamine_certified:
        # REMS: nothing is offered, and the booking rules agree whatever the staffing.
        assert offered == set()
        for start in grid_starts(clinic)[:1]:
            request = request_for(clinic, start)
            if request is not None:
                assert "site_not_rems_certified" in [r.code for r in check_session(request, clinic.state, clinic.now)]
        return
    for start in grid_starts(clinic):
        if start not in offered:
            assert fit_at(clinic.stype, clinic.state, start, clinic.patient.id) is None, (
                f"free_windows left out {start:%Y-%m-%d %H:%M}Z although fit_at finds a placement")


@PROPERTY_SETTINGS
@given(clinics())
def test_booking_any_offered_fit_keeps_every_staff_member_within_their_ratio(clinic):
    for start in offered_starts(clinic):
        request = request_for(clinic, start)
        state = ClinicState(clinic.state.site, clinic.state.rooms,
                            Roster(clinic.state.roster.staff, {k: list(v) for k, v in clinic.state.roster.duties.items()}),
                            list(clinic.state.sessions))
        booked = as_booked(request, 999)
        state.add(booked)
        for staff_id, _ in booked.duties:
            load = peak_load(state.roster.duties_of(staff_id), booked.window, state.site.ratios)
            assert load <= FULL_LOAD, (f"staff {staff_id} would carry {load / FULL_LOAD:.2f} of a person "
                                       f"at {start:%H:%M}Z")
        # Once booked, the session may still be "moved" onto its own time: it never blocks itself.
        assert check_session(request, state, clinic.now, ignore_session_id=999) == []
