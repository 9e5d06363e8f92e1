"""The clinic as the booking rules see it: sites, rooms, session types, sessions."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta

from planner.domain.calendar import SiteCalendar
from planner.domain.intervals import Interval, longest
from planner.domain.policy import RoutePolicy
from planner.domain.staffing import (
    ACTIVE, DEFAULT_LIMITS, Duty, Ratios, RoleNeed, Roster, StaffMember,
)

CAPABILITIES = ("infusion_pump_monitor", "pulse_oximeter", "therapy", "telehealth")
CAPABILITY_NAMES = {
    "infusion_pump_monitor": "an infusion pump and monitor",
    "pulse_oximeter": "a pulse oximeter",
    "therapy": "a therapy setting",
    "telehealth": "telehealth equipment",
}
ROOM_KINDS = ("infusion_chair", "treatment_room", "therapy_office", "telehealth")
SESSION_KINDS = ("intake", "preparation", "dosing", "integration", "booster")
DOSING_KINDS = frozenset({"dosing", "booster"})  # the kinds in which a drug is given
ROUTES = ("IV", "IM", "intranasal", "sublingual", "none")


@dataclass(frozen=True)
class Site:
    """A clinic site with its calendar and staffing policy."""

    id: int
    name: str
    calendar: SiteCalendar
    esketamine_certified: bool = False
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    distinct_roles: bool = True  # one person, one role per session (monitor is not the prescriber)
    slot_minutes: int = 15
    active: bool = True  # a deactivated site books nothing
    policies: dict[str, RoutePolicy] = field(default_factory=dict)  # per drug route; defaults when absent

    @cached_property
    def ratios(self) -> Ratios:
        """Concurrent patients per person: each route's own ratios where its policy sets them, else the site's."""
        return Ratios(self.limits, {route: policy.limits for route, policy in self.policies.items()})


@dataclass(frozen=True)
class Room:
    """A room or chair and what it is equipped for."""

    id: int
    site_id: int
    name: str
    kind: str
    capabilities: frozenset[str]
    active: bool = True


@dataclass(frozen=True)
class SessionType:
    """What a kind of session takes: time, equipment and staff roles."""

    id: int
    key: str
    name: str
    kind: str
    route: str
    active_minutes: int
    observation_minutes: int = 0
    room_capability: str | None = None
    needs: tuple[RoleNeed, ...] = ()

    @cached_property
    def duration(self) -> timedelta:
        """Active plus observation time: the whole booked window."""
        return timedelta(minutes=self.active_minutes + self.observation_minutes)

    @cached_property
    def active(self) -> timedelta:
        """The active (dosing or talking) part of the window."""
        return timedelta(minutes=self.active_minutes)

    @property
    def is_dosing(self) -> bool:
        """A session in which a drug is given (a dose or a booster)."""
        return self.kind in DOSING_KINDS

    @property
    def is_esketamine(self) -> bool:
        """Esketamine dosing, which the REMS rules govern."""
        return self.route == "intranasal" and self.is_dosing

    def window(self, start: datetime) -> Interval:
        """The session's whole window from a start instant."""
        return Interval.trusted(start, start + self.duration)

    def role_window(self, start: datetime, need: RoleNeed) -> Interval:
        """The part of the window a role must be covered for."""
        if need.part == ACTIVE:
            return Interval.trusted(start, start + self.active)
        return self.window(start)


SCREENING_CLEARED = "cleared"
CONSENT_SIGNED = "signed"


@dataclass(frozen=True)
class Patient:
    """A patient as the booking rules see them."""

    id: int
    mrn: str
    name: str = ""
    rems_enrolled_on: date | None = None
    screening: str = "pending"  # pending, cleared, excluded
    consent: str = "pending"    # pending, signed, withdrawn
    home_site_id: int | None = None
    consent_expires_on: date | None = None  # the signed consent holds up to and including this day


@dataclass(frozen=True)
class Placement:
    """Someone filling a role in a session."""

    staff_id: int
    role: str


@dataclass(frozen=True)
class BookedSession:
    """An existing session that still holds its time, room and staff."""

    id: int
    patient_id: int
    site_id: int
    room_id: int | None
    window: Interval
    duties: tuple[tuple[int, Duty], ...] = ()  # (staff_id, duty)
    dosing: bool = False  # a drug is given in it (one dosing session a day per patient)


@dataclass(frozen=True)
class SessionRequest:
    """A session someone wants to book or move to."""

    patient: Patient
    site: Site
    session_type: SessionType
    start: datetime
    room_id: int | None
    placements: tuple[Placement, ...] = ()

    @property
    def window(self) -> Interval:
        """The whole window this request would hold."""
        return self.session_type.window(self.start)


@dataclass
class ClinicState:
    """A snapshot of everything near a window that a booking decision reads."""

    site: Site
    rooms: dict[int, Room]
    roster: Roster
    sessions: list[BookedSession] = field(default_factory=list)
    # Everyone else on shift at the site near the window (who counts for the ACLS/BLS presence rule).
    present: dict[int, StaffMember] = field(default_factory=dict)

    def copy(self) -> ClinicState:
        """A copy that can take more sessions without changing this one."""
        roster = Roster(self.roster.staff, {k: list(v) for k, v in self.roster.duties.items()})
        return ClinicState(self.site, self.rooms, roster, list(self.sessions), self.present)

    def without(self, session_ids: set[int]) -> ClinicState:
        """A copy as if these sessions (being re-planned) were not there."""
        copy = self.copy()
        if session_ids:
            copy.sessions = [s for s in copy.sessions if s.id not in session_ids]
            copy.roster.duties = {k: [d for d in v if d.session_id not in session_ids]
                                  for k, v in copy.roster.duties.items()}
        return copy

    def sessions_near(self, window: Interval) -> list[BookedSession]:
        """Sessions overlapping window, found by bisection (none starts earlier than the longest one lasts)."""
        built = self.__dict__.get("_index")
        if built is not None and built[0] is self.sessions and built[1] < len(self.sessions):
            # Sessions added since the index was built (a plan taking shape) go in one by one.
            added = self.sessions[built[1]:]
            for session in added:
                position = bisect_right(built[2], session.window[0])
                built[2].insert(position, session.window[0])
                built[3].insert(position, session)
            built = self.__dict__["_index"] = (self.sessions, len(self.sessions), built[2], built[3],
                                               max(built[4], longest(s.window for s in added)))
        if built is None or built[0] is not self.sessions or built[1] != len(self.sessions):
            ordered = sorted(self.sessions, key=lambda s: s.window[0])
            built = self.__dict__["_index"] = (self.sessions, len(self.sessions), [s.window[0] for s in ordered],
                                               ordered, longest(s.window for s in ordered))
        starts, ordered = built[2], built[3]
        # Looking back the longest session's length, not a whole day: a busy site's day is hundreds of sessions.
        first, after = bisect_left(starts, window[0] - built[4]), bisect_left(starts, window[1])
        return [session for session in ordered[first:after] if session.window[1] > window[0]]

    def doses_on(self, patient_id: int, day: date) -> list[BookedSession]:
        """The patient's dosing sessions that start on this local day of the site."""
        calendar = self.site.calendar
        return [s for s in self.sessions
                if s.patient_id == patient_id and s.dosing and calendar.local_day(s.window.start) == day]

    def add(self, session: BookedSession) -> None:
        """Count a newly accepted session in this snapshot (for batches)."""
        self.sessions.append(session)
        for staff_id, duty in session.duties:
            self.roster.duties.setdefault(staff_id, []).append(duty)
