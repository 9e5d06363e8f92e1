"""What the API answers about one protocol: its active version, every version, and its retirement."""

from __future__ import annotations

from datetime import datetime

from planner.services.course_inputs import ProtocolIn
from planner.web.api.schemas import Out


class RetirementOut(Out):
    """A protocol taken out of use for new courses (running courses keep their version)."""

    retired_at: datetime
    retired_by: str
    reason: str
    restored_at: datetime | None
    restored_by: str | None
    restore_reason: str | None


class ProtocolVersionOut(ProtocolIn):
    """One stored version as saved, with when and by whom, what changed from the one before, and its running courses."""

    version: int
    active: bool              # the version new courses get (unless the protocol is retired)
    saved_at: datetime
    saved_by: str | None      # from the audit log; null where it holds no record
    running_courses: int      # planned or active courses on this version: they keep it
    changes: list[str]        # from the version before, in plain words


class ProtocolVersionBriefOut(Out):
    version: int
    name: str
    active: bool
    saved_at: datetime
    saved_by: str | None
    running_courses: int
    changes: list[str]


class ProtocolDetailOut(Out):
    """A protocol: its active version in full, every version (newest first), its retirement and their history."""

    key: str
    name: str
    retired: RetirementOut | None
    active: ProtocolVersionOut
    versions: list[ProtocolVersionBriefOut]
    retirements: list[RetirementOut]
