"""Why no plan exists: the binding constraints, in the clinic's words."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from planner.domain.availability import need_cover, room_cover
from planner.domain.calendar import WEEKDAYS, local
from planner.domain.clinic import CAPABILITY_NAMES, ClinicState, SessionType
from planner.domain.intervals import Interval
from planner.domain.planning.model import NOON, Preferences
from planner.domain.policy import one_role_each
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
    halves: dict[tuple[date, str], list[set[str]]] = defaultdict(list)
    for block in opening:
        start = block.start
        while start + stype.duration <= block.end:
            wall = local(start, state.site.calendar.zone)
            moment = wall.time().replace(tzinfo=None)
            if preferences.allows_day(wall.date()) and preferences.allows_time(moment):
                half = "morning" if moment < NOON else "afternoon"
                halves[(wall.date(), half)].append(_lacking(stype, state, start, rooms, needs))
            start += step
    for key, per_start in sorted(halves.items()):
        if any(not lacking for lacking in per_start):
            continue  # something fits in this half-day
        always = set.intersection(*per_start)
        for what in always or set.union(*per_start):
            missing[what].append(key)
    return missing


def _lacking(stype: SessionType, state: ClinicState, start, rooms, needs) -> set[str]:
    """What is missing for a session starting at start (empty when it fits)."""
    lacking = set()
    if rooms is not None and not rooms.contains(stype.window(start)):
        lacking.add("room")
    options = []
    for need, cover in needs:
        owners = cover.owners_containing(stype.role_window(start, need))
        if not owners:
            lacking.add(need.role)
        options.append((need.role, owners))
    if not lacking and one_role_each(state.site, stype):
        taken: set = set()
        for role, owners in options:
            free = [o for o in owners if o not in taken]
            if not free:
                # Everyone who could take this role already has another role in the session.
                lacking.add(role)
                break
            taken.add(free[0])
    return lacking


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
            days = _and([WEEKDAYS[d][:3] for d in sorted(weekdays)])
            sentences.append(f"No {name} for {stype.name} on {days} {half}s in {_weeks(weeks)}.")
    return sentences


def _weeks(weeks: tuple[int, ...]) -> str:
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    if list(weeks) == list(range(weeks[0], weeks[-1] + 1)):
        return f"weeks {weeks[0]}–{weeks[-1]}"
    return "weeks " + ", ".join(map(str, weeks))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
