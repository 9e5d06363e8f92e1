"""API for the esketamine REMS duties: the patient monitoring forms owed, marked done, reopened by an admin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import jsonify
from pydantic import Field

from planner.domain.errors import NotFound, StatusRefused
from planner.services import rems_forms
from planner.services.inputs import Id, Strict, prose
from planner.services.rems_view import FormFilter, FormRow, monitoring_forms
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant, query
from planner.web.api.describe import operation
from planner.web.api.schemas import Out
from planner.web.errors import problem


class TasksQuery(Strict):
    state: Literal["open", "done", "any"] = "open"
    prescriber_id: Id | None = None
    site_id: Id | None = None
    overdue: bool | None = None  # true: only overdue forms; false: only those not overdue


class DoneIn(Strict):
    """Nothing to say: marking a form done records who and when."""


class ReopenIn(Strict):
    reason: prose(500) = Field(min_length=1)


class TaskOut(Out):
    """A REMS patient monitoring form owed for one esketamine session given."""

    id: int
    session_id: int
    session_start: datetime
    patient_id: int
    patient_name: str
    mrn: str
    site_id: int
    site_name: str
    timezone: str
    prescriber_id: int | None
    prescriber_name: str | None
    due_on: date = Field(description="The last day to send it, in the site's wall time")
    due_by: datetime = Field(description="The instant that day ends at the site: overdue from then on")
    state: Literal["open", "done"]
    overdue: bool
    done_at: datetime | None
    done_by: str | None


def _task(row: FormRow) -> dict:
    return {"id": row.id, "session_id": row.session_id, "session_start": instant(row.session_start),
            "patient_id": row.patient_id, "patient_name": row.patient_name, "mrn": row.mrn, "site_id": row.site_id,
            "site_name": row.site_name, "timezone": row.zone, "prescriber_id": row.prescriber_id,
            "prescriber_name": row.prescriber_name, "due_on": row.due_on.isoformat(), "due_by": instant(row.due_at),
            "state": row.state, "overdue": row.overdue, "done_at": instant(row.done_at), "done_by": row.done_by}


def _shown(task_id: int) -> dict:
    found = monitoring_forms(FormFilter(state=None, form_id=task_id), now())
    if not found:
        raise NotFound("monitoring form", task_id)
    return _task(found[0])


@api.get("/rems/tasks")
@operation("clinician", query=TasksQuery, answers={200: list[TaskOut]}, tag="rems")
def list_tasks():
    """REMS patient monitoring forms owed after esketamine sessions: open ones soonest due first."""
    args = query(TasksQuery)
    wanted = FormFilter(None if args.state == "any" else args.state, args.prescriber_id, args.site_id, args.overdue)
    return jsonify([_task(row) for row in monitoring_forms(wanted, now())])


@api.post("/rems/tasks/<id:task_id>/done")
@operation("clinician", body=DoneIn, body_required=False, answers={200: TaskOut}, tag="rems")
def mark_done(task_id: int):
    """Mark a monitoring form sent (again: no change; who marked it first stays)."""
    body(DoneIn)
    rems_forms.mark_done(task_id, actor(), now())
    return jsonify(_shown(task_id))


@api.post("/rems/tasks/<id:task_id>/reopen")
@operation("admin", body=ReopenIn, answers={200: TaskOut}, refusals=(409,), tag="rems")
def reopen(task_id: int):
    """Undo a form's "done" with a reason (admin); 409 when it is not done."""
    args = body(ReopenIn)
    try:
        rems_forms.reopen(task_id, args.reason, actor(), now())
    except StatusRefused as refused:  # the generic handler speaks of a session's status
        return problem(409, refused.reasons[0].message, conflicts=[r.as_dict() for r in refused.reasons])
    return jsonify(_shown(task_id))
