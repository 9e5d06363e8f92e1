"""The call-out preview as the API answers it (also the fresh preview a stale apply's 409 brings)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from planner.web.api.schemas import Out


class PlacementOut(Out):
    staff_id: int
    role: str


class RepairOut(Out):
    """One affected session and what the call-out does with it."""

    session_id: int
    action: Literal["reassign", "move", "gap"]
    session_type: str
    site_id: int
    timezone: str
    patient_id: int
    starts_at: datetime = Field(description="When the session begins now")
    new_start: datetime = Field(description="When it begins after the repair (the same unless moved)")
    room_id: int | None
    team: list[PlacementOut]
    words: str
    why: list[str]


class PreviewOut(Out):
    staff_id: int
    staff_name: str
    starts_at: datetime
    ends_at: datetime
    token: str
    repairs: list[RepairOut]
