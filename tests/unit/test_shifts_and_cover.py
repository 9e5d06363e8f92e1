"""One person, one shift at a time; and whether a person still covers a session booked before a change."""

from __future__ import annotations

from datetime import timedelta

from planner.domain.availability import fit_at, free_windows
from planner.domain.booking import check_session, cover_reasons
from planner.domain.intervals import Interval
from planner.domain.staffing import overlapping
from tests.unit.builders import (
    DAY, DR_ADAMS, NOW, NURSE_BAKER, at, codes, make_request, make_shift, make_staff, make_state, span,
)


def test_shifts_that_overlap_are_found_and_shifts_that_meet_are_not():
    morning, afternoon = Interval(at(8), at(13)), Interval(at(13), at(18))
    elsewhere = Interval(at(12), at(16))
    assert overlapping([morning, afternoon]) == []
    assert overlapping([afternoon, morning, elsewhere]) == [(0, 2), (1, 2)]


def test_a_prescriber_on_shift_at_another_site_at_the_same_hour_cannot_supervise_here():
    # Legacy data: shifts at two sites at once (new ones are refused). The second site does not
    # get a prescriber who is, by their own shift, somewhere else.
    adams = make_staff(DR_ADAMS, shifts=(make_shift(), make_shift("09:00", "13:00", site_id=2)))
    state = make_state(staff=[adams, make_staff(NURSE_BAKER, disciplines=("RN",))])
    assert codes(check_session(make_request(), state, NOW)) == ["staff_at_another_site", "no_second_bls_on_site"]
    assert fit_at(make_request().session_type, state, at(10)) is None
    windows = free_windows(make_request().session_type, state, DAY, DAY, NOW)
    assert windows and all(w.starts_from >= at(13) or w.ends_by <= at(9) for w in windows)


def test_a_prescriber_whose_other_site_shift_ended_before_the_session_may_supervise():
    adams = make_staff(DR_ADAMS, shifts=(make_shift("09:45", "20:00"), make_shift("06:00", "09:45", site_id=2)))
    state = make_state(staff=[adams, make_staff(NURSE_BAKER, disciplines=("RN",))])
    assert check_session(make_request(), state, NOW) == []


def test_time_off_over_a_booked_session_breaks_that_persons_cover_only():
    leave = (span(at(9), 240),)
    state = make_state(staff=[make_staff(DR_ADAMS), make_staff(NURSE_BAKER, disciplines=("RN",), time_off=leave)])
    request = make_request()
    # Away, she is neither the monitor nor the second BLS holder on site.
    assert codes(cover_reasons(request, state, NURSE_BAKER, 100)) == ["staff_on_leave", "no_second_bls_on_site"]
    assert codes(cover_reasons(request, state, DR_ADAMS, 100)) == ["no_second_bls_on_site"]


def test_time_off_on_another_day_breaks_nothing():
    leave = (span(at(9) + timedelta(days=1), 240),)
    state = make_state(staff=[make_staff(DR_ADAMS), make_staff(NURSE_BAKER, disciplines=("RN",), time_off=leave)])
    assert cover_reasons(make_request(), state, NURSE_BAKER, 100) == []
