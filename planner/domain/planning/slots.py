"""Start times per local day at which one session type fits, from the free-window search."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from planner.domain.availability import FreeWindow, free_windows, need_cover
from planner.domain.calendar import local
from planner.domain.clinic import ClinicState, SessionType
from planner.domain.intervals import Interval
from planner.domain.planning.model import AFTERNOON, ANY_TIME, MORNING, NOON, Preferences
from planner.domain.staffing import THERAPIST, Roster


@dataclass
class SlotTable:
    """For each local day, the start instants (with local times) at which a session type fits."""

    by_day: dict[date, list[tuple[time, datetime]]]
    _index: dict | None = field(default=None, init=False, repr=False, compare=False)

    def days(self) -> list[date]:
        """Days with at least one start."""
        return sorted(day for day, starts in self.by_day.items() if starts)

    def at(self, day: date, wanted: time) -> datetime | None:
        """The start on day at exactly the local time wanted, if it fits."""
        if self._index is None:
            # The search asks this hundreds of thousands of times. On the night clocks go back
            # a wall time comes twice; the earlier start is the one meant, so it is filed last.
            self._index = {d: dict(reversed(starts)) for d, starts in self.by_day.items()}
        return self._index.get(day, {}).get(wanted)

    def starts(self, day: date) -> list[tuple[time, datetime]]:
        """Every start on a day, earliest first."""
        return self.by_day.get(day, [])


def all_starts(stype: SessionType, state: ClinicState, first: date, last: date, now: datetime,
               patient_id: int | None, windows: list[FreeWindow] | None = None) -> SlotTable:
    """Every start for a session type between two local days, whatever the patient prefers."""
    # windows: the free windows when the caller already has them (kept in the process).
    zone = state.site.calendar.zone
    step = timedelta(minutes=state.site.slot_minutes)
    by_day: dict[date, list[tuple[time, datetime]]] = defaultdict(list)
    if windows is None:
        windows = free_windows(stype, state, first, last, now, patient_id)
    for window in windows:
        start = window.starts_from
        while start <= window.starts_until:
            wall = local(start, zone)
            by_day[wall.date()].append((wall.time().replace(tzinfo=None), start))
            start += step
    return SlotTable(dict(by_day))


def within(table: SlotTable, preferences: Preferences) -> SlotTable:
    """The starts of a table on the days and at the times the patient can come."""
    any_day = preferences.weekdays is None and not preferences.blocked_days and preferences.earliest is None
    if any_day and preferences.time_of_day == ANY_TIME:
        return table  # nothing to leave out (the planner asks this for every table it reads)
    kept = {}
    for day, starts in table.by_day.items():
        if any_day or preferences.allows_day(day):
            chosen = _part_of_day(starts, preferences)
            if chosen:
                kept[day] = chosen
    return SlotTable(kept)


def _part_of_day(starts: list[tuple[time, datetime]], preferences: Preferences) -> list[tuple[time, datetime]]:
    # Compared inline: the planner filters every table it reads, thousands of starts each.
    if preferences.time_of_day == MORNING:
        return [pair for pair in starts if pair[0] < NOON]
    if preferences.time_of_day == AFTERNOON:
        return [pair for pair in starts if pair[0] >= NOON]
    return [(at, start) for at, start in starts if preferences.allows_time(at)]


def only_therapist(state: ClinicState, therapist_id: int, stype: SessionType) -> ClinicState:
    """The clinic as if this therapist were the only one (other roles keep their staff)."""
    needs_other_roles = any(need.role != THERAPIST for need in stype.needs)
    keep = {sid: m for sid, m in state.roster.staff.items()
            if sid == therapist_id or (needs_other_roles and THERAPIST not in m.disciplines)}
    roster = Roster(keep, {sid: d for sid, d in state.roster.duties.items() if sid in keep})
    return replace(state, roster=roster)


def for_one_person(table: SlotTable, stype: SessionType, state: ClinicState, staff_id: int, first: date,
                   last: date) -> SlotTable:
    """The starts of an any-therapist table that this one person could take (single-role types only).

    Rooms and the patient's time are the same whoever comes, so only the person's own
    shifts, leave, load and credentials need checking: far cheaper than a new search.
    """
    (need,) = stype.needs
    opening = state.site.calendar.open_intervals(first, last)
    if not opening:
        return SlotTable({})
    alone = only_therapist(state, staff_id, stype)
    cover = need_cover(need, stype, alone, opening, Interval(opening[0].start, opening[-1].end))
    kept = {}
    for day, starts in table.by_day.items():
        chosen = [(at, start) for at, start in starts if cover.contains(stype.role_window(start, need))]
        if chosen:
            kept[day] = chosen
    return SlotTable(kept)
