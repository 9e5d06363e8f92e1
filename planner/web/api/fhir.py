"""FHIR R4 read routes under /api/fhir: a patient's Appointments, a site's Schedule and Slots, a course's CarePlan.

Answers are application/fhir+json; refusals are OperationOutcomes (planner/web/errors.py). Clinicians
and admins read a patient's record; reception reads schedules and slots but no clinical record.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from pydantic import BaseModel

from planner.adapters.fhir_common import FHIR_JSON
from planner.services.fhir_export import course_care_plan, one_appointment, patient_appointments
from planner.services.fhir_slots import schedule_slots, site_schedules, slot_days
from planner.services.validation import parse
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import documented, query
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.fhir_schemas import (
    FhirAppointmentOut, FhirAppointmentSearch, FhirBundleOut, FhirCarePlanOut, FhirOperationOutcomeOut,
    FhirScheduleSearch, FhirSlotSearch,
)

CLINICAL = ("clinician",)  # and admin, who always may: a patient's clinical record (issue 13, part 7)


def fhir(*roles: str, answers: dict, query: type[BaseModel] | None = None, refusals: tuple[int, ...] = ()):
    """Describe a FHIR route: its roles, FHIR JSON answers and OperationOutcome refusals."""
    return operation(*roles, answers=answers, query=query, refusals=refusals, tag="fhir", media=FHIR_JSON,
                     problem=FhirOperationOutcomeOut)


def _answer(resource: dict):
    response = jsonify(resource)
    response.mimetype = FHIR_JSON
    return response


def _search(model: type[BaseModel]):
    """The search parameters validated against model (a repeated parameter read as a list where the model takes one)."""
    repeated = {f.alias or name for name, f in model.model_fields.items() if f.annotation is not None
                and getattr(f.annotation, "__origin__", None) is list}
    if not repeated:
        return query(model)
    documented("query", model)
    # pydantic's string mode takes no lists: a model with a repeated parameter has only text fields
    # (FhirSlotSearch), so its values, already text, are validated as they are.
    return parse(model, {key: request.args.getlist(key) if key in repeated else request.args[key]
                         for key in request.args})


def _base() -> str:
    """The FHIR endpoint's absolute root (…/api/fhir), under which each entry's fullUrl is named."""
    return url_for("api.fhir_schedules", _external=True).removesuffix("/Schedule")


@api.get("/fhir/Patient/<id:patient_id>/Appointment")
@fhir(*CLINICAL, answers={200: FhirBundleOut})
def fhir_patient_appointments(patient_id: int):
    """A patient's sessions as FHIR R4 Appointments in a searchset Bundle (the read is audited)."""
    return _answer(patient_appointments(patient_id, actor(), now(), _base(), request.url))


@api.get("/fhir/Appointment")
@fhir(*CLINICAL, answers={200: FhirBundleOut}, query=FhirAppointmentSearch, refusals=(404,))
def fhir_appointments():
    """Search Appointments by patient (FHIR style): the same Bundle as /fhir/Patient/{id}/Appointment."""
    args = _search(FhirAppointmentSearch)
    return _answer(patient_appointments(args.patient, actor(), now(), _base(), request.url))


@api.get("/fhir/Appointment/<id:session_id>")
@fhir(*CLINICAL, answers={200: FhirAppointmentOut})
def fhir_appointment(session_id: int):
    """One session as a FHIR R4 Appointment (the read is audited)."""
    return _answer(one_appointment(session_id, actor(), now()))


@api.get("/fhir/Schedule")
@fhir(*ANY_STAFF, answers={200: FhirBundleOut}, query=FhirScheduleSearch, refusals=(404,))
def fhir_schedules():
    """A site's Schedule (one per site, its Location the actor) in a searchset Bundle."""
    args = _search(FhirScheduleSearch)
    return _answer(site_schedules(args.site, _base(), request.url))


@api.get("/fhir/Slot")
@fhir(*ANY_STAFF, answers={200: FhirBundleOut}, query=FhirSlotSearch, refusals=(404,))
def fhir_slots():
    """A Schedule's free and busy Slots over at most a week: free ones are the times the offers would offer now."""
    args = _search(FhirSlotSearch)
    first, end = slot_days(args.start)
    return _answer(schedule_slots(args.schedule, first, end, now(), _base(), request.url, args.service_type))


@api.get("/fhir/CarePlan/<id:course_id>")
@fhir(*CLINICAL, answers={200: FhirCarePlanOut})
def fhir_care_plan(course_id: int):
    """A course as a FHIR R4 CarePlan referencing its Appointments (the read is audited)."""
    return _answer(course_care_plan(course_id, actor(), now()))
