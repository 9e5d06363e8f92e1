"""API for call-outs: preview the repair of someone's sessions, then apply it with the preview's token (admin)."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import Field

from planner.services.callouts import CalloutStale, Preview, apply_callout, preview_callout
from planner.services.inputs import Id, Instant, Strict, prose
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.callout_schemas import PreviewOut
from planner.web.api.describe import operation
from planner.web.api.schemas import Out
from planner.web.errors import problem

Choice = Literal["auto", "reassign", "move", "gap"]  # domain.callouts.CHOICES


class ChoiceIn(Strict):
    session_id: Id
    repair: Choice = Field(description="auto: the planner's best; reassign or move only; gap: leave it uncovered")


class CalloutPreviewIn(Strict):
    staff_id: Id
    starts_at: Instant
    ends_at: Instant
    choices: list[ChoiceIn] = Field(default_factory=list, max_length=500)


class CalloutIn(CalloutPreviewIn):
    reason: prose(200) = ""
    token: str = Field(min_length=1, max_length=64, description="The token of the preview being applied")


class AppliedOut(Out):
    callout_id: int
    told: list[str]
    preview: PreviewOut


def preview_json(preview: Preview) -> dict:
    """A preview as the API answers it."""
    return {"staff_id": preview.staff_id, "staff_name": preview.staff_name, "starts_at": instant(preview.span.start),
            "ends_at": instant(preview.span.end), "token": preview.token,
            "repairs": [{"session_id": r.session_id, "action": r.action, "session_type": r.before.session_type.name,
                         "site_id": r.before.site.id, "timezone": r.before.site.calendar.zone,
                         "patient_id": r.before.patient.id, "starts_at": instant(r.before.start),
                         "new_start": instant(r.start), "room_id": r.room_id,
                         "team": [{"staff_id": p.staff_id, "role": p.role} for p in r.placements],
                         "words": r.words, "why": list(r.why)} for r in preview.repairs]}


@api.post("/callouts/preview")
@operation("admin", body=CalloutPreviewIn, answers={200: PreviewOut}, tag="callouts")
def preview():
    """What marking someone away for a span would do: each session they leave uncovered and its proposed repair."""
    args = body(CalloutPreviewIn)
    found = preview_callout(args.staff_id, args.starts_at, args.ends_at, now(),
                            {c.session_id: c.repair for c in args.choices})
    return jsonify(preview_json(found))


@api.post("/callouts")
@operation("admin", body=CalloutIn, answers={201: AppliedOut}, refusals=(409,), tag="callouts")
def apply():
    """Record the call-out as time off and apply the preview's repairs, all or nothing; 409 with the fresh preview when stale."""
    args = body(CalloutIn)
    try:
        done = apply_callout(args.staff_id, args.starts_at, args.ends_at, args.reason, args.token, actor(), now(),
                             {c.session_id: c.repair for c in args.choices})
    except CalloutStale as stale:
        return problem(409, str(stale), fresh=preview_json(stale.fresh))
    return jsonify({"callout_id": done.callout_id, "told": done.told, "preview": preview_json(done.preview)}), 201
