"""The protocol's cadence rules applied to dose days: gaps, weekly counts, windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from planner.domain.protocols import Protocol


@dataclass(frozen=True)
class DoseRule:
    """The cadence that governs one dose, flattened from its phase."""

    phase: int
    first_of_phase: bool
    min_gap: int
    max_gap: int | None
    per_week_min: int | None
    per_week_max: int | None
    window_days: int | None


def dose_rules(protocol: Protocol) -> list[DoseRule]:
    """One rule per dose, in order."""
    rules = []
    for index, phase in enumerate(protocol.phases):
        for k in range(phase.doses):
            first = k == 0
            min_gap, max_gap = (phase.gap_from_previous_phase if first and index > 0
                                else (phase.min_gap_days, phase.max_gap_days))
            rules.append(DoseRule(index, first, min_gap, max_gap, phase.per_week_min, phase.per_week_max,
                                  phase.window_days))
    return rules


def day_range(rules: list[DoseRule], i: int, days: list[date], course_first: date | None,
              course_window: int | None, first_day: date, last_day: date) -> tuple[date, date]:
    """The earliest and latest day dose i may take, given the doses before it."""
    rule = rules[i]
    if i == 0:
        low, high = first_day, last_day
    else:
        prev = days[i - 1]
        low = prev + timedelta(days=rule.min_gap)
        high = prev + timedelta(days=rule.max_gap) if rule.max_gap is not None else last_day
    if rule.window_days is not None and not rule.first_of_phase:
        high = min(high, phase_start(rules, i, days) + timedelta(days=rule.window_days))
    if course_window is not None and course_first is not None:
        high = min(high, course_first + timedelta(days=course_window))
    return max(low, first_day), min(high, last_day)


def phase_start(rules: list[DoseRule], i: int, days: list[date]) -> date:
    """The day of the first dose of dose i's phase (dose i itself if it opens the phase)."""
    j = i
    while j > 0 and not rules[j].first_of_phase:
        j -= 1
    return days[j]


@lru_cache(maxsize=4096)  # the search asks for the same few dozen days hundreds of thousands of times
def week_of(day: date) -> int:
    """A number for the calendar week (Monday to Sunday) a day falls in."""
    return (day.toordinal() - 1) // 7  # ordinal 1 (1 Jan of year 1) was a Monday


def phase_weeks(rules: list[DoseRule], i: int, days: list[date]) -> list[int]:
    """The calendar weeks of the doses before dose i in its phase, in order."""
    phase = rules[i].phase
    return [week_of(days[j]) for j in range(i) if rules[j].phase == phase]


def weekly_ok(rules: list[DoseRule], i: int, day: date, days: list[date], weeks: list[int] | None = None) -> bool:
    """True when putting dose i on day keeps the phase's weekly minimum and maximum (weeks: phase_weeks, if known)."""
    rule = rules[i]
    if rule.per_week_max is None and not rule.per_week_min:
        return True
    if weeks is None:
        weeks = phase_weeks(rules, i, days)
    week = week_of(day)
    if rule.per_week_max is not None and weeks.count(week) + 1 > rule.per_week_max:
        return False
    if rule.per_week_min and weeks:
        prev_week = weeks[-1]
        if week != prev_week:
            # The week being left must have reached its minimum (the phase's first week
            # may be partial), and no whole week in between may pass without a dose.
            if prev_week != weeks[0] and weeks.count(prev_week) < rule.per_week_min:
                return False
            if week - prev_week > 1:
                return False
    return True


def ideal_span(protocol: Protocol, start: date) -> int:
    """Days from start to the last dose if every day were free: the shortest the course can be."""
    rules = dose_rules(protocol)
    days: list[date] = []
    far = start + timedelta(days=3650)
    for i in range(len(rules)):
        low, high = day_range(rules, i, days, days[0] if days else None, protocol.course_window_days, start, far)
        day = low
        while day <= high and not weekly_ok(rules, i, day, days):
            day += timedelta(days=1)
        days.append(min(day, high))
    return (days[-1] - start).days
