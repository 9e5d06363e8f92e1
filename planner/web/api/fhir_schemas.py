"""The FHIR routes' search parameters and answers as pydantic models, for parsing and for the OpenAPI document.

The answers are FHIR R4 JSON (application/fhir+json); these models hold their outline (resource
type, Bundle type, statuses) and leave the inside of each resource to FHIR, which the tests check
with an independent FHIR library.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.adapters.fhir_availability import SCHEDULE_ID_PATTERN
from planner.services.inputs import Id
from planner.web.api.schemas import Out


class Search(BaseModel):
    """FHIR search parameters: unknown ones are refused, and text is taken as sent (no trimming), as documented."""

    model_config = ConfigDict(extra="forbid")


class FhirAppointmentSearch(Search):
    patient: Id = Field(description="The patient's id: every session of theirs, past and ahead, in time order.")


class FhirScheduleSearch(Search):
    site: Id = Field(description="The site's id.")


StartBound = Annotated[str, Field(pattern=r"^(ge|gt|le|lt)[0-9]{4}-[0-9]{2}-[0-9]{2}$")]


class FhirSlotSearch(Search):
    schedule: str = Field(pattern=SCHEDULE_ID_PATTERN, description="A Schedule's id, as `Schedule?site=` lists it.")
    start: list[StartBound] = Field(min_length=2, max_length=2,
                                    description="Two bounds on the slots' start, site-local days: ge or gt, and lt "
                                                "or le (start=ge2026-03-09&start=lt2026-03-16); at most 7 days.")
    service_type: str | None = Field(default=None, alias="service-type", pattern=r"^[A-Za-z0-9._-]{1,60}$",
                                     description="Only free slots of the session type with this key.")


# --- answers -----------------------------------------------------------------------------------------

class FhirIssueOut(Out):
    severity: Literal["error"]
    code: str
    diagnostics: str
    expression: list[str] | None = None


class FhirOperationOutcomeOut(Out):
    """Any refusal of a FHIR route (401, 403, 404, 405, 413, 422): why, one issue per field where fields are wrong."""

    resourceType: Literal["OperationOutcome"]
    issue: list[FhirIssueOut] = Field(min_length=1)


class FhirLinkOut(Out):
    relation: str
    url: str


class FhirSearchModeOut(Out):
    mode: Literal["match"]


class FhirEntryOut(Out):
    fullUrl: str
    resource: dict[str, Any]
    search: FhirSearchModeOut


class FhirBundleOut(Out):
    """A FHIR R4 searchset Bundle."""

    resourceType: Literal["Bundle"]
    type: Literal["searchset"]
    total: int = Field(ge=0)
    link: list[FhirLinkOut]
    entry: list[FhirEntryOut]


class FhirReferenceOut(Out):
    reference: str
    display: str | None = None


class FhirCarePlanOut(Out):
    """A course as a FHIR R4 CarePlan: each session an activity referencing its Appointment."""

    resourceType: Literal["CarePlan"]
    id: str
    status: Literal["active", "completed", "revoked", "unknown"]
    intent: Literal["plan"]
    category: list[dict[str, Any]]
    title: str
    description: str
    subject: FhirReferenceOut
    period: dict[str, str]
    activity: list[dict[str, Any]]
    created: str | None = None


class FhirAppointmentOut(Out):
    """One session as a FHIR R4 Appointment (docs/fhir.md has the mapping)."""

    resourceType: Literal["Appointment"]
    id: str
    status: Literal["proposed", "booked", "arrived", "checked-in", "fulfilled", "cancelled", "noshow"]
    serviceType: list[dict[str, Any]]
    appointmentType: dict[str, Any]
    description: str
    start: str
    end: str
    minutesDuration: int = Field(ge=1)
    participant: list[dict[str, Any]] = Field(min_length=1)
    created: str | None = None
    supportingInformation: list[FhirReferenceOut] | None = None
