"""When a patient is reminded, and when an SMS may not go out (quiet hours, daily and weekly caps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from planner.domain.calendar import local, wall_instant
from planner.domain.errors import Reason

DEFAULT_HOURS = (72, 24, 2)  # the default policy: 72 h with preparation, 24 h, 2 h
# A reminder moved out of quiet hours must still leave the patient time to act on it.
MIN_LEAD = timedelta(hours=1)
SMS_PER_DAY, SMS_PER_WEEK = 1, 3  # domain.md, "Telling people" (US telephone rules)


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which nothing is sent (start after end means overnight, e.g. 21:00 to 08:00)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    def contains(self, wall: time) -> bool:
        """True when a wall-clock time falls inside the quiet hours."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end


@dataclass(frozen=True)
class ReminderMoment:
    """One reminder of a session: how many hours before it was meant, and when it goes."""

    hours: int
    due: datetime
    preparation: bool  # the first reminder carries the preparation instructions


def out_of_quiet_hours(moment: datetime, zone: str, quiet: QuietHours, deadline: datetime) -> datetime | None:
    """The moment itself, or the nearest allowed moment: the end of quiet hours if it comes before
    the deadline, else the last minute before they began; None when neither is possible.
    """
    wall = local(moment, zone)
    if not quiet.contains(wall.time().replace(tzinfo=None)):
        return moment
    # The end of this stretch of quiet: today's end if we are past midnight, else tomorrow's.
    end_day = wall.date() if wall.time() < quiet.end else wall.date() + timedelta(days=1)
    later = _wall(end_day, quiet.end, wall)
    if later <= deadline:
        return later
    start_day = wall.date() if wall.time() >= quiet.start else wall.date() - timedelta(days=1)
    earlier = _wall(start_day, quiet.start, wall) - timedelta(minutes=1)
    return earlier if earlier < moment else None


def _wall(day, at: time, like: datetime) -> datetime:
    # Built in the zone itself, so a DST change between the two days is honoured.
    return datetime.combine(day, at, tzinfo=like.tzinfo).astimezone(timezone.utc)


def reminder_moments(start: datetime, hours: tuple[int, ...], zone: str, quiet: QuietHours,
                     now: datetime) -> list[ReminderMoment]:
    """The reminders still to send for a session starting at start, earliest first.

    A reminder whose moment has passed when the session is booked is not sent; the first one that
    is sent carries the preparation, so a late booking still gets the instructions.
    """
    moments = []
    for h in sorted(set(hours), reverse=True):
        due = out_of_quiet_hours(hours_before(start, h, zone), zone, quiet, start - MIN_LEAD)
        if due is not None and due > now and due < start:
            moments.append((h, due))
    return [ReminderMoment(h, due, index == 0) for index, (h, due) in enumerate(moments)]


def hours_before(start: datetime, hours: int, zone: str) -> datetime:
    """The moment of a reminder `hours` before start: whole days in wall time, anything else in absolute time.

    "24 hours before" a Monday 9:00 session means Sunday 9:00 to the patient and to the clinic,
    even when the clocks changed in between (then it is 23 or 25 real hours); counted in absolute
    time it would come at 8:00 or 10:00, and a 72 h reminder across a change likewise. A short
    offset (2 h) is about getting there on time, so it stays in real hours. A wall time the
    clocks skip moves to the next real instant; one that happens twice is its first occurrence.
    """
    if hours % 24:
        return start - timedelta(hours=hours)
    wall = local(start, zone)
    return wall_instant(wall.date() - timedelta(days=hours // 24), wall.time().replace(fold=0), zone)


def sms_limit_reason(sent: list[datetime], at: datetime) -> Reason | None:
    """Why one more SMS to a patient at `at` would break the caps, given when earlier ones went."""
    day = sum(1 for s in sent if at - timedelta(days=1) < s <= at)
    week = sum(1 for s in sent if at - timedelta(days=7) < s <= at)
    if day >= SMS_PER_DAY:
        return Reason("sms_daily_limit", f"At most {SMS_PER_DAY} SMS a day to one patient.", "channel")
    if week >= SMS_PER_WEEK:
        return Reason("sms_weekly_limit", f"At most {SMS_PER_WEEK} SMS a week to one patient.", "channel")
    return None

