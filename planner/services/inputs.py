"""Validated input for clinic setup: shared by the JSON API, the CLI and scenario files."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from planner.domain.clinic import CAPABILITIES, ROOM_KINDS, ROUTES, SESSION_KINDS
from planner.domain.staffing import CREDENTIAL_KINDS, DISCIPLINES, ROLES

# ASCII digits only: Python's \d also matches other scripts' digits, which no SMS gateway dials.
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
# Ids are PostgreSQL `integer` columns: a larger number can name nothing, and would fail in the database.
MAX_ID = 2**31 - 1
# No place on Earth has reached a date that is still in the future at UTC+14 (Line Islands, Kiribati).
FIRST_ZONE = timezone(timedelta(hours=14))

# Control characters (C0, DEL, C1) and lone surrogates, which no database can store as UTF-8 (and
# PostgreSQL refuses NUL in any text). Identifying text (names, MRNs, keys, numbers) allows none of
# them; free text (notes, reasons) may hold tabs and line breaks, as typed in a text area.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rules for the OpenAPI document (JSON Schema patterns cannot name surrogates).
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
PROSE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (such as NUL, a tab or a line break)")
    return value


def _prose(value: str) -> str:
    if _CONTROL_IN_PROSE.search(value):
        raise ValueError("must not contain control characters other than tabs and line breaks (such as NUL)")
    return value


def text(max_length: int, min_length: int = 0):
    """Identifying text on one line: a name, an MRN, a key, a number; no control characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length,
                                json_schema_extra={"pattern": ONE_LINE_PATTERN}), AfterValidator(_one_line)]


def prose(max_length: int):
    """Free text such as a note or a reason: tabs and line breaks allowed, other control characters not."""
    return Annotated[str, Field(max_length=max_length, json_schema_extra={"pattern": PROSE_PATTERN}),
                     AfterValidator(_prose)]


def _zone(value: str) -> str:
    if value not in _zones():
        raise ValueError("not an IANA time zone, e.g. America/New_York")
    ZoneInfo(value)
    return value


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _phone(value: str) -> str:
    if not E164.match(value):
        raise ValueError("give the number in E.164 form, e.g. +12125550123")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value) or _CONTROL.search(value):
        raise ValueError("not an email address")
    return value.lower()


def _clock(value: object) -> object:
    # A wall-clock time of day: "08:00" (seconds allowed), never an offset: the site's zone gives that.
    if not isinstance(value, str):
        return value
    if not CLOCK.match(value):
        raise ValueError("give a time of day like 08:00")
    return time.fromisoformat(value)


def _born(value: date, info: ValidationInfo) -> date:
    # The caller passes `now` in the validation context (the API does); without it there is no "today".
    now = (info.context or {}).get("now")
    if now is not None and value > now.astimezone(FIRST_ZONE).date():
        raise ValueError("is in the future")
    return value


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST}")
    return value


def _sane_instant(value: datetime) -> datetime:
    _sane_date(value.date())
    return value


# The schema gives the form of a zone name; the validator checks that the zone exists (some 600 do).
Zone = Annotated[str, Field(max_length=64, description="An IANA time zone name.", examples=["America/New_York"],
                            json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"}),
                 AfterValidator(_zone)]
Phone = Annotated[str, Field(json_schema_extra={"pattern": E164.pattern}), AfterValidator(_phone)]
Email = Annotated[str, Field(max_length=200, json_schema_extra={"pattern": EMAIL.pattern}), AfterValidator(_email)]
Day = Annotated[date, Field(description="A date from 1900-01-01 to 2100-12-31."), AfterValidator(_sane_date)]
BirthDate = Annotated[date, Field(description="Not after today anywhere on Earth (the date at UTC+14)."),
                      AfterValidator(_sane_date), AfterValidator(_born)]
Instant = Annotated[AwareDatetime, Field(description="An instant with its UTC offset, from 1900 to 2100."),
                    AfterValidator(_sane_instant)]
ClockTime = Annotated[time, BeforeValidator(_clock), Field(json_schema_extra={"pattern": CLOCK.pattern})]
Id = Annotated[int, Field(gt=0, le=MAX_ID)]
Name = text(120, min_length=1)
Discipline = Literal[DISCIPLINES]  # type: ignore[valid-type]
CredentialKind = Literal[CREDENTIAL_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
Capability = Literal[CAPABILITIES]  # type: ignore[valid-type]


class Strict(BaseModel):
    """Unknown fields are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HoursIn(Strict):
    weekday: int = Field(ge=0, le=6)
    opens: ClockTime
    closes: ClockTime

    @model_validator(mode="after")
    def _order(self):
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class ClosureIn(Strict):
    day: Day
    reason: prose(200) = ""


class SiteIn(Strict):
    name: Name
    timezone: Zone
    esketamine_certified: bool = False
    distinct_roles: bool = True
    slot_minutes: int = Field(default=15, ge=5, le=120)
    phone: Phone | None = None
    hours: list[HoursIn] = Field(default_factory=list)
    closures: list[ClosureIn] = Field(default_factory=list)
    limits: dict[Role, Annotated[int, Field(ge=1, le=20)]] = Field(default_factory=dict)


class RoomIn(Strict):
    site_id: Id
    name: text(80, min_length=1)  # the rooms.name column holds 80
    kind: Literal[ROOM_KINDS]  # type: ignore[valid-type]
    capabilities: list[Capability] = Field(default_factory=list)
    active: bool = True


class CredentialIn(Strict):
    kind: CredentialKind
    number: text(60) = ""
    issued_on: Day
    expires_on: Day | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("expires_on is before issued_on")
        return self


class StaffIn(Strict):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    disciplines: list[Discipline] = Field(min_length=1)
    credentials: list[CredentialIn] = Field(default_factory=list)
    active: bool = True


class SpanIn(Strict):
    """A stretch of time given as aware instants."""

    starts_at: Instant
    ends_at: Instant

    @model_validator(mode="after")
    def _order(self):
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).days >= 366:
            raise ValueError("a stretch of more than a year is not plausible")
        return self


class ShiftIn(SpanIn):
    site_id: Id

    @model_validator(mode="after")
    def _short(self):
        if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValueError("a shift lasts at most 24 hours")
        return self


class TimeOffIn(SpanIn):
    reason: prose(200) = ""


def at_fields(title: str, problems: list[tuple[str, str, str, object]]) -> ValidationError:
    """Problems of a rule across fields, each at the field that shows it: (code, message, field, value).

    A model validator's ValueError lands at the model's root, which names no field; pydantic-core
    passes a ValidationError raised in a validator on as it is, nested under the parent's path.
    """
    return ValidationError.from_exception_data(title, [
        InitErrorDetails(type=PydanticCustomError(code, message), loc=(field,), input=value)
        for code, message, field, value in problems])


class RoleNeedIn(Strict):
    role: Role
    disciplines: list[Discipline] = Field(min_length=1)
    credentials: list[CredentialKind] = Field(default_factory=list)
    part: Literal["whole", "active"] = "whole"


def _distinct_hours(hours: list[int]) -> list[int]:
    if len(hours) != len(set(hours)):
        raise ValueError("give each number of hours once")
    return sorted(hours, reverse=True)


# Up to four reminders, each from an hour to two weeks before; an empty list sends none.
ReminderHours = Annotated[list[Annotated[int, Field(ge=1, le=336)]], Field(max_length=4),
                          AfterValidator(_distinct_hours)]


class SessionTypeIn(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
    name: Name
    kind: Literal[SESSION_KINDS]  # type: ignore[valid-type]
    route: Literal[ROUTES]  # type: ignore[valid-type]
    active_minutes: int = Field(ge=5, le=720)
    observation_minutes: int = Field(default=0, ge=0, le=720)
    room_capability: Capability | None = None
    role_requirements: list[RoleNeedIn] = Field(default_factory=list)
    active: bool = True
    # Hours before a session that the patient is reminded; left out, the clinic default (72, 24, 2).
    reminder_hours: ReminderHours | None = None

    @model_validator(mode="after")
    def _roles_once(self):
        roles = [need.role for need in self.role_requirements]
        if len(roles) != len(set(roles)):
            raise ValueError("each role may be listed once")
        return self


class SessionTypeChange(Strict):
    """What may change in a session type; key, kind and route stay (a new kind of session is a new type)."""

    name: Name | None = None
    active_minutes: int | None = Field(default=None, ge=5, le=720)
    observation_minutes: int | None = Field(default=None, ge=0, le=720)
    room_capability: Capability | None = None
    role_requirements: list[RoleNeedIn] | None = None
    active: bool | None = None
    reminder_hours: ReminderHours | None = None  # null: back to the clinic default

    @model_validator(mode="after")
    def _roles_once(self):
        roles = [need.role for need in self.role_requirements or ()]
        if len(roles) != len(set(roles)):
            raise ValueError("each role may be listed once")
        return self


class SessionIn(Strict):
    """A session reception wants booked."""

    patient_id: Id
    site_id: Id
    session_type_id: Id
    start: Instant
    room_id: Id | None = None
    staff: list[PlacementIn] = Field(default_factory=list, max_length=10)
    note: prose(500) = ""


class PlacementIn(Strict):
    staff_id: Id
    role: Role


SessionIn.model_rebuild()
