"""What the course planner takes and gives: preferences, planned sessions, plans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from planner.domain.availability import FreeWindow
from planner.domain.clinic import ClinicState, Patient, Placement, SessionType
from planner.domain.protocols import Protocol

MORNING, AFTERNOON, ANY_TIME = "morning", "afternoon", "any"
NOON = time(12, 0)


@dataclass(frozen=True)
class Preferences:
    """What the patient asked for; all of it is honoured as a hard filter."""

    weekdays: frozenset[int] | None = None  # 0 = Monday; None = any day the site is open
    time_of_day: str = ANY_TIME              # morning: starts before 12:00; afternoon: from 12:00
    site_id: int | None = None
    therapist_id: int | None = None
    blocked_days: frozenset[date] = frozenset()
    earliest: date | None = None

    def allows_day(self, day: date) -> bool:
        """True when the patient can come on that day."""
        return (day not in self.blocked_days and (self.earliest is None or day >= self.earliest)
                and (self.weekdays is None or day.weekday() in self.weekdays))

    def allows_time(self, at: time) -> bool:
        """True when a local start time is in the patient's part of the day."""
        if self.time_of_day == MORNING:
            return at < NOON
        if self.time_of_day == AFTERNOON:
            return at >= NOON
        return True


@dataclass(frozen=True)
class FixedDose:
    """A dose already given or kept in place when re-planning."""

    number: int
    day: date
    start: datetime
    end: datetime


@dataclass
class PlanningProblem:
    """Everything the planner reads: protocol, types, the clinic near the horizon, the patient."""

    protocol: Protocol
    types: dict[str, SessionType]
    state: ClinicState
    patient: Patient
    preferences: Preferences
    first_day: date
    horizon_days: int
    now: datetime
    fixed_doses: tuple[FixedDose, ...] = ()
    fixed_therapy: dict[tuple[str, int, int], datetime] = field(default_factory=dict)  # (type, anchor, k) -> start
    node_budget: int = 20000
    explain: bool = True  # work out why when there is no plan (skipped on a quick first try)
    # Starts per session type worked out for this clinic snapshot, whatever the preferences:
    # problems that differ only in preferences (the alternatives) share it.
    starts_cache: dict = field(default_factory=dict, compare=False, repr=False)
    # Free windows of a session type for the patient, (type, first, last, patient id) -> windows, when
    # the caller keeps them cached; they must be what free_windows gives over `state` at `now`.
    windows: Callable[[SessionType, date, date, int], list[FreeWindow]] | None = field(
        default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PlannedSession:
    """One session of a proposed course."""

    type_key: str
    purpose: str               # dose, preparation, integration, ...
    dose_number: int | None    # the dose it is, or the dose it is tied to
    start: datetime
    end: datetime
    site_id: int
    room_id: int | None
    placements: tuple[Placement, ...]


@dataclass(frozen=True)
class Plan:
    """A complete, bookable course, with its score (lower is better, compared in order)."""

    sessions: tuple[PlannedSession, ...]
    score: tuple[int, ...]
    label: str
    proven_optimal: bool = True

    @property
    def last_day(self) -> date:
        """The day of the last session (in UTC date terms; for display use the site zone)."""
        return max(s.start for s in self.sessions).date()


@dataclass(frozen=True)
class NoPlan:
    """No safe plan exists within the horizon; the binding constraints in the clinic's words."""

    reasons: tuple[str, ...]
