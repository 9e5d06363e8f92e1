"""The contraindication checklist screened at intake, and how screening and consent records set a patient's status.

The booking rules read a patient's screening and consent status (planner/domain/patients.py); the
latest records decide those statuses, so the rules are fed by what a clinician recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.domain.errors import Reason

# docs/domain.md, "Contraindications screened at intake": each is answered yes or no.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("vascular_disease", "Aneurysmal vascular disease or arteriovenous malformation (AVM)"),
    ("brain_haemorrhage", "History of brain haemorrhage"),
    ("hypersensitivity", "Hypersensitivity to ketamine or esketamine"),
    ("pregnancy", "Pregnancy"),
    ("heart_disease", "Uncontrolled heart disease"),
    ("psychosis_or_mania", "Active psychosis or mania"),
    ("substance_dependence", "Substance dependence"),
    ("intracranial_pressure", "Raised intracranial pressure"),
    ("liver_disease", "Severe liver disease"),
)
ITEMS = tuple(key for key, _ in CHECKLIST)
WORDING = dict(CHECKLIST)

CLEARED, NEEDS_REVIEW, EXCLUDED = "cleared", "needs_review", "excluded"
OUTCOMES = (CLEARED, NEEDS_REVIEW, EXCLUDED)
# The patient's screening_status the booking rules read: needs review is not yet cleared.
STATUS_OF_OUTCOME = {CLEARED: "cleared", NEEDS_REVIEW: "pending", EXCLUDED: "excluded"}

TREATMENT, REMS_ENROLMENT = "treatment", "rems_enrolment"
CONSENT_KINDS = (TREATMENT, REMS_ENROLMENT)
# A withdrawal of treatment consent is a record of its own, in the treatment consent's chain: it
# supersedes the signed consent it withdraws, and a new signed consent supersedes it in turn.
WITHDRAWAL = "withdrawal"
TREATMENT_CHAIN = (TREATMENT, WITHDRAWAL)


@dataclass(frozen=True)
class ConsentRecord:
    """A signed form as the rules need it: its kind, when it was signed, until when it holds."""

    kind: str
    signed_on: date
    expires_on: date | None


def screening_problems(answers: dict[str, bool], outcome: str, note: str) -> list[Reason]:
    """Why a screening cannot be recorded as given; empty when it can.

    Clearing a patient who answered yes to an item takes a reviewer's note saying why it is safe.
    """
    problems = [Reason("missing", "Answer yes or no.", f"answers.{key}") for key in ITEMS if key not in answers]
    flagged = [key for key in ITEMS if answers.get(key)]
    if outcome == CLEARED and flagged and not note.strip():
        names = "; ".join(WORDING[key].lower() for key in flagged)
        problems.append(Reason("note_needed", f"Clearing a patient who answered yes ({names}) needs the "
                                              "reviewer's note saying why treatment is safe.", "note"))
    return problems


def screening_status(latest_outcome: str | None) -> str:
    """The patient's screening status from the latest screening's outcome (pending without one)."""
    return STATUS_OF_OUTCOME.get(latest_outcome, "pending")


def consent_status(latest_treatment: ConsentRecord | None, today: date) -> str:
    """The patient's consent status from the latest treatment consent or withdrawal: signed while it holds.

    A withdrawal gives withdrawn until a new consent is signed; an expired consent gives pending.
    """
    if latest_treatment is not None and latest_treatment.kind == WITHDRAWAL:
        return "withdrawn"
    if latest_treatment is None or latest_treatment.signed_on > today:
        return "pending"
    return "signed" if consent_holds_on(latest_treatment.expires_on, today) else "pending"


def consent_holds_on(expires_on: date | None, day: date) -> bool:
    """True when a signed consent expiring on expires_on (inclusive) still holds on day."""
    return expires_on is None or day <= expires_on


def withdrawal_problems(withdrawn_on: date, reason: str, today: date, latest_treatment: ConsentRecord | None) -> list[Reason]:
    """Why a withdrawal of treatment consent cannot be recorded as given; empty when it can."""
    problems = []
    if withdrawn_on > today:
        problems.append(Reason("in_future", "The date of the withdrawal cannot be in the future.", "withdrawn_on"))
    if not reason.strip():
        problems.append(Reason("missing", "Say why, in the patient's words if they gave them.", "reason"))
    if latest_treatment is None:
        problems.append(Reason("nothing_to_withdraw", "The patient has no signed treatment consent to withdraw.",
                               "patient_id"))
    elif latest_treatment.kind == WITHDRAWAL:
        problems.append(Reason("already_withdrawn", "The patient's treatment consent is already withdrawn.",
                               "patient_id"))
    elif withdrawn_on < latest_treatment.signed_on:
        problems.append(Reason("before_signed", "The withdrawal cannot be before the consent it withdraws was "
                                                f"signed ({latest_treatment.signed_on:%m/%d/%Y}).", "withdrawn_on"))
    return problems
