"""Half-open intervals: the arithmetic every booking rule stands on."""

from datetime import datetime, timedelta

import pytest

from planner.domain.intervals import Cover, Interval, merge, subtract
from tests.unit.builders import UTC


def hm(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 6, 15, hh, mm, tzinfo=UTC)


def iv(a: int, b: int) -> Interval:
    """An interval between two whole hours of the same day."""
    return Interval(hm(a), hm(b))


def test_back_to_back_sessions_do_not_overlap():
    assert not iv(9, 10).overlaps(iv(10, 11))
    assert not iv(10, 11).overlaps(iv(9, 10))


def test_sessions_sharing_a_single_minute_overlap():
    assert iv(9, 10).overlaps(Interval(hm(9, 59), hm(11)))
    assert iv(9, 17).overlaps(iv(12, 13))  # one inside the other


def test_an_interval_contains_itself_and_nothing_that_sticks_out():
    assert iv(9, 17).contains(iv(9, 17))
    assert not iv(9, 17).contains(Interval(hm(16), hm(17, 1)))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        Interval(datetime(2026, 6, 15, 9), datetime(2026, 6, 15, 10))
    with pytest.raises(ValueError):
        Interval(hm(9), datetime(2026, 6, 15, 10))


def test_an_interval_must_end_after_it_starts():
    with pytest.raises(ValueError):
        Interval(hm(10), hm(10))
    with pytest.raises(ValueError):
        Interval(hm(10), hm(9))


def test_shifted_interval_keeps_its_length():
    moved = iv(9, 10).shifted(timedelta(minutes=30))
    assert moved == Interval(hm(9, 30), hm(10, 30))
    assert moved.duration == timedelta(hours=1)


def test_merge_joins_touching_and_overlapping_stretches_and_sorts_them():
    assert merge([iv(13, 14), iv(9, 10), iv(10, 11), iv(10, 12)]) == [iv(9, 12), iv(13, 14)]


def test_merge_keeps_a_stretch_swallowed_by_a_longer_one_inside_it():
    assert merge([iv(9, 17), iv(10, 11), iv(16, 17)]) == [iv(9, 17)]
    assert merge([]) == []


def test_subtract_cuts_holes_out_of_the_middle_and_edges():
    assert subtract([iv(8, 18)], [iv(10, 11), iv(8, 9), iv(17, 19)]) == [iv(9, 10), iv(11, 17)]


def test_subtract_leaves_a_stretch_alone_when_a_hole_only_touches_it():
    assert subtract([iv(9, 12)], [iv(12, 13), iv(7, 9)]) == [iv(9, 12)]


def test_subtract_removes_a_whole_stretch_and_merges_its_holes_first():
    assert subtract([iv(9, 10), iv(11, 12)], [iv(9, 11), iv(10, 12)]) == []
    assert subtract([iv(9, 12)], []) == [iv(9, 12)]


def test_cover_finds_a_window_inside_a_long_stretch_that_started_before_a_short_one():
    # The short stretch starts later, so a plain "last start" lookup would miss the long one.
    cover = Cover([iv(9, 17), iv(10, 11)], ["Adams", "Baker"])
    assert cover.owner_containing(iv(12, 13)) == (True, "Adams")


def test_cover_does_not_join_touching_stretches_of_different_people():
    cover = Cover([iv(9, 12), iv(12, 17)], ["Adams", "Baker"])
    assert not cover.contains(Interval(hm(11), hm(13)))
    assert cover.owner_containing(iv(12, 17)) == (True, "Baker")


def test_cover_contains_a_window_equal_to_a_stretch_but_not_one_starting_before_all():
    cover = Cover([iv(9, 12)])
    assert cover.contains(iv(9, 12))
    assert not cover.contains(Interval(hm(8, 59), hm(10)))
    assert not cover.contains(Interval(hm(11), hm(12, 1)))


def test_cover_with_equal_starts_uses_the_longest_stretch():
    cover = Cover([iv(9, 17), iv(9, 10)], ["long", "short"])
    assert cover.owner_containing(iv(9, 16)) == (True, "long")


def test_an_empty_cover_contains_nothing():
    assert Cover([]).owner_containing(iv(9, 10)) == (False, None)


def test_cover_names_two_different_people_who_could_take_a_window():
    cover = Cover([iv(8, 18), iv(9, 17), iv(9, 12)], ["Adams", "Baker", "Chen"])
    assert cover.owners_containing(iv(10, 11)) == ["Adams", "Baker"]
    assert cover.owners_containing(iv(16, 18)) == ["Adams"]
    assert cover.owners_containing(Interval(hm(7), hm(9))) == []


def test_cover_keeps_a_persons_long_stretch_when_a_short_one_of_theirs_starts_inside_it():
    # One nurse, two overlapping stretches (say a day shift and an extra hour inside it):
    # 12:00–13:00 is inside her 09:00–17:00 stretch whatever the short one says.
    cover = Cover([iv(9, 17), iv(10, 11)], ["Baker", "Baker"])
    assert cover.contains(iv(12, 13))
    assert cover.owners_containing(iv(12, 13)) == ["Baker"]
