"""Call-outs: someone is away for a span; the best repair of each session they leave without cover.

Repairs, best first (issue 12, part 5): give the lost role to a qualified colleague on shift at
that site for the whole window who passes every booking rule (the least loaded that day, the
same person across a patient's sessions that day); else move the session to a time that keeps
its course's cadence; else leave it as an open coverage gap and say why. Every repair is made on
one working copy of the clinic, so two sessions never both count on the one free nurse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from planner.domain import lifecycle
from planner.domain.availability import free_windows
from planner.domain.booking import as_booked, cover_reasons
from planner.domain.calendar import day_start, local
from planner.domain.clinic import ClinicState, Placement, SessionRequest
from planner.domain.courses import BookedCourse
from planner.domain.intervals import Interval
from planner.domain.offers import make_offers, start_times
from planner.domain.planning.verify import LiveSession, move_breaches
from planner.domain.staffing import ROLE_NAMES, Duty, StaffMember

REASSIGN, MOVE, GAP, AUTO = "reassign", "move", "gap", "auto"
CHOICES = (AUTO, REASSIGN, MOVE, GAP)  # what the admin may ask of each session
MOVE_DAYS = 7   # a move looks this many days past the session's own day
MOVE_TRIES = 2  # offers made per day searched: the first one that passes is taken


@dataclass(frozen=True)
class Affected:
    """A booked session the absent person has a role in during the span."""

    session_id: int
    version: int
    status: str
    request: SessionRequest
    course: BookedCourse | None = None


@dataclass(frozen=True)
class Repair:
    """What to do with one affected session, and the plain words that say it."""

    session_id: int
    action: str  # reassign, move or gap
    before: SessionRequest
    start: datetime
    room_id: int | None
    placements: tuple[Placement, ...]
    words: str
    why: tuple[str, ...] = ()  # for a gap: what stood in the way of each repair

    @property
    def removed(self) -> set[int]:
        """Staff no longer in the session's team after the repair."""
        return {p.staff_id for p in self.before.placements} - {p.staff_id for p in self.placements}

    @property
    def added(self) -> set[int]:
        """Staff newly in the session's team after the repair."""
        return {p.staff_id for p in self.placements} - {p.staff_id for p in self.before.placements}


def plan_repairs(staff_id: int, span: Interval, affected: list[Affected], states: Mapping[int, ClinicState],
                 now: datetime, choices: Mapping[int, str] | None = None) -> list[Repair]:
    """The repair of each affected session, in time order, consistent with each other.

    states: per site, the clinic from the first affected day to MOVE_DAYS after the last, with
    everyone on shift there (the sessions' own days are enough to judge reassignments; a move
    found on a shorter state is only as good as the days it holds). choices: per session, what
    the admin asked (auto when not given).
    """
    working = {site_id: _away(state, staff_id, span) for site_id, state in states.items()}
    asked = dict(choices or {})
    kept_with: dict[tuple[int, date], set[int]] = {}  # (patient, day): staff already given to them
    live: dict[int, list[LiveSession]] = {}  # per course: its standing sessions as the moves leave them
    repairs = []
    for item in sorted(affected, key=lambda a: (a.request.start, a.session_id)):
        state, choice = working[item.request.site.id], asked.get(item.session_id, AUTO)
        why: list[str] = []
        repair = None
        if choice == GAP:
            why.append("Left as a gap, as asked.")
        if choice in (AUTO, REASSIGN):
            repair = _reassign(staff_id, item, state, now, kept_with, why)
        if repair is None and choice in (AUTO, MOVE):
            repair = _move(staff_id, item, state, now, live, why)
        if repair is None:
            repair = Repair(item.session_id, GAP, item.request, item.request.start, item.request.room_id,
                            item.request.placements, _gap_words(item.request, staff_id), tuple(why))
        repairs.append(repair)
    return repairs


def _away(state: ClinicState, staff_id: int, span: Interval) -> ClinicState:
    """A working copy of the clinic in which the person is on leave for the span."""
    copy = state.copy()
    member = copy.roster.staff.get(staff_id)
    if member is not None:
        copy.roster = replace(copy.roster, staff={**copy.roster.staff,
                                                  staff_id: replace(member, time_off=(*member.time_off, span))})
    return copy


def _reassign(staff_id: int, item: Affected, state: ClinicState, now: datetime, kept_with: dict,
              why: list[str]) -> Repair | None:
    """A colleague for each role the absent person held, or None (why says what stood in the way)."""
    request, sid = item.request, item.session_id
    if request.start <= now:
        why.append("It has begun: change its team at the desk.")
        return None
    day = request.site.calendar.local_day(request.start)
    needs = {need.role: need for need in request.session_type.needs}
    placements = list(request.placements)
    same = kept_with.get((request.patient.id, day), set())
    for index, placement in enumerate(request.placements):
        if placement.staff_id != staff_id or placement.role not in needs:
            continue
        need = needs[placement.role]
        pool = [m for m in state.roster.staff.values()
                if m.id != staff_id and m.active and m.disciplines & need.disciplines]
        load = _load_that_day(state, request, pool)
        pool.sort(key=lambda m: (m.id not in same, load[m.id], m.name, m.id))
        found, refusals = None, []
        for member in pool:
            trial = [*placements]
            trial[index] = Placement(member.id, placement.role)
            asked = replace(request, placements=tuple(trial))
            reasons = cover_reasons(asked, state, member.id, sid)
            if not reasons:
                found = trial
                break
            refusals.append(f"{member.label()}: {reasons[0].message}")
        role_name = ROLE_NAMES.get(placement.role, placement.role)
        if found is None:
            why.append(f"No colleague on shift can take over as {role_name}"
                       + (f" ({'; '.join(refusals[:3])})." if refusals else " (no one qualified is on shift)."))
            return None
        placements = found
    team = tuple(placements)
    after = replace(request, placements=team)
    _rebook(state, sid, after)
    kept_with.setdefault((request.patient.id, day), set()).update(p.staff_id for p in team)
    names = _names(state, request, team, staff_id)
    return Repair(sid, REASSIGN, request, request.start, request.room_id, team, names)


def _load_that_day(state: ClinicState, request: SessionRequest, people: list[StaffMember]) -> dict[int, int]:
    """Sessions each of these people carries on the request's local day (instants compared: no conversion per duty)."""
    day = request.site.calendar.local_day(request.start)
    begins, ends = day_start(day, request.site.calendar.zone), day_start(day + timedelta(days=1),
                                                                         request.site.calendar.zone)
    return {m.id: len({d.session_id for d in state.roster.duties_near(m.id, Interval(begins, ends))
                       if begins <= d.interval.start < ends}) for m in people}


def _move(staff_id: int, item: Affected, state: ClinicState, now: datetime, live: dict, why: list[str]) -> Repair | None:
    """The earliest time within MOVE_DAYS at which the session passes every rule and keeps its cadence, or None."""
    request, sid = item.request, item.session_id
    if item.status not in lifecycle.MOVABLE or request.start <= now:
        why.append("It cannot move: it has begun, or its status keeps it in place.")
        return None
    calendar = request.site.calendar
    first = max(calendar.local_day(request.start), calendar.local_day(now))
    clinic = state.without({sid})
    stype = request.session_type
    broke: list[str] = []
    # Day by day, earliest first: the protocol judges a day before any time on it is searched, and
    # the search stops at the first day with a time (most moves land within a day or two).
    for offset in range(MOVE_DAYS + 1):
        day = first + timedelta(days=offset)
        breaches = _cadence(item, day, live)
        if breaches:
            broke.append(breaches[0])
            continue
        windows = free_windows(stype, clinic, day, day, now, request.patient.id)
        starts = [s for s in start_times(windows, timedelta(minutes=request.site.slot_minutes)) if s != request.start]
        for offer in make_offers(stype, clinic, starts, now, request.patient, MOVE_TRIES, None).offers:
            team = tuple(Placement(t.staff_id, t.role) for t in offer.team)
            if any(p.staff_id == staff_id for p in team):
                continue  # never: the absent person is on leave in the working copy
            after = SessionRequest(request.patient, request.site, stype, offer.start, offer.room_id, team)
            if item.course is not None:
                live[item.course.id] = [replace(s, day=day) if s.session_id == sid else s for s in _live(item, live)]
            _rebook(state, sid, after)
            when = f"{local(offer.start, calendar.zone):%a %d %b %H:%M}"
            words = (f"Move to {when}" + (f" in {offer.room_name}" if offer.room_name else "")
                     + f" with {_team_words(state, team)}.")
            return Repair(sid, MOVE, request, offer.start, offer.room_id, team, words)
    if len(broke) == MOVE_DAYS + 1:
        why.append(f"No day within {MOVE_DAYS} keeps the course's cadence ({broke[0]}).")
    elif broke:
        why.append(f"No time within {MOVE_DAYS} days has a room and a full team free on a day the course's "
                   f"cadence allows (other days: {broke[0]}).")
    else:
        why.append(f"No time within {MOVE_DAYS} days has a room and a full team free.")
    return None


def _live(item: Affected, live: dict) -> list[LiveSession]:
    """The course's standing sessions, as the moves planned so far leave them."""
    course = item.course
    if course.id not in live:
        zone = item.request.site.calendar.zone
        live[course.id] = [LiveSession(s.id, s.purpose, s.type_key, s.dose_number, local(s.start, zone).date())
                           for s in course.sessions if lifecycle.holds_place(s.status) and s.status != lifecycle.HELD]
    return live[course.id]


def _cadence(item: Affected, day: date, live: dict) -> list[str]:
    """What the course's protocol would newly break were the session on day (nothing for a one-off)."""
    if item.course is None:
        return []
    return [r.message for r in move_breaches(item.course.protocol, _live(item, live), item.session_id, day)]


def _rebook(state: ClinicState, session_id: int, after: SessionRequest) -> None:
    """Count the session as repaired in the working copy: its old duties and place go, the new ones come."""
    booked = as_booked(after, session_id)
    state.sessions = [s for s in state.sessions if s.id != session_id] + [booked]
    duties: dict[int, list[Duty]] = {k: [d for d in v if d.session_id != session_id]
                                     for k, v in state.roster.duties.items()}
    for member_id, duty in booked.duties:
        duties.setdefault(member_id, []).append(duty)
    state.roster = replace(state.roster, duties=duties)


def _member(state: ClinicState, staff_id: int) -> StaffMember | None:
    return state.roster.staff.get(staff_id)


def _label(state: ClinicState, staff_id: int) -> str:
    member = _member(state, staff_id)
    return member.label() if member else f"staff member {staff_id}"


def _team_words(state: ClinicState, team: tuple[Placement, ...]) -> str:
    return ", ".join(f"{_label(state, p.staff_id)} as {ROLE_NAMES.get(p.role, p.role)}" for p in team) or "no staff"


def _names(state: ClinicState, before: SessionRequest, team: tuple[Placement, ...], staff_id: int) -> str:
    lost = {p.role for p in before.placements if p.staff_id == staff_id}
    taking = [p for p in team if p.role in lost]
    return " ".join(f"{_label(state, p.staff_id)} takes over as {ROLE_NAMES.get(p.role, p.role)}." for p in taking)


def _gap_words(request: SessionRequest, staff_id: int) -> str:
    roles = ", ".join(ROLE_NAMES.get(p.role, p.role) for p in request.placements if p.staff_id == staff_id)
    return (f"Cannot be repaired: it stays booked without its {roles or 'cover'} and is listed as an open "
            "coverage gap.")


def plan_key(staff_id: int, span: Interval, affected: list[Affected], repairs: list[Repair]) -> tuple:
    """What a preview showed, in a form two previews compare equal by (the service makes a token of it)."""
    versions = sorted((a.session_id, a.version) for a in affected)
    return (staff_id, span.start.isoformat(), span.end.isoformat(), tuple(versions),
            tuple((r.session_id, r.action, r.start.isoformat(), r.room_id,
                   tuple((p.staff_id, p.role) for p in r.placements)) for r in repairs))


def told(repairs: list[Repair]) -> tuple[set[int], set[int], set[int]]:
    """(staff removed, staff added, patients whose session moved) across the repairs."""
    removed = {s for r in repairs for s in r.removed}
    added = {s for r in repairs for s in r.added}
    moved = {r.before.patient.id for r in repairs if r.action == MOVE}
    return removed, added, moved
