"""Recording a screening (the checklist item by item), a signed consent and its withdrawal from the patient's page.

Clinicians and admins record screenings; reception records the date of a signed consent form but
never sees screening answers (issue 13, part 7).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from planner.domain.errors import InvalidData
from planner.domain.screening import CHECKLIST, CONSENT_KINDS, OUTCOMES
from planner.services.consent_withdrawal import withdraw_consent
from planner.services.patient_record import patient_row
from planner.services.screening_inputs import ConsentIn, ScreeningIn, WithdrawalIn
from planner.services.screening_records import RecordRefused, record_consent, record_screening
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required

screening_pages = Blueprint("screening_pages", __name__)
_ANSWER = {"yes": True, "no": False}


@screening_pages.route("/patients/<id:patient_id>/screening/new", methods=["GET", "POST"])
@roles_required("clinician")
def record(patient_id: int):
    """The contraindication checklist, yes or no per item, its outcome and note; errors beside each item."""
    patient = patient_row(patient_id)
    if request.method == "GET":
        return _page("screening/record.html", patient, MultiDict(), {}, 200)
    try:
        given = parse(ScreeningIn, _screening_data(request.form))
        record_screening(patient_id, given, actor(), now())
    except (InvalidData, RecordRefused) as refused:
        return _page("screening/record.html", patient, request.form, _errors(refused), 422)
    flash("Screening recorded.", "success")
    return redirect(url_for("patients.show", patient_id=patient_id, _anchor="screening"), 303)


@screening_pages.route("/patients/<id:patient_id>/consent/new", methods=["GET", "POST"])
@roles_required("reception", "clinician")
def consent(patient_id: int):
    """A signed consent form: its kind, the date signed, when it expires."""
    patient = patient_row(patient_id)
    if request.method == "GET":
        return _page("screening/consent.html", patient, MultiDict(), {}, 200)
    data = {"kind": request.form.get("kind", ""), "signed_on": request.form.get("signed_on", ""),
            "expires_on": request.form.get("expires_on") or None}
    try:
        record_consent(patient_id, parse(ConsentIn, data), actor(), now())
    except (InvalidData, RecordRefused) as refused:
        return _page("screening/consent.html", patient, request.form, _errors(refused), 422)
    flash("Consent recorded.", "success")
    return redirect(url_for("patients.show", patient_id=patient_id, _anchor="screening"), 303)


@screening_pages.route("/patients/<id:patient_id>/consent/withdraw", methods=["GET", "POST"])
@roles_required("reception", "clinician")
def withdraw(patient_id: int):
    """The patient withdrew consent for treatment: the day and why; the doses still booked are named after."""
    patient = patient_row(patient_id)
    if request.method == "GET":
        return _page("screening/withdraw.html", patient, MultiDict(), {}, 200)
    data = {"withdrawn_on": request.form.get("withdrawn_on", ""), "reason": request.form.get("reason", "")}
    try:
        done = withdraw_consent(patient_id, parse(WithdrawalIn, data), actor(), now())
    except (InvalidData, RecordRefused) as refused:
        return _page("screening/withdraw.html", patient, request.form, _errors(refused), 422)
    if done.doses:
        # Not cancelled here: reception decides, from the list on the patient's page, to stop the course or cancel.
        flash(f"Consent withdrawn. {len(done.doses)} dose{'s are' if len(done.doses) > 1 else ' is'} still booked: "
              "stop the course or cancel each one (listed below).", "warning")
        return redirect(url_for("patients.show", patient_id=patient_id, _anchor="doses-without-consent"), 303)
    flash("Consent withdrawn: no dose can be booked until a new consent is signed.", "success")
    return redirect(url_for("patients.show", patient_id=patient_id, _anchor="screening"), 303)


def _screening_data(form: MultiDict) -> dict:
    # An item left unanswered is left out (the rules name it); anything but yes or no stays text and is refused.
    answers = {key: _ANSWER.get(form[key], form[key]) for key, _ in CHECKLIST if form.get(key)}
    return {"answers": answers, "outcome": form.get("outcome", ""), "note": form.get("note", "")}


def _errors(refused: InvalidData | RecordRefused) -> dict[str, str]:
    problems = refused.problems if isinstance(refused, InvalidData) else refused.reasons
    errors: dict[str, str] = {}
    for problem in problems:
        key = (problem.field or "").removeprefix("answers.")
        errors[key] = f"{errors[key]} {problem.message}" if key in errors else problem.message
    return errors


def _page(template: str, patient, given: MultiDict, errors: dict[str, str], status: int):
    return render_template(template, patient=patient, given=given, errors=errors, checklist=CHECKLIST,
                           outcomes=OUTCOMES, kinds=CONSENT_KINDS), status
