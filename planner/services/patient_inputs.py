"""Validated input for a patient's record: registering one, changing one (the JSON API, the pages, scenario files).

The screening and consent statuses and the REMS enrolment date are not input: records set them.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from planner.services.inputs import BirthDate, Email, Id, Name, Phone, Strict, at_fields, text

Channel = Literal["email", "sms"]


RECORDED_ELSEWHERE = {
    "screening_status": "screening_status follows the screening records, never set directly: record a screening "
                        "with POST /api/patients/{id}/screenings",
    "consent_status": "consent_status follows the consent records, never set directly: record a signed consent "
                      "with POST /api/patients/{id}/consents, or its withdrawal with "
                      "POST /api/patients/{id}/consent-withdrawals",
    "rems_enrolled_on": "rems_enrolled_on follows the REMS enrolment record, never set directly: record the REMS "
                        "patient enrolment form with POST /api/patients/{id}/consents (kind rems_enrolment)",
}



# A field only records may set: not in the API's schema, never dumped, refused when given.
Refused = Annotated[SkipJsonSchema[object], Field(exclude=True)]


def refuse_recorded(recorded_elsewhere: dict[str, str], field: str | None, value: object) -> object:
    """Refuse a value only records may set (the statuses, the REMS enrolment date), saying which route records it."""
    if field in recorded_elsewhere:
        raise PydanticCustomError("recorded_elsewhere", recorded_elsewhere[field])
    return value


class StatusesFromRecords(BaseModel):
    """The statuses and the REMS enrolment date follow only from records (who recorded what, when).

    Given in a patient's body they are refused, naming the route that records them (issue 13,
    part 4). Fields rather than a model validator, so a JSON body is still validated as JSON.
    """

    RECORDED_ELSEWHERE: ClassVar[dict[str, str]] = RECORDED_ELSEWHERE
    screening_status: Refused = None
    consent_status: Refused = None
    rems_enrolled_on: Refused = None

    @field_validator("screening_status", "consent_status", "rems_enrolled_on", mode="before")
    @classmethod
    def _recorded_elsewhere(cls, value, info: ValidationInfo):
        return refuse_recorded(cls.RECORDED_ELSEWHERE, info.field_name, value)


class PatientIn(StatusesFromRecords, Strict):
    mrn: text(40, min_length=1)
    name: Name
    date_of_birth: BirthDate
    email: Email | None = None
    phone: Phone | None = None
    preferred_channel: Channel | None = None  # defaults to the first consented channel
    consented_channels: list[Channel] = Field(default_factory=list)
    escort_name: text(120) | None = None
    escort_phone: Phone | None = None
    rems_patient_id: text(40) | None = None
    # Where courses are planned unless reception asks for another site; may be left out in a clinic of one site.
    home_site_id: Id | None = None

    @model_validator(mode="after")
    def _channels(self):
        # The clinic may only use a channel the patient agreed to, at an address they gave (domain.md).
        problems = []
        if "email" in self.consented_channels and self.email is None:
            problems.append(("channel_address", "email is a consented channel but no email address is given",
                             "consented_channels", self.consented_channels))
        if "sms" in self.consented_channels and self.phone is None:
            problems.append(("channel_address", "sms is a consented channel but no phone number is given",
                             "consented_channels", self.consented_channels))
        if self.preferred_channel is None:
            self.preferred_channel = self.consented_channels[0] if self.consented_channels else "email"
        if self.consented_channels and self.preferred_channel not in self.consented_channels:
            problems.append(("channel_not_consented", "the preferred channel must be one the patient consented to",
                             "preferred_channel", self.preferred_channel))
        if problems:
            raise at_fields(type(self).__name__, problems)
        return self


def _change_schema(schema: dict) -> None:
    # A field left out stays as it is: no default to show, and a change names at least one field.
    schema["minProperties"] = 1
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class PatientChange(StatusesFromRecords, Strict):
    """A patient's record as PATCH changes it: the fields given change, the others stay as they are.

    null clears an optional field (an email, the escort); the required ones (MRN, name, date of
    birth, channels, home site) take a value or are left out; the statuses are refused (records set them). The record as it would
    then be is judged by PatientIn's rules (planner/services/patient_registry.change_patient).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_change_schema)

    mrn: text(40, min_length=1) = Field(default=None)
    name: Name = Field(default=None)
    date_of_birth: BirthDate = Field(default=None)
    email: Email | None = None
    phone: Phone | None = None
    preferred_channel: Channel | None = None
    consented_channels: list[Channel] = Field(default=None)
    escort_name: text(120) | None = None
    escort_phone: Phone | None = None
    rems_patient_id: text(40) | None = None
    home_site_id: Id = Field(default=None)
