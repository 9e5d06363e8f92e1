"""What must be true of a patient before any drug is given: screening cleared and consent signed."""

from __future__ import annotations

from planner.domain.clinic import CONSENT_SIGNED, SCREENING_CLEARED, Patient
from planner.domain.errors import Reason

_SCREENING = {
    "pending": "The patient's contraindication screening has not been cleared yet.",
    "excluded": "The patient's contraindication screening excluded them from ketamine treatment.",
}
_CONSENT = {
    "pending": "The patient has not signed consent for treatment.",
    "withdrawn": "The patient has withdrawn consent for treatment.",
}


def dosing_readiness(patient: Patient) -> list[Reason]:
    """Why no dose may be booked for the patient yet; empty when screening is cleared and consent signed.

    A course cannot start, and no dose is given, while screening or consent is missing (docs/domain.md).
    """
    reasons = []
    if patient.screening != SCREENING_CLEARED:
        reasons.append(Reason("screening_not_cleared",
                              _SCREENING.get(patient.screening, _SCREENING["pending"]), "patient_id"))
    if patient.consent != CONSENT_SIGNED:
        reasons.append(Reason("consent_not_signed", _CONSENT.get(patient.consent, _CONSENT["pending"]), "patient_id"))
    return reasons
