"""Reception's patient pages: search as you type, a patient's page, register and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from planner.db import reads
from planner.domain.calendar import local
from planner.domain.errors import InvalidData
from planner.domain.patient_search import BIRTH_DATE_FORMS, MAX_QUERY
from planner.domain.record_access import CLINICAL_ROLES, CLOSED
from planner.extensions import db
from planner.services.patient_record import patient_record
from planner.services.patient_registry import form_values, register_patient, update_patient
from planner.services.patient_search import search_patients
from planner.services.record_access import open_record, record_views
from planner.web.access import actor, now, roles_required
from planner.web.patient_forms import PatientForm

patients = Blueprint("patients", __name__)
STAFF = ("reception", "clinician", "admin")
EDITORS = ("reception",)  # and admin, who always may


def _query() -> str:
    # Only the first q counts; anything longer than a search is cut (the domain cuts to MAX_QUERY too).
    return request.args.get("q", "")[:MAX_QUERY * 2]


@patients.get("/patients")
@roles_required(*STAFF)
def search():
    """The search page; with ?q= it lists the matches (the page works without JavaScript)."""
    query = _query()
    return render_template("patients/search.html", q=query, result=search_patients(query),
                           forms=BIRTH_DATE_FORMS)


@patients.get("/patients/results")
@roles_required(*STAFF)
def results():
    """Just the list of matches, for the search box's script to put in place as reception types."""
    query = _query()
    return render_template("patients/_results.html", q=query, result=search_patients(query))


@patients.get("/patients/<id:patient_id>")
@roles_required(*STAFF)
def show(patient_id: int):
    """A patient's page: record, channels and consent, courses, sessions, messages, history."""
    record = patient_record(patient_id, now())
    records = record.records
    clinical = current_user.role in CLINICAL_ROLES
    # Screening answers are the patient's clinical record: judged per reader, and each view audited.
    shown = clinical and (records.screening is None
                          or open_record(actor(), patient_id, "screening", "patient page", now()))
    return render_template("patients/show.html", record=record, records=records, clinical_shown=shown,
                           closed=CLOSED if clinical and not shown else "",
                           views=record_views(patient_id) if current_user.role == "admin" else None)


@patients.route("/patients/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def register():
    """Register a patient; on error every message is beside its field (422) and nothing is written."""
    form = _form()
    if form.validate_on_submit():
        try:
            patient_id = register_patient(form.values(), actor(), now())
        except InvalidData as invalid:
            form.show_errors(invalid.problems)
        else:
            flash("Patient registered.", "success")
            return redirect(url_for(".show", patient_id=patient_id), 303)
    return _page(form, None)


@patients.route("/patients/<id:patient_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(patient_id: int):
    """Edit a patient's record with the same rules as registering; the change is audited."""
    form = _form(None if request.method == "POST" else form_values(patient_id))
    if form.validate_on_submit():
        try:
            changes = update_patient(patient_id, form.values(), actor(), now())
        except InvalidData as invalid:
            form.show_errors(invalid.problems)
        else:
            flash("Saved." if changes else "Nothing changed.", "success")
            return redirect(url_for(".show", patient_id=patient_id), 303)
    return _page(form, patient_id)


def _form(values: dict | None = None) -> PatientForm:
    form = PatientForm(data=values) if values else PatientForm()
    sites = reads.listed_sites(db.session)
    blank = "The clinic's only site" if len(sites) == 1 else "Choose the site"
    form.home_site_id.choices = [SelectChoice("", blank)] + [SelectChoice(str(s.id), s.name) for s in sites]
    return form


def _page(form: PatientForm, patient_id: int | None):
    failed = request.method == "POST"
    page = render_template("patients/form.html", form=form, patient_id=patient_id, failed=failed)
    return page, 422 if failed else 200


@patients.app_template_filter("wall_day")
def wall_day(instant, zone: str) -> str:
    """'Mon 23 Nov 2026' for the local day an instant falls on at a site."""
    return local(instant, zone).strftime("%a %d %b %Y")


@patients.app_template_filter("zone_abbr")
def zone_abbr(instant, zone: str) -> str:
    """The zone's abbreviation at that instant ('EST', 'CEST'): the offset a reader needs."""
    return local(instant, zone).tzname() or zone


@patients.app_template_filter("wall_moment")
def wall_moment(instant, zone: str) -> str:
    """'Mon 23 Nov 2026 13:05 EST': an instant in a site's wall time with its zone."""
    moment = local(instant, zone)
    return f"{moment:%a %d %b %Y %H:%M} {moment.tzname()}"
