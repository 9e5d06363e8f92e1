"""Validated input for changing the clinic's set-up (PATCH bodies): every field optional, the row's own rules after.

A change is merged with the row it changes and the result is checked by the same model that
creates such a row (ShiftIn, TimeOffIn, ...), so an edit can never make what creating could not.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.domain.clinic import ROOM_KINDS
from planner.services.inputs import (
    Capability, ClosureIn, Day, Discipline, Email, HoursIn, Id, Instant, Name, Phone, Role, Strict,
    prose, text,
)


class ShiftChange(Strict):
    """A shift's new site or times; withdrawn true takes it back (kept as history), false re-instates it."""

    site_id: Id | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    withdrawn: bool | None = None


class TimeOffChange(Strict):
    """Time off's new times or reason; withdrawn true takes it back (kept as history), false re-instates it."""

    starts_at: Instant | None = None
    ends_at: Instant | None = None
    reason: prose(200) | None = None
    withdrawn: bool | None = None


class CredentialChange(Strict):
    """A credential's number or dates; revoked_on ends it from that date (null re-instates it). Its kind stays."""

    number: text(60) | None = None
    issued_on: Day | None = None
    expires_on: Day | None = None
    revoked_on: Day | None = None


class StaffChange(Strict):
    """A staff member's details; active false deactivates them (as DELETE does), true brings them back."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    disciplines: list[Discipline] | None = Field(default=None, min_length=1)
    active: bool | None = None


class RoomChange(Strict):
    """A room's name, kind and equipment; active false takes it out of service (as DELETE does)."""

    name: text(80, min_length=1) | None = None
    kind: Literal[ROOM_KINDS] | None = None  # type: ignore[valid-type]
    capabilities: list[Capability] | None = None
    active: bool | None = None


class SiteChange(Strict):
    """A site's details, hours, closures and limits (each list replaces the old one); its time zone stays."""

    name: Name | None = None
    phone: Phone | None = None
    esketamine_certified: bool | None = None
    distinct_roles: bool | None = None
    slot_minutes: int | None = Field(default=None, ge=5, le=120)
    hours: list[HoursIn] | None = None
    closures: list[ClosureIn] | None = None
    limits: dict[Role, Annotated[int, Field(ge=1, le=20)]] | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _closures_once(self):
        days = [closure.day for closure in self.closures or ()]
        if len(days) != len(set(days)):
            raise ValueError("each closure day may be listed once")
        return self
