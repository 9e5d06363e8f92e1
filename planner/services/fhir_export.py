"""Reading a patient's record out as FHIR R4: their sessions as Appointments, a course as a CarePlan. Each read audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row

from planner.adapters.fhir_appointments import CourseFacts, TeamPart, Visit, appointment, care_plan
from planner.adapters.fhir_common import searchset
from planner.db import fhir_rows
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound
from planner.domain.protocols import protocol_from_dict
from planner.services import Actor
from planner.domain.record_access import RecordClosed
from planner.services.audit import record
from planner.services.record_access import RECORD, may_read, reader_of


def patient_appointments(patient_id: int, actor: Actor, now: datetime, base: str, self_link: str) -> dict:
    """Every session of the patient as an Appointment in a searchset Bundle; NotFound for no such patient."""
    with unit_of_work() as session:
        found = fhir_rows.patient(session, patient_id)
        if found is None:
            raise NotFound("patient", patient_id)
        _may_read(session, actor, patient_id)
        visits = _visits(fhir_rows.visits(session, patient_id=patient_id),
                         fhir_rows.teams(session, patient_id=patient_id))
        record(session, actor, "fhir.read", RECORD, patient_id, now, resource="Appointment", count=len(visits))
        session.commit()
    return searchset([appointment(v) for v in visits], base, self_link)


def one_appointment(session_id: int, actor: Actor, now: datetime) -> dict:
    """One session as an Appointment (what a Bundle entry's fullUrl or a CarePlan activity names); NotFound if none."""
    with unit_of_work() as session:
        rows = fhir_rows.visits(session, session_id=session_id)
        if not rows:
            raise NotFound("session", session_id)
        _may_read(session, actor, rows[0].patient_id)
        [visit] = _visits(rows, fhir_rows.teams(session, session_id=session_id))
        record(session, actor, "fhir.read", RECORD, visit.patient_id, now, resource="Appointment",
               session_id=session_id)
        session.commit()
    return appointment(visit)


def course_care_plan(course_id: int, actor: Actor, now: datetime) -> dict:
    """The course as a CarePlan whose activities are its sessions' Appointments; NotFound for no such course."""
    with unit_of_work() as session:
        row = fhir_rows.course(session, course_id)
        if row is None:
            raise NotFound("course", course_id)
        _may_read(session, actor, row.patient_id)
        visits = _visits(fhir_rows.visits(session, course_id=course_id), fhir_rows.teams(session, course_id=course_id))
        record(session, actor, "fhir.read", RECORD, row.patient_id, now, resource="CarePlan", course_id=course_id)
        session.commit()
    facts = CourseFacts(row.id, row.status, row.patient_id, row.patient_name,
                        protocol_from_dict(row.definition, row.version), row.first_day, row.created_at)
    return care_plan(facts, visits)


def _may_read(session, actor: Actor, patient_id: int) -> None:
    # A therapist exports only the record of a patient they treat (issue 13, part 7).
    if not may_read(session, reader_of(session, actor), patient_id):
        raise RecordClosed(patient_id)


def _visits(rows: list[Row], teams: dict[int, list[Row]]) -> list[Visit]:
    return [Visit(r.id, r.status, r.starts_at, r.ends_at, r.created_at, r.patient_id, r.patient_name, r.site_id,
                  r.site_name, r.zone, r.room_id, r.room_name, r.type_key, r.type_name, r.type_kind, r.course_id,
                  tuple(TeamPart(t.staff_id, t.name, t.role, t.starts_at, t.ends_at) for t in teams.get(r.id, ())))
            for r in rows]
