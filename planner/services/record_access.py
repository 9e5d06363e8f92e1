"""Opening a patient's clinical record: may this account read it, and the audit of every view (issue 13, part 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent, Course, Patient, Session, SessionStaff, Staff, User
from planner.db.uow import unit_of_work
from planner.domain import record_access as rule
from planner.domain.errors import NotFound
from planner.domain.record_access import RecordClosed
from planner.services import Actor
from planner.services.audit import record

# The audit entity of reads of a patient's record (the FHIR export writes under it too), apart from
# "patient", whose events are edits shown in the patient page's history.
RECORD = "patient_record"
VIEWED = "record.viewed"
READS = (VIEWED, "fhir.read")
VIEWS_SHOWN = 30


@dataclass(frozen=True)
class Reader:
    """How far the asking account reads clinical records, and the staff record it is linked to."""

    reach: str
    staff_id: int | None


@dataclass(frozen=True)
class RecordView:
    """One read of a patient's clinical record, as the admin reads the access log."""

    at: datetime
    actor: str
    part: str
    via: str  # where it was read: "patient page", "course page", "API", "FHIR API"...
    remote_addr: str | None


def reader_of(session: OrmSession, actor: Actor) -> Reader:
    """The reach of the actor's account; an actor with no account is the system itself (the CLI, a job)."""
    if actor.user_id is None:
        # Every web request carries its account; only the machine's own use cases come without one.
        return Reader(rule.ALL, None)
    row = session.execute(select(User.role, User.staff_id, Staff.disciplines)
                          .outerjoin(Staff, Staff.id == User.staff_id)
                          .where(User.id == actor.user_id)).first()
    if row is None:
        return Reader(rule.NONE, None)
    disciplines = None if row.staff_id is None else frozenset(row.disciplines or ())
    return Reader(rule.reach(row.role, disciplines), row.staff_id)


def may_read(session: OrmSession, reader: Reader, patient_id: int) -> bool:
    """Whether the reader may read this patient's clinical details (a therapist: only with a session together)."""
    if reader.reach != rule.OWN:
        return rule.may_read(reader.reach, False)
    on_team = reader.staff_id is not None and session.scalar(select(exists().where(
        SessionStaff.staff_id == reader.staff_id, SessionStaff.session_id == Session.id,
        Session.patient_id == patient_id)))
    return rule.may_read(reader.reach, bool(on_team))


def note_view(session: OrmSession, actor: Actor, patient_id: int, part: str, via: str, now: datetime,
              **details) -> None:
    """Audit one view of a part of the patient's clinical record, in the caller's transaction."""
    record(session, actor, VIEWED, RECORD, patient_id, now, part=part, via=via, **details)


def open_record(actor: Actor, patient_id: int, part: str, via: str, now: datetime, **details) -> bool:
    """Judge and audit one view: True (view audited) when the actor may read it, False when not.

    NotFound for no such patient. Nothing is audited for a refusal: the caller says why and the
    web layer logs the refusal.
    """
    return _open(actor, Patient, patient_id, part, via, now, details)[1]


def open_course_record(actor: Actor, course_id: int, part: str, via: str, now: datetime) -> bool:
    """open_record for the patient whose course this is; NotFound for no such course."""
    return _open(actor, Course, course_id, part, via, now, {"course_id": course_id})[1]


def open_session_record(actor: Actor, session_id: int, part: str, via: str, now: datetime) -> bool:
    """open_record for the patient whose session this is; NotFound for no such session."""
    return _open(actor, Session, session_id, part, via, now, {"session_id": session_id})[1]


def require_record(actor: Actor, patient_id: int, part: str, via: str, now: datetime, **details) -> None:
    """open_record that raises RecordClosed instead of answering False."""
    _required(_open(actor, Patient, patient_id, part, via, now, details))


def require_course_record(actor: Actor, course_id: int, part: str, via: str, now: datetime) -> None:
    """open_course_record that raises RecordClosed instead of answering False."""
    _required(_open(actor, Course, course_id, part, via, now, {"course_id": course_id}))


def require_session_record(actor: Actor, session_id: int, part: str, via: str, now: datetime) -> None:
    """open_session_record that raises RecordClosed instead of answering False."""
    _required(_open(actor, Session, session_id, part, via, now, {"session_id": session_id}))


def record_views(patient_id: int, limit: int = VIEWS_SHOWN) -> list[RecordView]:
    """The latest reads of the patient's clinical record, newest first (the admin's access log)."""
    with unit_of_work(write=False) as session:
        rows = session.execute(select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.details,
                                      AuditEvent.remote_addr)
                               .where(AuditEvent.entity == RECORD, AuditEvent.entity_id == str(patient_id),
                                      AuditEvent.action.in_(READS))
                               .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    return [RecordView(r.at, r.actor, _part(r.action, r.details or {}), _via(r.action, r.details or {}),
                       r.remote_addr) for r in rows]


def _part(action: str, details: dict) -> str:
    if action == "fhir.read":
        return rule.PARTS["fhir"]
    return rule.PARTS.get(details.get("part", ""), details.get("part", "record"))


def _via(action: str, details: dict) -> str:
    return "FHIR API" if action == "fhir.read" else details.get("via", "")


_NAMED = {Patient: "patient", Course: "course", Session: "session"}


def _open(actor: Actor, model, row_id: int, part: str, via: str, now: datetime, details: dict) -> tuple[int, bool]:
    # One transaction: whose record it is (the patient, or the patient of a course or session),
    # whether the actor may read it, and the audit of the view.
    with unit_of_work() as session:
        column = Patient.id if model is Patient else model.patient_id
        patient_id = session.scalar(select(column).where(model.id == row_id))
        if patient_id is None:
            raise NotFound(_NAMED[model], row_id)
        allowed = may_read(session, reader_of(session, actor), patient_id)
        if allowed:
            note_view(session, actor, patient_id, part, via, now, **details)
            session.commit()
    return patient_id, allowed


def _required(opened: tuple[int, bool]) -> None:
    patient_id, allowed = opened
    if not allowed:
        raise RecordClosed(patient_id)
