"""A session's status lifecycle, after the FHIR Appointment statuses."""

from __future__ import annotations

from datetime import datetime

from planner.domain.calendar import local
from planner.domain.errors import InvalidTransition, Reason

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


ON_THE_DAY = frozenset({ARRIVED, IN_PROGRESS, HELD})  # things that happen at the clinic, on the session's day
_WORDS = {ARRIVED: "arrived", IN_PROGRESS: "in progress", HELD: "held", NO_SHOW: "a no-show", FULFILLED: "fulfilled"}


def timing_reasons(wanted: str, start: datetime, now: datetime, zone: str) -> list[Reason]:
    """Why a session cannot take this status at this moment: status follows time (empty when it can).

    Arrived, in progress and held only on the session's local day; a no-show only after its
    start; fulfilled only once it has begun.
    """
    words = _WORDS.get(wanted, wanted)
    # The words are built only for a refusal: the today board asks this for every visit it shows.
    if wanted in ON_THE_DAY:
        day = local(start, zone).date()
        if day != local(now, zone).date():
            return [Reason("not_the_day", f"The session is on {day:%a %d %b}: it can be marked {words} only on that "
                                          "day.", "status")]
    if wanted in (NO_SHOW, FULFILLED) and now < start:
        due = f"{local(start, zone):%a %d %b %H:%M}"
        return [Reason("not_yet", f"The session starts {due}: it can be marked {words} only after it has started.",
                       "status")]
    return []
