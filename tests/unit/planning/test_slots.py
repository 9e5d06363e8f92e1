"""A slot table answers the planner's exact-time question as a scan of the day would."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from planner.domain.planning.model import Preferences
from planner.domain.planning.slots import SlotTable, within


def test_an_exact_time_is_found_and_a_missing_one_is_not():
    day = date(2026, 11, 23)
    nine = datetime(2026, 11, 23, 14, tzinfo=timezone.utc)
    table = SlotTable({day: [(time(9), nine), (time(9, 30), nine + timedelta(minutes=30))]})
    assert table.at(day, time(9, 30)) == nine + timedelta(minutes=30)
    assert table.at(day, time(10)) is None
    assert table.at(day + timedelta(days=1), time(9)) is None


def test_a_wall_time_that_comes_twice_when_clocks_go_back_means_the_earlier_start():
    day = date(2026, 11, 1)  # New York: 01:30 comes at 05:30 UTC and again at 06:30 UTC
    first, second = (datetime(2026, 11, 1, hour, 30, tzinfo=timezone.utc) for hour in (5, 6))
    table = SlotTable({day: [(time(1, 30), first), (time(1, 30), second)]})
    assert table.at(day, time(1, 30)) == first


def test_a_table_keeps_the_patients_part_of_the_day_and_days_and_everything_when_they_can_come_any_time():
    day = date(2026, 11, 23)
    starts = [(time(hour), datetime(2026, 11, 23, hour + 5, tzinfo=timezone.utc)) for hour in (9, 11, 12, 15)]
    table = SlotTable({day: starts, day + timedelta(days=1): starts})
    assert within(table, Preferences()) is table
    assert within(table, Preferences(time_of_day="morning")).starts(day) == starts[:2]
    assert within(table, Preferences(time_of_day="afternoon")).starts(day) == starts[2:]
    only_tuesday = within(table, Preferences(weekdays=frozenset({1}), time_of_day="afternoon"))
    assert only_tuesday.days() == [day + timedelta(days=1)] and only_tuesday.starts(day) == []
