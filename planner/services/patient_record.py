"""A patient's page for staff: their record, courses, sessions ahead and behind, messages, and its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row

from planner.db import patient_rows
from planner.db.patient_rows import ChangeRow, CourseRow, VisitRow
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound, Reason
from planner.domain.lifecycle import FINAL
from planner.domain.patients import dosing_readiness
from planner.services.consent_doses import DoseWithoutConsent, doses_without_consent
from planner.services.outbox_view import SentToPatient, messages_to_patient
from planner.services.screening_records import LatestRecords, latest_records


@dataclass(frozen=True)
class PatientRecord:
    """Everything the patient page shows, read in one transaction."""

    patient: Row  # the patient's columns by name, with home_site and home_zone (the site's name and IANA zone)
    not_ready: list[Reason]  # why no dose may be booked yet (empty when screening and consent allow it)
    courses: list[CourseRow]
    upcoming: list[VisitRow]
    past: list[VisitRow]
    messages: list[SentToPatient]
    changes: list[ChangeRow]
    # Doses still booked that the patient's consent no longer covers (withdrawn, or past its expiry).
    doses_without_consent: list[DoseWithoutConsent] = field(default_factory=list)
    records: LatestRecords | None = None  # the latest screening and consent records


def patient_record(patient_id: int, now: datetime) -> PatientRecord:
    """The patient's page; NotFound when there is no such patient."""
    with unit_of_work(write=False) as session:
        row = patient_rows.record_of(session, patient_id)
        if row is None:
            raise NotFound("patient", patient_id)
        visits = patient_rows.visits_of(session, patient_id)
        # Ahead: not yet over in time nor in status (a session under way counts as ahead until it ends).
        upcoming = [v for v in visits if v.ends_at >= now and v.status not in FINAL]
        past = [v for v in reversed(visits) if not (v.ends_at >= now and v.status not in FINAL)]
        return PatientRecord(row, dosing_readiness(patient_rows.rules_of(row)),
                             patient_rows.courses_of(session, patient_id), upcoming, past, messages_to_patient(session, patient_id),
                             patient_rows.changes_to(session, patient_id), doses_without_consent(session, patient_id, now),
                             latest_records(session, patient_id))


def patient_row(patient_id: int):
    """The patient's row alone (read by column name), for a form about them; NotFound when there is none."""
    with unit_of_work(write=False) as session:
        row = patient_rows.record_of(session, patient_id)
    if row is None:
        raise NotFound("patient", patient_id)
    return row
