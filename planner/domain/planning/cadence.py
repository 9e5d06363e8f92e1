"""The protocol's cadence rules applied to dose days: gaps, weekly counts, windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain.protocols import Protocol


def monday(day: date) -> date:
    """The Monday of a day's calendar week."""
    return day - timedelta(days=day.weekday())


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


def weekly_ok(rules: list[DoseRule], i: int, day: date, days: list[date]) -> bool:
    """True when putting dose i on day keeps the phase's weekly minimum and maximum."""
    rule = rules[i]
    same_phase = [days[j] for j in range(i) if rules[j].phase == rule.phase]
    week = monday(day)
    if rule.per_week_max is not None and sum(1 for d in same_phase if monday(d) == week) + 1 > rule.per_week_max:
        return False
    if rule.per_week_min and same_phase:
        prev_week = monday(same_phase[-1])
        if week != prev_week:
            first_week = monday(same_phase[0])
            # The week being left must have reached its minimum (the phase's first week
            # may be partial), and no whole week in between may pass without a dose.
            if prev_week != first_week and sum(1 for d in same_phase if monday(d) == prev_week) < rule.per_week_min:
                return False
            if (week - prev_week).days > 7:
                return False
    return True
