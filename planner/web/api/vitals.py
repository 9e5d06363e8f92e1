"""API for the check-in gate: pre-dose vitals that may hold a dose, and the prescriber's review of a held dose."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field

from planner.domain.errors import ReviewRefused
from planner.domain.vitals import Vitals
from planner.services.checkin_vitals import record_vitals, review_held_dose
from planner.services.inputs import Strict, prose
from planner.web.access import actor, log_refusal, now
from planner.web.api import api
from planner.web.api.common import body
from planner.web.api.describe import operation
from planner.web.api.schemas import Out

# Wide bounds only keep absurd numbers out of the service; the clinical bounds (domain/vitals.py)
# refuse a typing error such as a systolic of 20 with a 422 naming the field.
Reading = Annotated[int, Field(ge=0, le=1000)]


class VitalsIn(Strict):
    systolic: Reading = Field(description="Pre-dose systolic blood pressure, mmHg")
    diastolic: Reading = Field(description="Pre-dose diastolic blood pressure, mmHg")
    heart_rate: Reading = Field(description="Pre-dose heart rate, beats a minute")


class VitalsOut(Out):
    """The reading written and what it did: a reading above the site's threshold holds the dose."""

    reading_id: int
    session_id: int
    status: str
    held_because: str = Field(description="Empty when the dose may go on")


class ReviewIn(Strict):
    decision: Literal["clear", "hold_off"]
    note: prose(500) = Field("", description="Why; required to hold the dose off for today")


class ReviewOut(Out):
    session_id: int
    status: str


@api.post("/sessions/<id:session_id>/vitals")
@operation("clinician", body=VitalsIn, answers={201: VitalsOut}, refusals=(409,), tag="sessions")
def vitals(session_id: int):
    """Record a checked-in dose's pre-dose blood pressure and heart rate; above the site's threshold the dose is held."""
    args = body(VitalsIn)
    done = record_vitals(session_id, Vitals(args.systolic, args.diastolic, args.heart_rate), actor(), now())
    return jsonify({"reading_id": done.reading_id, "session_id": session_id, "status": done.status,
                    "held_because": done.held_because}), 201


@api.post("/sessions/<id:session_id>/review")
@operation("clinician", body=ReviewIn, answers={200: ReviewOut}, refusals=(409,), tag="sessions")
def review(session_id: int):
    """A prescriber clears a held dose (it goes on) or holds it off for today (cancelled, re-planned in its course).

    403 unless the token's account is linked to a prescriber (MD, DO, NP, PA) with a licence valid on the dose's day.
    """
    args = body(ReviewIn)
    try:
        status = review_held_dose(session_id, args.decision, args.note, actor(), now())
    except ReviewRefused as refused:
        from planner.web.errors import problem

        log_refusal(f"not a prescriber who may review a held dose: {refused}")
        # The API's 403 is {"error": ...} alone (ErrorOut): the reason goes in its words.
        return problem(403, f"{refused} Nothing was changed.")
    return jsonify({"session_id": session_id, "status": status})
