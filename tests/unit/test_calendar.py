"""Opening hours in the site's own wall time, across daylight-saving changes."""

from datetime import date, datetime, time, timedelta

import pytest

from planner.domain.calendar import NonexistentLocalTime, OpeningHours, SiteCalendar, local, to_utc
from planner.domain.intervals import Interval
from tests.unit.builders import LONDON, NEW_YORK, SYDNEY, UTC, at, hours, make_calendar, span

MONDAY_9_TO_5 = hours("09:00", "17:00", weekdays=[0])

# (zone, Monday before the change, Monday after it, 09:00 local in UTC on the Monday after)
DST_MONDAYS = [
    pytest.param(NEW_YORK, date(2026, 3, 2), date(2026, 3, 9), datetime(2026, 3, 9, 13, tzinfo=UTC),
                 id="new-york-spring-forward-mar-8"),
    pytest.param(NEW_YORK, date(2026, 10, 26), date(2026, 11, 2), datetime(2026, 11, 2, 14, tzinfo=UTC),
                 id="new-york-fall-back-nov-1"),
    pytest.param(LONDON, date(2026, 3, 23), date(2026, 3, 30), datetime(2026, 3, 30, 8, tzinfo=UTC),
                 id="london-spring-forward-mar-29"),
    pytest.param(LONDON, date(2026, 10, 19), date(2026, 10, 26), datetime(2026, 10, 26, 9, tzinfo=UTC),
                 id="london-fall-back-oct-25"),
    pytest.param(SYDNEY, date(2026, 3, 30), date(2026, 4, 6), datetime(2026, 4, 5, 23, tzinfo=UTC),
                 id="sydney-fall-back-apr-5"),
    pytest.param(SYDNEY, date(2026, 9, 28), date(2026, 10, 5), datetime(2026, 10, 4, 22, tzinfo=UTC),
                 id="sydney-spring-forward-oct-4"),
]


@pytest.mark.parametrize(("zone", "before", "after", "opens_at"), DST_MONDAYS)
def test_the_monday_after_a_clock_change_still_opens_at_nine_local(zone, before, after, opens_at):
    calendar = make_calendar(zone, MONDAY_9_TO_5)
    [week_before] = calendar.open_intervals(before, before)
    [week_after] = calendar.open_intervals(after, after)

    assert week_after.start == opens_at
    assert local(week_after.start, zone).time() == time(9, 0)
    assert local(week_before.start, zone).time() == time(9, 0)
    # Same wall time, but the UTC instant moved by exactly one hour across the change.
    assert abs((week_after.start - week_before.start) - timedelta(days=7)) == timedelta(hours=1)
    assert week_after.duration == week_before.duration == timedelta(hours=8)


def test_a_week_of_opening_spans_a_clock_change_without_losing_a_day():
    calendar = make_calendar(NEW_YORK, hours("09:00", "17:00", weekdays=range(7)))
    days = calendar.open_intervals(date(2026, 3, 5), date(2026, 3, 11))
    assert [local(i.start, NEW_YORK).time() for i in days] == [time(9)] * 7
    assert [local(i.start, NEW_YORK).date() for i in days] == [date(2026, 3, d) for d in range(5, 12)]


def test_a_night_that_springs_forward_is_an_hour_shorter():
    calendar = make_calendar(NEW_YORK, hours("01:00", "04:00", weekdays=[6]))
    [night] = calendar.open_intervals(date(2026, 3, 8), date(2026, 3, 8))
    assert night.duration == timedelta(hours=2)


def test_to_utc_refuses_half_past_two_on_the_us_spring_forward_day():
    with pytest.raises(NonexistentLocalTime):
        to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK)


def test_to_utc_takes_the_first_of_two_half_past_ones_when_clocks_fall_back():
    assert to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_a_late_evening_instant_belongs_to_the_sites_local_day():
    calendar = make_calendar(NEW_YORK)
    assert calendar.local_day(datetime(2026, 6, 16, 3, 30, tzinfo=UTC)) == date(2026, 6, 15)


def test_the_site_is_not_closed_for_a_session_inside_opening_hours():
    assert make_calendar().why_closed(span(at(8), 600)) is None
    assert make_calendar().why_closed(span(at(10), 105)) is None


def test_a_closure_day_says_the_site_is_closed_that_day():
    reason = make_calendar(closures=[date(2026, 6, 15)]).why_closed(span(at(10), 60))
    assert reason is not None and "closed on Monday 15 Jun 2026" in reason


def test_a_weekend_says_the_site_is_closed_on_saturdays():
    reason = make_calendar().why_closed(span(at(10, day=date(2026, 6, 20)), 60))
    assert reason == "The site is closed on Saturdays."


def test_a_session_running_past_closing_time_is_outside_opening_hours():
    reason = make_calendar().why_closed(span(at(17), 105))
    assert reason is not None and "outside the site's opening hours (08:00–18:00)" in reason
    assert "17:00–18:45" in reason  # in the site's wall time, not UTC


def test_a_session_starting_before_opening_is_outside_opening_hours():
    assert make_calendar().why_closed(span(at(7, 45), 30)) is not None


def test_a_site_with_a_lunch_break_refuses_a_session_across_lunch():
    calendar = make_calendar(opening=hours("08:00", "12:00") + hours("13:00", "18:00"))
    assert calendar.why_closed(span(at(11), 105)) is not None
    assert calendar.why_closed(span(at(13), 105)) is None


def test_a_site_whose_day_is_entered_as_two_adjoining_blocks_is_open_straight_through():
    # 08:00–12:00 and 12:00–18:00 leave no gap: the site is open at every instant from 8 to 6,
    # so an 11:00–12:45 infusion must not be refused as "outside opening hours".
    calendar = make_calendar(opening=hours("08:00", "12:00") + hours("12:00", "18:00"))
    assert calendar.why_closed(span(at(11), 105)) is None


def test_opening_intervals_skip_closure_days_and_days_without_hours():
    calendar = SiteCalendar(LONDON, (OpeningHours(0, time(9), time(12)), OpeningHours(0, time(14), time(17))),
                            frozenset({date(2026, 6, 22)}))
    found = calendar.open_intervals(date(2026, 6, 15), date(2026, 6, 22))
    assert found == [Interval(at(9, zone=LONDON), at(12, zone=LONDON)),
                     Interval(at(14, zone=LONDON), at(17, zone=LONDON))]


def test_an_opening_time_skipped_by_spring_forward_opens_at_the_first_real_instant_after_the_gap():
    # A Sunday night block 02:30–05:00 on 8 March 2026 in New York: 02:30 never happens, the
    # clocks jump from 02:00 to 03:00, so the site opens at 03:00 EDT (07:00 UTC), not 03:30.
    calendar = make_calendar(NEW_YORK, hours("02:30", "05:00", weekdays=[6]))
    [night] = calendar.open_intervals(date(2026, 3, 8), date(2026, 3, 8))
    assert night.start == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert night.end == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
