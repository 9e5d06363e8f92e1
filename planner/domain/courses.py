"""A booked course as the rules see it: its protocol version and the sessions it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from planner.domain.clinic import Placement
from planner.domain.lifecycle import ARRIVED, FULFILLED, HELD, IN_PROGRESS
from planner.domain.protocols import Protocol

DOSE = "dose"


@dataclass(frozen=True)
class CourseSession:
    """One session of a booked course."""

    id: int
    type_key: str
    purpose: str               # dose, or the psychotherapy's purpose (preparation, integration, ...)
    dose_number: int | None    # the dose it is, or the dose it is tied to
    status: str
    start: datetime
    end: datetime
    room_id: int | None
    placements: tuple[Placement, ...] = ()


@dataclass(frozen=True)
class BookedCourse:
    """A patient's course under one protocol version, with its sessions in time order."""

    id: int
    patient_id: int
    site_id: int
    protocol: Protocol
    first_day: date
    status: str
    preferences: dict          # as stored; the service turns it into planning Preferences
    sessions: tuple[CourseSession, ...]

    def session(self, session_id: int) -> CourseSession | None:
        """One of the course's sessions by id."""
        return next((s for s in self.sessions if s.id == session_id), None)


_STARTED = frozenset({ARRIVED, IN_PROGRESS, FULFILLED, HELD})


def course_status(current: str, dose_statuses: list[str], total_doses: int) -> str:
    """A course's status as its doses say: active once one has begun, completed when all are fulfilled.

    A stopped course stays stopped; the others never go back (a course once active stays so).
    """
    if current == "stopped":
        return current
    if sum(1 for status in dose_statuses if status == FULFILLED) >= total_doses:
        return "completed"
    if any(status in _STARTED for status in dose_statuses):
        return "active"
    return current
