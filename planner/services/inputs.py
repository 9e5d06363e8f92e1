"""Validated input for clinic setup: shared by the JSON API, the CLI and scenario files."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from planner.domain.clinic import CAPABILITIES, ROOM_KINDS, ROUTES, SESSION_KINDS
from planner.domain.staffing import CREDENTIAL_KINDS, DISCIPLINES, ROLES

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


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
    if not EMAIL.match(value):
        raise ValueError("not an email address")
    return value.lower()


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST}")
    return value


def _sane_instant(value: datetime) -> datetime:
    _sane_date(value.date())
    return value


Zone = Annotated[str, AfterValidator(_zone)]
Phone = Annotated[str, AfterValidator(_phone)]
Email = Annotated[str, AfterValidator(_email)]
Day = Annotated[date, AfterValidator(_sane_date)]
Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Discipline = Literal[DISCIPLINES]  # type: ignore[valid-type]
CredentialKind = Literal[CREDENTIAL_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
Capability = Literal[CAPABILITIES]  # type: ignore[valid-type]


class Strict(BaseModel):
    """Unknown fields are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HoursIn(Strict):
    weekday: int = Field(ge=0, le=6)
    opens: time
    closes: time

    @model_validator(mode="after")
    def _order(self):
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class ClosureIn(Strict):
    day: Day
    reason: str = Field(default="", max_length=200)


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
    site_id: int = Field(gt=0)
    name: Name
    kind: Literal[ROOM_KINDS]  # type: ignore[valid-type]
    capabilities: list[Capability] = Field(default_factory=list)
    active: bool = True


class CredentialIn(Strict):
    kind: CredentialKind
    number: str = Field(default="", max_length=60)
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
    site_id: int = Field(gt=0)

    @model_validator(mode="after")
    def _short(self):
        if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValueError("a shift lasts at most 24 hours")
        return self


class TimeOffIn(SpanIn):
    reason: str = Field(default="", max_length=200)


Channel = Literal["email", "sms"]


class PatientIn(Strict):
    mrn: Annotated[str, Field(min_length=1, max_length=40)]
    name: Name
    date_of_birth: Day
    email: Email | None = None
    phone: Phone | None = None
    preferred_channel: Channel | None = None  # defaults to the first consented channel
    consented_channels: list[Channel] = Field(default_factory=list)
    escort_name: str | None = Field(default=None, max_length=120)
    escort_phone: Phone | None = None
    rems_patient_id: str | None = Field(default=None, max_length=40)
    rems_enrolled_on: Day | None = None
    screening_status: Literal["pending", "cleared", "excluded"] = "pending"
    consent_status: Literal["pending", "signed", "withdrawn"] = "pending"
    # Where courses are planned unless reception asks for another site; may be left out in a clinic of one site.
    home_site_id: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _channels(self):
        # The clinic may only use a channel the patient agreed to, at an address they gave (domain.md).
        if "email" in self.consented_channels and self.email is None:
            raise ValueError("email is a consented channel but no email address is given")
        if "sms" in self.consented_channels and self.phone is None:
            raise ValueError("sms is a consented channel but no phone number is given")
        if self.preferred_channel is None:
            self.preferred_channel = self.consented_channels[0] if self.consented_channels else "email"
        if self.consented_channels and self.preferred_channel not in self.consented_channels:
            raise ValueError("the preferred channel must be one the patient consented to")
        return self


class RoleNeedIn(Strict):
    role: Role
    disciplines: list[Discipline] = Field(min_length=1)
    credentials: list[CredentialKind] = Field(default_factory=list)
    part: Literal["whole", "active"] = "whole"


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

    @model_validator(mode="after")
    def _roles_once(self):
        roles = [need.role for need in self.role_requirements or ()]
        if len(roles) != len(set(roles)):
            raise ValueError("each role may be listed once")
        return self


class SessionIn(Strict):
    """A session reception wants booked."""

    patient_id: int = Field(gt=0)
    site_id: int = Field(gt=0)
    session_type_id: int = Field(gt=0)
    start: Instant
    room_id: int | None = Field(default=None, gt=0)
    staff: list[PlacementIn] = Field(default_factory=list)
    note: str = Field(default="", max_length=500)


class PlacementIn(Strict):
    staff_id: int = Field(gt=0)
    role: Role


SessionIn.model_rebuild()
