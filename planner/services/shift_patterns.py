"""A weekly shift pattern for one person: preview the shifts it makes, then create them all in one transaction.

Nothing is skipped silently: a shift that clashes (a closure, another shift of theirs, a time the
clocks skip, the past) refuses the whole pattern, naming each day, unless the admin leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Closure, Shift, Site, Staff
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import day_start, local
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.intervals import Interval
from planner.domain.shift_pattern import PlannedShift, Taken, WeeklyPattern, expand, pattern_problems, wall_span
from planner.services import Actor
from planner.services.audit import record
from planner.services.inputs import ClockTime, Day, Id, Strict
from planner.services.staff_forms import site_zone, typed_clock, typed_day


@dataclass(frozen=True)
class PatternPreview:
    """The shifts a pattern would make at a site, each with its clashes."""

    pattern: WeeklyPattern
    site_id: int
    site_name: str
    shifts: list[PlannedShift]

    @property
    def clashing(self) -> list[PlannedShift]:
        """The shifts that cannot be made as they are."""
        return [s for s in self.shifts if not s.clear]


def read_pattern(form: dict) -> tuple[int, WeeklyPattern]:
    """The site and pattern a form describes, or InvalidData naming each bad field."""
    problems: list[Reason] = []

    def field(read, *args):
        try:
            return read(*args)
        except InvalidData as invalid:
            problems.extend(invalid.problems)
            return None

    site = field(site_zone, form.get("site_id", ""))
    days = form.get("weekdays") or []
    weekdays = frozenset(int(d) for d in days if isinstance(d, str) and d in ("0", "1", "2", "3", "4", "5", "6"))
    if len(weekdays) != len(set(days)):
        problems.append(Reason("unknown", "Pick weekdays from the list.", "weekdays"))
    starts, ends = field(typed_clock, form.get("starts", ""), "starts"), field(typed_clock, form.get("ends", ""), "ends")
    first, last = field(typed_day, form.get("first_day", ""), "first_day"), field(typed_day, form.get("last_day", ""), "last_day")
    parts = (starts, ends, first, last)
    # The pattern's own rules too, so every problem shows at once beside its field.
    if None in parts:
        problems += [Reason("missing", "Pick at least one weekday.", "weekdays")] if not weekdays else []
    else:
        problems += pattern_problems(WeeklyPattern(weekdays, starts, ends, site[1] if site else "UTC", first, last))
    if problems or site is None:
        raise InvalidData(problems)
    return site[0], WeeklyPattern(weekdays, starts, ends, site[1], first, last)


def preview_pattern(staff_id: int, form: dict, now: datetime) -> PatternPreview:
    """The shifts the pattern in the form would make, with their clashes (nothing written)."""
    site_id, pattern = read_pattern(form)
    with unit_of_work(write=False) as session:
        return _preview(session, staff_id, site_id, pattern, now)


class ShiftPatternIn(Strict):
    """A weekly pattern for the API: weekdays (0 = Monday), wall-clock times at the site, first and last day."""

    site_id: Id
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    starts: ClockTime
    ends: ClockTime
    first_day: Day
    last_day: Day
    leave_out: list[Day] = Field(default_factory=list, max_length=400,
                                 description="Days of the pattern not to make a shift on (say, the clashing ones).")


def create_pattern_from(staff_id: int, data: ShiftPatternIn, actor: Actor, now: datetime) -> int:
    """The API's way in: the same pattern, checks and single transaction as the page; returns how many were made."""
    site_id, zone = site_zone(str(data.site_id))
    pattern = WeeklyPattern(frozenset(data.weekdays), data.starts, data.ends, zone, data.first_day, data.last_day)
    problems = pattern_problems(pattern)
    if problems:
        raise InvalidData(problems)
    return _create(staff_id, site_id, pattern, set(data.leave_out), actor, now)


def create_pattern(staff_id: int, form: dict, left_out: set[date], actor: Actor, now: datetime) -> int:
    """Create every shift of the pattern but the days left out, all or none; returns how many were made."""
    site_id, pattern = read_pattern(form)
    return _create(staff_id, site_id, pattern, left_out, actor, now)


def _create(staff_id: int, site_id: int, pattern: WeeklyPattern, left_out: set[date], actor: Actor,
            now: datetime) -> int:
    with unit_of_work() as session:
        lock_for_booking(session, staff_ids={staff_id})  # read the clashes under the lock that adding takes
        preview = _preview(session, staff_id, site_id, pattern, now)
        chosen = [s for s in preview.shifts if s.day not in left_out]
        refused = [Reason(c.code, f"{s.day:%a %d %b %Y}: {c.message}", "shifts") for s in chosen for c in s.clashes]
        if refused:
            raise InvalidData(refused)
        if not chosen:
            raise InvalidData([Reason("empty", "Every shift was left out: nothing to create.", "shifts")])
        site = session.get(Site, site_id)
        if not site.active:
            raise InvalidData([Reason("site_inactive", f"{site.name} is no longer in service.", "site_id")])
        rows = [Shift(staff_id=staff_id, site_id=site_id, starts_at=s.interval.start, ends_at=s.interval.end)
                for s in chosen]
        session.add_all(rows)
        session.flush()
        described = f"{pattern.describe()} at {site.name}"
        for row in rows:
            record(session, actor, "shift.created", "shift", row.id, now, pattern=described)
        session.commit()
        return len(rows)


def _preview(session: OrmSession, staff_id: int, site_id: int, pattern: WeeklyPattern, now: datetime) -> PatternPreview:
    if session.get(Staff, staff_id) is None:
        raise NotFound("staff member", staff_id)
    site = session.get(Site, site_id)
    closures = dict(session.execute(select(Closure.day, Closure.reason).where(
        Closure.site_id == site_id, Closure.day >= pattern.first_day, Closure.day <= pattern.last_day)).all())
    # A day's margin either side: a shift elsewhere in another zone may reach into the first or last day.
    start = day_start(pattern.first_day - timedelta(days=1), pattern.zone)
    end = day_start(pattern.last_day + timedelta(days=2), pattern.zone)
    taken = [Taken(_span(s), f"{name} {s_day} {wall_span(_span(s), zone)}")
             for s, name, zone, s_day in _theirs(session, staff_id, start, end)]
    return PatternPreview(pattern, site_id, site.name, expand(pattern, closures, taken, not_before=now))


def _theirs(session: OrmSession, staff_id: int, start: datetime, end: datetime):
    rows = session.execute(select(Shift, Site.name, Site.timezone).join(Site, Site.id == Shift.site_id)
                           .where(Shift.staff_id == staff_id, Shift.withdrawn_at.is_(None),
                                  Shift.starts_at < end, Shift.ends_at > start))
    return [(s, name, zone, f"{local(s.starts_at, zone):%a %d %b}") for s, name, zone in rows]


def _span(shift: Shift) -> Interval:
    return Interval(shift.starts_at, shift.ends_at)
