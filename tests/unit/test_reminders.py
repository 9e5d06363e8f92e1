"""When reminders go: whole days in wall time across DST, quiet hours, passed moments, SMS caps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner.domain.calendar import local, to_utc
from planner.domain.reminders import (
    MIN_LEAD, QuietHours, hours_before, out_of_quiet_hours, reminder_moments, sms_limit_reason,
)

NEW_YORK, LONDON, UTC = "America/New_York", "Europe/London", timezone.utc
NEVER_QUIET = QuietHours(time(0), time(0))
NIGHT = QuietHours()  # 21:00 to 08:00
LONG_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)


def wall(day: date, hour: int, zone: str, minute: int = 0) -> datetime:
    return to_utc(day, time(hour, minute), zone)


def walls(moments, zone):
    return [(m.hours, local(m.due, zone).strftime("%a %d %b %H:%M %Z")) for m in moments]


# (zone, the session's local day just after a change, the change's day)
AFTER_A_CHANGE = [
    pytest.param(NEW_YORK, date(2026, 3, 9), "EST", "EDT", id="new-york-spring-forward-mar-8"),
    pytest.param(NEW_YORK, date(2026, 11, 2), "EDT", "EST", id="new-york-fall-back-nov-1"),
    pytest.param(LONDON, date(2026, 3, 30), "GMT", "BST", id="london-spring-forward-mar-29"),
    pytest.param(LONDON, date(2026, 10, 26), "BST", "GMT", id="london-fall-back-oct-25"),
]


@pytest.mark.parametrize(("zone", "monday", "before", "after"), AFTER_A_CHANGE)
def test_a_monday_session_after_a_clock_change_is_reminded_at_its_own_wall_time_on_earlier_days(
        zone, monday, before, after):
    start = wall(monday, 9, zone)
    moments = reminder_moments(start, (72, 24, 2), zone, NEVER_QUIET, LONG_BEFORE)
    assert walls(moments, zone) == [
        (72, f"Fri {monday - timedelta(days=3):%d %b} 09:00 {before}"),  # before the change: 71 or 73 real hours
        (24, f"Sun {monday - timedelta(days=1):%d %b} 09:00 {after}"),
        (2, f"Mon {monday:%d %b} 07:00 {after}"),
    ]
    assert abs(start - moments[0].due - timedelta(hours=72)) == timedelta(hours=1)
    assert start - moments[2].due == timedelta(hours=2)


@pytest.mark.parametrize(("zone", "monday", "before", "after"), AFTER_A_CHANGE)
def test_a_session_on_the_day_of_a_change_gets_its_day_before_reminder_at_the_same_wall_time(
        zone, monday, before, after):
    sunday = monday - timedelta(days=1)
    start = wall(sunday, 10, zone)
    [day_before] = reminder_moments(start, (24,), zone, NEVER_QUIET, LONG_BEFORE)
    assert walls([day_before], zone) == [(24, f"Sat {sunday - timedelta(days=1):%d %b} 10:00 {before}")]
    spring = before in ("EST", "GMT")
    assert start - day_before.due == timedelta(hours=23 if spring else 25)


def test_a_short_reminder_across_the_change_counts_real_hours_not_wall_hours():
    # 03:30 EDT on spring-forward Sunday is 2 real hours after 00:30 EST (the clocks skipped 02:00-03:00).
    start = wall(date(2026, 3, 8), 3, NEW_YORK, 30)
    [two_hours] = reminder_moments(start, (2,), NEW_YORK, NEVER_QUIET, LONG_BEFORE)
    assert local(two_hours.due, NEW_YORK).strftime("%H:%M %Z") == "00:30 EST"
    assert start - two_hours.due == timedelta(hours=2)


def test_a_day_before_wall_time_the_clocks_skipped_moves_to_the_first_real_minute_after_the_gap():
    start = wall(date(2026, 3, 9), 2, NEW_YORK, 30)  # Monday 02:30; Sunday 02:30 never happened
    assert local(hours_before(start, 24, NEW_YORK), NEW_YORK).strftime("%a %H:%M %Z") == "Sun 03:00 EDT"


def test_a_day_before_wall_time_that_happens_twice_is_its_first_occurrence():
    start = wall(date(2026, 11, 2), 1, NEW_YORK, 30)  # Monday 01:30; Sunday 01:30 came twice
    due = hours_before(start, 24, NEW_YORK)
    assert local(due, NEW_YORK).strftime("%a %H:%M %Z") == "Sun 01:30 EDT"
    assert start - due == timedelta(hours=25)


def test_whole_days_that_cross_no_change_are_exactly_that_many_real_hours():
    start = wall(date(2026, 11, 24), 9, NEW_YORK)
    assert [start - hours_before(start, h, NEW_YORK) for h in (72, 48, 24, 36, 2)] == [
        timedelta(hours=h) for h in (72, 48, 24, 36, 2)]


def test_a_reminder_that_falls_in_quiet_hours_goes_when_they_end():
    start = wall(date(2026, 11, 24), 10, NEW_YORK)  # the 2 h reminder would be 08:00: allowed
    early = wall(date(2026, 11, 24), 9, NEW_YORK)   # its 2 h reminder would be 07:00: quiet until 08:00
    assert walls(reminder_moments(start, (2,), NEW_YORK, NIGHT, LONG_BEFORE), NEW_YORK) == [
        (2, "Tue 24 Nov 08:00 EST")]
    assert walls(reminder_moments(early, (2,), NEW_YORK, NIGHT, LONG_BEFORE), NEW_YORK) == [
        (2, "Tue 24 Nov 08:00 EST")]


def test_a_reminder_whose_quiet_hours_end_too_close_to_the_session_goes_the_evening_before():
    start = wall(date(2026, 11, 24), 8, NEW_YORK, 30)  # 2 h before is 06:30; 08:00 leaves under an hour
    [moment] = reminder_moments(start, (2,), NEW_YORK, NIGHT, LONG_BEFORE)
    assert local(moment.due, NEW_YORK).strftime("%a %H:%M") == "Mon 20:59"
    assert start - moment.due >= MIN_LEAD


def test_reminders_whose_moment_passed_at_booking_are_not_sent_and_the_first_left_carries_the_preparation():
    start = wall(date(2026, 11, 24), 11, NEW_YORK)
    booked = start - timedelta(hours=30)
    moments = reminder_moments(start, (72, 24, 2), NEW_YORK, NIGHT, booked)
    assert [(m.hours, m.preparation) for m in moments] == [(24, True), (2, False)]
    assert reminder_moments(start, (72, 24, 2), NEW_YORK, NIGHT, start - timedelta(minutes=90)) == []


def test_a_policy_listed_in_any_order_or_twice_is_sent_earliest_first_once_each():
    start = wall(date(2026, 11, 24), 11, NEW_YORK)
    moments = reminder_moments(start, (2, 72, 24, 72), NEW_YORK, NIGHT, LONG_BEFORE)
    assert [m.hours for m in moments] == [72, 24, 2]
    assert [m.preparation for m in moments] == [True, False, False]


@pytest.mark.parametrize(("hour", "minute", "expected"), [
    (8, 0, "Tue 08:00"),     # the end of quiet hours is allowed
    (20, 59, "Tue 20:59"),   # the last allowed minute
    (21, 0, "Wed 08:00"),    # the start of quiet hours is quiet
    (23, 30, "Wed 08:00"),
    (2, 0, "Tue 08:00"),     # after midnight: the same morning
])
def test_out_of_quiet_hours_at_the_edges_of_the_night(hour, minute, expected):
    moment = wall(date(2026, 11, 24), hour, NEW_YORK, minute)
    allowed = out_of_quiet_hours(moment, NEW_YORK, NIGHT, moment + timedelta(days=2))
    assert local(allowed, NEW_YORK).strftime("%a %H:%M") == expected


def test_quiet_hours_within_one_day_hold_only_between_their_start_and_end():
    lunch = QuietHours(time(12), time(14))
    day = date(2026, 11, 24)
    far = wall(day, 23, NEW_YORK)
    assert out_of_quiet_hours(wall(day, 11, NEW_YORK), NEW_YORK, lunch, far) == wall(day, 11, NEW_YORK)
    assert out_of_quiet_hours(wall(day, 13, NEW_YORK), NEW_YORK, lunch, far) == wall(day, 14, NEW_YORK)
    assert out_of_quiet_hours(wall(day, 14, NEW_YORK), NEW_YORK, lunch, far) == wall(day, 14, NEW_YORK)


def test_quiet_hours_starting_and_ending_at_the_same_time_are_never_quiet():
    moment = wall(date(2026, 11, 24), 3, NEW_YORK)
    assert out_of_quiet_hours(moment, NEW_YORK, NEVER_QUIET, moment) == moment


@pytest.mark.parametrize(("zone", "saturday", "ends"), [
    pytest.param(NEW_YORK, date(2026, 3, 7), "08:00 EDT", id="new-york-spring-night"),
    pytest.param(NEW_YORK, date(2026, 10, 31), "08:00 EST", id="new-york-fall-night"),
    pytest.param(LONDON, date(2026, 3, 28), "08:00 BST", id="london-spring-night"),
    pytest.param(LONDON, date(2026, 10, 24), "08:00 GMT", id="london-fall-night"),
])
def test_a_night_with_a_clock_change_still_ends_at_eight_local(zone, saturday, ends):
    moment = wall(saturday, 22, zone)
    allowed = out_of_quiet_hours(moment, zone, NIGHT, moment + timedelta(days=1))
    assert local(allowed, zone).strftime("%a %H:%M %Z") == f"Sun {ends}"


def test_when_quiet_hours_end_after_the_deadline_the_last_minute_before_them_is_offered():
    moment = wall(date(2026, 11, 24), 23, NEW_YORK)
    deadline = wall(date(2026, 11, 25), 7, NEW_YORK)
    allowed = out_of_quiet_hours(moment, NEW_YORK, NIGHT, deadline)
    assert local(allowed, NEW_YORK).strftime("%a %H:%M") == "Tue 20:59"


AT = datetime(2026, 11, 24, 15, tzinfo=UTC)


@pytest.mark.parametrize(("ago", "code"), [
    ([], None),
    ([timedelta(hours=23, minutes=59)], "sms_daily_limit"),
    ([timedelta(hours=24)], None),  # the day is a rolling 24 hours: exactly a day ago has rolled out
    ([timedelta(days=1, hours=1), timedelta(days=3)], None),
    ([timedelta(days=1, hours=1), timedelta(days=3), timedelta(days=6, hours=23)], "sms_weekly_limit"),
    ([timedelta(days=1, hours=1), timedelta(days=3), timedelta(days=7)], None),  # a week ago has rolled out
    ([timedelta(days=1, hours=1), timedelta(days=3), timedelta(days=6), timedelta(hours=2)], "sms_daily_limit"),
])
def test_sms_caps_count_rolling_windows_of_a_day_and_a_week(ago, code):
    reason = sms_limit_reason([AT - a for a in ago], AT)
    assert (reason.code if reason else None) == code


def test_an_sms_stamped_after_the_moment_asked_about_does_not_count_against_it():
    assert sms_limit_reason([AT + timedelta(minutes=5)], AT) is None
