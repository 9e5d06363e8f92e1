"""A course's page: its sessions on a timeline and in a list, its history; re-plan (previewed first) and stop."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, url_for

from planner.domain import lifecycle
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, InvalidTransition, PlanStale
from planner.services import course_pages
from planner.services.course_replan import Replan, preview_replan
from planner.services.course_replan_apply import apply_replan
from planner.services.course_inputs import StopIn
from planner.services.course_status import stop_course
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required
from planner.web.course_forms import ApplyReplanForm, StopCourseForm
from planner.web.course_timeline import timeline
from planner.web.errors import problem

course_page = Blueprint("course_page", __name__)
STAFF = ("reception", "clinician", "admin")
# Sessions that can still move: only these make "re-plan the rest" and "stop" worth offering.
OPEN = ("planned", "active")


def _sessions(page: course_pages.CoursePage) -> list[dict]:
    return [{**s, "at": local(datetime.fromisoformat(s["start"].replace("Z", "+00:00")), page.zone),
             "room": page.rooms.get(s["room_id"], "—")} for s in page.data["sessions"]]


@course_page.get("/courses/<id:course_id>")
@roles_required(*STAFF)
def show(course_id: int):
    """The course: protocol, status, sessions (timeline and list), history, and what can be done."""
    page = course_pages.course_page(course_id)
    sessions = _sessions(page)
    strip = timeline([(s["purpose"], s["dose_number"], s["at"], s["status"], s["id"]) for s in sessions],
                     page.protocol, page.zone)
    history = [{**e, "at": local(datetime.fromisoformat(e["at"].replace("Z", "+00:00")), page.zone)}
               for e in reversed(page.data["history"])]
    return render_template("courses/course.html", page=page, course=page.data, sessions=sessions, timeline=strip,
                           history=history, open=page.data["status"] in OPEN)


@course_page.get("/courses/<id:course_id>/replan")
@roles_required("reception", "clinician")
def replan_preview(course_id: int):
    """What re-planning the rest would move, add and cancel, before anything is applied."""
    page = course_pages.course_page(course_id)
    return _preview(page, preview_replan(course_id, now()))


@course_page.post("/courses/<id:course_id>/replan")
@roles_required("reception")
def replan_apply(course_id: int):
    """Apply the re-plan that was shown; a stale preview is refused and the new one shown (409)."""
    page = course_pages.course_page(course_id)
    form = ApplyReplanForm()
    if not form.validate():
        return _preview(page, preview_replan(course_id, now()), ["The preview to apply was missing; review it "
                                                                 "again."], 422)
    try:
        applied = apply_replan(course_id, actor(), now(), form.fingerprint.data)
    except PlanStale as stale:
        reasons = [r.message for rs in stale.refusals.values() for r in rs]
        fresh = stale.fresh if isinstance(stale.fresh, Replan) else preview_replan(course_id, now())
        return _preview(page, fresh, reasons, 409)
    done = applied.replan
    moved = sum(1 for c in done.changes if c.session_id is not None and c.new is not None)
    added = sum(1 for c in done.changes if c.session_id is None)
    cancelled = sum(1 for c in done.changes if c.new is None)
    answered = " The re-plan request is marked done." if applied.resolved else ""
    flash(f"Re-planned: {moved} moved, {added} added, {cancelled} cancelled.{answered}", "success")
    return redirect(url_for(".show", course_id=course_id), 303)


def _preview(page: course_pages.CoursePage, replan: Replan, refusals: list[str] | None = None, status: int = 200):
    numbers = {s["id"]: (s["purpose"], s["dose_number"]) for s in page.data["sessions"]}
    zone = page.zone
    changes = [{"kind": "add" if c.session_id is None else ("cancel" if c.new is None else "move"),
                "purpose": c.purpose, "dose_number": c.dose_number,
                "from": local(c.old_start, zone) if c.old_start else None,
                "to": local(c.new.start, zone) if c.new else None,
                "room": page.rooms.get(c.new.room_id, "—") if c.new else None} for c in replan.changes]
    renumbered = sorted((*numbers.get(sid, ("dose", None)), number) for sid, number in replan.renumbered.items()
                        if sid in numbers)
    form = ApplyReplanForm(fingerprint=replan.fingerprint)
    return render_template("courses/replan.html", page=page, course=page.data, replan=replan, changes=changes,
                           renumbered=renumbered, form=form, refusals=refusals or []), status


@course_page.route("/courses/<id:course_id>/stop", methods=["GET", "POST"])
@roles_required("reception", "clinician")
def stop(course_id: int):
    """Ask why and confirm; then stop the course and cancel its sessions still to come."""
    page = course_pages.course_page(course_id)
    form = StopCourseForm()
    if page.data["status"] not in OPEN:
        return problem(409, f"The course is {page.data['status']}: it cannot be stopped.")
    reason = _reason(form) if form.validate_on_submit() else None
    if reason is None:
        status = 422 if form.is_submitted() else 200
        upcoming = sum(1 for s in page.data["sessions"] if s["status"] in lifecycle.MOVABLE)
        return render_template("courses/stop.html", page=page, course=page.data, form=form,
                               upcoming=upcoming), status
    try:
        cancelled = stop_course(course_id, actor(), now(), reason)
    except InvalidTransition as refused:
        return problem(409, str(refused))
    flash(f"Course stopped; {cancelled} session{'s' if cancelled != 1 else ''} still to come cancelled.", "success")
    return redirect(url_for(".show", course_id=course_id), 303)


def _reason(form: StopCourseForm) -> str | None:
    """The reason as the course's history keeps it, or None with the problem beside the field."""
    try:
        return parse(StopIn, {"reason": form.reason.data.strip()}).reason
    except InvalidData as invalid:
        form.reason.errors = [*form.reason.errors, *(p.message for p in invalid.problems)]
        return None
