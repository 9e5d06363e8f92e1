"""Free windows per site, session type and local day, kept in the process while the day's marks hold.

When a date in a day's reach moves, the day keeps its windows if nothing that changed on that
date (as the day cache saw it between two readings) comes near a session starting that day;
otherwise, or when the change is not known, it is worked out again.

A day's windows are the domain's open_windows: for nobody in particular and from the beginning
of time. The caller's `now` and the patient's own sessions are applied afterwards by the same
domain rules free_windows applies (planner/domain/windows.py), so every search shares them.
Like the day pieces, this serves searches and proposals only, never a booking decision.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session as OrmSession

from planner.db.reads import assemble, pieces as daycache
from planner.db.reads.assemble import LIVE, LONGEST, SESSION_COLUMNS
from planner.db.reads.config import config_at
from planner.db.reads.marks import Marks, date_runs, read_marks
from planner.db.reads.sql import database_key, fetch
from planner.domain.availability import open_windows
from planner.domain.calendar import day_start
from planner.domain.clinic import BookedSession, Site, SessionType
from planner.domain.intervals import Interval
from planner.domain.windows import FreeWindow, by_local_day, for_patient, join, starting_from

MAX_DAYS = 20_000  # (site, type, day) entries per process

_lock = threading.Lock()
_days: OrderedDict = OrderedDict()


def forget_all() -> None:
    """Drop every cached day (benchmarks measure cold searches with it)."""
    with _lock:
        _days.clear()


def marks_for_search(session: OrmSession, first: date, last: date) -> Marks:
    """The marks a search of these local days needs, in any time zone (read before anything else)."""
    return read_marks(session, first - timedelta(days=3), last + timedelta(days=5))


def cached_free_windows(session: OrmSession, site: Site, stype: SessionType, first: date, last: date,
                        now: datetime, patient_id: int | None = None, marks: Marks | None = None) -> list[FreeWindow]:
    """What domain free_windows gives over a fresh snapshot, from per-day results where still valid."""
    # marks: from marks_for_search over these days, when the caller read them first.
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    reach = {day: _reach(site, day) for day in days}
    # Wide enough for the snapshot of any run of days that has to be worked out again.
    needed = reach[first].start.date() - timedelta(days=2), reach[last].end.date() + timedelta(days=3)
    if marks is None or not marks.cover(*needed):
        marks = read_marks(session, *needed)
    database = database_key(session)
    keys = {day: (database, site.id, stype.id, day) for day in days}
    dates = {day: _dates(reach[day]) for day in days}
    fingerprints = {day: (marks.config, stype, tuple(marks.of(d) for d in dates[day])) for day in days}
    with _lock:
        cached = {day: _days.get(keys[day]) for day in days}
    by_day = {day: entry.windows for day, entry in cached.items()
              if entry is not None and entry.fingerprint == fingerprints[day]}
    moved = {day: entry for day, entry in cached.items()
             if entry is not None and day not in by_day and entry.fingerprint[:2] == fingerprints[day][:2]}
    if moved:
        # Only dates changed under these days: keep each day nothing in its reach changed on.
        serials = daycache.current_serials(session, min(d for day in moved for d in dates[day]),
                                           max(d for day in moved for d in dates[day]), marks)
        for day, entry in moved.items():
            now_serials = tuple(serials[d] for d in dates[day])
            if _untouched(session, site, stype, reach[day], dates[day], entry.serials, now_serials):
                by_day[day] = entry.windows
                with _lock:
                    _days[keys[day]] = _Entry(fingerprints[day], now_serials, entry.windows)
    missing = [day for day in days if day not in by_day]
    for run in date_runs(missing):
        worked, serials = _work_out(session, site, stype, run[0], run[-1], marks)
        by_day.update(worked)
        with _lock:
            for day in run:
                _days[keys[day]] = _Entry(fingerprints[day], tuple(serials[d] for d in dates[day]), worked[day])
    with _lock:
        for day in days:
            _days.move_to_end(keys[day])
        while len(_days) > MAX_DAYS:
            _days.popitem(last=False)
    step = timedelta(minutes=site.slot_minutes)
    joined = starting_from(join([w for day in days for w in by_day[day]], step), now, step)
    if patient_id is not None:
        zone = site.calendar.zone
        span = Interval(day_start(first, zone), day_start(last + timedelta(days=1), zone))
        mine = _patient_sessions(session, patient_id, span, config_at(session, marks.config).dosing_types)
        joined = for_patient(joined, stype.is_dosing, mine, site.calendar, step)
    return joined


class _Entry(NamedTuple):
    fingerprint: tuple  # (config mark, session type, marks of the UTC dates in the day's reach)
    serials: tuple  # which reading of each of those dates the windows were worked out from
    windows: list[FreeWindow]


def _dates(reach: Interval) -> list[date]:
    """The UTC dates a local day's reach touches: their marks vouch for its windows."""
    return [reach.start.date() + timedelta(days=k) for k in range((reach.end.date() - reach.start.date()).days + 1)]


def _untouched(session: OrmSession, site: Site, stype: SessionType, reach: Interval, dates: list[date],
               then: tuple, now: tuple) -> bool:
    """True when nothing that changed on these dates between two readings comes near a session starting in reach."""
    # A change can only matter to a start whose session it overlaps. The reach already holds
    # every such session whole; the session's length on top and counting a touch are slack.
    start, end = reach.start, reach.end + stype.duration
    for day, before, after in zip(dates, then, now):
        changed = daycache.changes_since(session, day, before, after)
        if changed is None:
            return False
        if any((site_id is None or site_id == site.id) and begins <= end and ends >= start
               for site_id, (begins, ends) in changed):
            return False
    return True


def _reach(site: Site, day: date) -> Interval:
    """Every instant a session starting on this local day could occupy."""
    zone = site.calendar.zone
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    opening = site.calendar.open_intervals(day, day + timedelta(days=1))
    if any(block.start < end < block.end for block in opening):
        end += LONGEST  # open through midnight: a session may run into the next day
    return Interval(start, end)


def _work_out(session: OrmSession, site: Site, stype: SessionType, first: date, last: date,
              marks: Marks) -> tuple[dict, dict]:
    """Fresh windows for a run of local days, filed by the local day of their starts, and the readings they came from."""
    zone = site.calendar.zone
    end_day = last
    if _reach(site, last).end > day_start(last + timedelta(days=1), zone):
        end_day = last + timedelta(days=1)  # a session starting late may cross midnight
    span = Interval(day_start(first, zone), day_start(end_day + timedelta(days=1), zone))
    # Taken before the snapshot: should another thread read a date again in between, the
    # windows are checked against changes they already hold, never miss one.
    serials = daycache.current_serials(session, *daycache.snapshot_dates(span), marks)
    state = daycache.snapshot(session, site.id, span, marks=marks)
    step = timedelta(minutes=site.slot_minutes)
    found: dict[date, list[FreeWindow]] = {first + timedelta(days=k): [] for k in range((last - first).days + 1)}
    for window in open_windows(stype, state, first, end_day):
        for day, part in by_local_day(window, site.calendar, step):
            if day in found:
                found[day].append(part)
    return found, serials


def _patient_sessions(session: OrmSession, patient_id: int, span: Interval,
                      dosing_types: frozenset[int]) -> list[BookedSession]:
    """The patient's live sessions, at any site, starting within a day of span."""
    found = fetch(session, f"SELECT {SESSION_COLUMNS} FROM sessions WHERE patient_id = ? AND starts_at >= ? "
                           f"AND starts_at < ? AND ends_at > ? AND {LIVE}",
                  [patient_id, span.start - LONGEST, span.end, span.start])
    return [assemble.booked(row, dosing_types) for row in found]
