"""A patient's page for staff: their record, courses, sessions ahead and behind, messages, and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.db import patient_rows, reads
from planner.db.models import Patient
from planner.db.patient_rows import ChangeRow, CourseRow, VisitRow
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound, Reason
from planner.domain.lifecycle import FINAL
from planner.domain.patients import dosing_readiness
from planner.services.outbox_view import SentToPatient, messages_to_patient



@dataclass(frozen=True)
class PatientRecord:
    """Everything the patient page shows, read in one transaction."""

    patient: Patient  # detached: read as it was
    home_site: str | None
    home_zone: str | None
    not_ready: list[Reason]  # why no dose may be booked yet (empty when screening and consent allow it)
    courses: list[CourseRow]
    upcoming: list[VisitRow]
    past: list[VisitRow]
    messages: list[SentToPatient]
    changes: list[ChangeRow]


def patient_record(patient_id: int, now: datetime) -> PatientRecord:
    """The patient's page; NotFound when there is no such patient."""
    with unit_of_work(write=False) as session:
        row = session.get(Patient, patient_id)
        if row is None:
            raise NotFound("patient", patient_id)
        session.expunge(row)
        home = patient_rows.home_site(session, row.home_site_id)
        rules = reads.patient(session, patient_id)
        visits = patient_rows.visits_of(session, patient_id)
        # Ahead: not yet over in time nor in status (a session under way counts as ahead until it ends).
        upcoming = [v for v in visits if v.ends_at >= now and v.status not in FINAL]
        past = [v for v in reversed(visits) if not (v.ends_at >= now and v.status not in FINAL)]
        return PatientRecord(row, home[0] if home else None, home[1] if home else None,
                             dosing_readiness(rules) if rules else [], patient_rows.courses_of(session, patient_id),
                             upcoming, past, messages_to_patient(session, patient_id),
                             patient_rows.changes_to(session, patient_id))
