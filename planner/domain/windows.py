"""Free windows as runs of start times, and the rules that narrow them to a moment and a patient."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain.calendar import SiteCalendar, day_start
from planner.domain.intervals import Interval, merge


@dataclass(frozen=True)
class FreeWindow:
    """A run of start times, one slot apart, at which the session fits."""

    starts_from: datetime
    starts_until: datetime
    duration: timedelta

    @property
    def ends_by(self) -> datetime:
        """The end of a session started at the latest start."""
        return self.starts_until + self.duration


def join(windows: Iterable[FreeWindow], step: timedelta) -> list[FreeWindow]:
    """Windows in time order with runs that continue one another joined into one."""
    joined: list[FreeWindow] = []
    for window in windows:
        if joined and joined[-1].starts_until + step == window.starts_from:
            joined[-1] = FreeWindow(joined[-1].starts_from, window.starts_until, window.duration)
        else:
            joined.append(window)
    return joined


def starting_from(windows: list[FreeWindow], now: datetime, step: timedelta) -> list[FreeWindow]:
    """The starts at or after now: no session is booked in the past."""
    kept = []
    for window in windows:
        if window.starts_until < now:
            continue
        start = window.starts_from
        if start < now:
            start += -((start - now) // step) * step  # the first start on the window's grid not before now
        kept.append(FreeWindow(start, window.starts_until, window.duration))
    return kept


def by_local_day(window: FreeWindow, calendar: SiteCalendar, step: timedelta) -> Iterator[tuple[date, FreeWindow]]:
    """A window cut at the site's local midnights, each part with its local day."""
    start = window.starts_from
    while start <= window.starts_until:
        day = calendar.local_day(start)
        boundary = day_start(day + timedelta(days=1), calendar.zone)
        last = window.starts_until
        if last >= boundary:
            last = start + ((boundary - start - timedelta(microseconds=1)) // step) * step
        yield day, FreeWindow(start, last, window.duration)
        start = last + step


def avoiding(windows: list[FreeWindow], busy: list[Interval], step: timedelta) -> list[FreeWindow]:
    """The starts whose session would not overlap any busy interval (merged, in time order)."""
    kept = []
    for window in windows:
        runs = [(window.starts_from, window.starts_until)]
        for taken in busy:
            # A start s clashes when s < taken.end and s + duration > taken.start.
            low, high = taken.start - window.duration, taken.end
            next_runs = []
            for begin, until in runs:
                if until <= low or begin >= high:
                    next_runs.append((begin, until))
                    continue
                if begin <= low:
                    next_runs.append((begin, begin + ((low - begin) // step) * step))
                resume = begin + -((begin - high) // step) * step  # first grid start at or after high
                if resume <= until:
                    next_runs.append((resume, until))
            runs = next_runs
        kept += [FreeWindow(begin, until, window.duration) for begin, until in runs]
    return kept


def off_days(windows: list[FreeWindow], days: set[date], calendar: SiteCalendar,
             step: timedelta) -> list[FreeWindow]:
    """The starts that fall on none of these local days."""
    if not days:
        return windows
    kept = [part for window in windows for day, part in by_local_day(window, calendar, step) if day not in days]
    return join(kept, step)


def for_patient(windows: list[FreeWindow], dosing: bool, patient_sessions: Iterable, calendar: SiteCalendar,
                step: timedelta) -> list[FreeWindow]:
    """The starts a patient can take, given the sessions they already hold (BookedSession-like).

    Never two sessions at once; and for a dose, never a second dosing session on the same local
    day of the site, at any site (docs/domain.md, "one dose a day").
    """
    mine = list(patient_sessions)
    kept = avoiding(windows, merge(s.window for s in mine), step)
    if dosing:
        kept = off_days(kept, {calendar.local_day(s.window.start) for s in mine if s.dosing}, calendar, step)
    return kept
