"""A weekly shift pattern ("Mon–Fri 07:30–15:30 at a site from one date to another") and the shifts it makes.

Times are the site's wall time: 07:30 stays 07:30 across a clock change, so the UTC instants of
the shifts move by an hour there. A shift the pattern cannot make as asked is never dropped
silently: each carries the reasons it clashes (a closure, another shift of the person's, a wall
time the clocks skip), and the caller refuses the whole pattern unless the user leaves those out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from planner.domain.calendar import WEEKDAYS, NonexistentLocalTime, local, to_utc
from planner.domain.errors import Reason
from planner.domain.intervals import Interval

# A pattern is planned for a season, not for ever: a year of days at most (as one shift or time off).
LONGEST_PATTERN = timedelta(days=366)


@dataclass(frozen=True)
class WeeklyPattern:
    """Weekdays (0 = Monday), a wall-clock start and end, a site's zone and the first and last day."""

    weekdays: frozenset[int]
    starts: time
    ends: time
    zone: str
    first_day: date
    last_day: date

    def describe(self) -> str:
        """'Mon, Tue, Fri 07:30–15:30 from 2026-12-01 to 2027-02-28' for people and the audit log."""
        days = ", ".join(WEEKDAYS[d][:3] for d in sorted(self.weekdays))
        return f"{days} {self.starts:%H:%M}–{self.ends:%H:%M} from {self.first_day} to {self.last_day}"


@dataclass(frozen=True)
class Taken:
    """Something already in the way of a shift: another shift of the person's, with where it is."""

    interval: Interval
    what: str  # "Brooklyn Heights 08:00–16:00", said in the site's own wall time


@dataclass(frozen=True)
class PlannedShift:
    """One shift the pattern would make, on a local day; clashes say why it cannot be made as it is."""

    day: date
    interval: Interval | None  # None when the wall time does not exist that day
    clashes: tuple[Reason, ...] = field(default=())

    @property
    def clear(self) -> bool:
        """True when nothing stands in the way of this shift."""
        return not self.clashes


def pattern_problems(pattern: WeeklyPattern) -> list[Reason]:
    """What makes a pattern itself unusable (each naming its field); empty when it can be expanded."""
    problems = []
    if not pattern.weekdays:
        problems.append(Reason("missing", "Pick at least one weekday.", "weekdays"))
    if pattern.ends <= pattern.starts:
        problems.append(Reason("order", "The end must be after the start (a shift ends on the day it starts).",
                               "ends"))
    if pattern.last_day < pattern.first_day:
        problems.append(Reason("order", "The last day must not be before the first day.", "last_day"))
    elif pattern.last_day - pattern.first_day >= LONGEST_PATTERN:
        problems.append(Reason("too_long", "A pattern covers at most a year; add the next year as another.",
                               "last_day"))
    return problems


def expand(pattern: WeeklyPattern, closures: dict[date, str], taken: Iterable[Taken],
           not_before: datetime | None = None) -> list[PlannedShift]:
    """Every shift of the pattern, day by day, each with what clashes with it (nothing left out).

    closures: the site's closed days with their reasons; taken: the person's live shifts around the
    span; not_before: now, before which no shift may start (the past is kept as it was).
    """
    busy = sorted(taken, key=lambda t: t.interval.start)
    planned = []
    day = pattern.first_day
    while day <= pattern.last_day:
        if day.weekday() in pattern.weekdays:
            planned.append(_one_day(pattern, day, closures, busy, not_before))
        day += timedelta(days=1)
    return planned


def _one_day(pattern: WeeklyPattern, day: date, closures: dict[date, str], busy: list[Taken],
             not_before: datetime | None) -> PlannedShift:
    clashes = []
    if day in closures:
        why = f" ({closures[day]})" if closures[day] else ""
        clashes.append(Reason("closed", f"The site is closed that day{why}.", "day"))
    try:
        # to_utc refuses a wall time the clocks skip; a time that happens twice (fall back) is its first.
        interval = Interval(to_utc(day, pattern.starts, pattern.zone), to_utc(day, pattern.ends, pattern.zone))
    except NonexistentLocalTime as skipped:
        clashes.append(Reason("no_such_time", f"The clocks change that day: {skipped}.", "day"))
        return PlannedShift(day, None, tuple(clashes))
    if not_before is not None and interval.start < not_before:
        clashes.append(Reason("in_the_past", "This shift would start in the past.", "day"))
    for other in busy:
        if other.interval.start >= interval.end:
            break
        if other.interval.end > interval.start:
            clashes.append(Reason("shift_overlap", f"Already on shift: {other.what}.", "day"))
    return PlannedShift(day, interval, tuple(clashes))


def wall_span(interval: Interval, zone: str) -> str:
    """'07:30–15:30' in a zone's wall time (the end's day is the start's for a pattern's shift)."""
    return f"{local(interval.start, zone):%H:%M}–{local(interval.end, zone):%H:%M}"
