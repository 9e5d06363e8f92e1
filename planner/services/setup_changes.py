"""What every change to the clinic's set-up shares: the fields asked for, the past kept, the sessions it would break.

Nothing clinical is hard-deleted (issue 12): a change that ends something keeps its row with a
date. A change is made inside the caller's transaction, each session booked ahead that it could
touch is checked against the clinic as the change leaves it, and the change is refused
(CoverBroken, naming every session it would break) unless each still passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

from pydantic import BaseModel
from sqlalchemy import and_
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Session
from planner.domain.calendar import local
from planner.domain.clinic import SessionRequest
from planner.domain.errors import CoverBroken, InvalidData, Reason, SessionBroken
from planner.domain.lifecycle import FINAL

# Every session to come: set-up changes that are not tied to a span (a credential, a discipline, a
# deactivation) are checked against all of them; no session is booked this far ahead.
FOREVER = datetime(2101, 1, 1, tzinfo=timezone.utc)


def asked(change: BaseModel, nullable: tuple[str, ...] = ()) -> dict:
    """The fields a PATCH body sets; 422 when it sets none, or sets null where null means nothing."""
    fields = change.model_dump(exclude_unset=True)
    if not fields:
        raise InvalidData([Reason("empty", "Say what to change.", "body")])
    nulls = sorted(key for key, value in fields.items() if value is None and key not in nullable)
    if nulls:
        allowed = f"only {', '.join(nullable)} may be null" if nullable else "no field may be null"
        raise InvalidData([Reason("null", f"{key} cannot be null: {allowed}.", key) for key in nulls])
    return fields


def plain(value: object) -> object:
    """A value as the audit log's JSON keeps it: instants in UTC ISO form, dates ISO, lists as they are."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(row: object, names: tuple[str, ...]) -> dict:
    """A row's fields as plain values, for before/after in the audit log."""
    return {name: plain(getattr(row, name)) for name in names}


def booked_ahead(session: OrmSession, condition, now: datetime) -> list[tuple[int, SessionRequest]]:
    """The sessions still to come (or under way) that a condition selects, as the requests that booked them."""
    return reads.booked_requests(session, and_(condition, Session.ends_at > now, Session.status.not_in(FINAL)))


def label(session_id: int, request: SessionRequest) -> str:
    """A booked session as the admin reads it: its id, type, local start and site."""
    when = f"{local(request.start, request.site.calendar.zone):%a %d %b %Y %H:%M}"
    return f"Session {session_id} ({request.session_type.name}, {when} at {request.site.name})"


def refuse_broken(booked: list[tuple[int, SessionRequest]],
                  reasons_for: Callable[[int, SessionRequest], list[Reason]]) -> None:
    """CoverBroken naming each booked session for which reasons_for gives a reason; nothing when none does."""
    broken = []
    for session_id, request in booked:
        reasons = reasons_for(session_id, request)
        if reasons:
            broken.append(SessionBroken("cover_broken", f"{label(session_id, request)}: "
                                        + " ".join(r.message for r in reasons), "sessions", session_id))
    if broken:
        raise CoverBroken(broken)


def refuse_while_booked(booked: list[tuple[int, SessionRequest]], why: str) -> None:
    """CoverBroken naming every session booked ahead: something they depend on cannot be deactivated."""
    refuse_broken(booked, lambda _, __: [Reason("depends", why)])
