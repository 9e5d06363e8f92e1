"""Changing a session type: never below the supervision floor, never under sessions already booked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_

from planner.db import reads
from planner.db.models import Session, SessionType
from planner.db.uow import unit_of_work
from planner.domain.booking import check_session
from planner.domain.calendar import local
from planner.domain.clinic import SessionRequest
from planner.domain.errors import CoverBroken, InvalidData, NotFound, Reason
from planner.domain.lifecycle import FINAL
from planner.services import Actor
from planner.services.audit import record
from planner.services.clinic_setup import above_floor
from planner.services.inputs import SessionTypeChange
from planner.services.notices import queue_notices

# What a change to a type can break in a session booked with it: its staff and its room.
_AFFECTED = {"role_missing", "role_not_needed", "staff_wrong_discipline", "credential_not_valid", "staff_off_shift",
             "staff_over_capacity", "room_missing", "room_lacks_capability", "type_below_floor"}


def update_session_type(type_id: int, change: SessionTypeChange, actor: Actor, now: datetime) -> None:
    """Change a session type, refusing a change below the floor or one that breaks sessions booked ahead."""
    with unit_of_work() as session:
        row = session.get(SessionType, type_id)
        if row is None:
            raise NotFound("session type", type_id)
        fields = change.model_dump(exclude_unset=True)
        if not fields:
            raise InvalidData([Reason("empty", "Say what to change.", "body")])
        if any(value is None for key, value in fields.items() if key not in ("room_capability", "reminder_hours")):
            raise InvalidData([Reason("null", "Only room_capability and reminder_hours may be set to null.", "body")])
        before = {key: getattr(row, key) for key in fields}
        booked = _booked_ahead(session, type_id, now)  # read before the change, under the old rules
        for key, value in fields.items():
            setattr(row, key, value)
        above_floor(row)
        session.flush()
        _refuse_broken(session, booked, row, now)
        if "reminder_hours" in fields:
            # Reminders queued under the old policy give way to the new one for every session booked ahead.
            queue_notices(session, [session_id for session_id, _ in booked], now)
        record(session, actor, "session_type.changed", "session_type", type_id, now, before=before, after=fields)
        session.commit()


def _booked_ahead(session, type_id: int, now: datetime) -> list[tuple[int, SessionRequest]]:
    return reads.booked_requests(session, and_(Session.session_type_id == type_id, Session.starts_at > now,
                                               Session.status.not_in(FINAL)))


def _refuse_broken(session, booked: list[tuple[int, SessionRequest]], row: SessionType, now: datetime) -> None:
    """Each session booked ahead, checked as if booked with the changed type; CoverBroken names those it breaks."""
    changed = reads.session_type_from_row(row)
    broken = []
    for session_id, old in booked:
        request = SessionRequest(old.patient, old.site, changed, old.start, old.room_id, old.placements)
        state = reads.for_booking(session, request, own_changes=True)
        reasons = [r for r in check_session(request, state, now, session_id) if r.code in _AFFECTED]
        if reasons:
            when = f"{local(old.start, old.site.calendar.zone):%a %d %b %Y %H:%M}"
            broken.append(Reason("cover_broken", f"Session {session_id} ({when} at {old.site.name}): "
                                 + " ".join(r.message for r in reasons), "sessions"))
    if broken:
        raise CoverBroken(broken)
