"""API: a dose's pre-dose readings, for the patient's clinicians only, each read audited (issue 13, part 7)."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify
from pydantic import Field

from planner.services.record_access import require_session_record
from planner.services.vitals_history import readings_of
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out


class ReadingOut(Out):
    id: int
    systolic: int = Field(description="mmHg")
    diastolic: int = Field(description="mmHg")
    heart_rate: int = Field(description="Beats a minute")
    threshold: str = Field(description="The site's threshold it was judged by, e.g. 140/90")
    held: bool = Field(description="This reading held the dose for prescriber review")
    taken_at: datetime
    taken_by: str
    supersedes: int | None = Field(description="The reading this one corrects")


@api.get("/sessions/<id:session_id>/vitals")
@operation("clinician", answers={200: list[ReadingOut]}, tag="sessions")
def readings(session_id: int):
    """A session's pre-dose readings, the latest first; a therapist reads only their own patients' (audited)."""
    require_session_record(actor(), session_id, "vitals", "API", now())
    return jsonify([{"id": r.id, "systolic": r.systolic, "diastolic": r.diastolic, "heart_rate": r.heart_rate,
                     "threshold": r.threshold, "held": r.held, "taken_at": instant(r.taken_at),
                     "taken_by": r.taken_by, "supersedes": r.supersedes} for r in readings_of(session_id)])
