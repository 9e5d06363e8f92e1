"""A weekly shift pattern expands into shifts in the site's wall time, across clock changes, with every clash named."""

from datetime import date, datetime, time, timedelta

from planner.domain.calendar import local, to_utc
from planner.domain.intervals import Interval
from planner.domain.shift_pattern import Taken, WeeklyPattern, expand, pattern_problems
from tests.unit.builders import LONDON, NEW_YORK, UTC

WEEKDAYS = frozenset(range(5))


def pattern(zone=NEW_YORK, first=date(2026, 12, 1), last=date(2027, 2, 28), days=WEEKDAYS,
            starts=time(7, 30), ends=time(15, 30)) -> WeeklyPattern:
    return WeeklyPattern(frozenset(days), starts, ends, zone, first, last)


def test_mon_to_fri_over_a_week_makes_five_shifts_on_the_weekdays_only():
    shifts = expand(pattern(first=date(2026, 11, 30), last=date(2026, 12, 6)), {}, [])
    assert [s.day for s in shifts] == [date(2026, 11, 30) + timedelta(days=i) for i in range(5)]
    assert all(s.clear for s in shifts)
    assert shifts[0].interval == Interval(datetime(2026, 11, 30, 12, 30, tzinfo=UTC),
                                          datetime(2026, 11, 30, 20, 30, tzinfo=UTC))


def test_the_winter_pattern_covers_every_weekday_from_december_to_february():
    shifts = expand(pattern(), {}, [])
    assert len(shifts) == 64  # 23 in December, 21 in January, 20 in February
    assert {s.day.weekday() for s in shifts} == set(range(5))


def test_in_new_york_0730_stays_0730_across_the_spring_forward_and_the_utc_start_moves_an_hour():
    shifts = expand(pattern(first=date(2027, 3, 8), last=date(2027, 3, 19)), {}, [])  # clocks go forward 14 March
    before, after = shifts[4], shifts[5]  # Friday 12 and Monday 15 March
    assert (before.day, after.day) == (date(2027, 3, 12), date(2027, 3, 15))
    assert [local(s.interval.start, NEW_YORK).time() for s in shifts] == [time(7, 30)] * 10
    assert [local(s.interval.end, NEW_YORK).time() for s in shifts] == [time(15, 30)] * 10
    assert before.interval.start.time() == time(12, 30) and after.interval.start.time() == time(11, 30)


def test_in_new_york_0730_stays_0730_across_the_fall_back():
    shifts = expand(pattern(first=date(2026, 10, 30), last=date(2026, 11, 2)), {}, [])  # clocks go back 1 November
    assert [s.day for s in shifts] == [date(2026, 10, 30), date(2026, 11, 2)]
    assert [s.interval.start.time() for s in shifts] == [time(11, 30), time(12, 30)]
    assert all(s.interval.duration == timedelta(hours=8) for s in shifts)


def test_in_london_0730_stays_0730_across_both_clock_changes_of_2026():
    spring = expand(pattern(LONDON, date(2026, 3, 27), date(2026, 3, 30)), {}, [])  # forward 29 March
    autumn = expand(pattern(LONDON, date(2026, 10, 23), date(2026, 10, 26)), {}, [])  # back 25 October
    assert [s.interval.start for s in spring] == [datetime(2026, 3, 27, 7, 30, tzinfo=UTC),
                                                  datetime(2026, 3, 30, 6, 30, tzinfo=UTC)]
    assert [s.interval.start for s in autumn] == [datetime(2026, 10, 23, 6, 30, tzinfo=UTC),
                                                  datetime(2026, 10, 26, 7, 30, tzinfo=UTC)]


def test_a_shift_across_the_night_the_clocks_change_is_an_hour_shorter_in_spring_and_longer_in_autumn():
    night = dict(starts=time(0, 30), ends=time(6, 0), days=range(7))
    [spring] = expand(pattern(NEW_YORK, date(2027, 3, 14), date(2027, 3, 14), **night), {}, [])
    [autumn] = expand(pattern(LONDON, date(2026, 10, 25), date(2026, 10, 25), **night), {}, [])
    assert spring.interval.duration == timedelta(hours=4, minutes=30)
    assert autumn.interval.duration == timedelta(hours=6, minutes=30)


def test_a_start_the_clocks_skip_is_listed_as_a_clash_not_dropped():
    shifts = expand(pattern(NEW_YORK, date(2027, 3, 13), date(2027, 3, 15), days=range(7), starts=time(2, 30),
                            ends=time(9, 0)), {}, [])
    assert [s.day for s in shifts] == [date(2027, 3, 13), date(2027, 3, 14), date(2027, 3, 15)]
    skipped = shifts[1]
    assert skipped.interval is None and [c.code for c in skipped.clashes] == ["no_such_time"]
    assert shifts[0].clear and shifts[2].clear


def test_a_closed_day_is_listed_with_its_reason():
    shifts = expand(pattern(first=date(2026, 12, 24), last=date(2026, 12, 28)), {date(2026, 12, 25): "Christmas"}, [])
    christmas = next(s for s in shifts if s.day == date(2026, 12, 25))
    assert [c.message for c in christmas.clashes] == ["The site is closed that day (Christmas)."]
    assert [s.day for s in shifts if s.clear] == [date(2026, 12, 24), date(2026, 12, 28)]


def test_an_existing_shift_that_overlaps_is_named_and_one_that_only_touches_is_not():
    day = date(2026, 12, 2)
    overlap = Taken(Interval(to_utc(day, time(15), NEW_YORK), to_utc(day, time(20), NEW_YORK)), "Camden 15:00–20:00")
    touching = Taken(Interval(to_utc(day + timedelta(days=1), time(5), NEW_YORK),
                              to_utc(day + timedelta(days=1), time(7, 30), NEW_YORK)), "Midtown 05:00–07:30")
    shifts = expand(pattern(first=day, last=day + timedelta(days=1)), {}, [touching, overlap])
    assert [c.message for c in shifts[0].clashes] == ["Already on shift: Camden 15:00–20:00."]
    assert shifts[1].clear


def test_a_pattern_with_no_weekday_an_end_before_its_start_or_more_than_a_year_is_refused_by_field():
    assert pattern_problems(pattern()) == []
    assert [p.field for p in pattern_problems(pattern(days=()))] == ["weekdays"]
    assert [p.field for p in pattern_problems(pattern(starts=time(16), ends=time(8)))] == ["ends"]
    assert [p.field for p in pattern_problems(pattern(first=date(2027, 1, 2), last=date(2027, 1, 1)))] == ["last_day"]
    assert [p.code for p in pattern_problems(pattern(last=date(2027, 12, 2)))] == ["too_long"]


def test_the_pattern_describes_itself_in_clinic_words():
    assert pattern().describe() == "Mon, Tue, Wed, Thu, Fri 07:30–15:30 from 2026-12-01 to 2027-02-28"


def test_a_shift_that_would_start_before_now_is_listed_as_in_the_past():
    now = datetime(2026, 12, 1, 13, tzinfo=UTC)  # 08:00 in New York: Tuesday's 07:30 has begun
    shifts = expand(pattern(first=date(2026, 12, 1), last=date(2026, 12, 2)), {}, [], not_before=now)
    assert [[c.code for c in s.clashes] for s in shifts] == [["in_the_past"], []]
