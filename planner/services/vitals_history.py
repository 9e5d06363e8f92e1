"""A dose's pre-dose readings as the API reads them out: every reading, corrections kept (issue 13, parts 3 and 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from planner.db.models import VitalsReading
from planner.db.uow import unit_of_work


@dataclass(frozen=True)
class Reading:
    """One reading: the numbers, the threshold it was judged by, whether it held the dose, who took it."""

    id: int
    systolic: int
    diastolic: int
    heart_rate: int
    threshold: str
    held: bool
    taken_at: datetime
    taken_by: str
    supersedes: int | None


def readings_of(session_id: int) -> list[Reading]:
    """The session's readings, the latest first (a correction names the reading it corrects)."""
    with unit_of_work(write=False) as session:
        rows = session.scalars(select(VitalsReading).where(VitalsReading.session_id == session_id)
                               .order_by(VitalsReading.id.desc())).all()
        return [Reading(r.id, r.systolic, r.diastolic, r.heart_rate, r.threshold, r.held, r.taken_at, r.taken_by,
                        r.supersedes_id) for r in rows]
