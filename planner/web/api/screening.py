"""API for screening and consent records: record one (it supersedes the latest) and read a patient's history.

Clinicians and admins record and read screenings; reception may record a signed consent form and
read consents, but never reads screening answers (issue 13, part 7): their GET is refused (403).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import jsonify
from pydantic import Field

from planner.services.screening_inputs import ConsentIn, ConsentKind, Outcome, ScreeningIn
from planner.services.screening_records import (
    Recorded, RecordRefused, consents_of, record_consent, record_screening, screenings_of,
)
from planner.services.record_access import require_record
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out
from planner.web.errors import problem


class RecordedOut(Out):
    """The record written and the patient's statuses the booking rules now read."""

    id: int
    patient_id: int
    screening_status: str = Field(description="pending, cleared or excluded")
    consent_status: str = Field(description="pending or signed")


class ScreeningOut(Out):
    id: int
    answers: dict[str, bool]
    outcome: Outcome
    note: str
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None


class ConsentOut(Out):
    id: int
    kind: ConsentKind
    signed_on: date
    expires_on: date | None
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None


@api.post("/patients/<id:patient_id>/screenings")
@operation("clinician", body=ScreeningIn, answers={201: RecordedOut}, refusals=(409,), tag="screening")
def add_screening(patient_id: int):
    """Record the contraindication checklist, its outcome and note; 422 names each item left out."""
    return _answer(patient_id, lambda: record_screening(patient_id, body(ScreeningIn), actor(), now()))


@api.post("/patients/<id:patient_id>/consents")
@operation("reception", "clinician", body=ConsentIn, answers={201: RecordedOut}, refusals=(409,), tag="screening")
def add_consent(patient_id: int):
    """Record a signed consent form (treatment, or the REMS patient enrolment) with its date."""
    return _answer(patient_id, lambda: record_consent(patient_id, body(ConsentIn), actor(), now()))


@api.get("/patients/<id:patient_id>/screenings")
@operation("clinician", answers={200: list[ScreeningOut]}, tag="screening")
def list_screenings(patient_id: int):
    """A patient's screenings with their answers, the latest first (superseded ones kept); the read is audited.

    A therapist reads only the screenings of patients they treat (403 otherwise).
    """
    require_record(actor(), patient_id, "screening", "API", now())
    return jsonify([{"id": r.id, "answers": r.answers, "outcome": r.outcome, "note": r.note,
                     "recorded_by": r.recorded_by, "recorded_at": instant(r.recorded_at),
                     "supersedes": r.supersedes} for r in screenings_of(patient_id)])


@api.get("/patients/<id:patient_id>/consents")
@operation("reception", "clinician", answers={200: list[ConsentOut]}, tag="screening")
def list_consents(patient_id: int):
    """A patient's signed consents, the latest first (superseded ones kept)."""
    return jsonify([{"id": r.id, "kind": r.kind, "signed_on": r.signed_on.isoformat(),
                     "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                     "recorded_by": r.recorded_by, "recorded_at": instant(r.recorded_at),
                     "supersedes": r.supersedes} for r in consents_of(patient_id)])


def _answer(patient_id: int, write):
    try:
        done: Recorded = write()
    except RecordRefused as refused:
        return problem(409, refused.reasons[0].message, conflicts=[r.as_dict() for r in refused.reasons])
    return jsonify({"id": done.record_id, "patient_id": patient_id, "screening_status": done.screening_status,
                    "consent_status": done.consent_status}), 201
