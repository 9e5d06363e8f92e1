"""Validated input for screening and consent records: the API's bodies and the patient page's forms read into this."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planner.domain.screening import CONSENT_KINDS, OUTCOMES, WORDING
from planner.services.inputs import Day, Strict, prose

Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
ConsentKind = Literal[CONSENT_KINDS]  # type: ignore[valid-type]


def _item(key: str):
    return Field(description=f"{WORDING[key]}: true for yes, false for no.")


class ChecklistIn(Strict):
    """Each contraindication of docs/domain.md answered yes (true) or no (false); none may be left out."""

    vascular_disease: bool = _item("vascular_disease")
    brain_haemorrhage: bool = _item("brain_haemorrhage")
    hypersensitivity: bool = _item("hypersensitivity")
    pregnancy: bool = _item("pregnancy")
    heart_disease: bool = _item("heart_disease")
    psychosis_or_mania: bool = _item("psychosis_or_mania")
    substance_dependence: bool = _item("substance_dependence")
    intracranial_pressure: bool = _item("intracranial_pressure")
    liver_disease: bool = _item("liver_disease")


class ScreeningIn(Strict):
    """A screening at intake: the checklist, its outcome and the reviewer's note; it supersedes the one before."""

    answers: ChecklistIn
    outcome: Outcome = Field(description="cleared, needs_review or excluded. Clearing after a yes needs a note.")
    note: prose(2000) = Field("", description="The reviewer's note.")  # type: ignore[valid-type]


class ConsentIn(Strict):
    """A signed consent form: its kind, the date it was signed, and when it expires if it does."""

    kind: ConsentKind = Field(description="treatment, or rems_enrolment (the esketamine REMS patient enrolment).")
    signed_on: Day = Field(description="The date on the signed form; not in the future.")
    expires_on: Day | None = Field(None, description="The date it no longer holds, if the form says; after signed_on.")


class WithdrawalIn(Strict):
    """The patient withdrew consent for treatment: on which day, and why."""

    withdrawn_on: Day = Field(description="The day the patient withdrew consent; not in the future.")
    reason: prose(500) = Field(description="Why, in the patient's words if they gave them.")  # type: ignore[valid-type]
