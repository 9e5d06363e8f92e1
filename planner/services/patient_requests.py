"""Patients' requests as reception works them: the open list, and marking each done or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from planner.db.models import Patient, PatientRequest, Session, Site
from planner.db.uow import unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, NotFound, Reason, RequestResolved
from planner.services import Actor
from planner.services.audit import record

OUTCOMES = ("done", "withdrawn")
LISTED = 500  # far more than a front desk has open; the oldest come first, so none hides


@dataclass(frozen=True)
class OpenRequest:
    """One open request with what reception needs to act on it without opening anything else."""

    id: int
    kind: str                 # another_time, replan
    note: str
    asked_at: datetime        # UTC
    patient_id: int
    patient_name: str
    mrn: str
    patient_phone: str | None
    session_id: int
    session_start: datetime   # in the site's zone
    session_status: str
    site_id: int
    site_name: str
    zone: str
    course_id: int | None = None  # the session's course: a re-plan request is worked from its preview


def open_requests(limit: int = LISTED) -> list[OpenRequest]:
    """Open requests, oldest first, with the patient and the session each is about (one query)."""
    with unit_of_work(write=False) as session:
        rows = session.execute(
            select(PatientRequest, Patient.name, Patient.mrn, Patient.phone, Session.starts_at, Session.status,
                   Site.id, Site.name, Site.timezone, Session.course_id)
            .join(Patient, Patient.id == PatientRequest.patient_id)
            .join(Session, Session.id == PatientRequest.session_id).join(Site, Site.id == Session.site_id)
            .where(PatientRequest.state == "open").order_by(PatientRequest.asked_at, PatientRequest.id)
            .limit(limit)).all()
        return [OpenRequest(r.id, r.kind, r.note, r.asked_at, r.patient_id, name, mrn, phone, r.session_id,
                            local(start, zone), status, site_id, site, zone, course_id)
                for r, name, mrn, phone, start, status, site_id, site, zone, course_id in rows]


def resolve_request(request_id: int, actor: Actor, now: datetime, outcome: str) -> None:
    """Mark an open request done or withdrawn; a request already resolved is refused."""
    if outcome not in OUTCOMES:
        raise InvalidData([Reason("unknown", "Choose done or withdrawn.", "outcome")])
    with unit_of_work() as session:
        if session.get(PatientRequest, request_id) is None:
            raise NotFound("patient request", request_id)
        # One conditional update: two people resolving the same request at once cannot both succeed.
        changed = session.execute(update(PatientRequest)
                                  .where(PatientRequest.id == request_id, PatientRequest.state == "open")
                                  .values(state=outcome, resolved_at=now, resolved_by=actor.label[:200])).rowcount
        if not changed:
            raise RequestResolved([Reason("resolved", "This request was already resolved.", "request")])
        record(session, actor, f"patient_request.{outcome}", "patient_request", request_id, now)
        session.commit()
