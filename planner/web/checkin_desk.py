"""The check-in gate on a session's page: a clinician records pre-dose vitals; a prescriber reviews a held dose."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from planner.domain.errors import InvalidData, InvalidTransition, ReviewRefused, StatusRefused
from planner.domain.record_access import CLINICAL_ROLES
from planner.domain.vitals import Vitals
from planner.services.checkin_vitals import check_in_gate, record_vitals, review_held_dose, review_refused
from planner.services.record_access import open_session_record
from planner.web.access import actor, log_refusal, now, roles_required
from planner.web.errors import said
from planner.web.forms import ProblemsBeside

checkin_desk = Blueprint("checkin_desk", __name__)
CLINICAL = ("clinician",)  # admin always may (roles_required); reception checks in but takes no vitals

_WHOLE = "Give a whole number."
GATE_SHOWN = ("arrived", "held", "in_progress")  # the statuses in which the session page shows the gate


class VitalsForm(ProblemsBeside, FlaskForm):
    """Pre-dose blood pressure and heart rate; the clinical bounds are checked by the service, beside each field."""

    systolic = IntegerField("Systolic (mmHg)", validators=[InputRequired(_WHOLE), NumberRange(0, 1000)],
                            render_kw={"inputmode": "numeric"})
    diastolic = IntegerField("Diastolic (mmHg)", validators=[InputRequired(_WHOLE), NumberRange(0, 1000)],
                             render_kw={"inputmode": "numeric"})
    heart_rate = IntegerField("Heart rate (a minute)", validators=[InputRequired(_WHOLE), NumberRange(0, 1000)],
                              render_kw={"inputmode": "numeric"})


class ReviewForm(FlaskForm):
    """The prescriber's decision on a held dose, with a note (required to hold it off)."""

    decision = RadioField("Decision", choices=[SelectChoice("clear", "Clear: the dose goes on"),
                                               SelectChoice("hold_off", "Hold off for today: cancel it; it waits "
                                                                        "for a new time")],
                          validators=[InputRequired("Choose clear or hold off.")])
    note = TextAreaField("Note", validators=[Length(max=500)])


def gate_context(session_id: int, status: str, vitals_form: VitalsForm | None = None,
                 review_form: ReviewForm | None = None, gate_refused: str = "", review_refused: str = "") -> dict:
    """What the session page needs to show the gate (its forms blank unless a post is being shown again).

    review_refused: a review this account just posted and may not make, said beside the review.
    """
    gate = check_in_gate(session_id, actor().user_id)
    return {"gate": gate, "vitals_form": vitals_form or VitalsForm(formdata=None),
            "review_form": review_form or ReviewForm(formdata=None), "gate_refused": gate_refused,
            "review_refused": review_refused, "gate_shown": GATE_SHOWN,
            "vitals_shown": gate.is_dose and status in GATE_SHOWN and gate.latest is not None
            and _reads_vitals(session_id)}


def _reads_vitals(session_id: int) -> bool:
    # The readings are the patient's clinical record: not for reception, nor a therapist not treating
    # them; a clinician's view is audited (issue 13, part 7).
    return current_user.role in CLINICAL_ROLES and open_session_record(actor(), session_id, "vitals", "session page", now())


def _page_again(session_id: int, status: int, **shown):
    from planner.web.session_desk import show_again

    return show_again(session_id, status, **shown)


@checkin_desk.post("/sessions/<id:session_id>/vitals")
@roles_required(*CLINICAL)
def vitals(session_id: int):
    """Record the vitals; above the threshold the page shows the dose held, with why."""
    form = VitalsForm()
    if not form.validate():
        return _page_again(session_id, 422, vitals_form=form)
    try:
        done = record_vitals(session_id, Vitals(form.systolic.data, form.diastolic.data, form.heart_rate.data),
                             actor(), now())
    except InvalidData as invalid:
        form.show_errors(invalid.problems)
        return _page_again(session_id, 422, vitals_form=form)
    except (InvalidTransition, StatusRefused) as refused:
        return _page_again(session_id, 409, vitals_form=form, gate_refused=said(refused))
    if done.held_because:  # a hold is news to act on, not a success: said in the warning colour
        flash(f"Dose held for prescriber review: {done.held_because}.", "warning")
    else:
        flash("Vitals recorded: within the threshold, the dose may go on.", "success")
    return redirect(url_for("session_desk.show", session_id=session_id), 303)


@checkin_desk.post("/sessions/<id:session_id>/review")
@roles_required(*CLINICAL)
def review(session_id: int):
    """Clear the held dose or hold it off for today; held off, the course's re-plan is shown next.

    Only a prescriber with a licence valid on the dose's day may: anyone else is told why beside
    the review (403, logged), before anything they typed is judged, and nothing changes.
    """
    form = ReviewForm()
    refused = review_refused(session_id, actor().user_id)
    if refused:
        return _not_a_reviewer(session_id, form, refused)
    if not form.validate():
        return _page_again(session_id, 422, review_form=form)
    try:
        status = review_held_dose(session_id, form.decision.data, form.note.data or "", actor(), now())
    except InvalidData as invalid:
        form.note.errors = [p.message for p in invalid.problems]
        return _page_again(session_id, 422, review_form=form)
    except ReviewRefused as refusal:  # lost the right between the page's check and the service's (a licence revoked)
        return _not_a_reviewer(session_id, form, str(refusal))
    except (InvalidTransition, StatusRefused) as refused:
        return _page_again(session_id, 409, review_form=form, gate_refused=said(refused))
    if status == "in_progress":
        flash("Hold cleared: the dose goes on.", "success")
        return redirect(url_for("session_desk.show", session_id=session_id), 303)
    from planner.services.session_page import session_page

    course_id = session_page(session_id).course_id
    if course_id is not None:
        flash("Held off for today and cancelled. Here is the course's re-plan with a new time for the dose; "
              "nothing changes until you apply it.", "success")
        return redirect(url_for("course_page.replan_preview", course_id=course_id), 303)
    flash("Held off for today and cancelled.", "success")
    return redirect(url_for("session_desk.show", session_id=session_id), 303)


def _not_a_reviewer(session_id: int, form: ReviewForm, why: str):
    log_refusal(f"not a prescriber who may review a held dose: {why}")
    return _page_again(session_id, 403, review_form=form, review_refused=why)
