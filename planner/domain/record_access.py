"""Who may read a patient's clinical record: scores, screening answers, pre-dose vitals (issue 13, part 7).

Reception sees schedules and preparation status, never the clinical details. Prescribers and nurses
supervise and monitor doses across the clinic, so they read every patient's record. A therapist reads
only the record of a patient they treat: one with a session on which they are on the team.
"""

from __future__ import annotations

from planner.domain.staffing import PRESCRIBERS

ALL = "all"    # every patient's clinical record
OWN = "own"    # only patients with a session on which the reader is on the team
NONE = "none"  # no clinical details (reception)

# Those who monitor a dose: they check patients in and take vitals for whoever is in the chair.
NURSING = frozenset({"CRNA", "RN", "LPN"})
CLINICAL_ROLES = ("clinician", "admin")

PARTS = {
    "screening": "screening answers",
    "outcomes": "outcome scores",
    "vitals": "pre-dose vitals",
    "fhir": "FHIR export",
}
REACH_WORDS = {
    ALL: "every patient's clinical record",
    OWN: "only their own patients' clinical records",
    NONE: "no clinical records (schedules and preparation status only)",
}
CLOSED = "Clinical details are shown only to the patient's own clinicians."


def reach(role: str, disciplines: frozenset[str] | None) -> str:
    """How far an account reads clinical records, from its role and its staff record's disciplines.

    disciplines is None for an account linked to no staff record: a clinician account without a
    schedule (a medical director, say) is trusted as a clinician; linking it to a therapist's staff
    record is what limits it to their own patients.
    """
    if role == "admin":
        return ALL
    if role != "clinician":
        return NONE
    if disciplines is None or disciplines & (PRESCRIBERS | NURSING):
        return ALL
    return OWN


def may_read(reach_of_reader: str, on_team: bool) -> bool:
    """Whether a reader with that reach may read this patient's clinical details."""
    return reach_of_reader == ALL or (reach_of_reader == OWN and on_team)


class RecordClosed(Exception):
    """The asking account may not read this patient's clinical details."""

    def __init__(self, patient_id: int):
        super().__init__(CLOSED)
        self.patient_id = patient_id
