"""Where and when a session type fits: free windows and a concrete placement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain.calendar import day_start
from planner.domain.clinic import ClinicState, Placement, Room, SessionType
from planner.domain.intervals import Cover, Interval, merge, subtract
from planner.domain.policy import one_role_each
from planner.domain.presence import enough_on_site_by_block, short_on_site
from planner.domain.staffing import FULL_LOAD, Duty, Ratios, RoleNeed, StaffMember, peak_load
from planner.domain.supervision import floor_breaches
from planner.domain.windows import FreeWindow, for_patient, starting_from

__all__ = ["FreeWindow", "Fit", "eligible_rooms", "can_fill", "fit_at", "free_windows", "open_windows",
           "room_cover", "need_cover"]


@dataclass(frozen=True)
class Fit:
    """A concrete room and staff for one start time."""

    start: datetime
    room_id: int | None
    placements: tuple[Placement, ...]


def eligible_rooms(stype: SessionType, state: ClinicState) -> list[Room]:
    """Active rooms of the site with the capability the session type needs."""
    # Asked at every start time a search checks: kept per capability in the snapshot, while its rooms are the same.
    kept = state.__dict__.get("_eligible")
    if kept is None or kept[0] is not state.rooms or kept[1] != len(state.rooms) or kept[2] is not state.site:
        kept = state.__dict__["_eligible"] = (state.rooms, len(state.rooms), state.site, {})
    found = kept[3].get(stype.room_capability)
    if found is None:
        found = kept[3][stype.room_capability] = tuple(
            room for room in state.rooms.values() if room.site_id == state.site.id and room.active
            and (stype.room_capability is None or stype.room_capability in room.capabilities))
    return list(found)


def can_fill(member: StaffMember, need: RoleNeed, window: Interval, state: ClinicState, day: date,
             ignore_session_id: int | None = None, *, route: str | None) -> bool:
    """True when a staff member may take a role over a window in a session of route (the booking rules, one person)."""
    if not member.active or not member.disciplines & need.disciplines:
        return False
    if member.missing_credentials(need.credentials, day):
        return False
    if not member.on_shift(state.site.id, window) or member.on_leave(window):
        return False
    if member.on_shift_elsewhere(state.site.id, window):
        return False
    duties = state.roster.duties_near(member.id, window)  # a new list
    if ignore_session_id is not None:
        duties = [d for d in duties if d.session_id != ignore_session_id]
    duties.append(Duty(window, need.role, None, route))
    return peak_load(duties, window, state.site.ratios) <= FULL_LOAD


def fit_at(stype: SessionType, state: ClinicState, start: datetime, patient_id: int | None = None,
           prefer: dict[str, Sequence[int]] | None = None, prefer_room: int | None = None,
           nearby: list | None = None) -> Fit | None:
    """A room and distinct staff for a start time, preferring listed staff and room, or None.

    nearby: state.sessions_near(the session's window), when the caller has it already.
    """
    if floor_breaches(stype):
        return None  # below the supervision floor: never bookable
    window = stype.window(start)
    if nearby is None:
        nearby = state.sessions_near(window)
    if patient_id is not None and any(s.patient_id == patient_id for s in nearby):
        return None
    if patient_id is not None and stype.is_dosing and state.doses_on(patient_id, state.site.calendar.local_day(start)):
        return None  # one dosing session a day per patient, at any site
    room_id = None
    if stype.room_capability is not None:
        taken = {s.room_id for s in nearby}
        free = [room for room in eligible_rooms(stype, state) if room.id not in taken]
        if not free:
            return None
        room_id = prefer_room if prefer_room in {room.id for room in free} else free[0].id
    if short_on_site(state.site, stype, start, state):
        return None  # too few ACLS or BLS holders on site for the whole dose and observation
    day = state.site.calendar.local_day(start)

    def fitting(need: RoleNeed, among) -> _Fitting:
        role_window = stype.role_window(start, need)
        return _Fitting(among, lambda m: can_fill(m, need, role_window, state, day, route=stype.route))

    def bearable(chosen: tuple[int, ...]) -> bool:
        # One person in several roles of this session carries all of them at once.
        for staff_id in {sid for sid in chosen if chosen.count(sid) > 1}:
            duties = list(state.roster.duties_near(staff_id, window))
            duties += [Duty(stype.role_window(start, need), need.role, None, stype.route)
                       for sid, need in zip(chosen, stype.needs) if sid == staff_id]
            if peak_load(duties, window, state.site.ratios) > FULL_LOAD:
                return False
        return True

    wanted = {need.role: (prefer or {}).get(need.role, ()) for need in stype.needs}  # read, never changed
    chosen = None
    if prefer and all(wanted[need.role] for need in stype.needs):
        # The people asked for first: only if that fails is the whole roster searched. Each list is
        # walked only as far as a choice reads (most take the first who fits).
        staff = state.roster.staff
        quick = [fitting(need, (staff[i] for i in wanted[need.role] if i in staff)) for need in stype.needs]
        chosen = _distinct_choice(quick, one_role_each(state.site, stype), (), bearable)
    if chosen is None:
        options = []
        for need in stype.needs:
            order = wanted[need.role]
            ranked = sorted(state.roster.staff.values(),
                            key=lambda m: (order.index(m.id) if m.id in order else len(order), m.id))
            options.append(fitting(need, ranked))
        chosen = _distinct_choice(options, one_role_each(state.site, stype), (), bearable)
    if chosen is None:
        return None
    placements = tuple(Placement(staff_id, need.role) for staff_id, need in zip(chosen, stype.needs))
    return Fit(start, room_id, placements)


class _Fitting:
    """The people who can fill one role, in the order given, each tested only when a choice first reads that far."""

    def __init__(self, candidates: Iterable[StaffMember], test):
        self._untested = iter(candidates)
        self._test = test
        self._found: list[int] = []

    def __iter__(self):
        index = 0
        while True:
            if index == len(self._found):
                # Most choices take the first person who fits: the rest of the roster is never tested.
                fit = next((member for member in self._untested if self._test(member)), None)
                if fit is None:
                    return
                self._found.append(fit.id)
            yield self._found[index]
            index += 1


def _distinct_choice(options: list[Iterable[int]], distinct: bool, taken: tuple[int, ...] = (),
                     bearable=None) -> list[int] | None:
    """First choice of one person per role: different people when the site requires it, and
    otherwise a person in two roles only when bearable says they can carry both."""
    if not options:
        return list(taken)
    for staff_id in options[0]:
        if staff_id in taken and (distinct or bearable is None or not bearable(taken + (staff_id,))):
            continue
        found = _distinct_choice(options[1:], distinct, taken + (staff_id,), bearable)
        if found is not None:
            return found
    return None


def free_windows(stype: SessionType, state: ClinicState, first: date, last: date, now: datetime,
                 patient_id: int | None = None) -> list[FreeWindow]:
    """Runs of start times between two local dates at which the session type can be booked."""
    step = timedelta(minutes=state.site.slot_minutes)
    windows = starting_from(open_windows(stype, state, first, last), now, step)
    if patient_id is not None:
        mine = [s for s in state.sessions if s.patient_id == patient_id]
        windows = for_patient(windows, stype.is_dosing, mine, state.site.calendar, step)
    return windows


def open_windows(stype: SessionType, state: ClinicState, first: date, last: date) -> list[FreeWindow]:
    """Runs of start times at which the site's rooms and staff can take the session, for any patient at any moment.

    free_windows narrows these to a moment and a patient; a cache may keep them, since neither
    the moment nor the patient enters them.
    """
    site = state.site
    if stype.is_esketamine and not site.esketamine_certified:
        return []
    if floor_breaches(stype):
        return []  # below the supervision floor: never bookable
    opening = site.calendar.open_intervals(first, last)
    if not opening:
        return []
    span = Interval(opening[0].start, opening[-1].end)
    rooms = room_cover(stype, state, opening)
    need_covers = [need_cover(need, stype, state, opening, span) for need in stype.needs]
    step = timedelta(minutes=site.slot_minutes)
    windows: list[FreeWindow] = []
    presence = presence_covers(stype, state, opening)
    for block, present in zip(opening, presence):
        start = block.start
        while start + stype.duration <= block.end:
            if (present is None or present.contains(stype.window(start))) \
                    and _fits(stype, state, start, rooms, need_covers):
                last_window = windows[-1] if windows else None
                if last_window and last_window.starts_until + step == start:
                    windows[-1] = FreeWindow(last_window.starts_from, start, stype.duration)
                else:
                    windows.append(FreeWindow(start, start, stype.duration))
            start += step
    return windows


def _fits(stype: SessionType, state: ClinicState, start: datetime, rooms: Cover | None,
          need_covers: list[Cover]) -> bool:
    window = stype.window(start)
    if rooms is not None and not rooms.contains(window):
        return False
    options = []
    for need, cover in zip(stype.needs, need_covers):
        owners = cover.owners_containing(stype.role_window(start, need))
        if not owners:
            return False
        options.append(owners)
    if len(options) < 2 or _distinct_choice(options, True) is not None:
        return True  # different people for every role always carry their loads
    if one_role_each(state.site, stype) and all(len(owners) < 2 for owners in options):
        return False  # each role has exactly one possible person, and it is the same one
    # Only two candidates per role are known here, or one person may take two roles
    # if they can carry both: search the roster properly.
    return fit_at(stype, state, start) is not None


def presence_covers(stype: SessionType, state: ClinicState, opening: list[Interval]) -> list[Cover | None]:
    """Per block of opening hours, the stretches with enough ACLS and BLS holders on site (None: not a dose)."""
    if not stype.is_dosing:
        return [None] * len(opening)
    return [Cover(subtract(acls, subtract([block], bls)))
            for block, (acls, bls) in zip(opening, enough_on_site_by_block(state.site, stype, state, opening))]


def room_cover(stype: SessionType, state: ClinicState, opening: list[Interval]) -> Cover | None:
    """Free stretches of every eligible room (None when the type needs no room)."""
    if stype.room_capability is None:
        return None
    busy: dict[int, list[Interval]] = {}
    for s in state.sessions:
        if s.room_id is not None:
            busy.setdefault(s.room_id, []).append(s.window)
    free: list[Interval] = []
    for room in eligible_rooms(stype, state):
        free += subtract(opening, busy.get(room.id, ()))
    return Cover(free)


def need_cover(need: RoleNeed, stype: SessionType, state: ClinicState, opening: list[Interval],
                span: Interval) -> Cover:
    """Stretches in which each eligible person could take one more patient in this role."""
    site = state.site
    pieces: list[Interval] = []
    owners: list[int] = []
    headroom = FULL_LOAD - site.ratios.share(need.role, stype.route)
    for member in state.roster.staff.values():
        if not member.active or not member.disciplines & need.disciplines:
            continue
        available = [part for part in member.shift_cover(site.id) if part.overlaps(span)]
        available = subtract(available, member.time_off)
        # Someone on shift at another site at the same time is not here (overlapping shifts are refused,
        # but a record written around the application must not make them count twice).
        available = subtract(available, merge(s.interval for s in member.shifts if s.site_id != site.id))
        available = subtract(available, _overloaded(state.roster.duties_of(member.id), headroom, site.ratios), True)
        available = _credentialed(available, member, need, site.calendar.zone)
        pieces += available
        owners += [member.id] * len(available)
    return Cover(pieces, owners)


def _overloaded(duties: list[Duty], headroom: int, ratios: Ratios) -> list[Interval]:
    """Stretches where existing duties (each by its own route's ratio) leave less than headroom free (sorted, disjoint)."""
    events = []
    for (start, end), role, _, route in duties:
        part = ratios.share(role, route)
        events.append((start, 1, part))
        events.append((end, 0, part))
    events.sort()  # ends (0) before starts (1) at the same instant: back-to-back is not overlap
    load = 0
    blocked: list[Interval] = []
    since = None
    for at, is_start, part in events:
        load = load + part if is_start else load - part
        if load > headroom and since is None:
            since = at
        elif load <= headroom and since is not None:
            if at > since:
                blocked.append(Interval.trusted(since, at))
            since = None
    return blocked


def _credentialed(available: list[Interval], member: StaffMember, need: RoleNeed, zone: str) -> list[Interval]:
    """Clip availability to the local days on which every needed credential is valid."""
    if not available:
        return available
    # A day either side of the UTC dates is slack for any time zone: a credential valid over all of
    # it needs no clipping, which spares the local-midnight arithmetic for nearly everyone.
    earliest, latest = (available[0].start - timedelta(days=1)).date(), (available[-1].end + timedelta(days=1)).date()
    for kind in need.credentials:
        if any(c.kind == kind and c.issued_on <= earliest and (c.expires_on is None or c.expires_on >= latest)
               for c in member.credentials):
            continue
        valid = merge(Interval(day_start(c.issued_on, zone),
                               day_start((c.expires_on or date(9998, 12, 30)) + timedelta(days=1), zone))
                      for c in member.credentials if c.kind == kind)
        if not available:
            break
        holes = subtract([Interval(available[0].start, available[-1].end)], valid)
        available = subtract(available, holes)
    return available
