"""A course's scores per measure over time: the baseline (the first before dose 1), the latest, the progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.domain.outcomes.measures import MEASURES
from planner.domain.outcomes.progress import Progress, progress


@dataclass(frozen=True)
class Point:
    """One current (not superseded) score of a measure."""

    entry_id: int
    measure: str
    total: int
    taken_at: datetime
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    """One measure's scores in a course, oldest first, with its baseline and how the latest stands."""

    measure: str
    points: tuple[Point, ...]
    baseline: Point | None
    progress: Progress


def baseline_of(points: list[Point], first_dose_at: datetime | None) -> Point | None:
    """The first score taken before the first dose (any score, while no dose is booked); None if there is none."""
    before = [p for p in points if first_dose_at is None or p.taken_at <= first_dose_at]
    return min(before, key=lambda p: (p.taken_at, p.entry_id)) if before else None


def series(points: list[Point], first_dose_at: datetime | None) -> list[Series]:
    """Every measure the course has scores for, in the order the measures are listed."""
    shown = []
    for key in MEASURES:
        mine = sorted((p for p in points if p.measure == key), key=lambda p: (p.taken_at, p.entry_id))
        if not mine:
            continue
        base = baseline_of(mine, first_dose_at)
        latest = mine[-1]
        # The baseline alone is not progress: with nothing after it, there is no change to read.
        shown.append(Series(key, tuple(mine), base,
                            progress(key, base.total if base else None, latest.total)))
    return shown
