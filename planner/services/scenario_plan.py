"""Checking a parsed scenario's references and turning its wall times into instants, before any write.

Everything here is pure: the whole file is judged (unknown names, duplicates, times that a
daylight-saving jump skips) and every problem is reported with its JSON path at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from planner.domain.calendar import NonexistentLocalTime, to_utc
from planner.domain.intervals import Interval
from planner.domain.staffing import overlapping
from planner.domain.errors import InvalidData, Reason
from planner.services.inputs import SessionTypeIn, ShiftIn, SiteIn, StaffIn, TimeOffIn
from planner.services.scenario_schema import (
    PatientEntry, RoomEntry, Scenario, SessionEntry, StaffEntry, TimeOffEntry, UserEntry,
)
from planner.services.validation import parse


@dataclass
class StaffPlan:
    data: StaffIn
    shifts: list[tuple[str, datetime, datetime]]  # (site name, starts_at, ends_at)
    time_off: list[TimeOffIn]


@dataclass
class SessionPlan:
    index: int
    entry: SessionEntry
    start: datetime  # UTC


@dataclass
class Plan:
    """A scenario judged sound, in instants, rebased, ready to insert."""

    weeks: int
    sites: list[SiteIn]
    rooms: list[RoomEntry]
    staff: list[StaffPlan]
    patients: list[PatientEntry]
    session_types: list[SessionTypeIn]
    sessions: list[SessionPlan]
    users: list[UserEntry]
    problems: list[Reason] = field(default_factory=list)


def rebase_weeks(anchor: date | None, rebase_to: date | None) -> int:
    """Whole weeks that move the anchor's week onto the week containing rebase_to (0 without rebase_to)."""
    if rebase_to is None:
        return 0
    if anchor is None:
        raise InvalidData([Reason("missing", "Moving a scenario to another week needs its anchor: the Monday "
                                             "its dates are planned around.", "anchor")])
    monday = rebase_to - timedelta(days=rebase_to.weekday())
    return (monday - anchor).days // 7


def home_zone(entry: StaffEntry, zones: dict[str, str], default: str) -> str:
    """The zone a staff member's time off is read in: their first listed shift's site, else the first site."""
    for shift in entry.shifts:
        if shift.site in zones:
            return zones[shift.site]
    return default


def wall_to_utc(day: date, at: time, zone: str) -> datetime:
    """Like to_utc, but a time inside a daylight-saving gap moves on to the next real instant.

    Only for the edges of time off (midnight is skipped in a few zones); sessions and shifts
    refuse such times instead.
    """
    try:
        return to_utc(day, at, zone)
    except NonexistentLocalTime:
        return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def plan_scenario(scenario: Scenario, weeks: int = 0) -> Plan:
    """Judge the scenario and move it by whole weeks; raises InvalidData naming every problem."""
    delta = timedelta(weeks=weeks)
    plan = Plan(weeks, [], [], [], [], [], [], list(scenario.users))
    problems = plan.problems
    zones = _sites(scenario, delta, plan)
    _rooms(scenario, zones, plan)
    _staff(scenario, zones, delta, plan)
    mrns = _unique([p.mrn for p in scenario.patients], "patients", "mrn", "patient with the MRN", problems)
    plan.patients = [p.model_copy(update={"rems_enrolled_on": _moved(p.rems_enrolled_on, delta)})
                     for p in scenario.patients]
    for i, patient in enumerate(scenario.patients):
        if patient.home_site is not None and patient.home_site not in zones:
            problems.append(Reason("unknown", f"No site named {patient.home_site!r} in this file.",
                                   f"patients[{i}].home_site"))
    keys = _unique([t.key for t in scenario.session_types], "session_types", "key", "session type with the key",
                   problems)
    plan.session_types = list(scenario.session_types)
    rooms = {(r.site, r.name) for r in scenario.rooms}
    emails = {s.email for s in scenario.staff}
    for i, entry in enumerate(scenario.sessions):
        start = _session_start(i, entry, zones, rooms, emails, mrns, keys, delta, problems)
        if start is not None:
            plan.sessions.append(SessionPlan(i, entry, start))
    _unique([u.email for u in scenario.users], "users", "email", "user with the email", problems)
    logins: dict[str, str] = {}  # one person, one login: a staff record's active account (account_links)
    for i, user in enumerate(scenario.users):
        if user.staff is not None and user.staff not in emails:
            problems.append(Reason("unknown", f"No staff member with the email {user.staff} in this file.",
                                   f"users[{i}].staff"))
        elif user.staff is not None and user.active and user.staff in logins:
            problems.append(Reason("taken", f"The staff member {user.staff} already has the active account "
                                   f"{logins[user.staff]}: one person, one login.", f"users[{i}].staff"))
        elif user.staff is not None and user.active:
            logins[user.staff] = user.email
    if problems:
        raise InvalidData(problems)
    return plan


def _moved(day: date | None, delta: timedelta) -> date | None:
    return None if day is None else day + delta


def _unique(keys: list[str], section: str, attribute: str, what: str, problems: list[Reason]) -> set[str]:
    counts = Counter(keys)
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if counts[key] > 1 and key in first:
            problems.append(Reason("duplicate", f"Another {what} {key!r} comes earlier ({section}[{first[key]}]).",
                                   f"{section}[{i}].{attribute}"))
        first.setdefault(key, i)
    return set(keys)


def _sites(scenario: Scenario, delta: timedelta, plan: Plan) -> dict[str, str]:
    _unique([s.name for s in scenario.sites], "sites", "name", "site named", plan.problems)
    for i, site in enumerate(scenario.sites):
        seen: set[date] = set()
        for j, closure in enumerate(site.closures):
            if closure.day in seen:
                plan.problems.append(Reason("duplicate", f"{closure.day} is listed as a closure twice.",
                                            f"sites[{i}].closures[{j}].day"))
            seen.add(closure.day)
        closures = [c.model_copy(update={"day": c.day + delta}) for c in site.closures]
        plan.sites.append(site.model_copy(update={"closures": closures}))
    return {site.name: site.timezone for site in reversed(scenario.sites)}


def _rooms(scenario: Scenario, zones: dict[str, str], plan: Plan) -> None:
    keys = [f"{r.site}\x00{r.name}" for r in scenario.rooms]
    counts = Counter(keys)
    seen: set[str] = set()
    for i, room in enumerate(scenario.rooms):
        if room.site not in zones:
            plan.problems.append(Reason("unknown", f"No site named {room.site!r} in this file.", f"rooms[{i}].site"))
        elif counts[keys[i]] > 1 and keys[i] in seen:
            plan.problems.append(Reason("duplicate", f"{room.site} already has a room named {room.name!r}.",
                                        f"rooms[{i}].name"))
        seen.add(keys[i])
    plan.rooms = list(scenario.rooms)


def _staff(scenario: Scenario, zones: dict[str, str], delta: timedelta, plan: Plan) -> None:
    _unique([s.email for s in scenario.staff], "staff", "email", "staff member with the email", plan.problems)
    default = scenario.sites[0].timezone if scenario.sites else "UTC"
    for i, entry in enumerate(scenario.staff):
        credentials = [c.model_copy(update={"issued_on": c.issued_on + delta,
                                            "expires_on": _moved(c.expires_on, delta)}) for c in entry.credentials]
        data = entry.model_copy(update={"credentials": credentials})  # a StaffEntry is a StaffIn
        shifts = []
        for j, shift in enumerate(entry.shifts):
            path = f"staff[{i}].shifts[{j}]"
            if shift.site not in zones:
                plan.problems.append(Reason("unknown", f"No site named {shift.site!r} in this file.", f"{path}.site"))
                continue
            zone = zones[shift.site]
            starts = _instant(shift.day + delta, shift.start, zone, f"{path}.start", plan.problems)
            ends = _instant((shift.end_day or shift.day) + delta, shift.end, zone, f"{path}.end", plan.problems)
            if starts and ends:
                _reuse(ShiftIn, {"site_id": 1, "starts_at": starts, "ends_at": ends}, path, plan.problems)
                shifts.append((shift.site, starts, ends))
        # One person works one shift at a time, at one site or two (docs/domain.md).
        for _, j in overlapping([Interval(starts, ends) for _, starts, ends in shifts]):
            plan.problems.append(Reason("shift_overlap", "This shift overlaps another shift of the same person.",
                                        f"staff[{i}].shifts[{j}]"))
        zone = home_zone(entry, zones, default)
        time_off = []
        for j, leave in enumerate(entry.time_off):
            starts, ends = _leave_span(leave, zone, delta)
            item = _reuse(TimeOffIn, {"starts_at": starts, "ends_at": ends, "reason": leave.reason},
                          f"staff[{i}].time_off[{j}]", plan.problems)
            if item is not None:
                time_off.append(item)
        plan.staff.append(StaffPlan(data, shifts, time_off))


def _leave_span(leave: TimeOffEntry, zone: str, delta: timedelta) -> tuple[datetime, datetime]:
    if leave.first_day is not None and leave.last_day is not None:
        # Whole local days: from the first day's midnight to the midnight after the last day.
        return (wall_to_utc(leave.first_day + delta, time(0), zone),
                wall_to_utc(leave.last_day + delta + timedelta(days=1), time(0), zone))
    assert leave.from_ is not None and leave.to is not None
    return _moved_instant(leave.from_, zone, delta), _moved_instant(leave.to, zone, delta)


def _moved_instant(instant: datetime, zone: str, delta: timedelta) -> datetime:
    """An instant moved by whole weeks keeping its wall time in zone (so DST does not shift it an hour)."""
    if not delta:
        return instant.astimezone(timezone.utc)
    wall = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) + delta
    return wall_to_utc(wall.date(), wall.time(), zone)


def _reuse(model, data: dict, path: str, problems: list[Reason]):
    """Validate with the app's own input model, reporting its problems under path."""
    try:
        return parse(model, data, path)
    except InvalidData as invalid:
        problems.extend(invalid.problems)
        return None


def _instant(day: date, at: time, zone: str, path: str, problems: list[Reason]) -> datetime | None:
    try:
        return to_utc(day, at, zone)
    except NonexistentLocalTime:
        problems.append(Reason("nonexistent_local_time", f"{day} {at:%H:%M} does not exist in {zone}: the clocks "
                                                         "jump forward over it.", path))
        return None


def _session_start(i: int, entry: SessionEntry, zones: dict[str, str], rooms: set[tuple[str, str]],
                   emails: set[str], mrns: set[str], keys: set[str], delta: timedelta,
                   problems: list[Reason]) -> datetime | None:
    path = f"sessions[{i}]"
    before = len(problems)
    if entry.patient not in mrns:
        problems.append(Reason("unknown", f"No patient with the MRN {entry.patient!r} in this file.",
                               f"{path}.patient"))
    if entry.type not in keys:
        problems.append(Reason("unknown", f"No session type with the key {entry.type!r} in this file.",
                               f"{path}.type"))
    for k, placement in enumerate(entry.staff):
        if placement.staff not in emails:
            problems.append(Reason("unknown", f"No staff member with the email {placement.staff} in this file.",
                                   f"{path}.staff[{k}].staff"))
    if entry.site not in zones:
        problems.append(Reason("unknown", f"No site named {entry.site!r} in this file.", f"{path}.site"))
        return None
    if entry.room is not None and (entry.site, entry.room) not in rooms:
        problems.append(Reason("unknown", f"{entry.site} has no room named {entry.room!r} in this file.",
                               f"{path}.room"))
    wall = entry.start + delta
    start = _instant(wall.date(), wall.time(), zones[entry.site], f"{path}.start", problems)
    return start if len(problems) == before else None
