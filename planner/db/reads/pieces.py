"""Clinic snapshots for searches and proposals, built from pieces kept in the process while their marks hold.

Each piece holds what starts on one UTC date, at every site: live sessions, their staff
placements and shifts. It is reused while the date's marks and the configuration mark are the
ones it was read under (planner/db/models/marks.py). When a date is read again, what came or
went since its previous reading is kept for a few readings (changes_since), so that cached
results can tell whether a change touched them. Booking decisions never read these pieces:
they read sessions and placements afresh under their lock (fresh.py), so a piece gone
stale between its check and its use can at worst offer a slot that the booking refuses with a 409.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session as OrmSession

from planner.db.reads import assemble, config as configcache
from planner.db.reads.assemble import LIVE, LONGEST, SESSION_COLUMNS
from planner.db.reads.config import ClinicConfig, config_at
from planner.db.reads.marks import Marks, date_runs, read_marks
from planner.db.reads.sql import NO_ROLE, NO_TIME, database_key, fetch, instant
from planner.domain import clinic as dom
from planner.domain.errors import NotFound
from planner.domain.intervals import Interval
from planner.domain.staffing import Duty, Shift as ShiftBlock

MAX_DATES = 500  # pieces kept per database: over a year of dates, a few tens of MB at most
HISTORY = 8  # changes remembered per date: a cached result older than that is worked out again
_serials = itertools.count(1)


@dataclass
class _Piece:
    mark: tuple
    sessions: list[dom.BookedSession]
    duties: list[tuple[int, Duty]]
    shifts: list[tuple[int, ShiftBlock]]
    serial: int = field(default_factory=lambda: next(_serials))  # which reading of the date this is


@dataclass
class _Store:
    pieces: OrderedDict = field(default_factory=OrderedDict)
    # Per UTC date, what each re-reading found changed: (serial before, serial after, changes).
    changes: dict = field(default_factory=dict)


_lock = threading.Lock()
_stores: dict[str, _Store] = {}


def _store(session: OrmSession) -> _Store:
    # One store per database, so two apps in one process (tests) never share pieces.
    key = database_key(session)
    with _lock:
        return _stores.setdefault(key, _Store())


def forget_all() -> None:
    """Drop every cached piece and the kept configuration (benchmarks measure cold reads with it)."""
    with _lock:
        _stores.clear()
    configcache.forget_all()


def _marks_and_config(session: OrmSession, first: date, last: date, marks: Marks | None) -> tuple[_Store, Marks, ClinicConfig]:
    store = _store(session)
    if marks is None or not marks.cover(first, last):
        marks = read_marks(session, first, last)
    return store, marks, config_at(session, marks.config)


def snapshot_dates(span: Interval) -> tuple[date, date]:
    """The UTC dates whose pieces a snapshot of span reads."""
    return span.start.date() - timedelta(days=2), span.end.date() + timedelta(days=1)


def current_serials(session: OrmSession, first: date, last: date, marks: Marks) -> dict[date, int]:
    """Which reading of each UTC date is current under these marks, reading the dates whose marks moved."""
    pieces = _pieces(session, _store(session), marks, first, last, config_at(session, marks.config))
    return {first + timedelta(days=k): piece.serial for k, piece in enumerate(pieces)}


def changes_since(session: OrmSession, day: date, serial: int, current: int) -> tuple | None:
    """What moved on a UTC date from one reading to another: (site id or None for all, interval) per item, or None if not known."""
    if serial == current:
        return ()
    store = _store(session)
    with _lock:
        history = list(store.changes.get(day, ()))
    changed: list = []
    for before, after, items in history:
        if before == serial:
            changed += items
            serial = after
    return tuple(changed) if serial == current else None


def snapshot(session: OrmSession, site_id: int, span: Interval, patient_ids=frozenset(),
             marks: Marks | None = None) -> dom.ClinicState:
    """What fresh.reference(site, span, every staff member on shift, patient_ids) reads, from kept pieces."""
    # marks: what the caller has just read, reused when they cover the dates needed.
    first, last = snapshot_dates(span)
    store, marks, config = _marks_and_config(session, first, last, marks)
    the_site = config.site(session, site_id)
    if the_site is None:
        raise NotFound("site", site_id)
    pieces = _pieces(session, store, marks, first, last, config)
    earliest = span.start - LONGEST
    # Sessions, duties and the people on shift start within [earliest, span.end): only the pieces
    # of those dates can hold them (the earlier and later ones are there for shifts).
    near = pieces[(earliest.date() - first).days:(span.end.date() - first).days + 1]
    start, end = span.start, span.end
    sessions = [s for piece in near for s in piece.sessions
                if (s.site_id == site_id or s.patient_id in patient_ids)
                and earliest <= s.window[0] < end and s.window[1] > start]
    wide = Interval(start - LONGEST, end + LONGEST)
    staff_ids = {staff_id for piece in near for staff_id, block in piece.shifts
                 if block.site_id == site_id and earliest <= block.interval.start < end
                 and block.interval.end > start}
    shifts: dict[int, list[ShiftBlock]] = defaultdict(list)
    for piece in pieces:
        for staff_id, block in piece.shifts:
            if staff_id in staff_ids and wide.start - LONGEST <= block.interval.start < wide.end \
                    and block.interval.end > wide.start:
                shifts[staff_id].append(block)
    duties: dict[int, list[Duty]] = defaultdict(list)
    for piece in near:
        for staff_id, duty in piece.duties:
            if staff_id in staff_ids:
                (duty_start, duty_end) = duty.interval
                if earliest <= duty_start < end and duty_end > start:
                    duties[staff_id].append(duty)
    return assemble.snapshot(config, the_site, span, sessions, staff_ids, duties, shifts)


def _pieces(session: OrmSession, store: _Store, marks: Marks, first: date, last: date,
            config: ClinicConfig) -> list[_Piece]:
    """The pieces for UTC dates first to last, reading only those whose marks moved."""
    wanted = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    with _lock:
        found = {day: store.pieces.get(day) for day in wanted}
    stale = [day for day in wanted if found[day] is None or found[day].mark != marks.of(day)]
    before = {day: found[day] for day in stale}
    for run in date_runs(stale):
        found.update(_read(session, marks, run[0], run[-1], config.dosing_types, config.routes))
    changes = {day: _difference(before[day], found[day]) for day in stale if before[day] is not None}
    with _lock:
        for day in stale:
            store.pieces[day] = found[day]
            if day in changes:
                kept = store.changes.setdefault(day, [])
                kept.append((before[day].serial, found[day].serial, changes[day]))
                del kept[:-HISTORY]
            else:
                store.changes.pop(day, None)  # no earlier reading to compare with: history starts again
        for day in wanted:
            store.pieces.move_to_end(day)
        while len(store.pieces) > MAX_DATES:
            gone, _ = store.pieces.popitem(last=False)
            store.changes.pop(gone, None)
    return [found[day] for day in wanted]


def _difference(old: _Piece, new: _Piece) -> tuple:
    """Where two readings of a date differ: (site id, or None for every site, and interval) per item come or gone."""
    changed = [(s.site_id, s.window) for s in set(old.sessions) ^ set(new.sessions)]
    # A duty loads its person wherever they work; a shift makes them available at its own site.
    changed += [(None, duty.interval) for _, duty in set(old.duties) ^ set(new.duties)]
    changed += [(block.site_id, block.interval) for _, block in set(old.shifts) ^ set(new.shifts)]
    return tuple(changed)


def _read(session: OrmSession, marks: Marks, first: date, last: date,
          dosing_types: frozenset[int], routes: dict[int, str]) -> dict[date, _Piece]:
    """Fresh pieces for a run of UTC dates: sessions, placements and shifts across every site, in one round trip."""
    start = datetime.combine(first, time(0), tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=timezone.utc)
    pieces = {first + timedelta(days=k): _Piece(marks.of(first + timedelta(days=k)), [], [], [])
              for k in range((last - first).days + 1)}
    live = LIVE
    # Placements are filed under their session's start date, which is the date their marks raise.
    placements = "session_staff p ON p.session_id = s.id"
    if session.get_bind().dialect.name == "postgresql":
        # Without this PostgreSQL may hash-join a sequential scan of every placement ever made; a
        # lateral subquery it cannot flatten (OFFSET 0) keeps it to an index probe per session.
        placements = ("LATERAL (SELECT staff_id, session_id, starts_at, ends_at, role FROM session_staff "
                      "WHERE session_id = s.id OFFSET 0) p ON true")
    rows = fetch(session, f"SELECT 0, {SESSION_COLUMNS}, {NO_TIME}, {NO_ROLE} "
                          f"FROM sessions WHERE starts_at >= ? AND starts_at < ? AND {live} UNION ALL "
                          "SELECT 1, p.staff_id, p.session_id, 0, 0, p.starts_at, p.ends_at, s.session_type_id, "
                          "s.starts_at, p.role "
                          f"FROM sessions s JOIN {placements} "
                          f"WHERE s.starts_at >= ? AND s.starts_at < ? AND s.{live} UNION ALL "
                          f"SELECT 2, staff_id, site_id, id, 0, starts_at, ends_at, 0, {NO_TIME}, {NO_ROLE} "
                          "FROM shifts WHERE starts_at >= ? AND starts_at < ? AND withdrawn_at IS NULL", [start, end] * 3)
    shifts = []
    for kind, a, b, c, d, starts, ends, type_id, session_starts, role in rows:
        if kind == 0:
            found = assemble.booked((a, b, c, d, starts, ends, type_id), dosing_types)
            pieces[found.window.start.date()].sessions.append(found)
        elif kind == 1:
            # The placement weighs by its session's route (a route's own ratio): a type's route never changes.
            pieces[instant(session_starts).date()].duties.append(
                (a, assemble.duty(starts, ends, role, b, routes.get(type_id))))
        else:
            shifts.append((instant(starts), c, a, b, instant(ends)))
    for starts, _, staff_id, site_id, ends in sorted(shifts):
        pieces[starts.date()].shifts.append((staff_id, ShiftBlock(site_id, Interval(starts, ends))))
    return pieces
