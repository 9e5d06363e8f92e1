"""Who may fill which role in a session, and how much of a person a role takes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple
from bisect import bisect_left, bisect_right
from datetime import timedelta
from datetime import date

from planner.domain.intervals import Interval, longest, merge

DISCIPLINES = ("MD", "DO", "NP", "PA", "CRNA", "RN", "LPN", "therapist", "reception", "admin")
PRESCRIBERS = frozenset({"MD", "DO", "NP", "PA"})
CREDENTIAL_KINDS = ("licence", "acls", "bls", "rems_training")
CREDENTIAL_NAMES = {"licence": "licence", "acls": "ACLS", "bls": "BLS", "rems_training": "REMS training"}

SUPERVISING_PRESCRIBER = "supervising_prescriber"
MONITORING_CLINICIAN = "monitoring_clinician"
THERAPIST = "therapist"
ROLES = (SUPERVISING_PRESCRIBER, MONITORING_CLINICIAN, THERAPIST)
ROLE_NAMES = {
    SUPERVISING_PRESCRIBER: "supervising prescriber",
    MONITORING_CLINICIAN: "monitoring clinician",
    THERAPIST: "therapist",
}
# Concurrent patients one person may carry in a role. No published ratio exists
# (domain.md), so these are clinic policy defaults that each site may change.
DEFAULT_LIMITS = {SUPERVISING_PRESCRIBER: 4, MONITORING_CLINICIAN: 2, THERAPIST: 1}

KEPT_ANSWERS = 512  # missing_credentials answers kept per staff member
LONGEST_DUTY = timedelta(hours=24)  # no session (and so no duty) is longer
WHOLE = "whole"    # the whole session: dose and observation
ACTIVE = "active"  # the active (dosing or talking) part only


@dataclass(frozen=True)
class Credential:
    """A dated credential: licence, ACLS, BLS or REMS training."""

    kind: str
    issued_on: date
    expires_on: date | None = None

    def valid_on(self, day: date) -> bool:
        """True when the credential is in force on that day."""
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


def last_valid_day(expires_on: date | None, revoked_on: date | None) -> date | None:
    """The last day a credential is in force: its expiry, or the day before it was revoked if that is sooner."""
    if revoked_on is None:
        return expires_on
    ended = revoked_on - timedelta(days=1)
    return ended if expires_on is None or ended < expires_on else expires_on


@dataclass(frozen=True)
class RoleNeed:
    """A role a session type needs filled, by whom, for which part of its window."""

    role: str
    disciplines: frozenset[str]
    credentials: frozenset[str] = frozenset()
    part: str = WHOLE


@dataclass(frozen=True)
class Shift:
    """A stretch one staff member works at one site."""

    site_id: int
    interval: Interval


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as the rules see them."""

    id: int
    name: str
    disciplines: frozenset[str]
    credentials: tuple[Credential, ...] = ()
    shifts: tuple[Shift, ...] = ()
    time_off: tuple[Interval, ...] = ()
    active: bool = True

    def label(self) -> str:
        """Name with disciplines, as reception reads it."""
        return f"{self.name} ({', '.join(sorted(self.disciplines))})" if self.disciplines else self.name

    def missing_credentials(self, kinds: Iterable[str], day: date) -> list[str]:
        """Credential kinds that are not valid on day."""
        # Asked for each role at every start time a search checks: kept per kinds and day while the member lives.
        kinds = kinds if isinstance(kinds, (tuple, frozenset)) else tuple(kinds)  # a generator is read once
        key = (kinds, day)
        kept = self.__dict__.setdefault("_missing", {})  # frozen, but a cache is not part of its value
        found = kept.get(key)
        if found is None:
            if len(kept) >= KEPT_ANSWERS:
                kept.clear()  # a member may live as long as the clinic's set-up: keep its memory bounded
            found = kept[key] = tuple(k for k in sorted(kinds)
                                      if not any(c.kind == k and c.valid_on(day) for c in self.credentials))
        return list(found)

    def shift_cover(self, site_id: int) -> list[Interval]:
        """The staff member's working time at a site, adjoining shifts joined (worked out once per site)."""
        covers = self.__dict__.setdefault("_covers", {})  # frozen, but a cache is not part of its value
        if site_id not in covers:
            covers[site_id] = merge(s.interval for s in self.shifts if s.site_id == site_id)
        return covers[site_id]

    def on_shift(self, site_id: int, window: Interval) -> bool:
        """True when one stretch of shifts at the site covers the whole window."""
        start, end = window
        for begins, ends in self.shift_cover(site_id):  # in time order, apart from one another
            if begins > start:
                return False  # this stretch and every later one start after the window
            if end <= ends:
                return True
        return False

    def on_shift_elsewhere(self, site_id: int, window: Interval) -> bool:
        """True when a shift at another site overlaps the window."""
        elsewhere = self.__dict__.setdefault("_elsewhere", {})  # frozen, but a cache is not part of its value
        found = elsewhere.get(site_id)
        if found is None:
            # Most people work at one site: nothing to look through at every start time a search checks.
            found = elsewhere[site_id] = tuple(s.interval for s in self.shifts if s.site_id != site_id)
        start, end = window
        return any(begins < end and start < ends for begins, ends in found)

    def on_leave(self, window: Interval) -> bool:
        """True when any time off overlaps the window."""
        if not self.time_off:
            return False  # nearly everyone, at nearly every start time a search checks
        return any(off.overlaps(window) for off in self.time_off)


def overlapping(stretches: Iterable[Interval]) -> list[tuple[int, int]]:
    """Index pairs of one person's shifts that overlap, at one site or two (end meeting start is no overlap)."""
    ordered = sorted(enumerate(stretches), key=lambda pair: pair[1].start)
    found = []
    for k, (i, first) in enumerate(ordered):
        for j, second in ordered[k + 1:]:
            if second.start >= first.end:
                break
            found.append((min(i, j), max(i, j)))
    return sorted(found)


class Duty(NamedTuple):
    """A role someone already carries over an interval (a named tuple: snapshots hold thousands)."""

    interval: Interval
    role: str
    session_id: int | None = None
    # The drug route of its session: a route's policy may set its own ratio (IV 1 nurse : 2, intranasal 1 : 3).
    route: str | None = None


# A whole person, in units every allowed limit (1 to 20 patients) divides exactly, so loads
# add up in integers: one patient of a nurse allowed 2 is FULL_LOAD // 2 units.
FULL_LOAD = 232_792_560  # lcm(1..20)


class Ratios:
    """Concurrent patients one person may carry per role: a route's own ratio where its policy sets one, else the site's.

    No published ratio exists (domain.md): both are clinic policy. A duty weighs on its person by
    the ratio of ITS session's route, so a nurse with an IV patient (1 : 2) and an esketamine
    patient (1 : 3) carries a half and a third of herself.
    """

    def __init__(self, site: dict[str, int], routes: dict[str, dict[str, int]] | None = None):
        self.site = dict(site)
        self.routes = {route: dict(own) for route, own in (routes or {}).items() if own}
        self._shares: dict[tuple[str, str | None], int] = {}

    def limit(self, role: str, route: str | None = None) -> int:
        """Concurrent patients per person in a role for sessions of a route (1 to 20)."""
        own = self.routes.get(route) if route is not None else None
        if own and role in own:
            value = own[role]
        else:
            value = self.site.get(role, DEFAULT_LIMITS.get(role, 1))
        return max(1, min(20, value))

    def share(self, role: str, route: str | None = None) -> int:
        """The units of a person one patient of that route takes in a role (FULL_LOAD / limit)."""
        key = (role, route)
        found = self._shares.get(key)
        if found is None:
            found = self._shares[key] = FULL_LOAD // self.limit(role, route)
        return found


def peak_load(duties: Iterable[Duty], window: Interval, ratios: Ratios) -> int:
    """The highest combined load of duties (in units; FULL_LOAD is a whole person) at any instant in window."""
    events: list[tuple] = []
    start, end = window
    for duty in duties:
        begins, ends = duty.interval
        if begins < end and start < ends:  # overlaps the window
            part = ratios.share(duty.role, duty.route)
            events.append((begins if begins > start else start, 1, part))
            events.append((ends if ends < end else end, 0, part))
    # Ends sort before starts at the same instant: back-to-back duties do not overlap. (The part breaks
    # ties among starts, or among ends, at one instant: their order cannot change the peak.)
    events.sort()
    load = peak = 0
    for _, is_start, part in events:
        load = load + part if is_start else load - part
        peak = max(peak, load)
    return peak


@dataclass
class Roster:
    """Staff by id, plus the duties they already carry near a window."""

    staff: dict[int, StaffMember] = field(default_factory=dict)
    duties: dict[int, list[Duty]] = field(default_factory=dict)

    def duties_of(self, staff_id: int) -> list[Duty]:
        """Duties already held by a staff member."""
        return self.duties.get(staff_id, [])

    def duties_near(self, staff_id: int, window: Interval) -> list[Duty]:
        """A staff member's duties that overlap window, found by bisection (none starts earlier than their longest lasts)."""
        duties = self.duties.get(staff_id)
        if not duties:
            return []
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {}
        built = index.get(staff_id)
        if built is not None and built[0] is duties and built[1] < len(duties):
            # Duties added since the index was built (a plan taking shape) go in one by one.
            added = duties[built[1]:]
            for duty in added:
                position = bisect_right(built[2], duty.interval[0])
                built[2].insert(position, duty.interval[0])
                built[3].insert(position, duty)
            built = index[staff_id] = (duties, len(duties), built[2], built[3],
                                       max(built[4], longest(d.interval for d in added)))
        if built is None or built[0] is not duties or built[1] != len(duties):
            ordered = sorted(duties, key=lambda d: d.interval[0])
            built = index[staff_id] = (duties, len(duties), [d.interval[0] for d in ordered], ordered,
                                       longest(d.interval for d in ordered))
        starts, ordered = built[2], built[3]
        first, after = bisect_left(starts, window[0] - built[4]), bisect_left(starts, window[1])
        return [duty for duty in ordered[first:after] if duty.interval[1] > window[0]]


# Warn this many days before a credential a staffing rule relies on expires (domain.md).
EXPIRY_WARNINGS = (60, 30)


def expiry_warning(credential: Credential, today: date) -> int | None:
    """The tightest warning threshold (60 or 30 days) a credential has reached, or None."""
    if credential.expires_on is None or credential.expires_on < today:
        return None
    left = (credential.expires_on - today).days
    reached = [days for days in EXPIRY_WARNINGS if left <= days]
    return min(reached) if reached else None
