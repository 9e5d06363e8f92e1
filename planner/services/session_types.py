"""Changing a session type: never below the supervision floor, never under sessions already booked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from planner.db import reads
from planner.db.models import Session, SessionStaff, SessionType
from planner.db.uow import unit_of_work
from planner.domain.booking import check_session
from planner.domain.calendar import local
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.errors import CoverBroken, InvalidData, NotFound, Reason
from planner.domain.lifecycle import FINAL
from planner.services import Actor
from planner.services.audit import record
from planner.services.clinic_setup import above_floor
from planner.services.inputs import SessionTypeChange

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
        if any(value is None for key, value in fields.items() if key != "room_capability"):
            raise InvalidData([Reason("null", "Only room_capability may be set to null.", "body")])
        before = {key: getattr(row, key) for key in fields}
        booked = _booked_ahead(session, type_id, now)  # read before the change, under the old rules
        for key, value in fields.items():
            setattr(row, key, value)
        above_floor({column: getattr(row, column) for column in
                     ("key", "name", "kind", "route", "active_minutes", "observation_minutes", "room_capability",
                      "role_requirements")})
        session.flush()
        _refuse_broken(session, booked, row, now)
        record(session, actor, "session_type.changed", "session_type", type_id, now, before=before, after=fields)
        session.commit()


def _booked_ahead(session, type_id: int, now: datetime) -> list[tuple[int, SessionRequest]]:
    found = session.execute(select(Session.id, Session.patient_id, Session.site_id, Session.starts_at, Session.room_id)
                            .where(Session.session_type_id == type_id, Session.starts_at > now,
                                   Session.status.not_in(FINAL)).order_by(Session.starts_at)).all()
    requests = []
    for session_id, patient_id, site_id, starts_at, room_id in found:
        placements = tuple(Placement(s, role) for s, role in session.execute(
            select(SessionStaff.staff_id, SessionStaff.role).where(SessionStaff.session_id == session_id)))
        requests.append((session_id, SessionRequest(reads.patient(session, patient_id), reads.site(session, site_id),
                                                    reads.session_type(session, type_id), starts_at, room_id,
                                                    placements)))
    return requests


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
