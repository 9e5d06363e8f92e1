"""Validated input for protocols and courses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from planner.services.inputs import Day, Id, Instant, PlacementIn, Strict, prose, text

Days = Annotated[int, Field(ge=1, le=180)]


class PhaseIn(Strict):
    name: text(40, min_length=1)
    doses: int = Field(ge=1, le=60)
    min_gap_days: int = Field(default=1, ge=1, le=90)
    max_gap_days: int | None = Field(default=None, ge=1, le=180)
    per_week_min: int | None = Field(default=None, ge=0, le=7)
    per_week_max: int | None = Field(default=None, ge=1, le=7)
    window_days: int | None = Field(default=None, ge=0, le=365)
    gap_from_previous_phase: tuple[Days, Days | None] = (1, None)


class TherapyLinkIn(Strict):
    session_type: text(60, min_length=1)
    anchor: Literal["before_first", "after_dose"] = "after_dose"
    doses: list[Annotated[int, Field(ge=1, le=60)]] | None = Field(default=None, max_length=60)
    min_days: int = Field(default=1, ge=-60, le=60)
    max_days: int = Field(default=3, ge=-60, le=60)
    count: int = Field(default=1, ge=1, le=10)


PROTOCOL_KEY = "[a-z0-9][a-z0-9_-]{0,59}"  # also the protocol pages' and API's path converter


class ProtocolIn(Strict):
    key: str = Field(pattern=f"^{PROTOCOL_KEY}$")
    name: text(160, min_length=1)
    dosing_type: text(60, min_length=1)
    phases: list[PhaseIn] = Field(min_length=1, max_length=6)
    therapy: list[TherapyLinkIn] = Field(default_factory=list, max_length=10)
    missed_dose_policy: Literal["replan", "keep_schedule"] = "replan"
    course_window_days: int | None = Field(default=None, ge=1, le=730)
    notes: prose(2000) = ""


class ProtocolStateChange(Strict):
    """Retire a protocol (true: no new course gets it; running ones keep theirs) or restore it (false), saying why."""

    retired: bool
    reason: prose(500)

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, reason: str) -> str:
        if not reason:
            raise ValueError("Say why: the reason is kept with the protocol's history.")
        return reason


class PreferencesIn(Strict):
    weekdays: list[int] | None = Field(default=None, min_length=1, max_length=7)
    time_of_day: Literal["morning", "afternoon", "any"] = "any"
    site_id: Id | None = None
    therapist_id: Id | None = None
    blocked_days: list[Day] = Field(default_factory=list, max_length=200)
    earliest: Day | None = None

    @model_validator(mode="after")
    def _weekdays(self):
        if self.weekdays and any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return self


class ProposeIn(Strict):
    patient_id: Id
    protocol: text(60, min_length=1)
    start: Day | None = None
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)


class PlannedSessionIn(Strict):
    session_type: text(60, min_length=1)
    purpose: text(20, min_length=1)
    dose_number: int = Field(ge=1, le=60)
    start: Instant
    room_id: Id | None = None
    staff: list[PlacementIn] = Field(default_factory=list, max_length=10)


class BookCourseIn(Strict):
    patient_id: Id
    protocol: text(60, min_length=1)
    site_id: Id
    start: Day | None = None
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)
    sessions: list[PlannedSessionIn] = Field(min_length=1, max_length=80)


class ReplanIn(Strict):
    """Applying a re-plan: the preview's fingerprint insists on what was shown (null or absent: apply as is)."""

    fingerprint: text(64) | None = None


class StopIn(Strict):
    reason: prose(500) = ""
