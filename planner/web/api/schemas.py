"""What the API answers, as pydantic models: they describe present.py's and the views' JSON for the OpenAPI
document (the views still build plain dicts; tests hold the two together). Courses: course_schemas.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from planner.services.inputs import RoleNeedIn


class Out(BaseModel):
    """An answer lists exactly these fields: an extra one is a schema mismatch the fuzzer reports."""

    model_config = ConfigDict(extra="forbid")


# --- errors (planner/web/errors.py) ---------------------------------------------------------------

class ErrorOut(Out):
    """Any refusal but 409 and 422: 400, 401, 403, 404, 405, 413."""

    error: str


class FieldProblemOut(Out):
    field: str | None
    message: str


class InvalidOut(Out):
    """422: each field that is not right, and why."""

    error: str
    fields: list[FieldProblemOut]


class ConflictOut(Out):
    """One reason a clinic rule refuses the request; index is the position in a batch or a plan."""

    code: str
    message: str
    field: str | None = None
    index: int | None = None


# --- clinic set-up ---------------------------------------------------------------------------------

class HoursOut(Out):
    weekday: int = Field(ge=0, le=6)
    opens: str = Field(pattern=r"^\d\d:\d\d$")
    closes: str = Field(pattern=r"^\d\d:\d\d$")


class ClosureOut(Out):
    day: date
    reason: str


class SiteOut(Out):
    id: int
    name: str
    timezone: str
    phone: str | None
    esketamine_certified: bool
    distinct_roles: bool
    slot_minutes: int
    active: bool
    deactivated_at: datetime | None
    hours: list[HoursOut]
    closures: list[ClosureOut]
    limits: dict[str, int]


class RoomOut(Out):
    id: int
    site_id: int
    name: str
    kind: str
    capabilities: list[str]
    active: bool
    deactivated_at: datetime | None


class StaffOut(Out):
    id: int
    name: str
    email: str | None
    phone: str | None
    disciplines: list[str]
    active: bool
    deactivated_at: datetime | None


class CredentialOut(Out):
    id: int
    kind: str
    number: str
    issued_on: date
    expires_on: date | None
    revoked_on: date | None  # not valid from this date; kept as history


class ShiftOut(Out):
    id: int
    site_id: int
    starts_at: datetime
    ends_at: datetime
    withdrawn_at: datetime | None  # taken back: kept as history, counted nowhere


class TimeOffOut(Out):
    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    withdrawn_at: datetime | None  # taken back: kept as history, counted nowhere


class StaffDetailOut(StaffOut):
    credentials: list[CredentialOut]
    shifts: list[ShiftOut]
    time_off: list[TimeOffOut]


class PatientOut(Out):
    id: int
    mrn: str
    name: str
    date_of_birth: date
    email: str | None
    phone: str | None
    preferred_channel: str
    consented_channels: list[str]
    escort_name: str | None
    escort_phone: str | None
    rems_patient_id: str | None
    rems_enrolled_on: date | None
    screening_status: str
    consent_status: str
    home_site_id: int | None


class SessionTypeOut(Out):
    id: int
    key: str
    name: str
    kind: str
    route: str
    active_minutes: int
    observation_minutes: int
    room_capability: str | None
    role_requirements: list[RoleNeedIn]
    active: bool
    reminder_hours: list[int] | None


# --- sessions --------------------------------------------------------------------------------------

class DutyOut(Out):
    staff_id: int
    role: str
    start: datetime
    end: datetime


class SessionOut(Out):
    """A session in UTC (start, end) and in its site's wall time (local_start, local_end, with offset)."""

    id: int
    patient_id: int
    site_id: int
    session_type_id: int
    room_id: int | None
    start: datetime
    end: datetime
    local_start: datetime
    local_end: datetime
    timezone: str
    status: str
    version: int
    course_id: int | None
    note: str
    staff: list[DutyOut]


class WindowOut(Out):
    starts_from: datetime
    starts_until: datetime
    ends_by: datetime


class AvailabilityOut(Out):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    site_id: int
    session_type_id: int
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    windows: list[WindowOut]


class OpenApiOut(BaseModel):
    """This document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


# --- offers (planner/web/api/offers.py) -----------------------------------------------------------

class TeamMemberOut(Out):
    staff_id: int
    name: str
    role: str
    sessions_that_day: int = Field(description="Sessions the person already carries that local day (the ranking's "
                                               "load: the least busy team is offered).")


class OfferOut(Out):
    """A start, room and full team that booking accepted when the offer was made; POST its order to /api/sessions."""

    rank: int
    start: datetime
    end: datetime
    local_start: datetime
    local_end: datetime
    timezone: str
    room_id: int | None
    room: str | None
    staff: list[TeamMemberOut]
    why: list[str]


class OffersOut(Out):
    """Offers best first (earliest, then the least busy team and room); reasons say why when there are none."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    site_id: int
    session_type_id: int
    patient_id: int | None
    timezone: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    offers: list[OfferOut]
    reasons: list[ConflictOut]
    closer_times: bool = Field(description="Offers are spread an hour or more apart; `more=true` also shows the "
                                           "free times in between.")
