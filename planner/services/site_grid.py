"""A site's day as a grid: rooms and chairs by hour, each session a block with its team, and the team's load.

The load beside the grid is the domain's own count (staffing.peak_load over each person's duties, as
the booking rules and the coverage view read them through reads.site_cover), hour by hour of the
local day in real time: 23 rows on a spring-forward day, 25 on a fall-back day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.db import queries, reads
from planner.db.board import day_calendars
from planner.domain import clinic as dom
from planner.domain.front_desk import DayNotice, why_closed
from planner.domain.intervals import Interval
from planner.domain.lifecycle import RELEASED
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER, peak_load
from planner.services.coverage import site_day

HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)
WATCHED = (SUPERVISING_PRESCRIBER, MONITORING_CLINICIAN)  # the roles whose ratio the grid draws


@dataclass(frozen=True)
class Block:
    """A session placed on the grid: its column, first quarter row and length in quarters."""

    row: queries.SessionRow
    column: int
    first: int
    quarters: int


@dataclass(frozen=True)
class Load:
    """One person's load in one of their roles, hour by hour: patients at once against the role's limit."""

    name: str
    role: str
    limit: int
    hours: dict[int, int]  # by hour of the day drawn: the most patients at one instant (in this role's units)

    @property
    def peak(self) -> int:
        """The day's highest count."""
        return max(self.hours.values(), default=0)


@dataclass(frozen=True)
class SiteGrid:
    """What the grid page shows for a site's local day."""

    site: dom.Site
    day: date
    hours: list[Interval]  # real-time hours from local midnight (the last may be short): 23, 24 or 25
    shown: range  # the hours the grid draws: from the first session or shift of the day to the last
    rooms: list[queries.RoomRow]  # the columns; an unplaced session gets a column of its own at the end
    blocks: list[Block]
    loads: list[Load]
    notice: DayNotice | None

    @property
    def columns(self) -> int:
        """Rooms, plus one for sessions in no room when there are any."""
        return len(self.rooms) + (1 if any(b.column == len(self.rooms) for b in self.blocks) else 0)


def site_grid(site_id: int, day: date | None, now: datetime) -> SiteGrid:
    """The grid of a site's local day, today there when day is None (NotFound for no such site)."""
    with reads.reading() as session:
        found = site_day(session, site_id, day, now)
        site, day, span, cover = found.site, found.day, found.span, found.cover
        window = {site_id: (span.start, span.end)}
        shown = [s for s in queries.sessions_starting(session, window)[site_id] if s.status not in RELEASED]
        shifts = queries.shifts_overlapping(session, window)[site_id]
        rooms = queries.rooms(session, [site_id])[site_id]
        closure, hours = day_calendars(session, {site_id: day})[site_id]
        # Still inside the read, the collector paused (reads.reading): the snapshot is counted from and
        # dropped before the page is drawn, so it never lingers into a collection of its own.
        placed = {b.id: b.request.room_id for b in cover.sessions}
        used = {placed.get(s.id) for s in shown}
        columns = [r for r in rooms if r.active or r.id in used]
        index = {r.id: n for n, r in enumerate(columns)}
        hour_spans = _hours(span)
        drawn = _drawn(span, len(hour_spans), [(s.starts_at, s.ends_at) for s in shown]
                       + [(s.starts_at, s.ends_at) for s in shifts])
        top = span.start + drawn.start * HOUR
        blocks = [_block(s, index.get(placed.get(s.id), len(columns)), Interval(top, span.end)) for s in shown]
        loads = _loads(site, cover, hour_spans, drawn)
        del cover
    return SiteGrid(site, day, hour_spans, drawn, columns, blocks, loads, why_closed(day, closure, hours, bool(shifts)))


def _drawn(span: Interval, count: int, busy: list[tuple[datetime, datetime]]) -> range:
    # Whole hours from the first that anything touches to the last: a day's grid, not 24 empty hours.
    if not busy:
        return range(0)
    first = min(max(start, span.start) for start, _ in busy)
    last = max(min(end, span.end) for _, end in busy)
    return range(int((first - span.start) / HOUR), min(count, -(-int((last - span.start).total_seconds()) // 3600)))


def _block(row: queries.SessionRow, column: int, span: Interval) -> Block:
    start = max(row.starts_at, span.start)
    first = int((start - span.start) / QUARTER)
    length = max(1, -(-int((min(row.ends_at, span.end) - start).total_seconds()) // int(QUARTER.total_seconds())))
    return Block(row, column, first, length)


def _hours(span: Interval) -> list[Interval]:
    found, start = [], span.start
    while start < span.end:
        found.append(Interval.trusted(start, min(start + HOUR, span.end)))
        start += HOUR
    return found


def _loads(site: dom.Site, cover, hours: list[Interval], drawn: range) -> list[Load]:
    # Who supervises or monitors a session here today, in which roles: their whole load is counted,
    # other sites' duties included, as a booking counts it.
    holders: dict[tuple[int, str], None] = {}
    for booked in cover.sessions:
        for placement in booked.request.placements:
            if placement.role in WATCHED:
                holders[(placement.staff_id, placement.role)] = None
    roster = cover.state.roster
    found = []
    for staff_id, role in holders:
        member = roster.staff.get(staff_id)
        # Counted in patients at the site's ratio; a dose whose route has its own ratio weighs by it,
        # so "full" is exact (the whole person taken) while a mixed hour's count rounds down.
        ratios = site.ratios
        limit, unit = ratios.limit(role), ratios.share(role)
        counts = {n: peak_load(roster.duties_near(staff_id, hours[n]), hours[n], ratios) // unit for n in drawn}
        found.append(Load(member.name if member else f"Staff {staff_id}", role, limit, counts))
    return sorted(found, key=lambda load: (WATCHED.index(load.role), load.name))

