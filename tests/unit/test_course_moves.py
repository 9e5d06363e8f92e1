"""Moving a session of a booked course keeps the protocol's cadence, or is refused with the rule it breaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner.domain.planning.verify import LiveSession, move_breaches
from planner.domain.protocol_library import DEFAULT_PROTOCOLS

IV = next(p for p in DEFAULT_PROTOCOLS if p.key == "iv-induction")  # 6 doses, 1-7 days apart, 2-3 a week, 21 days
KAP = next(p for p in DEFAULT_PROTOCOLS if p.key == "kap")          # 3 doses, 7-14 days apart
MON = date(2026, 11, 23)


def day(offset: int) -> date:
    return MON + timedelta(days=offset)


def iv_course(offsets=(1, 2, 3, 7, 8, 9)) -> list[LiveSession]:
    """Doses Tue-Thu and Mon-Wed; integration the day after each dose; preparation the Monday before."""
    live = [LiveSession(100, "preparation", "preparation", 1, day(0))]
    for number, offset in enumerate(offsets, 1):
        live.append(LiveSession(number, "dose", "iv-infusion", number, day(offset)))
        live.append(LiveSession(10 + number, "integration", "integration", number, day(offset + 1)))
    return live


def messages(reasons) -> list[str]:
    return [r.message for r in reasons]


def test_dose_2_moved_onto_dose_1s_day_is_refused_as_out_of_order():
    assert messages(move_breaches(IV, iv_course(), 2, day(1))) == [
        "Dose 2 on Tue 24 Nov would not come after dose 1 (Tue 24 Nov)."]


def test_a_dose_moved_within_every_rule_is_accepted():
    # Doses Tue, Wed, Fri; dose 3 moves from Friday to Thursday: its integration on Saturday is 2 days after.
    assert move_breaches(IV, iv_course((1, 2, 4, 7, 8, 9)), 3, day(3)) == []


def test_a_dose_moved_away_from_its_integration_is_refused_for_the_integration_alone():
    # Dose 3 from Thursday to Friday: the gaps hold, but its integration on Friday would be the same day.
    reasons = move_breaches(IV, iv_course(), 3, day(4))
    assert messages(reasons) == ["integration on Fri 27 Nov would be outside 1 to 3 days of dose 3."]


@pytest.mark.parametrize("moved, to, words", [
    (4, 11, "would be 8 days after dose 3"),                   # the gap beyond 7 days
    (3, 8, "Dose 4 on Mon 30 Nov would not come after dose 3"),  # dose 3 moved past dose 4
    (6, 25, "outside the induction phase's 21-day window"),
])
def test_each_broken_rule_is_named(moved, to, words):
    assert any(words in m for m in messages(move_breaches(IV, iv_course(), moved, day(to))))


def test_a_fourth_dose_in_one_week_is_refused():
    # Doses Tue, Wed, Thu; moving dose 4 from Monday 30 Nov to Friday 27 Nov puts 4 in one week.
    assert any("4 doses in one week" in m for m in messages(move_breaches(IV, iv_course(), 4, day(4))))


def test_moving_an_integration_outside_its_window_is_refused_and_inside_it_accepted():
    assert messages(move_breaches(IV, iv_course(), 11, day(6))) == [
        "integration on Sun 29 Nov would be outside 1 to 3 days of dose 1."]
    assert move_breaches(IV, iv_course(), 11, day(4)) == []


def test_a_course_already_missing_a_dose_is_refused_only_what_a_move_breaks():
    # Dose 3 was cancelled and not re-planned yet: the course is out of shape, but dose 5 can still move a day.
    live = [s for s in iv_course() if s.session_id not in (3, 13)]
    assert move_breaches(IV, live, 5, day(8)) == []
    assert move_breaches(IV, live, 5, day(7)) != []  # onto dose 4's day


def test_a_kap_dose_cannot_come_sooner_than_a_week_after_the_last():
    live = [LiveSession(1, "dose", "kap-im", 1, day(0)), LiveSession(2, "dose", "kap-im", 2, day(7)),
            LiveSession(3, "dose", "kap-im", 3, day(14))]
    assert messages(move_breaches(KAP, live, 2, day(5))) == [
        "Dose 2 on Sat 28 Nov would be 5 day(s) after dose 1; the protocol needs at least 7.",
        "The dosing phase would have 2 doses in one week; at most 1 are allowed."]


@pytest.mark.parametrize("current, doses, expected", [
    ("planned", ["booked"] * 6, "planned"),
    ("planned", ["arrived"] + ["booked"] * 5, "active"),
    ("active", ["fulfilled"] * 5 + ["cancelled", "fulfilled"], "completed"),
    ("active", ["fulfilled"] * 5 + ["booked"], "active"),
    ("stopped", ["fulfilled"] * 6, "stopped"),
])
def test_a_course_status_follows_its_doses(current, doses, expected):
    from planner.domain.courses import course_status

    assert course_status(current, doses, 6) == expected
