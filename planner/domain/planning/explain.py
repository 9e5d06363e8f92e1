"""Why no plan exists: the binding constraints, in the clinic's words."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from planner.domain.availability import need_cover, room_cover
from planner.domain.calendar import WEEKDAYS, local
from planner.domain.clinic import CAPABILITY_NAMES, ClinicState, SessionType
from planner.domain.intervals import Cover, Interval, subtract
from planner.domain.planning.model import NOON, Preferences
from planner.domain.policy import one_role_each, policy_for
from planner.domain.presence import enough_on_site
from planner.domain.staffing import ROLE_NAMES

# What is missing when the ACLS/BLS presence rule binds (domain.md: an ACLS holder and a second BLS holder on site).
ACLS, SECOND_BLS = "acls_on_site", "second_bls_on_site"


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
        present = _presence(stype, state, block)
        start = block.start
        while start + stype.duration <= block.end:
            wall = local(start, state.site.calendar.zone)
            moment = wall.time().replace(tzinfo=None)
            if preferences.allows_day(wall.date()) and preferences.allows_time(moment):
                half = "morning" if moment < NOON else "afternoon"
                lacking = _lacking(stype, state, start, rooms, needs)
                if present is not None:
                    window = stype.window(start)
                    if not present[0].contains(window):
                        lacking.add(ACLS)
                    elif not present[1].contains(window):
                        lacking.add(SECOND_BLS)
                halves[(wall.date(), half)].append(lacking)
            start += step
    for key, per_start in sorted(halves.items()):
        if any(not lacking for lacking in per_start):
            continue  # something fits in this half-day
        always = set.intersection(*per_start)
        for what in always or set.union(*per_start):
            missing[what].append(key)
    return missing


def _presence(stype: SessionType, state: ClinicState, block: Interval) -> tuple[Cover, Cover] | None:
    """When enough ACLS holders, and enough BLS holders, are on site in a block of opening hours (doses only)."""
    if not stype.is_dosing:
        return None
    acls, bls = enough_on_site(state.site, stype, state, block)
    return Cover(acls), Cover(bls)


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


def describe(stype: SessionType, missing: dict[str, list[tuple[date, str]]], first: date,
             state: ClinicState | None = None) -> list[str]:
    """Sentences like "No supervising prescriber free on Tue and Thu afternoons in weeks 2–3".

    With the clinic's state, the ACLS/BLS presence rule is told first, by when nobody holding the
    credential is on site: "No ACLS holder is on site at Midtown on Tuesdays after 14:00 in weeks 1–4".
    """
    sentences = []
    week_zero = first - timedelta(days=first.weekday())
    if state is not None:
        for what in (ACLS, SECOND_BLS):
            if what in missing:
                sentences += _presence_sentences(stype, state, what, sorted({day for day, _ in missing[what]}),
                                                 week_zero)
    for what, halves in sorted(missing.items()):
        if what in (ACLS, SECOND_BLS):
            continue
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


def _presence_sentences(stype: SessionType, state: ClinicState, what: str, days: list[date],
                        week_zero: date) -> list[str]:
    """When nobody (or too few) holding ACLS or BLS is on site on these days, grouped by weekday and time of day."""
    site = state.site
    zone = site.calendar.zone
    groups: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # when -> weekday -> weeks
    for day in days:
        parts = []
        for block in site.calendar.open_intervals(day, day):
            acls, bls = enough_on_site(site, stype, state, block)
            for gap in subtract([block], acls if what == ACLS else bls):
                if gap.start == block.start and gap.end == block.end:
                    parts.append("")
                elif gap.end == block.end:
                    parts.append(f"after {local(gap.start, zone):%H:%M}")
                elif gap.start == block.start:
                    parts.append(f"before {local(gap.end, zone):%H:%M}")
                else:
                    parts.append(f"from {local(gap.start, zone):%H:%M} to {local(gap.end, zone):%H:%M}")
        if parts:
            groups[_and(parts) if any(parts) else ""][day.weekday()].add((day - week_zero).days // 7 + 1)
    policy = policy_for(site.policies, stype.route)
    if what == ACLS:
        who = "No ACLS holder is" if policy.acls_on_site == 1 else f"Fewer than {policy.acls_on_site} ACLS holders are"
    else:
        who = ("No second BLS holder is" if policy.bls_on_site == 2
               else f"Fewer than {policy.bls_on_site} BLS holders (the ACLS holders counted) are")
    sentences = []
    for when, weekdays in groups.items():
        by_weeks: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for weekday, weeks in weekdays.items():
            by_weeks[tuple(sorted(weeks))].append(weekday)
        for weeks, same in sorted(by_weeks.items()):
            on = _and([f"{WEEKDAYS[d]}s" for d in sorted(same)])
            sentences.append(f"{who} on site at {site.name} on {on}{' ' + when if when else ''} in {_weeks(weeks)}.")
    return sentences


def _weeks(weeks: tuple[int, ...]) -> str:
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    if list(weeks) == list(range(weeks[0], weeks[-1] + 1)):
        return f"weeks {weeks[0]}–{weeks[-1]}"
    return "weeks " + ", ".join(map(str, weeks))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
