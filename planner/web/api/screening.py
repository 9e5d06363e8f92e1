"""API for screening and consent records: record one (it supersedes the latest) and read a patient's history.

Clinicians and admins record and read screenings; reception may record a signed consent form and
read consents, but never reads screening answers (issue 13, part 7): their GET is refused (403).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import jsonify
from pydantic import Field

from planner.services.consent_withdrawal import withdraw_consent
from planner.services.screening_inputs import ConsentIn, ConsentKind, Outcome, ScreeningIn, WithdrawalIn
from planner.services.screening_records import (
    Recorded, consents_of, record_consent, record_screening, screenings_of,
)
from planner.services.record_access import require_record
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out


class RecordedOut(Out):
    """The record written and the patient's statuses the booking rules now read."""

    id: int
    patient_id: int
    screening_status: str = Field(description="pending, cleared or excluded")
    consent_status: str = Field(description="pending, signed or withdrawn")


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
    kind: ConsentKind | Literal["withdrawal"] = Field(description="treatment, rems_enrolment, or withdrawal (of the "
                                                                  "treatment consent; signed_on is the day withdrawn)")
    signed_on: date
    expires_on: date | None
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None
    note: str | None = Field(description="A withdrawal's reason, or where the record came from")


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


class DoseStillBookedOut(Out):
    """A dose still booked that the patient's consent no longer covers: cancel it, or stop its course."""

    session_id: int
    starts_at: datetime
    day: date = Field(description="The dose's day in its site's time zone")
    session_type: str
    site: str
    course_id: int | None
    cancel: str = Field(description="POST here (with a reason) to cancel this dose")
    stop_course: str | None = Field(description="POST here to stop the dose's course, if it belongs to one")


class WithdrawnOut(RecordedOut):
    """The withdrawal written, the statuses after it, and each dose still booked (not cancelled: you decide)."""

    doses_still_booked: list[DoseStillBookedOut]


@api.post("/patients/<id:patient_id>/consent-withdrawals")
@operation("reception", "clinician", body=WithdrawalIn, answers={201: WithdrawnOut}, refusals=(409,), tag="screening")
def add_withdrawal(patient_id: int):
    """Record that the patient withdrew treatment consent (day and reason); no dose can be booked from then on.

    The doses still booked are named in the answer, with where to cancel each and stop its course;
    none is cancelled here. 422 when there is no signed consent to withdraw.
    """
    done = withdraw_consent(patient_id, body(WithdrawalIn), actor(), now())  # RecordRefused: 409 (web/errors.py)
    return jsonify({"id": done.record_id, "patient_id": patient_id, "screening_status": done.screening_status,
                    "consent_status": done.consent_status,
                    "doses_still_booked": [dose.as_dict() for dose in done.doses]}), 201


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
    """A patient's signed consents and withdrawals, the latest first (superseded ones kept)."""
    return jsonify([{"id": r.id, "kind": r.kind, "signed_on": r.signed_on.isoformat(),
                     "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                     "recorded_by": r.recorded_by, "recorded_at": instant(r.recorded_at),
                     "supersedes": r.supersedes, "note": r.note} for r in consents_of(patient_id)])


def _answer(patient_id: int, write):
    done: Recorded = write()  # RecordRefused: 409 (web/errors.py)
    return jsonify({"id": done.record_id, "patient_id": patient_id, "screening_status": done.screening_status,
                    "consent_status": done.consent_status}), 201
