"""A session's status lifecycle, after the FHIR Appointment statuses."""

from __future__ import annotations

from planner.domain.errors import InvalidTransition

PROPOSED = "proposed"
BOOKED = "booked"
ARRIVED = "arrived"
IN_PROGRESS = "in_progress"
FULFILLED = "fulfilled"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
HELD = "held"  # dose held for prescriber review at check-in (e.g. blood pressure)
STATUSES = (PROPOSED, BOOKED, ARRIVED, IN_PROGRESS, FULFILLED, CANCELLED, NO_SHOW, HELD)

# Statuses that no longer hold a room, staff or the patient's time.
RELEASED = frozenset({CANCELLED, NO_SHOW})
FINAL = frozenset({FULFILLED, CANCELLED, NO_SHOW})
MOVABLE = frozenset({PROPOSED, BOOKED})

_NEXT = {
    PROPOSED: {BOOKED, CANCELLED},
    BOOKED: {ARRIVED, CANCELLED, NO_SHOW},
    ARRIVED: {IN_PROGRESS, HELD, CANCELLED},
    IN_PROGRESS: {FULFILLED},
    HELD: {IN_PROGRESS, CANCELLED},
    FULFILLED: set(),
    CANCELLED: set(),
    NO_SHOW: set(),
}


def holds_place(status: str) -> bool:
    """True when a session in this status still takes its room, staff and patient time."""
    return status not in RELEASED


def can_become(current: str, wanted: str) -> bool:
    """True when the lifecycle allows moving from current to wanted."""
    return wanted in _NEXT.get(current, set())


def transition(current: str, wanted: str) -> str:
    """The new status, or InvalidTransition when the lifecycle forbids it."""
    if not can_become(current, wanted):
        raise InvalidTransition(current, wanted)
    return wanted


def ensure_movable(current: str) -> None:
    """Raise unless a session in this status may still be rescheduled."""
    if current not in MOVABLE:
        raise InvalidTransition(current, "rescheduled")
