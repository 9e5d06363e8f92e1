"""Reception's list of what patients asked for from their links, worked one request at a time."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner.domain.errors import RequestResolved
from planner.services.consent_doses import doses_to_settle
from planner.services.patient_requests import open_requests, resolve_request
from planner.web.access import actor, now, roles_required
from planner.web.errors import problem

reception = Blueprint("reception", __name__)
_DONE = {"done": "marked done", "withdrawn": "marked withdrawn"}


@reception.get("/requests")
@roles_required("reception")
def requests_list():
    """Open requests, oldest first: another time asked for, or a course to re-plan by hand."""
    return render_template("pages/requests.html", requests=open_requests(), unconsented=doses_to_settle(now()))


@reception.post("/requests/<int(max=2147483647):request_id>")
@roles_required("reception")
def resolve(request_id: int):
    """Mark one request done or withdrawn (a second try, by anyone, is refused)."""
    outcome = request.form.get("outcome", "")
    try:
        resolve_request(request_id, actor(), now(), outcome)
    except RequestResolved as resolved:
        return problem(409, str(resolved))
    flash(f"Request {request_id} {_DONE[outcome]}.", "info")
    return redirect(url_for(".requests_list"), 303)
