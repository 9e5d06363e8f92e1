"""A session booked back into a course (a cancelled dose's new time) is checked against the protocol like a move."""

from __future__ import annotations

from datetime import date

from planner.domain.planning.verify import LiveSession, added_breaches
from planner.domain.protocol_library import DEFAULT_PROTOCOLS

IV = DEFAULT_PROTOCOLS[0]


def dose(number: int, day: date, session_id: int | None = None) -> LiveSession:
    return LiveSession(session_id or number, "dose", "iv", number, day)


COURSE_WITHOUT_DOSE_3 = [dose(1, date(2026, 11, 24)), dose(2, date(2026, 11, 25)), dose(4, date(2026, 11, 30)),
                         dose(5, date(2026, 12, 1)), dose(6, date(2026, 12, 2))]


def test_a_cancelled_dose_booked_back_between_its_neighbours_breaks_nothing():
    assert added_breaches(IV, COURSE_WITHOUT_DOSE_3, dose(3, date(2026, 11, 27), 0)) == []


def test_a_cancelled_dose_booked_back_after_the_later_doses_is_refused_with_why():
    reasons = added_breaches(IV, COURSE_WITHOUT_DOSE_3, dose(3, date(2026, 12, 3), 0))
    assert reasons and reasons[0].message == ("Dose 3 on Thu 03 Dec would be 8 days after dose 2; the protocol "
                                              "allows at most 7.")


def test_what_was_broken_before_the_addition_is_not_blamed_on_it():
    gap = [dose(1, date(2026, 11, 10)), dose(2, date(2026, 11, 25))]  # already too far apart
    assert added_breaches(IV, gap, dose(3, date(2026, 11, 26), 0)) == []
