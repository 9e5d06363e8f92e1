"""The reminder policy per session type as the admin types it: hours before the session, or the clinic default.

The change itself is update_session_type's (the floor, the sessions booked ahead, the audit), which
also re-queues the reminders of every session of that type booked ahead under the new policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from planner.db.models import SessionType
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, Reason
from planner.domain.reminders import DEFAULT_HOURS
from planner.services import Actor
from planner.services.inputs import SessionTypeChange
from planner.services.session_types import update_session_type
from planner.services.validation import parse

NONE_WORDS = ("none", "no", "0")
_NUMBERS = re.compile(r"^\s*\d{1,4}\s*(,\s*\d{1,4}\s*)*$")


@dataclass(frozen=True)
class TypePolicy:
    """A session type and the hours before a session its patients are reminded (None: the clinic default)."""

    id: int
    name: str
    active: bool
    hours: tuple[int, ...] | None


def reminder_policies() -> list[TypePolicy]:
    """Every session type with its reminder hours, in service first, by name."""
    with unit_of_work(write=False) as session:
        rows = session.execute(select(SessionType.id, SessionType.name, SessionType.active, SessionType.reminder_hours)
                               .order_by(SessionType.active.desc(), SessionType.name)).all()
    return [TypePolicy(r.id, r.name, r.active, None if r.reminder_hours is None else tuple(r.reminder_hours))
            for r in rows]


def as_typed(hours: tuple[int, ...] | None) -> str:
    """A policy as the form shows it: "72, 24, 2", "none", or blank for the clinic default."""
    if hours is None:
        return ""
    return ", ".join(map(str, hours)) if hours else "none"


def set_reminder_hours(type_id: int, typed: str, actor: Actor, now: datetime) -> None:
    """Set a type's reminders from text: hours separated by commas, "none", or blank for the clinic default."""
    typed = (typed or "").strip().lower()
    if typed in NONE_WORDS:
        hours: list[int] | None = []
    elif not typed:
        hours = None
    elif _NUMBERS.match(typed):
        hours = [int(part) for part in typed.split(",")]
    else:
        raise InvalidData([Reason("invalid", "Give whole hours separated by commas, like 72, 24, 2; “none”; or "
                                  f"leave it blank for the clinic default ({', '.join(map(str, DEFAULT_HOURS))}).",
                                  "reminder_hours")])
    try:
        update_session_type(type_id, parse(SessionTypeChange, {"reminder_hours": hours}), actor, now)
    except InvalidData as invalid:  # a list item out of range is named "reminder_hours[1]": the field is the box
        raise InvalidData([Reason(p.code, p.message if p.code == "value_error" else
                                  f"Up to four reminders, each 1 to 336 hours (two weeks) before: {p.message}",
                                  "reminder_hours") for p in invalid.problems]) from None
