"""Registering and editing a patient (reception's form, the API's PATCH): PatientIn's rules, audited with history."""

from __future__ import annotations

from datetime import date, datetime

from planner.db.models import Patient
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.services import Actor
from planner.services.audit import record
from planner.services.clinic_setup import create_patient, edit_patient
from planner.services.patient_inputs import PatientChange, PatientIn
from planner.services.validation import parse

# What the form carries: every field of PatientIn (the API's body), as text, channels as a list.
FIELDS = tuple(f for f in PatientIn.model_fields if f not in PatientIn.RECORDED_ELSEWHERE)
LABELS = {"mrn": "MRN", "name": "Name", "date_of_birth": "Date of birth", "email": "Email", "phone": "Phone",
          "preferred_channel": "Preferred channel", "consented_channels": "Consented channels",
          "escort_name": "Escort's name", "escort_phone": "Escort's phone", "rems_patient_id": "REMS patient id",
          "home_site_id": "Home site"}
_REQUIRED = ("mrn", "name", "date_of_birth")


def register_patient(form: dict, actor: Actor, now: datetime) -> int:
    """Register a patient from the form, or InvalidData naming each bad field (nothing written); returns the id."""
    return create_patient(_parsed(form, now), actor, now)


def update_patient(patient_id: int, form: dict, actor: Actor, now: datetime) -> dict[str, tuple]:
    """Change a patient's record, or InvalidData (nothing written); the audit keeps each field before and after."""
    data = _parsed(form, now)
    with unit_of_work() as session:
        changes = _save(session, patient_id, data, actor, now)
        session.commit()
        return changes


def change_patient(patient_id: int, change: PatientChange, actor: Actor, now: datetime) -> dict[str, tuple]:
    """Change the fields given (the API's PATCH): the record as it would be must pass PatientIn, else nothing is written."""
    given = change.model_dump(exclude_unset=True)
    if not given:
        raise InvalidData([Reason("empty", "Say what to change.", "body")])
    with unit_of_work() as session:
        row = session.get(Patient, patient_id)
        if row is None:
            raise NotFound("patient", patient_id)
        current = {field: getattr(row, field) for field in FIELDS}
        data = parse(PatientIn, {**current, **given}, context={"now": now})
        changes = _save(session, patient_id, data, actor, now)
        session.commit()
        return changes


def _save(session, patient_id: int, data: PatientIn, actor: Actor, now: datetime) -> dict[str, tuple]:
    """Edit the record (its waiting messages follow, in this transaction) and audit it before and after."""
    edited = edit_patient(session, patient_id, data, now)
    if edited.changes:
        details = {"outbox": edited.outbox} if edited.outbox else {}
        record(session, actor, "patient.updated", "patient", patient_id, now,
               before={k: _plain(v[0]) for k, v in edited.changes.items()},
               after={k: _plain(v[1]) for k, v in edited.changes.items()}, **details)
    return edited.changes


def form_values(patient_id: int) -> dict:
    """The patient's record as the edit form shows it (text, channels as a list)."""
    with unit_of_work(write=False) as session:
        row = session.get(Patient, patient_id)
        if row is None:
            raise NotFound("patient", patient_id)
        values = {field: getattr(row, field) for field in FIELDS}
    return {k: (list(v) if k == "consented_channels" else "" if v is None else str(v)) for k, v in values.items()}


def _parsed(form: dict, now: datetime) -> PatientIn:
    """PatientIn from the form's text: a blank optional field means "none", a blank required one is named."""
    data: dict = {}
    for field in FIELDS:
        value = form.get(field)
        if field == "consented_channels":
            data[field] = [c for c in (value or []) if c]
        elif isinstance(value, str) and value.strip():
            data[field] = value
        elif field in _REQUIRED:
            data[field] = ""
    try:
        return parse(PatientIn, data, context={"now": now})
    except InvalidData as invalid:
        raise InvalidData([_worded(problem, data) for problem in invalid.problems]) from None


def _worded(problem: Reason, data: dict) -> Reason:
    # Beside a field, "String should have at least 1 character" reads worse than "Required".
    field = (problem.field or "").split(".")[0].split("[")[0]
    if field in _REQUIRED and data.get(field) == "":
        return Reason("missing", f"{LABELS[field]} is required.", field)
    if field not in LABELS:  # a rule across fields (channels and their addresses) is shown by the channels
        return Reason(problem.code, _sentence(problem.message), "consented_channels")
    message = problem.message
    if message.startswith(("is ", "must ")):
        message = f"{LABELS[field]} {message}"
    return Reason(problem.code, _sentence(message), field)


def _sentence(message: str) -> str:
    # pydantic's messages start in lower case and end without a stop; beside a field they read as sentences.
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
