"""Bookable offers: a start time, a room and a full team that the booking rules accept, best first.

An offer is built by the same two functions a booking goes through: availability's fit_at finds
a room and team for a start time, and booking's check_session must return no reason against it.
So an offer is never made where booking would refuse, whatever rule refuses it.

How offers rank (shown to reception as "why first"):
1. Earliest start first: a patient nearly always takes the first time that suits.
2. At each time the team is the least busy people who can take it (fewest sessions already in
   their roles that local day, then the lower id), and the room the least used free one that
   day: work spreads across staff and chairs instead of piling on whoever is first on the roster.
3. Over several days, at most an even share of the offers per day, so every open day shows some.
4. Spread over the day: after an offer, the next one starts at least SPREAD (an hour) later. At a
   quiet site the times 15 minutes apart are the same chair and the same team, so a list of them
   says one thing twenty times; spread, it shows the morning, midday and afternoon at a glance.
   Asked without a spread (reception's "more times"), every start time is offered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain.availability import can_fill, eligible_rooms, fit_at
from planner.domain.booking import check_session
from planner.domain.calendar import day_start, local
from planner.domain.clinic import CONSENT_SIGNED, SCREENING_CLEARED, ClinicState, Patient, SessionRequest, SessionType
from planner.domain.errors import Reason
from planner.domain.intervals import Interval
from planner.domain.staffing import ROLE_NAMES
from planner.domain.supervision import floor_breaches
from planner.domain.windows import FreeWindow

# Without a named patient, offers are checked as for a patient whom no patient rule stops
# (screening, consent and REMS done, nothing else booked); booking names the real one and
# checks every patient rule then.
ANY_PATIENT = Patient(0, "", "any patient", date.min, SCREENING_CLEARED, CONSENT_SIGNED)
SPREAD = timedelta(hours=1)  # the least time between two offers' starts on a day, unless every time is asked for


@dataclass(frozen=True)
class TeamMember:
    """One person of an offer's team, in one role."""

    staff_id: int
    name: str
    role: str
    sessions_that_day: int  # the sessions they already carry that local day (the ranking's load)

    @property
    def role_name(self) -> str:
        """The role in clinic words."""
        return ROLE_NAMES.get(self.role, self.role)


@dataclass(frozen=True)
class Offer:
    """A start, a room and a team that booking accepts as of the snapshot, with why it ranks where it does."""

    rank: int
    start: datetime
    end: datetime
    room_id: int | None
    room_name: str | None
    team: tuple[TeamMember, ...]
    why: tuple[str, ...]


@dataclass(frozen=True)
class OfferList:
    """The offers, best first, and (when there are none) every reason the booking rules gave."""

    offers: list[Offer]
    reasons: list[Reason]
    closer: bool = False  # start times were passed over to spread the offers: asking without a spread shows more


def start_times(windows: list[FreeWindow], step: timedelta) -> list[datetime]:
    """Every start time in the free windows, one slot apart, earliest first."""
    starts = []
    for window in windows:
        start = window.starts_from
        while start <= window.starts_until:
            starts.append(start)
            start += step
    return sorted(starts)


def make_offers(stype: SessionType, state: ClinicState, starts: list[datetime], now: datetime,
                patient: Patient | None = None, limit: int = 20, spread: timedelta | None = SPREAD) -> OfferList:
    """Up to limit offers at these start times, each one check_session accepts, best first, spread apart.

    spread: the least time from one offer's start to the next one's on a day (None: every start time).
    """
    by_day = _by_day(state, starts)
    per_day = limit if len(by_day) <= 1 else max(1, limit // len(by_day))
    offers: list[Offer] = []
    reasons: dict[tuple[str, str], Reason] = {}
    closer = False
    for day, todays in by_day:
        check = _DayCheck(stype, state, day, patient, now)
        made, after = 0, None
        for start in todays:
            if made == per_day or len(offers) == limit:
                break
            if spread and after is not None and start < after:
                closer = True  # passed over unchecked: spreading also spares the checks
                continue
            request = check.at(start, reasons)
            if request is None:
                continue
            offers.append(_offer(len(offers) + 1, request, state, check.load, check.rooms, made, spread))
            made += 1
            after = start + spread if spread else None
    return OfferList(offers, [] if offers else list(reasons.values()), closer)


def bookable_starts(stype: SessionType, state: ClinicState, starts: list[datetime],
                    now: datetime) -> list[tuple[datetime, datetime, int | None]]:
    """Every start make_offers offers for any patient with no spread and no limit: (start, end, room), in order.

    The same checks at each start (fit_at, then check_session), without ranking them in words.
    """
    found = []
    for day, todays in _by_day(state, starts):
        check = _DayCheck(stype, state, day, None, now)
        for start in todays:
            request = check.at(start, {})
            if request is not None:
                found.append((start, request.window.end, request.room_id))
    return found


def _by_day(state: ClinicState, starts: list[datetime]) -> list[tuple[date, list[datetime]]]:
    """The start times per local day of the site, days in order."""
    by_day: dict[date, list[datetime]] = {}
    for start in starts:
        by_day.setdefault(state.site.calendar.local_day(start), []).append(start)
    return sorted(by_day.items())


class _DayCheck:
    """The offers' test of start times on one local day: a room and team from fit_at that check_session accepts."""

    def __init__(self, stype: SessionType, state: ClinicState, day: date, patient: Patient | None, now: datetime):
        zone = state.site.calendar.zone
        begins, ends = day_start(day, zone), day_start(day + timedelta(days=1), zone)
        self.stype, self.state, self.patient, self.now = stype, state, patient, now
        self.who = patient or ANY_PATIENT
        self.load = _sessions_that_day(state, begins, ends)
        # Only those of a discipline the role takes, least busy first: fit_at still tests each of them.
        self.prefer = {need.role: sorted((m.id for m in state.roster.staff.values()
                                          if m.disciplines & need.disciplines), key=lambda i: (self.load[i], i))
                       for need in stype.needs}
        # The day's sessions found by bisection: a week's snapshot holds hundreds of sessions a day.
        todays = [s for s in state.sessions_near(Interval.trusted(begins, ends)) if begins <= s.window.start]
        self.mine = [s for s in todays if s.patient_id == self.who.id]
        self.rooms = _rooms_by_use(stype, state, todays)

    def at(self, start: datetime, reasons: dict[tuple[str, str], Reason]) -> SessionRequest | None:
        """The request booking accepts at start (least used free room, least busy team), or None, its reasons noted."""
        stype, state = self.stype, self.state
        near = state.sessions_near(stype.window(start))
        taken = {s.room_id for s in near}
        room = next((r for r in self.rooms if r not in taken), None)
        fit = fit_at(stype, state, start, self.who.id if self.patient else None, self.prefer, room, near)
        if fit is None:
            return None
        request = SessionRequest(self.who, state.site, stype, start, fit.room_id, fit.placements)
        refused = check_session(request, _near(state, near, self.mine), self.now)
        for reason in refused:
            reasons.setdefault((reason.code, reason.message), reason)
        return None if refused else request


def _near(state: ClinicState, near: list, mine: list) -> ClinicState:
    """The clinic as booking reads it for a request: the sessions near its window and the patient's whole day."""
    ids = {s.id for s in near}
    return ClinicState(state.site, state.rooms, state.roster, near + [s for s in mine if s.id not in ids], state.present)


def _sessions_that_day(state: ClinicState, begins: datetime, ends: datetime) -> Counter:
    """How many sessions each person already carries that start in a local day of the site (begins to ends)."""
    counts: Counter = Counter()
    day = Interval.trusted(begins, ends)
    for staff_id in state.roster.staff:
        # duties_near finds every duty overlapping the day, so every one starting in it, by bisection.
        counts[staff_id] = len({d.session_id for d in state.roster.duties_near(staff_id, day)
                                if begins <= d.interval.start < ends})
    return counts


def _rooms_by_use(stype: SessionType, state: ClinicState, todays: list) -> list[int]:
    """The type's eligible rooms, least used by the sessions starting that local day first, then by id."""
    used = Counter(s.room_id for s in todays)
    return [room.id for room in sorted(eligible_rooms(stype, state), key=lambda r: (used[r.id], r.id))]


def _offer(rank: int, request: SessionRequest, state: ClinicState, load: Counter, rooms: list[int],
           made_today: int, spread: timedelta | None) -> Offer:
    zone = state.site.calendar.zone
    team = tuple(TeamMember(p.staff_id, state.roster.staff[p.staff_id].name, p.role, load[p.staff_id])
                 for p in request.placements)
    when = local(request.start, zone)
    later = f"Next free time {_spread_words(spread)} later" if spread else "Next free time that day"
    why = [f"Earliest free time on {when:%a %d %b}" if made_today == 0 else later]
    if team:
        why.append("Least busy team: " + ", ".join(f"{m.name} {_count(m.sessions_that_day)}" for m in team)
                   + " that day")
    if request.room_id is not None:
        room = state.rooms[request.room_id]
        why.append(f"{room.name}: least used room that day" if request.room_id == rooms[0]
                   else f"{room.name}: least used room free then")
    return Offer(rank, request.start, request.window.end, request.room_id,
                 state.rooms[request.room_id].name if request.room_id is not None else None, team, tuple(why))


def _spread_words(spread: timedelta) -> str:
    minutes = int(spread.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes or more"
    return "an hour or more" if minutes == 60 else f"{minutes // 60} hours or more"


def _count(sessions: int) -> str:
    return "has no sessions" if sessions == 0 else f"has {sessions} session{'s' if sessions != 1 else ''}"


def why_no_times(stype: SessionType, state: ClinicState, first: date, last: date, now: datetime) -> list[Reason]:
    """In plain words, why no start time is free at all between two local days (closed, nobody on shift, full)."""
    site = state.site
    if floor_breaches(stype):
        return list(floor_breaches(stype))  # never bookable: the type itself must be put right
    if stype.is_esketamine and not site.esketamine_certified:
        return [Reason("site_not_rems_certified", f"{site.name} is not certified to give esketamine (REMS).",
                       "site_id")]
    opening = site.calendar.open_intervals(first, last)
    if not opening:
        days = f"on {first:%a %d %b}" if first == last else f"from {first:%a %d %b} to {last:%a %d %b}"
        closures = [d for d in site.calendar.closures if first <= d <= last]
        why = " (a day marked closed)" if closures else ""
        return [Reason("site_closed", f"{site.name} is closed {days}{why}.", "day")]
    if opening[-1].end - stype.duration < now:
        return [Reason("day_over", "Those days are over: no session can start in the past.", "day")]
    if stype.room_capability is not None and not eligible_rooms(stype, state):
        return [Reason("room_missing", f"{site.name} has no room in service that can take a {stype.name}.", "site_id")]
    step = timedelta(minutes=site.slot_minutes)
    starts = [start for block in opening for k in range(int((block.end - block.start - stype.duration) / step) + 1)
              if (start := block.start + k * step) >= now]
    reasons = []
    for need in stype.needs:
        if not any(can_fill(member, need, stype.role_window(start, need), state, site.calendar.local_day(start),
                            route=stype.route)
                   for start in starts for member in state.roster.staff.values()):
            reasons.append(Reason("role_missing", f"No {ROLE_NAMES.get(need.role, need.role)} who can take it is "
                                                  f"on shift and free at {site.name} then.", "day"))
    return reasons or [Reason("all_taken", "No room and full team are free together at any time then.",
                              "day")]
