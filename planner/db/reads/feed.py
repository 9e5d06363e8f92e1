"""What a calendar feed reads: its owner's sessions as plain columns, and the names a calendar shows.

A year's feed is some 1,500 sessions, asked for again whenever anything in the clinic changed.
Read whole, through the ORM, that took 15 to 30 ms, most of it result processing. So the read goes
through the driver (sql.py), and each owner's sessions are kept per UTC date of their start, with
the change marks of that date (planner/db/models/marks.py): a feed asked for after a change
re-reads only the dates whose marks moved. The triggers raise a date's mark for any change to a
session starting (or ending) on it and for any placement in one, so a date whose marks are as
they were holds the same sessions for this owner, with the same columns that a feed shows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import scoped_session

from planner.db.reads.config import transaction_mark
from planner.db.reads.marks import Marks, date_runs, read_marks
from planner.db.reads.sql import database_key, fetch, instant, marks as placeholders


class FeedSession(NamedTuple):
    """A session's columns that its event in a feed is made of."""

    id: int
    sequence: int
    starts_at: datetime
    ends_at: datetime
    status: str
    site_id: int
    room_id: int | None
    session_type_id: int
    updated_at: datetime


class SitePlace(NamedTuple):
    """What a calendar may say of a site: its name, its phone, the zone its times are shown in."""

    name: str
    phone: str | None
    timezone: str


class Places(NamedTuple):
    """Every site, room and session type by id, with the names a calendar shows."""

    sites: dict[int, SitePlace]
    rooms: dict[int, str]
    types: dict[int, str]


@dataclass(frozen=True)
class _Kept:
    """One owner's sessions in a window, by UTC start date, and the marks they were read under."""

    first: date
    end: date  # exclusive
    marks: Marks
    days: dict[date, tuple[FeedSession, ...]]


_COLUMNS = "id, sequence, starts_at, ends_at, status, site_id, room_id, session_type_id, updated_at"
OWNERS_KEPT = 64  # a year of one owner's sessions is some 1,500 small rows
_FEW_DATES = 14  # up to this many dates are read from the sessions' side (see _read)
_RUNS_READ_APART = 16  # more runs of changed dates than this: one read of the whole window is simpler
_MEMO = "planner.reads.feed_marks"
_lock = threading.Lock()
_owners: OrderedDict[tuple, _Kept] = OrderedDict()
_places: dict[str, tuple[int | None, Places]] = {}  # per database: (config mark, the places under it)


def window_marks(session: OrmSession, first: date, last: date) -> Marks:
    """The change marks of these UTC dates, read once per transaction (before the sessions they vouch for)."""
    own = session() if isinstance(session, scoped_session) else session  # the one that knows its transaction
    memo = own.info.get(_MEMO)
    if memo is not None and memo[0] is own.get_transaction() and memo[1].cover(first, last):
        return memo[1]
    found = read_marks(own, first, last)
    own.info[_MEMO] = (own.get_transaction(), found)
    return found


def owner_sessions(session: OrmSession, *, staff_id: int | None = None, patient_id: int | None = None,
                   first: datetime, end: datetime, statuses: Collection[str]) -> list[FeedSession]:
    """The sessions of a staff member (placed in them) or of a patient starting in [first, end), by start.

    `first` and `end` are UTC midnights: the dates are what the marks vouch for.
    """
    if (staff_id is None) == (patient_id is None):
        raise ValueError("give exactly one of staff_id and patient_id")
    first, end = first.astimezone(timezone.utc), end.astimezone(timezone.utc)
    if first.time() != time(0) or end.time() != time(0):
        raise ValueError("a feed's window is whole UTC dates")
    start_date, end_date = first.date(), end.date()
    marks = window_marks(session, start_date, end_date - timedelta(days=1))
    key = (database_key(session), staff_id, patient_id, tuple(statuses))
    with _lock:
        kept = _owners.get(key)
    days: dict[date, tuple[FeedSession, ...]] = {}
    if kept is None or kept.marks.config != marks.config:
        # First asked, or the set-up changed (which is also how PostgreSQL tells of a TRUNCATE): all of it.
        stale = _dates(start_date, end_date)
    else:
        days = {day: rows for day, rows in kept.days.items() if start_date <= day < end_date}
        stale = [day for day in _dates(start_date, end_date)
                 if not kept.first <= day < kept.end or kept.marks.days.get(day) != marks.days.get(day)]
        for day in stale:
            days.pop(day, None)
    runs = date_runs(stale)
    if len(runs) > _RUNS_READ_APART:
        days, runs = {}, [_dates(start_date, end_date)]
    if runs:
        for row in _read(session, staff_id, patient_id, runs, statuses):
            day = row.starts_at.date()
            days[day] = (*days.get(day, ()), row)
    with _lock:
        _owners[key] = _Kept(start_date, end_date, marks, days)
        _owners.move_to_end(key)
        while len(_owners) > OWNERS_KEPT:
            _owners.popitem(last=False)
    return [row for day in sorted(days) for row in days[day]]


def _dates(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


def _read(session: OrmSession, staff_id: int | None, patient_id: int | None, runs: list[list[date]],
          statuses: Collection[str]) -> list[FeedSession]:
    """The owner's sessions starting on these runs of dates, by start."""
    if patient_id is not None:
        owned, owner = "patient_id = ?", patient_id
    elif sum(len(run) for run in runs) <= _FEW_DATES:
        # A few dates after a change: their sessions by start, each asked whether this person is in
        # it. The unary plus keeps SQLite (which has no statistics) on the session_id index rather
        # than walking every placement this person ever had through the staff index.
        owned, owner = "EXISTS (SELECT 1 FROM session_staff ss WHERE ss.session_id = sessions.id AND +ss.staff_id = ?)", \
            staff_id
    else:
        # The whole window: this person's placements first (IN, not a join: placed twice in one
        # session, in two roles, is still one event).
        owned, owner = "id IN (SELECT session_id FROM session_staff WHERE staff_id = ?)", staff_id
    spans, bounds = [], []
    for run in runs:
        spans.append("(starts_at >= ? AND starts_at < ?)")
        bounds += [_midnight(run[0]), _midnight(run[-1] + timedelta(days=1))]
    rows = fetch(session, f"SELECT {_COLUMNS} FROM sessions WHERE ({' OR '.join(spans)}) "
                          f"AND status IN ({placeholders(len(statuses))}) AND {owned} ORDER BY starts_at, id",
                 [*bounds, *statuses, owner])
    return [FeedSession(i, q, instant(s), instant(e), status, site, room, kind, instant(u))
            for i, q, s, e, status, site, room, kind, u in rows]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def places(session: OrmSession, sessions: list[FeedSession]) -> Places:
    """Every site, room and type with its name, kept while the clinic's config mark stays the same.

    The copy is read again when it lacks one of these sessions' sites, rooms or types: then they
    were read after the mark moved (PostgreSQL reads each statement at its own moment).
    """
    version = transaction_mark(session)  # read before the rows it labels: the copy can only be newer
    key = database_key(session)
    kept = _places.get(key)
    if kept is not None and kept[0] == version and _covers(kept[1], sessions):
        return kept[1]
    found = Places({i: SitePlace(name, phone, zone)
                    for i, name, phone, zone in fetch(session, "SELECT id, name, phone, timezone FROM sites", [])},
                   dict(fetch(session, "SELECT id, name FROM rooms", [])),
                   dict(fetch(session, "SELECT id, name FROM session_types", [])))
    with _lock:
        _places[key] = (version, found)
    return found


def _covers(found: Places, sessions: list[FeedSession]) -> bool:
    return ({row.site_id for row in sessions} <= found.sites.keys()
            and {row.room_id for row in sessions if row.room_id is not None} <= found.rooms.keys()
            and {row.session_type_id for row in sessions} <= found.types.keys())


def forget_all() -> None:
    """Drop every kept owner's sessions and the kept places (benchmarks measure cold reads with it)."""
    with _lock:
        _owners.clear()
        _places.clear()
