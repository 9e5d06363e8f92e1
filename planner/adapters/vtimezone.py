"""The VTIMEZONE of a site's IANA zone, written the way every calendar app reads it.

Google and Apple read the TZID as an IANA name; Outlook ignores the name and rebuilds the zone
from the VTIMEZONE's observances. icalendar's own generator (`Timezone.from_tzid`) lists every
transition as RDATEs, which Outlook is widely reported to misread (events an hour off in summer),
and it stops in 2038. So where a zone follows one yearly rule, as all the clinic's zones do, we
write the form Google and Outlook themselves send: one STANDARD and one DAYLIGHT observance, each
with an RRULE (e.g. BYMONTH=3;BYDAY=2SU). The rule is derived from the zone's real transitions and
checked against them year by year. A zone without daylight saving, or whose rule changes within
the horizon, gets its exact transitions as RDATEs instead, which no yearly rule could say.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# Bookings are made months, not decades, ahead; ten years of verified rule is ample.
HORIZON_YEARS = 10
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int) -> Timezone:
    """The VTIMEZONE of `tzid` for events from `first_year` on (cached: zones do not change)."""
    # The observances start a year early so the first event is never before every onset (a
    # January event must already find November's STANDARD in force, as RFC 5545 resolves it).
    since = first_year - 1
    until = first_year + HORIZON_YEARS + 1
    zone = ZoneInfo(tzid)
    transitions = _transitions(zone, since, until)
    component = Timezone()
    component.add("TZID", tzid)
    rules = _yearly_rules(transitions, range(since, until))
    if rules is not None:
        for onset, before, after, name, rule in rules:
            component.add_component(_observance(onset, before, after, name, RRULE=rule))
        return component
    # Exact onsets, the zone's state on 1 January first. Each observance lists its DTSTART among
    # its RDATEs too: RFC 5545 counts the DTSTART as the first onset anyway, and some readers
    # (the `ical` library among them) count only RDATEs where there is no RRULE.
    began = datetime(since, 1, 1, tzinfo=timezone.utc)
    initial = began.astimezone(zone)
    offset = initial.utcoffset() or timedelta(0)
    onsets: dict[tuple[timedelta, timedelta, str], list[datetime]] = {
        (offset, offset, initial.tzname() or ""): [began.replace(tzinfo=None) + offset]}
    for onset, before, after, name in transitions:
        onsets.setdefault((before, after, name), []).append(onset)
    for (before, after, name), dates in onsets.items():
        component.add_component(_observance(dates[0], before, after, name, RDATE=dates))
    return component


def _observance(onset: datetime, before: timedelta, after: timedelta, name: str, **recurrence):
    """A DAYLIGHT observance if the clocks go forward at its onset, else a STANDARD one."""
    observance = TimezoneDaylight() if after > before else TimezoneStandard()
    observance.add("DTSTART", onset)
    for key, value in recurrence.items():
        observance.add(key, value)
    observance.add("TZNAME", name)
    observance.add("TZOFFSETFROM", before)
    observance.add("TZOFFSETTO", after)
    return observance


def _transitions(zone: ZoneInfo, since: int, until: int) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """Each change of UTC offset from 1 January `since` to 1 January `until`.

    Returned as (onset, offset before, offset after, name after), the onset being local wall time
    in the offset before, which is how RFC 5545 writes an observance's DTSTART.
    """
    # zoneinfo has no public list of transitions: step a day at a time (no zone changes twice a
    # day) and bisect each change to the second.
    found = []
    here = int(datetime(since, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(until, 1, 1, tzinfo=timezone.utc).timestamp())
    before = _offset(zone, here)
    while here < end:
        step = here + 86_400
        if _offset(zone, step) != before:
            low, high = here, step
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _offset(zone, middle) == before else (low, middle)
            after = _offset(zone, high)
            onset = datetime.fromtimestamp(high, timezone.utc).replace(tzinfo=None) + before
            found.append((onset, before, after, datetime.fromtimestamp(high, zone).tzname() or ""))
            before = after
        here = step
    return found


def _offset(zone: ZoneInfo, timestamp: int) -> timedelta:
    """The zone's UTC offset at an instant."""
    return datetime.fromtimestamp(timestamp, zone).utcoffset() or timedelta(0)


def _yearly_rules(transitions, years: range):
    """One (onset, before, after, name, RRULE) per observance if every year follows it, else None."""
    observances: dict[tuple[timedelta, timedelta, str], list[datetime]] = {}
    for onset, before, after, name in transitions:
        observances.setdefault((before, after, name), []).append(onset)
    if not observances:
        return None
    rules = []
    for (before, after, name), onsets in observances.items():
        first = onsets[0]
        # "Last Sunday" rules land on the 25th to 31st: counted from the month's end they are
        # the same every year, counted from its start they are not.
        last_day = monthrange(first.year, first.month)[1]
        nth = -1 if first.day + 7 > last_day else (first.day - 1) // 7 + 1
        weekday = first.weekday()
        expected = [datetime.combine(_nth_weekday(year, first.month, weekday, nth), first.time()) for year in years]
        if onsets != expected:
            return None
        rule = {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{nth}{WEEKDAYS[weekday]}"}
        rules.append((first, before, after, name, rule))
    return sorted(rules, key=lambda rule: rule[0])


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (or, for -1, the last) such weekday of a month."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year, month, monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)
