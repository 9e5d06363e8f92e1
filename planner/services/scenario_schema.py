"""The scenario file's shape: a whole clinic as JSON, its records naming each other by natural keys.

Sites, patients and session types are exactly the setup inputs (services/inputs.py, patient_inputs.py). Rooms and
staff are those inputs with the database ids replaced by names and emails. Shifts, time off and
sessions are new here because they are written in the site's local wall time, not as instants:
a scenario must survive being moved to another week across a daylight-saving change.
See docs/scenario-format.md.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, NaiveDatetime, ValidationInfo, field_validator, model_validator

from planner.domain.lifecycle import BOOKED, STATUSES
from planner.services.accounts import MAX_PASSWORD, MIN_PASSWORD, ROLES as USER_ROLES
from planner.services.inputs import (
    Day, Email, Instant, Name, Role, RoomIn, SessionTypeIn, SiteIn, StaffIn, Strict,
)
from planner.services.patient_inputs import PatientIn

FORMAT = "planner-scenario/1"


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give the site's local wall time without an offset, e.g. 08:00")
    return value


WallTime = Annotated[time, AfterValidator(_naive_time)]


class ShiftEntry(Strict):
    """A shift in the site's wall time; end_day only for a shift that runs past local midnight."""

    site: Name
    day: Day
    start: WallTime
    end_day: Day | None = None
    end: WallTime

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: time, info: ValidationInfo) -> time:
        day, start = info.data.get("day"), info.data.get("start")
        if day is not None and start is not None:
            end_day = info.data.get("end_day") or day
            if (end_day, end) <= (day, start):
                raise ValueError("end must be after start")
        return end


class TimeOffEntry(Strict):
    """Whole local days (first_day..last_day) or a stretch between two aware instants (from, to)."""

    first_day: Day | None = None
    last_day: Day | None = None
    from_: Instant | None = Field(default=None, alias="from")
    to: Instant | None = None
    reason: str = Field(default="", max_length=200)

    @field_validator("last_day")
    @classmethod
    def _days_in_order(cls, last: date | None, info: ValidationInfo) -> date | None:
        first = info.data.get("first_day")
        if last is not None and first is not None and last < first:
            raise ValueError("last_day is before first_day")
        return last

    @field_validator("to")
    @classmethod
    def _instants_in_order(cls, to: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("from_")
        if to is not None and start is not None and to <= start:
            raise ValueError("to must be after from")
        return to

    @model_validator(mode="after")
    def _one_form(self):
        days = self.first_day is not None or self.last_day is not None
        instants = self.from_ is not None or self.to is not None
        if days == instants:
            raise ValueError("give either first_day and last_day, or from and to")
        if days and (self.first_day is None or self.last_day is None):
            raise ValueError("give both first_day and last_day")
        if instants and (self.from_ is None or self.to is None):
            raise ValueError("give both from and to")
        return self


class RoomEntry(RoomIn):
    """A room, naming its site."""

    site_id: None = Field(default=None, exclude=True)  # type: ignore[assignment]  # resolved from site
    site: Name


class StaffEntry(StaffIn):
    """A staff member with shifts and time off; the email is the key other records use."""

    email: Email  # type: ignore[assignment]  # optional in the app, required in a scenario
    shifts: list[ShiftEntry] = Field(default_factory=list)
    time_off: list[TimeOffEntry] = Field(default_factory=list)


class PatientEntry(PatientIn):
    """A patient, their home site named rather than numbered (left out: where their first session is)."""

    home_site: Name | None = None
    # A scenario states the statuses; loading it writes the records they stand for (records_import).
    RECORDED_ELSEWHERE: ClassVar[dict[str, str]] = {}
    rems_enrolled_on: Day | None = None
    screening_status: Literal["pending", "cleared", "excluded"] = "pending"
    consent_status: Literal["pending", "signed", "withdrawn"] = "pending"

    @model_validator(mode="after")
    def _named_site(self):
        if self.home_site_id is not None:
            raise ValueError("name the home site with home_site, not an id")
        return self


class PlacementEntry(Strict):
    staff: Email
    role: Role


class SessionEntry(Strict):
    """A session at a site's local wall time, naming patient, type, room and staff by their keys."""

    patient: Annotated[str, Field(min_length=1, max_length=40)]
    site: Name
    type: Annotated[str, Field(min_length=1, max_length=60)]
    start: NaiveDatetime
    room: Name | None = None
    staff: list[PlacementEntry] = Field(default_factory=list)
    status: Literal[STATUSES] = BOOKED  # type: ignore[valid-type]
    note: str = Field(default="", max_length=500)


class UserEntry(Strict):
    """A login; without a password the account exists but cannot sign in until one is set."""

    email: Email
    name: Name
    role: Literal[USER_ROLES]  # type: ignore[valid-type]
    staff: Email | None = None
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)] | None = None
    active: bool = True


class Scenario(Strict):
    """A whole clinic: the top level of a scenario file."""

    format: Literal["planner-scenario/1"]
    anchor: Day | None = None
    sites: list[SiteIn] = Field(default_factory=list)
    rooms: list[RoomEntry] = Field(default_factory=list)
    staff: list[StaffEntry] = Field(default_factory=list)
    patients: list[PatientEntry] = Field(default_factory=list)
    session_types: list[SessionTypeIn] = Field(default_factory=list)
    sessions: list[SessionEntry] = Field(default_factory=list)
    users: list[UserEntry] = Field(default_factory=list)

    @field_validator("anchor")
    @classmethod
    def _monday(cls, anchor: date | None) -> date | None:
        if anchor is not None and anchor.weekday() != 0:
            raise ValueError(f"the anchor must be a Monday; {anchor} is a {anchor:%A}")
        return anchor
