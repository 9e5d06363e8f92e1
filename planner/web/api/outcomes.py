"""API for outcome measures: enter a questionnaire for a patient; read a course's scores, bands and progress.

Reception may enter (the answers a patient gave at the desk) but never reads a score (issue 13,
part 7): their answer to a POST leaves the score out, and the course's outcomes refuse them (403).
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from planner.services.outcome_entries import enter_outcome
from planner.services.outcome_inputs import Measure, OutcomeIn
from planner.services.outcome_view import EntryRow, course_outcomes
from planner.services.record_access import open_record, require_course_record
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out


class EnteredOut(Out):
    """The entry written; its score only for roles that read scores (not reception)."""

    id: int
    patient_id: int
    course_id: int | None
    measure: Measure
    total: int | None = Field(description="null for reception, who may not read scores")
    band: str | None = Field(description="The published band; null for pain, or for reception")
    flags: list[str] | None = Field(description="self_harm_item: PHQ-9 item 9 above 0; null for reception")


class EntryOut(Out):
    """One outcome entry of a course, superseded ones included (marked)."""

    id: int
    measure: Measure
    items: list[int]
    total: int
    band: str | None
    flags: list[str]
    taken_at: datetime
    entered_by: str
    session_id: int | None
    supersedes: int | None
    superseded_by: int | None


class SeriesOut(Out):
    """One measure over the course: its baseline (the first score before dose 1) and where the latest stands."""

    measure: Measure
    baseline: int | None
    latest: int | None
    change_percent: int | None = Field(description="Negative: a fall from the baseline")
    response: bool | None = Field(description="PHQ-9, GAD-7: a fall of 50% or more; null for the others")
    remission: bool | None = Field(description="PHQ-9, GAD-7: a total under 5; null for the others")
    meaningful: bool | None = Field(description="PCL-5: 10 points or more; pain: 30% or more")
    substantial: bool | None = Field(description="Pain: 50% or more")
    status: str


class CourseOutcomesOut(Out):
    course_id: int
    patient_id: int
    first_dose_at: datetime | None
    series: list[SeriesOut]
    entries: list[EntryOut]


@api.post("/patients/<id:patient_id>/outcomes")
@operation("reception", "clinician", body=OutcomeIn, answers={201: EnteredOut}, refusals=(409,), tag="outcomes")
def enter(patient_id: int):
    """Enter a questionnaire answered before a dose; the product scores it (422 names each wrong item)."""
    done = enter_outcome(patient_id, body(OutcomeIn), actor(), now())  # EntryRefused: 409 (web/errors.py)
    # The score is a view of the patient's record: not for reception, nor a therapist not treating them.
    scores = current_user.role != "reception" and open_record(actor(), patient_id, "outcomes", "API", now(),
                                                              entry_id=done.entry_id)
    return jsonify({"id": done.entry_id, "patient_id": done.patient_id, "course_id": done.course_id,
                    "measure": done.score.measure, "total": done.score.total if scores else None,
                    "band": done.score.band if scores else None,
                    "flags": list(done.score.flags) if scores else None}), 201


@api.get("/courses/<id:course_id>/outcomes")
@operation("clinician", answers={200: CourseOutcomesOut}, tag="outcomes")
def course(course_id: int):
    """A course's outcome entries, and per measure the baseline, the latest, response and remission (audited).

    A therapist reads only the courses of patients they treat (403 otherwise).
    """
    require_course_record(actor(), course_id, "outcomes", "API", now())
    found = course_outcomes(course_id)
    return jsonify({"course_id": found.course_id, "patient_id": found.patient_id,
                    "first_dose_at": instant(found.first_dose_at),
                    "series": [{"measure": s.measure, "baseline": s.progress.baseline, "latest": s.progress.latest,
                                "change_percent": s.progress.change_percent, "response": s.progress.response,
                                "remission": s.progress.remission, "meaningful": s.progress.meaningful,
                                "substantial": s.progress.substantial, "status": s.progress.words}
                               for s in found.series],
                    "entries": [_entry(e) for e in found.entries]})


def _entry(e: EntryRow) -> dict:
    return {"id": e.id, "measure": e.measure, "items": list(e.items), "total": e.total, "band": e.band,
            "flags": list(e.flags), "taken_at": instant(e.taken_at), "entered_by": e.entered_by,
            "session_id": e.session_id, "supersedes": e.supersedes, "superseded_by": e.superseded_by}
