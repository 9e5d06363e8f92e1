"""What must be true of a patient before any drug is given: screening cleared and consent signed."""

from __future__ import annotations

from datetime import date

from planner.domain.clinic import CONSENT_SIGNED, SCREENING_CLEARED, Patient
from planner.domain.errors import Reason
from planner.domain.screening import consent_holds_on

_SCREENING = {
    "pending": "The patient's contraindication screening has not been cleared yet.",
    "excluded": "The patient's contraindication screening excluded them from ketamine treatment.",
}
_CONSENT = {
    "pending": "The patient has not signed consent for treatment.",
    "withdrawn": "The patient has withdrawn consent for treatment.",
}


def dosing_readiness(patient: Patient, day: date | None = None) -> list[Reason]:
    """Why no dose may be booked for the patient (on day, when given); empty when screening is cleared and consent signed.

    A course cannot start, and no dose is given, while screening or consent is missing (docs/domain.md).
    A consent that expires before the dose's day does not hold for that dose, whatever it says today.
    """
    reasons = []
    if patient.screening != SCREENING_CLEARED:
        reasons.append(Reason("screening_not_cleared",
                              _SCREENING.get(patient.screening, _SCREENING["pending"]), "patient_id"))
    if patient.consent != CONSENT_SIGNED:
        reasons.append(Reason("consent_not_signed", _CONSENT.get(patient.consent, _CONSENT["pending"]), "patient_id"))
    elif day is not None and not consent_holds_on(patient.consent_expires_on, day):
        reasons.append(Reason("consent_not_signed", f"The patient's treatment consent expires on "
                              f"{patient.consent_expires_on:%m/%d/%Y}, before this dose ({day:%m/%d/%Y}): "
                              "record a renewed consent first.", "patient_id"))
    return reasons
