"""The clinic as the booking rules see it: sites, rooms, session types, sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta

from planner.domain.calendar import SiteCalendar
from planner.domain.intervals import Interval
from planner.domain.staffing import ACTIVE, DEFAULT_LIMITS, Duty, RoleNeed, Roster

CAPABILITIES = ("infusion_pump_monitor", "pulse_oximeter", "therapy", "telehealth")
CAPABILITY_NAMES = {
    "infusion_pump_monitor": "an infusion pump and monitor",
    "pulse_oximeter": "a pulse oximeter",
    "therapy": "a therapy setting",
    "telehealth": "telehealth equipment",
}
ROOM_KINDS = ("infusion_chair", "treatment_room", "therapy_office", "telehealth")
SESSION_KINDS = ("intake", "preparation", "dosing", "integration", "booster")
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
    def is_esketamine(self) -> bool:
        """Esketamine dosing, which the REMS rules govern."""
        return self.route == "intranasal" and self.kind in ("dosing", "booster")

    def window(self, start: datetime) -> Interval:
        """The session's whole window from a start instant."""
        return Interval.trusted(start, start + self.duration)

    def role_window(self, start: datetime, need: RoleNeed) -> Interval:
        """The part of the window a role must be covered for."""
        if need.part == ACTIVE:
            return Interval.trusted(start, start + self.active)
        return self.window(start)


@dataclass(frozen=True)
class Patient:
    """A patient as the booking rules see them."""

    id: int
    mrn: str
    name: str = ""
    rems_enrolled_on: date | None = None


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

    def copy(self) -> ClinicState:
        """A copy that can take more sessions without changing this one."""
        roster = Roster(self.roster.staff, {k: list(v) for k, v in self.roster.duties.items()})
        return ClinicState(self.site, self.rooms, roster, list(self.sessions))

    def add(self, session: BookedSession) -> None:
        """Count a newly accepted session in this snapshot (for batches)."""
        self.sessions.append(session)
        for staff_id, duty in session.duties:
            self.roster.duties.setdefault(staff_id, []).append(duty)
