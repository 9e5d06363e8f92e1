"""Why no plan exists: the binding constraints, in the clinic's words."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from planner.domain.availability import need_cover, room_cover
from planner.domain.calendar import WEEKDAYS, local
from planner.domain.clinic import CAPABILITY_NAMES, ClinicState, SessionType
from planner.domain.intervals import Interval
from planner.domain.planning.model import NOON, Preferences
from planner.domain.staffing import ROLE_NAMES


def missing_by_half_day(stype: SessionType, state: ClinicState, first: date, last: date,
                        preferences: Preferences) -> dict[str, list[tuple[date, str]]]:
    """For each missing resource, the (day, morning|afternoon) halves in which nothing of it is free."""
    opening = state.site.calendar.open_intervals(first, last)
    missing: dict[str, list[tuple[date, str]]] = defaultdict(list)
    if not opening:
        return missing
    span = Interval(opening[0].start, opening[-1].end)
    rooms = room_cover(stype, state, opening)
    needs = [(need, need_cover(need, stype, state, opening, span)) for need in stype.needs]
    step = timedelta(minutes=state.site.slot_minutes)
    halves: dict[tuple[date, str], set[str]] = {}
    for block in opening:
        start = block.start
        while start + stype.duration <= block.end:
            wall = local(start, state.site.calendar.zone)
            half = "morning" if wall.time() < NOON else "afternoon"
            key = (wall.date(), half)
            if preferences.allows_day(wall.date()) and preferences.allows_time(wall.time().replace(tzinfo=None)):
                lacking = halves.setdefault(key, set(["room"] if rooms is not None else []) | {n.role for n, _ in needs})
                if rooms is not None and rooms.contains(stype.window(start)):
                    lacking.discard("room")
                for need, cover in needs:
                    if cover.contains(stype.role_window(start, need)):
                        lacking.discard(need.role)
            start += step
    for key, lacking in sorted(halves.items()):
        for what in lacking:
            missing[what].append(key)
    return missing


def describe(stype: SessionType, missing: dict[str, list[tuple[date, str]]], first: date) -> list[str]:
    """Sentences like "No supervising prescriber free on Tue and Thu afternoons in weeks 2–3"."""
    sentences = []
    week_zero = first - timedelta(days=first.weekday())
    for what, halves in sorted(missing.items()):
        name = (f"{CAPABILITY_NAMES.get(stype.room_capability, 'suitable')} room free" if what == "room"
                else f"{ROLE_NAMES.get(what, what)} free")
        name = name.removeprefix("a ").removeprefix("an ")
        groups: dict[tuple[int, str], set[int]] = defaultdict(set)
        for day, half in halves:
            groups[(day.weekday(), half)].add((day - week_zero).days // 7 + 1)
        by_weeks: dict[tuple[str, tuple[int, ...]], list[int]] = defaultdict(list)
        for (weekday, half), weeks in groups.items():
            by_weeks[(half, tuple(sorted(weeks)))].append(weekday)
        for (half, weeks), weekdays in sorted(by_weeks.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            days = " and ".join(WEEKDAYS[d][:3] for d in sorted(weekdays))
            sentences.append(f"No {name} for {stype.name} on {days} {half}s in {_weeks(weeks)}.")
    return sentences


def _weeks(weeks: tuple[int, ...]) -> str:
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    if list(weeks) == list(range(weeks[0], weeks[-1] + 1)):
        return f"weeks {weeks[0]}–{weeks[-1]}"
    return "weeks " + ", ".join(map(str, weeks))
