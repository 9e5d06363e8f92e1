"""Half-open time intervals [start, end) on aware datetimes."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, order=True)
class Interval:
    """A stretch of time from start (included) to end (excluded)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("interval bounds must be aware datetimes")
        if self.end <= self.start:
            raise ValueError("an interval must end after it starts")

    @property
    def duration(self) -> timedelta:
        """Length of the interval."""
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share any instant."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        """True when other lies wholly inside this interval."""
        return self.start <= other.start and other.end <= self.end

    def shifted(self, delta: timedelta) -> Interval:
        """The same interval moved by delta."""
        return Interval(self.start + delta, self.end + delta)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals as sorted, disjoint intervals; touching ones join."""
    merged: list[Interval] = []
    for item in sorted(intervals):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def subtract(base: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """Parts of the sorted disjoint base intervals not covered by any hole."""
    result = list(base)
    for hole in merge(holes):
        pieces: list[Interval] = []
        for part in result:
            if not part.overlaps(hole):
                pieces.append(part)
                continue
            if part.start < hole.start:
                pieces.append(Interval(part.start, hole.start))
            if hole.end < part.end:
                pieces.append(Interval(hole.end, part.end))
        result = pieces
    return result


class Cover:
    """Answers "which of these intervals contain this window?" in log time.

    Each interval may carry an owner (a person, a room); for a window it can name
    up to two different owners whose intervals contain it, enough to seat two
    roles with two different people without a full search.
    """

    def __init__(self, intervals: Iterable[Interval], owners: Iterable[object] | None = None):
        items = sorted(zip(intervals, owners) if owners is not None else ((i, None) for i in intervals),
                       key=lambda pair: pair[0].start)
        self._starts = [interval.start for interval, _ in items]
        # For each prefix of intervals (sorted by start), the two furthest-reaching
        # ends with different owners: only they can contain a window starting there.
        self._reach: list[tuple[tuple[datetime, object], ...]] = []
        best: list[tuple[datetime, object]] = []
        for interval, owner in items:
            best = _two_furthest(best + [(interval.end, owner)])
            self._reach.append(tuple(best))

    def owners_containing(self, window: Interval) -> list[object]:
        """Up to two different owners of intervals that contain window (furthest-reaching first)."""
        index = bisect_right(self._starts, window.start) - 1
        if index < 0:
            return []
        return [owner for end, owner in self._reach[index] if end >= window.end]

    def owner_containing(self, window: Interval) -> tuple[bool, object]:
        """Whether some interval contains window, and that interval's owner."""
        owners = self.owners_containing(window)
        return (True, owners[0]) if owners else (False, None)

    def contains(self, window: Interval) -> bool:
        """True when some interval contains window."""
        return bool(self.owners_containing(window))


def _two_furthest(candidates: list[tuple[datetime, object]]) -> list[tuple[datetime, object]]:
    """The two furthest ends with different owners (each owner at its furthest; None owners all differ)."""
    furthest: dict[object, tuple[datetime, object]] = {}
    anonymous = []
    for end, owner in candidates:
        if owner is None:
            anonymous.append((end, owner))
        elif owner not in furthest or end > furthest[owner][0]:
            furthest[owner] = (end, owner)
    return sorted(anonymous + list(furthest.values()), key=lambda pair: pair[0], reverse=True)[:2]
