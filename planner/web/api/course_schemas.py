"""What the API answers about protocols and courses, and the 409 refusal that may carry a fresh offer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from planner.services.course_inputs import BookCourseIn, PreferencesIn, ProtocolIn
from planner.web.api.callout_schemas import PreviewOut
from planner.web.api.schemas import ConflictOut, Out


class ProtocolOut(ProtocolIn):
    """A protocol's active version: its definition as saved, and its version number."""

    version: int


class ProtocolSavedOut(Out):
    key: str
    version: int


class ProtocolRefOut(Out):
    key: str
    version: int


class StaffPlacementOut(Out):
    staff_id: int
    role: str


class PlannedSessionOut(Out):
    session_type: str
    purpose: str
    dose_number: int | None
    start: datetime
    end: datetime
    local_start: datetime
    room_id: int | None
    staff: list[StaffPlacementOut]


class ScoreOut(Out):
    ends_after_days: int
    doses_off_usual_time: int
    therapists_split: int
    chair_or_staff_changes: int


class PlanOut(Out):
    """A safe plan; POST its `book` object to /api/courses to book it."""

    label: str
    site_id: int
    proven_optimal: bool
    score: ScoreOut
    sessions: list[PlannedSessionOut]
    book: BookCourseIn


class ProposalOut(Out):
    patient_id: int
    protocol: ProtocolRefOut
    plans: list[PlanOut]
    reasons: list[str]
    site_note: str  # which site the plans are at, and why that one


class CourseProtocolOut(Out):
    key: str
    version: int
    name: str


class CourseSessionOut(Out):
    id: int
    session_type: str
    purpose: str | None
    dose_number: int | None
    status: str
    version: int
    start: datetime
    local_start: datetime
    room_id: int | None


class CourseEventOut(Out):
    at: datetime
    actor: str
    kind: str
    details: dict[str, Any]


class CourseOut(Out):
    id: int
    patient_id: int
    site_id: int
    status: str
    protocol: CourseProtocolOut
    preferences: PreferencesIn
    first_day: date
    version: int
    sessions: list[CourseSessionOut]
    history: list[CourseEventOut]


class ChangeOut(Out):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Literal["add", "move", "cancel"]
    session_id: int | None
    session_type: str
    purpose: str
    dose_number: int | None
    old: datetime | None = Field(alias="from")
    new: datetime | None = Field(alias="to")
    room_id: int | None


class ReplanOut(Out):
    """What re-planning moves, adds and cancels; send its fingerprint back to apply exactly this."""

    course_id: int
    fingerprint: str
    changes: list[ChangeOut]
    renumbered: dict[str, int]
    note: str
    reasons: list[str]


class FreshProposalOut(Out):
    plans: list[PlanOut]
    reasons: list[str]


class RefusedOut(Out):
    """409: a clinic rule refuses; each conflict says why. A stale plan or re-plan comes with a fresh one."""

    error: str
    conflicts: list[ConflictOut] = Field(default_factory=list)
    fresh: FreshProposalOut | ReplanOut | PreviewOut | None = None  # PreviewOut: a stale call-out (issue 12, part 5)
