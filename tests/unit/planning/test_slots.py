"""A slot table answers the planner's exact-time question as a scan of the day would."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from planner.domain.planning.slots import SlotTable


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
