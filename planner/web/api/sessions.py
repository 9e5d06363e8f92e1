"""API for sessions: list, book (one or a batch), reschedule, cancel, change status; availability."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from flask import jsonify
from pydantic import Field, model_validator
from sqlalchemy import select

from planner.db import queries
from planner.db.models import Session
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services import booking
from planner.services.availability import find_free_windows
from planner.services.inputs import Day, Id, Instant, PlacementIn, SessionIn, Strict, prose
from planner.web.access import actor, now
from planner.web.api import api, present
from planner.web.api.common import body, instant, query
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.schemas import AvailabilityOut, SessionOut


class SessionsQuery(Strict):
    start: Instant = Field(alias="from")
    end: Instant = Field(alias="to")
    site_id: Id | None = None
    patient_id: Id | None = None

    @model_validator(mode="after")
    def _span(self):
        if self.end <= self.start:
            raise ValueError("'to' must be after 'from'")
        if self.end - self.start > timedelta(days=92):
            raise ValueError("list at most 92 days at a time")
        return self


class BatchIn(Strict):
    sessions: list[SessionIn] = Field(min_length=1, max_length=60)


class RescheduleIn(Strict):
    start: Instant
    room_id: Id | None = None
    staff: list[PlacementIn] | None = Field(default=None, max_length=10)


class CancelIn(Strict):
    reason: prose(500) = ""


class StatusIn(Strict):
    status: Literal["arrived", "in_progress", "fulfilled", "no_show", "held"]
    reason: prose(500) = ""
    # A dose's check-in ("arrived") is refused until someone confirms who takes the patient home.
    escort_confirmed: bool = False


class AvailabilityQuery(Strict):
    site_id: Id
    session_type_id: Id
    first: Day = Field(alias="from")
    last: Day = Field(alias="to")
    patient_id: Id | None = None


def _order(item: SessionIn) -> booking.SessionOrder:
    return booking.SessionOrder(item.patient_id, item.site_id, item.session_type_id, item.start, item.room_id,
                                tuple((p.staff_id, p.role) for p in item.staff), note=item.note)


def _shown(session_id: int):
    row = db.session.get(Session, session_id)
    if row is None:
        raise NotFound("session", session_id)
    return present.session(row)


@api.get("/sessions")
@operation(*ANY_STAFF, query=SessionsQuery, answers={200: list[SessionOut]}, tag="sessions")
def list_sessions():
    """Sessions starting in a span, optionally for one site or patient."""
    args = query(SessionsQuery)
    stmt = select(Session).where(Session.starts_at >= args.start, Session.starts_at < args.end)
    if args.site_id:
        stmt = stmt.where(Session.site_id == args.site_id)
    if args.patient_id:
        stmt = stmt.where(Session.patient_id == args.patient_id)
    return jsonify([present.session(s) for s in queries.sessions_in_full(db.session, stmt.order_by(Session.starts_at))])


@api.get("/sessions/<id:session_id>")
@operation(*ANY_STAFF, answers={200: SessionOut}, tag="sessions")
def show_session(session_id: int):
    """One session."""
    return jsonify(_shown(session_id))


@api.post("/sessions")
@operation("reception", body=SessionIn, answers={201: SessionOut}, refusals=(409,), tag="sessions")
def book():
    """Book one session; 409 lists every reason it cannot be."""
    session_id = booking.book_session(_order(body(SessionIn)), actor(), now())
    return jsonify(_shown(session_id)), 201


@api.post("/sessions/batch")
@operation("reception", body=BatchIn, answers={201: list[SessionOut]}, refusals=(409,), tag="sessions")
def book_batch():
    """Book several sessions all or nothing."""
    ids = booking.book_sessions([_order(item) for item in body(BatchIn).sessions], actor(), now())
    return jsonify([_shown(i) for i in ids]), 201


@api.post("/sessions/<id:session_id>/reschedule")
@operation("reception", body=RescheduleIn, answers={200: SessionOut}, refusals=(409,), tag="sessions")
def reschedule(session_id: int):
    """Move a session, optionally to another room or staff."""
    args = body(RescheduleIn)
    staff = tuple((p.staff_id, p.role) for p in args.staff) if args.staff is not None else None
    booking.reschedule_session(session_id, args.start, actor(), now(), args.room_id, staff)
    return jsonify(_shown(session_id))


@api.post("/sessions/<id:session_id>/cancel")
@operation("reception", body=CancelIn, answers={200: SessionOut}, refusals=(409,), tag="sessions")
def cancel(session_id: int):
    """Cancel a session."""
    booking.cancel_session(session_id, actor(), now(), body(CancelIn).reason)
    return jsonify(_shown(session_id))


@api.post("/sessions/<id:session_id>/status")
@operation("reception", "clinician", body=StatusIn, answers={200: SessionOut}, refusals=(409,),
           tag="sessions")
def change_status(session_id: int):
    """Move a session along its lifecycle: arrived, in progress, fulfilled, no-show, held."""
    args = body(StatusIn)
    booking.change_status(session_id, args.status, actor(), now(), args.reason, args.escort_confirmed)
    return jsonify(_shown(session_id))


@api.get("/availability")
@operation(*ANY_STAFF, query=AvailabilityQuery, answers={200: AvailabilityOut}, tag="sessions")
def availability():
    """Free windows for a session type at a site between two local dates (for a room and team too: /api/offers)."""
    args = query(AvailabilityQuery)
    windows = find_free_windows(args.site_id, args.session_type_id, args.first, args.last, now(), args.patient_id)
    return jsonify({"site_id": args.site_id, "session_type_id": args.session_type_id,
                    "from": args.first.isoformat(), "to": args.last.isoformat(),
                    "windows": [{"starts_from": instant(w.starts_from), "starts_until": instant(w.starts_until),
                                 "ends_by": instant(w.ends_by)} for w in windows]})


