"""A site's wall-clock calendar: opening hours, closures, and local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from planner.domain.intervals import Interval, merge

KEPT_SPANS = 512  # open_intervals answers kept per calendar
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving jump."""


def to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in an IANA zone."""
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at, tzinfo=tz)
    instant = local.astimezone(timezone.utc)
    # zoneinfo quietly maps a time inside the spring-forward gap to a real
    # instant; a round trip reveals it, and a session must not start there.
    back = instant.astimezone(tz)
    if (back.date(), back.time().replace(tzinfo=None)) != (day, at.replace(tzinfo=None)):
        raise NonexistentLocalTime(f"{day} {at:%H:%M} does not exist in {zone}")
    return instant


def local(instant: datetime, zone: str) -> datetime:
    """The wall-clock datetime of an instant in an IANA zone."""
    return instant.astimezone(ZoneInfo(zone))


@dataclass(frozen=True)
class OpeningHours:
    """One block of opening on a weekday (0 = Monday), in local wall time."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class SiteCalendar:
    """When a site is open, in its own time zone."""

    zone: str
    hours: tuple[OpeningHours, ...] = ()
    closures: frozenset[date] = field(default_factory=frozenset)

    def local_day(self, instant: datetime) -> date:
        """The site's calendar day of an instant."""
        return local(instant, self.zone).date()

    def open_intervals(self, first: date, last: date) -> list[Interval]:
        """Open stretches as UTC intervals for every local day from first to last (touching blocks joined)."""
        # Asked for the same day at every start time a search checks: worked out once per calendar and days.
        kept = self.__dict__.setdefault("_open", {})  # frozen, but a cache is not part of its value
        found = kept.get((first, last))
        if found is None:
            if len(kept) >= KEPT_SPANS:
                kept.clear()  # a calendar lives as long as the clinic's set-up: keep its memory bounded
            found = kept[(first, last)] = self._open_intervals(first, last)
        return list(found)

    def _open_intervals(self, first: date, last: date) -> list[Interval]:
        result = []
        day = first
        while day <= last:
            if day not in self.closures:
                for block in self.hours:
                    if block.weekday == day.weekday():
                        result.append(Interval(_wall(day, block.opens, self.zone),
                                               _wall(day, block.closes, self.zone)))
            day += timedelta(days=1)
        # 08:00-12:00 and 12:00-18:00 mean open straight through, so do overlapping blocks.
        return merge(result)

    def why_closed(self, window: Interval) -> str | None:
        """None when the site is open for the whole window, else the reason in words."""
        start = local(window.start, self.zone)
        day = start.date()
        if day in self.closures:
            return f"The site is closed on {WEEKDAYS[day.weekday()]} {day:%d %b %Y}."
        for interval in self.open_intervals(day, self.local_day(window.end)):
            if interval.contains(window):
                return None
        blocks = [b for b in self.hours if b.weekday == day.weekday()]
        if not blocks:
            return f"The site is closed on {WEEKDAYS[day.weekday()]}s."
        spans = ", ".join(f"{b.opens:%H:%M}–{b.closes:%H:%M}" for b in sorted(blocks, key=lambda b: b.opens))
        end = local(window.end, self.zone)
        return (f"{start:%H:%M}–{end:%H:%M} on {WEEKDAYS[day.weekday()]} {day:%d %b %Y} is outside "
                f"the site's opening hours ({spans}).")


def day_start(day: date, zone: str) -> datetime:
    """The first instant of a local day (after midnight when a clock change skips midnight)."""
    return _wall(day, time(0), zone)


def wall_instant(day: date, at: time, zone: str) -> datetime:
    """Like to_utc, but a wall time skipped by a DST jump moves to the next real instant.

    A wall time that happens twice (the hour the clocks fall back) is its first occurrence.
    """
    return _wall(day, at, zone)


def _wall(day: date, at: time, zone: str) -> datetime:
    """Like to_utc, but a boundary inside a DST gap moves to the next real instant."""
    try:
        return to_utc(day, at, zone)
    except NonexistentLocalTime:
        # Walk forward from just before the jump to the first instant whose wall time
        # has reached the asked-for time (e.g. 02:30 on spring-forward day -> 03:00).
        tz = ZoneInfo(zone)
        wanted = datetime.combine(day, at)
        instant = datetime.combine(day, at, tzinfo=tz).replace(fold=1).astimezone(timezone.utc)
        instant = instant.replace(second=0, microsecond=0)
        while instant.astimezone(tz).replace(tzinfo=None) < wanted:
            instant += timedelta(minutes=1)
        return instant
