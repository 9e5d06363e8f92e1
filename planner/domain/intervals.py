"""Half-open time intervals [start, end) on aware datetimes."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta


class Interval(tuple):
    """A stretch of time from start (included) to end (excluded).

    A tuple underneath (start, end): planning makes tens of thousands of these, and tuples
    are the cheapest immutable, ordered, hashable values Python has.
    """

    __slots__ = ()

    def __new__(cls, start: datetime, end: datetime) -> Interval:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("interval bounds must be aware datetimes")
        if end <= start:
            raise ValueError("an interval must end after it starts")
        return tuple.__new__(cls, (start, end))

    @classmethod
    def trusted(cls, start: datetime, end: datetime) -> Interval:
        """An interval from bounds already known to be aware and ordered (skips the checks on hot paths)."""
        return tuple.__new__(cls, (start, end))

    @property
    def start(self) -> datetime:
        """The first instant in the interval."""
        return self[0]

    @property
    def end(self) -> datetime:
        """The first instant after the interval."""
        return self[1]

    def __repr__(self) -> str:
        return f"Interval(start={self[0]!r}, end={self[1]!r})"

    def __getnewargs__(self):
        return (self[0], self[1])

    @property
    def duration(self) -> timedelta:
        """Length of the interval."""
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share any instant."""
        return self[0] < other[1] and other[0] < self[1]

    def contains(self, other: Interval) -> bool:
        """True when other lies wholly inside this interval."""
        return self[0] <= other[0] and other[1] <= self[1]

    def shifted(self, delta: timedelta) -> Interval:
        """The same interval moved by delta."""
        return Interval(self.start + delta, self.end + delta)


def longest(intervals: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """The length of the longest interval (none: zero), how far back a search by start must look for overlaps."""
    return max((end - start for start, end in intervals), default=timedelta(0))


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals as sorted, disjoint intervals; touching ones join."""
    merged: list[Interval] = []
    last_start = last_end = None
    for start, end in sorted(intervals):
        if last_end is not None and start <= last_end:
            if end > last_end:
                last_end = end
                merged[-1] = Interval.trusted(last_start, end)
        else:
            last_start, last_end = start, end
            merged.append(Interval.trusted(start, end))
    return merged


def subtract(base: list[Interval], holes: Iterable[Interval], holes_disjoint: bool = False) -> list[Interval]:
    """Parts of the sorted disjoint base intervals not covered by any hole (one sweep).

    holes_disjoint says the holes are already sorted and disjoint, which saves merging them.
    """
    result: list[Interval] = []
    cuts = holes if holes_disjoint else merge(holes)
    count = len(cuts)
    index = 0
    for part_start, part_end in base:
        start = part_start
        # Skip holes that end before this part; they cannot cut it or any later part.
        while index < count and cuts[index][1] <= start:
            index += 1
        k = index
        while k < count and cuts[k][0] < part_end:
            cut_start, cut_end = cuts[k]
            if cut_start > start:
                result.append(Interval.trusted(start, cut_start))
            if cut_end > start:
                start = cut_end
            k += 1
        if start < part_end:
            result.append(Interval.trusted(start, part_end))
    return result


class Cover:
    """Answers "which of these intervals contain this window?" in log time.

    Each interval may carry an owner (a person, a room); for a window it can name
    up to two different owners whose intervals contain it, enough to seat two
    roles with two different people without a full search.
    """

    def __init__(self, intervals: Iterable[Interval], owners: Iterable[object] | None = None):
        items = sorted(zip(intervals, owners) if owners is not None else ((i, None) for i in intervals),
                       key=lambda pair: pair[0][0])
        self._starts = [interval[0] for interval, _ in items]
        # For each prefix of intervals (sorted by start), the two furthest-reaching
        # ends with different owners: only they can contain a window starting there.
        self._reach: list[tuple[tuple[datetime, object], ...]] = []
        first: tuple[datetime, object] | None = None
        second: tuple[datetime, object] | None = None
        for interval, owner in items:
            end = interval[1]
            if first is None or (end > first[0] and (owner is None or owner != first[1])):
                if first is not None and (owner is None or owner != first[1]):
                    second = first
                first = (end, owner)
            elif owner is not None and owner == first[1]:
                if end > first[0]:
                    first = (end, owner)
            elif second is None or end > second[0]:
                if not (owner is not None and second is not None and owner == second[1] and end <= second[0]):
                    second = (end, owner)
            self._reach.append((first,) if second is None else (first, second))

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

