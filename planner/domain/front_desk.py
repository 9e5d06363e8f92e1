"""The front desk's day at one site: what staff may do to a session from the board, who is in which chair, why a
day is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from collections.abc import Sequence
from typing import Protocol

from planner.domain import lifecycle
from planner.domain.calendar import WEEKDAYS
from planner.domain.clinic import DOSING_KINDS
from planner.domain.errors import InvalidData, Reason


@dataclass(frozen=True)
class Action:
    """One button on the board: the status it asks for and its words."""

    key: str
    status: str
    label: str


# In the order a visit goes through them; the keys are what the board's forms post.
ACTIONS = (
    Action("check_in", lifecycle.ARRIVED, "Check in"),
    Action("start", lifecycle.IN_PROGRESS, "Start"),
    Action("held", lifecycle.HELD, "Hold dose"),
    Action("fulfilled", lifecycle.FULFILLED, "Fulfilled"),
    Action("no_show", lifecycle.NO_SHOW, "No-show"),
)
BY_KEY = {action.key: action for action in ACTIONS}
# In a chair: checked in and seated, dosing, or waiting there for the prescriber's review of a held dose.
IN_CHAIR = frozenset({lifecycle.IN_PROGRESS, lifecycle.HELD, lifecycle.ARRIVED})


class Visit(Protocol):
    status: str
    starts_at: datetime
    ends_at: datetime


def actions_for(status: str, starts_at: datetime, now: datetime, zone: str, kind: str = "dosing") -> list[Action]:
    """The actions that make sense for a session now: its lifecycle allows them and their moment has come.

    A held dose gets none: it goes on or is held off by the prescriber's review (review_reasons).
    """
    return [a for a in ACTIONS if lifecycle.can_become(status, a.status) and not review_reasons(kind, status, a.status)
            and not lifecycle.timing_reasons(a.status, starts_at, now, zone)]


def review_reasons(kind: str, current: str, wanted: str, reviewed: bool = False) -> list[Reason]:
    """Why a held dose cannot go on this way: domain.md, a held dose waits for prescriber review.

    Only the review (which checks that a prescriber makes it) moves a held dose on; a start from
    the board or the status API would clear the hold without one. A session that gives no drug
    has no dose to review.
    """
    if needs_escort(kind) and current == lifecycle.HELD and wanted == lifecycle.IN_PROGRESS and not reviewed:
        return [Reason("needs_prescriber_review", "A held dose goes on only when a prescriber clears it (Prescriber "
                                                  "review, on the session's page).", "status")]
    return []


def needs_escort(kind: str) -> bool:
    """True for a dosing session: domain.md, every dose: a responsible adult takes the patient home."""
    return kind in DOSING_KINDS


def escort_reasons(kind: str, status: str, escort_confirmed: bool) -> list[Reason]:
    """Why a dosing session cannot be checked in yet: nobody has confirmed who takes the patient home."""
    if status == lifecycle.ARRIVED and needs_escort(kind) and not escort_confirmed:
        return [Reason("escort_not_confirmed", "A dose needs a responsible adult to take the patient home: "
                                               "confirm the escort before checking the patient in.", "escort_confirmed")]
    return []


HOLD_REASON_LIMIT = 500


def hold_reason(status: str, text: str | None) -> str:
    """The reason a dose is held, as the history keeps it (spaces tidied); InvalidData naming "reason" if unfit.

    A held dose waits in the chair for the prescriber's review: whoever reviews it needs to know why
    (a blood pressure, a symptom, a missed escort), so holding asks for a short reason. Other
    actions take none: their text is dropped.
    """
    if status != lifecycle.HELD:
        return ""
    reason = " ".join((text or "").split())
    if not reason:
        raise InvalidData([Reason("required", "Say why the dose is held.", "reason")])
    if len(reason) > HOLD_REASON_LIMIT:
        raise InvalidData([Reason("too_long", f"Keep the reason to {HOLD_REASON_LIMIT} characters "
                                              f"(this one has {len(reason)}).", "reason")])
    return reason


def in_chair_now(visits: Sequence[Visit], now: datetime) -> tuple[Visit | None, Visit | None]:
    """For one chair's visits of the day, in time order: the one in it now (if any) and the next one due.

    Seated means checked in and not yet done (arrived, in progress, held); when nobody is seated, a
    booked visit whose window holds now is shown as due in the chair.
    """
    seated = [v for v in visits if v.status in IN_CHAIR]
    due = [v for v in visits if v.status == lifecycle.BOOKED and v.starts_at <= now < v.ends_at]
    current = (seated or due or [None])[0]
    upcoming = [v for v in visits if v is not current and v.status == lifecycle.BOOKED and v.starts_at > now]
    return current, (upcoming[0] if upcoming else None)


@dataclass(frozen=True)
class DayNotice:
    """Why the site takes no sessions on a day: 'closure', 'no_hours' or 'no_shift', and the words."""

    kind: str
    message: str

    @property
    def closed(self) -> bool:
        return self.kind != "no_shift"


def why_closed(day: date, closure: str | None, hours: Sequence[tuple[int, time, time]],
               anyone_on_shift: bool) -> DayNotice | None:
    """Why the site cannot see patients on its local day (closure first, then hours, then shifts), or None.

    A closure (a holiday) closes the whole day whatever its hours and shifts say (domain.md), so it is
    named as a closure, not as an empty rota.
    """
    name = f"{WEEKDAYS[day.weekday()]} {day:%d %B %Y}"
    if closure is not None:
        because = f": {closure}" if closure.strip() else ""
        return DayNotice("closure", f"The site is closed on {name}{because}.")
    if not any(weekday == day.weekday() for weekday, _opens, _closes in hours):
        return DayNotice("no_hours", f"The site is closed on {WEEKDAYS[day.weekday()]}s (no opening hours).")
    if not anyone_on_shift:
        return DayNotice("no_shift", f"The site is open on {name}, but nobody is on shift.")
    return None
