"""Requests resolved by the booking that answers them, inside that booking's transaction.

Derived, not carried: whichever path moves a session (the session page, the API, the CLI) or
re-plans a course, the open requests it answers are marked done in the same commit, so the
requests list never shows something already done and a refused change leaves them open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import PatientRequest, Session
from planner.domain.patient_page import ANOTHER_TIME_REQUEST, REPLAN_REQUEST
from planner.services import Actor
from planner.services.audit import record


def resolve_by_move(session: OrmSession, session_id: int, actor: Actor, now: datetime) -> list[int]:
    """Mark done the open "another time" requests about a session just moved; returns their ids."""
    return _resolve(session, select(PatientRequest.id).where(PatientRequest.session_id == session_id,
                                                             PatientRequest.kind == ANOTHER_TIME_REQUEST),
                    actor, now, "session.rescheduled", session_id=session_id)


def resolve_by_replan(session: OrmSession, course_id: int, actor: Actor, now: datetime) -> list[int]:
    """Mark done the open "re-plan" requests about a course's sessions, its re-plan just applied; returns their ids."""
    return _resolve(session, select(PatientRequest.id).join(Session, Session.id == PatientRequest.session_id)
                    .where(Session.course_id == course_id, PatientRequest.kind == REPLAN_REQUEST),
                    actor, now, "course.replanned", course_id=course_id)


def _resolve(session: OrmSession, which, actor: Actor, now: datetime, by: str, **details) -> list[int]:
    ids = list(session.scalars(which.where(PatientRequest.state == "open").order_by(PatientRequest.id)))
    if not ids:
        return []
    # Conditional on still being open: a desk resolving one by hand at the same moment wins or waits,
    # never both (PostgreSQL re-checks the WHERE after the other commits; SQLite writes one at a time).
    done = list(session.scalars(update(PatientRequest)
                                .where(PatientRequest.id.in_(ids), PatientRequest.state == "open")
                                .values(state="done", resolved_at=now, resolved_by=actor.label[:200])
                                .returning(PatientRequest.id)))
    for request_id in sorted(done):
        record(session, actor, "patient_request.done", "patient_request", request_id, now, by=by, **details)
    return sorted(done)
