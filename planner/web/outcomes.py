"""Outcome measures on the staff pages: a questionnaire entered item by item before a dose; the course's trend.

Reception may enter a questionnaire (a patient fills in the paper form at the desk) but never
reads a score (issue 13, part 7): their confirmation says "saved" and nothing more. Clinicians
and admins read scores, bands, the trend and the flags, and correct an entry (a new entry).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.domain import lifecycle
from planner.domain.record_access import CLOSED
from planner.domain.calendar import local
from planner.domain.errors import InvalidData
from planner.domain.outcomes.measures import MEASURES
from planner.domain.outcomes.scoring import SELF_HARM, band_of
from planner.services import course_pages
from planner.services.outcome_entries import EntryRefused, enter_outcome
from planner.services.outcome_inputs import OutcomeIn
from planner.services.outcome_view import course_outcomes
from planner.services.record_access import open_course_record
from planner.web.access import actor, now, roles_required
from planner.web.outcome_chart import trend_chart
from planner.web.outcome_forms import answers_from, item_errors

outcomes = Blueprint("outcomes", __name__)
SCORE_READERS = ("clinician", "admin")
SAME_DOSE = timedelta(hours=1)


def reads_scores() -> bool:
    """Whether the signed-in user's role reads scores at all (clinicians and admins; never reception)."""
    return current_user.is_authenticated and current_user.role in SCORE_READERS


@outcomes.app_template_global("course_outcome_panel")
def course_outcome_panel(course_id: int) -> dict:
    """What the course page's outcome section shows the signed-in user (no scores for reception); the view audited."""
    if not reads_scores():
        return {"course_id": course_id, "scores": False, "measures": MEASURES, "closed": ""}
    if not open_course_record(actor(), course_id, "outcomes", "course page", now()):
        return {"course_id": course_id, "scores": False, "measures": MEASURES, "closed": CLOSED}
    found = course_outcomes(course_id)
    return {"course_id": course_id, "scores": True, "measures": MEASURES, "found": found,
            "charts": [(s, trend_chart(s, found.doses, found.zone)) for s in found.series],
            "entries": [(e, local(e.taken_at, found.zone)) for e in found.entries],
            "band": lambda key, total: band_of(MEASURES[key], total)}


@outcomes.route("/courses/<id:course_id>/outcomes/new", methods=["GET", "POST"])
@roles_required("reception", "clinician")
def enter(course_id: int):
    """A questionnaire item by item, its published wording and answers; errors beside each item."""
    page = course_pages.course_page(course_id)
    key = request.values.get("measure", "")
    doses = _doses(page)
    # From a dose's page: that dose; else the next dose ahead.
    before = _dose_id(request.args.get("session_id", ""), doses) or _next_dose(doses)
    if key not in MEASURES:
        return render_template("outcomes/choose.html", page=page, course=page.data, measures=MEASURES,
                               session_id=before)
    corrects = _corrects(course_id, key)
    if request.method == "GET":
        given = {k: str(v) for k, v in enumerate(corrects.items)} if corrects else {}
        return _form(page, key, doses, given, {}, before, corrects, 200)
    given, answers = answers_from(request.form, MEASURES[key])
    session_id = _dose_id(request.form.get("session_id", ""), doses)
    entry = OutcomeIn.model_construct(measure=key, items=answers, taken_at=None, course_id=course_id,
                                      session_id=session_id, supersedes=corrects.id if corrects else None)
    try:
        entered = enter_outcome(page.data["patient_id"], entry, actor(), now())
    except InvalidData as invalid:
        errors, other = item_errors(invalid)
        return _form(page, key, doses, given, errors, session_id, corrects, 422, other)
    except EntryRefused as refused:
        return _form(page, key, doses, given, {}, session_id, corrects, 409, [r.message for r in refused.reasons])
    flash(_saved(entered.score, course_id), "success")
    return redirect(url_for("course_page.show", course_id=course_id, _anchor="outcomes"), 303)


def _saved(scored, course_id: int) -> str:
    name = MEASURES[scored.measure].name
    if not reads_scores() or not open_course_record(actor(), course_id, "outcomes", "outcome entry", now()):
        # No score for reception, nor a therapist not treating this patient; but an answer about
        # self-harm must reach the prescriber today.
        urgent = " One answer needs the prescriber's attention today: tell them now." \
            if SELF_HARM in scored.flags else ""
        return f"{name} answers saved.{urgent}"
    band = f" ({scored.band})" if scored.band else ""
    flag = " Item 9 (thoughts of self-harm) was answered above 0: the prescriber must see this today." \
        if SELF_HARM in scored.flags else ""
    return f"{name} saved: total {scored.total}{band}.{flag}"


def _corrects(course_id: int, key: str):
    text = request.values.get("corrects", "")
    if not text:
        return None
    # A correction shows the answers: only those who read this patient's scores make one (the view audited).
    if not reads_scores() or not open_course_record(actor(), course_id, "outcomes", "outcome correction", now()):
        abort(403)
    found = next((e for e in course_outcomes(course_id).entries if str(e.id) == text and e.measure == key), None)
    if found is None:
        abort(404)
    return found


def _doses(page: course_pages.CoursePage) -> list[tuple[int, str, datetime]]:
    """The course's doses not cancelled or missed, as (session id, words, start)."""
    shown = []
    for s in page.data["sessions"]:
        if s["purpose"] != "dose" or s["status"] in lifecycle.RELEASED:
            continue
        start = datetime.fromisoformat(s["start"].replace("Z", "+00:00"))
        shown.append((s["id"], f"Dose {s['dose_number']} · {local(start, page.zone):%a %d %b %Y, %H:%M}", start))
    return shown


def _dose_id(text: str, doses: list[tuple[int, str, datetime]]) -> int | None:
    """The dose a form or link names, if it is one of the course's doses."""
    return int(text) if text.isascii() and text.isdigit() and int(text) in {d[0] for d in doses} else None


def _next_dose(doses: list[tuple[int, str, datetime]]) -> int | None:
    # A questionnaire taken now comes before the first dose still ahead (one begun this last hour counts).
    ahead = [sid for sid, _, start in doses if start > now() - SAME_DOSE]
    return ahead[0] if ahead else None


def _form(page, key, doses, given, errors, session_id, corrects, status, problems=None):
    return render_template("outcomes/enter.html", page=page, course=page.data, measure=MEASURES[key], doses=doses,
                           given=given, errors=errors, session_id=session_id, corrects=corrects,
                           problems=problems or []), status
