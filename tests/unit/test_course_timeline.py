"""The course's calendar strip and the plain words for why a plan ranks where it does."""

from __future__ import annotations

from datetime import datetime, timezone

from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.web.course_timeline import timeline
from planner.web.plan_words import rank_words, score_words

IV = DEFAULT_PROTOCOLS[0]  # 6 doses 1-7 days apart, all within 21 days; preparation before, integration after
ZONE = "America/New_York"


def at(day: int, hour: int = 13) -> datetime:
    """13:00 UTC on a day of November 2026: 08:00 in New York."""
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def iv_course(status: str = "booked"):
    doses = [("dose", n, at(day), status) for n, day in enumerate((24, 25, 26, 30), start=1)]
    return [("preparation", 1, at(23), status), *doses, ("integration", 1, at(25, 15), status)]


def cells(strip):
    return {d.day.day if d.day.month == 11 else 100 + d.day.day: d for week in strip.weeks for d in week}


def test_the_strip_runs_in_whole_weeks_from_monday_to_the_end_of_the_phase_window():
    strip = timeline(iv_course(), IV, ZONE)
    days = [d.day for week in strip.weeks for d in week]
    assert days[0].isoformat() == "2026-11-23" and days[0].weekday() == 0 and days[-1].weekday() == 6
    # Dose 1 on 24 November: the 21-day window ends on 15 December, and the strip shows it.
    assert days[-1].isoformat() == "2026-12-20" and "phase-end" in cells(strip)[115].windows


def test_sessions_sit_on_their_local_day_at_their_wall_time():
    late = [("dose", 1, datetime(2026, 11, 25, 3, tzinfo=timezone.utc), "booked")]  # 22:00 on the 24th in New York
    mark = cells(timeline(late, IV, ZONE))[24].marks[0]
    assert (mark.short, mark.start.strftime("%H:%M")) == ("D1", "22:00")


def test_the_days_between_two_doses_are_shaded_as_the_gap_with_what_the_protocol_allows():
    days = cells(timeline(iv_course(), IV, ZONE))
    assert {n for n, d in days.items() if "gap" in d.windows} == {27, 28, 29}
    assert "4-day gap from dose 3 to dose 4 (the protocol allows 1–7 days)" in days[28].notes
    assert "gap" not in days[25].windows  # doses on consecutive days leave no gap to shade


def test_psychotherapy_windows_follow_their_doses_and_a_cancelled_dose_leaves_none():
    days = cells(timeline(iv_course(), IV, ZONE))
    assert "therapy" in days[25].windows and "Preparation window before dose 1" in days[23].notes
    cancelled = [*iv_course()[:-2], ("dose", 4, at(30), "cancelled")]
    assert not any("gap" in d.windows for d in cells(timeline(cancelled, IV, ZONE)).values())


def test_the_strip_of_no_sessions_is_empty():
    assert timeline([], IV, ZONE).weeks == []


def test_a_score_reads_as_plain_sentences():
    assert score_words((13, 0, 0, 0)) == ["Ends 13 days after the first day it could start.",
                                          "Every dose at the same time of day.", "One therapist for all psychotherapy.",
                                          "Same chair and team for every dose."]
    assert score_words((1, 2, 1, 1))[1:] == ["2 doses off the usual time.", "Psychotherapy shared between therapists.",
                                             "1 change of chair or staff between doses."]


def test_each_alternative_says_the_first_goal_it_loses_on():
    assert rank_words([(10, 0, 0, 0), (13, 0, 0, 0), (10, 2, 0, 0)]) == [
        "Recommended: it ends soonest.",
        "Ranked lower: it ends 3 days later than the recommended plan.",
        "Ranked lower: it ends the same day, but 2 more doses fall off the usual time.",
    ]
    assert rank_words([(10, 0, 0, 0), (10, 0, 0, 2)])[1] == \
        "Ranked lower: it ends the same day, with 2 more changes of chair or staff."
    assert rank_words([(10, 0, 0, 0), (10, 0, 0, 0)])[1].startswith("Equally good on every goal")
