"""One session as the desk sees it (what, when, where, team, patient, course, history), and its cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent, PatientRequest, Session
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.patient_page import REPLAN_REQUEST
from planner.domain.staffing import ROLE_NAMES
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import set_status

REBOOK_REQUEST = "rebook"  # a PatientRequest kind: the clinic cancelled and the patient needs a new time
HISTORY_SHOWN = 50
REASON_LIMIT = 500


@dataclass(frozen=True)
class Event:
    """One line of the session's history, in the site's wall time."""

    at: datetime
    actor: str
    action: str
    details: dict


@dataclass(frozen=True)
class OpenAsk:
    """An open request about this session."""

    id: int
    kind: str
    note: str


@dataclass(frozen=True)
class SessionPage:
    """A session with its patient, place, team, course, history and open requests; times in the site's zone."""

    id: int
    version: int
    patient_id: int
    patient: str
    mrn: str
    session_type_id: int
    session_type: str
    site_id: int
    site: str
    zone: str
    room: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    course_id: int | None
    purpose: str | None
    dose_number: int | None
    note: str
    team: tuple[tuple[str, str], ...]  # (name, role in words)
    history: tuple[Event, ...]
    asks: tuple[OpenAsk, ...]

    @property
    def movable(self) -> bool:
        """Whether it can still be moved or cancelled (booked or proposed)."""
        return self.status in lifecycle.MOVABLE


def session_page(session_id: int) -> SessionPage:
    """The session's page, or NotFound."""
    with unit_of_work(write=False) as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        zone = row.site.timezone
        order = {role: k for k, role in enumerate(ROLE_NAMES)}
        team = tuple((p.member.name, ROLE_NAMES.get(p.role, p.role))
                     for p in sorted(row.staff, key=lambda p: (order.get(p.role, 9), p.staff_id)))
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "session",
                                                          AuditEvent.entity_id == str(session_id))
                                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(HISTORY_SHOWN)).all()
        history = tuple(Event(local(e.at, zone), e.actor, e.action.removeprefix("session."), e.details or {})
                        for e in events)
        asks = tuple(OpenAsk(r.id, r.kind, r.note) for r in session.scalars(
            select(PatientRequest).where(PatientRequest.session_id == session_id, PatientRequest.state == "open")
            .order_by(PatientRequest.asked_at, PatientRequest.id)))
        return SessionPage(row.id, row.version, row.patient_id, row.patient.name, row.patient.mrn,
                           row.session_type_id, row.session_type.name, row.site_id, row.site.name, zone,
                           row.room.name if row.room else None, local(row.starts_at, zone), local(row.ends_at, zone),
                           row.status, row.course_id, row.purpose, row.dose_number, row.note, team, history, asks)


def clean_reason(text: str | None) -> str:
    """The cancel's reason as the history keeps it; InvalidData (field "reason") when missing or too long."""
    reason = " ".join((text or "").split())
    if not reason:
        raise InvalidData([Reason("required", "Say why the session is cancelled.", "reason")])
    if len(reason) > REASON_LIMIT:
        raise InvalidData([Reason("too_long", f"Keep the reason to {REASON_LIMIT} characters.", "reason")])
    return reason


def cancel(session_id: int, reason: str, actor: Actor, now: datetime, new_time: bool = False) -> int | None:
    """Cancel through the lifecycle rules; with new_time, put it on the desk's list for a new time (its request id).

    A one-off session waits there for a new time (kind rebook); a course's session, for its course's re-plan.
    """
    with unit_of_work() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        set_status(session, session_id, lifecycle.CANCELLED, actor, now, reason)
        request_id = wait_for_a_new_time(session, row, reason, actor, now) if new_time else None
        session.commit()
        return request_id


def wait_for_a_new_time(session: OrmSession, row: Session, reason: str, actor: Actor, now: datetime) -> int:
    """Put a cancelled session on the desk's requests list for a new time, audited; its request id.

    The waitlist is the requests list: one place where reception finds what still needs a time. A
    one-off session waits to be booked again (rebook); a course's session gets its new time from
    the course's re-plan, which keeps the cadence (replan).
    """
    kind = REBOOK_REQUEST if row.course_id is None else REPLAN_REQUEST
    request_id = session.execute(insert(PatientRequest).returning(PatientRequest.id).values(
        session_id=row.id, patient_id=row.patient_id, kind=kind, note=reason[:500], state="open",
        asked_at=now)).scalar_one()
    record(session, actor, "patient_request.opened", "patient_request", request_id, now, session_id=row.id,
           kind=kind, note=reason)
    return request_id
