"""The front desk's rules for the today board: which buttons a visit gets, the escort at check-in, the chairs, closed days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pytest

from planner.domain import front_desk
from planner.domain.errors import InvalidData
from planner.domain.front_desk import actions_for, escort_reasons, in_chair_now, needs_escort, review_reasons, why_closed

ZONE = "America/New_York"
# 13:00 in New York on Monday 23 November 2026 (UTC-5).
START = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
END = datetime(2026, 11, 23, 19, 45, tzinfo=timezone.utc)
BEFORE = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)   # 10:00 the same local day
DURING = datetime(2026, 11, 23, 18, 30, tzinfo=timezone.utc)  # 13:30
DAY_BEFORE = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)


def keys(status: str, now: datetime) -> list[str]:
    return [a.key for a in actions_for(status, START, now, ZONE)]


@pytest.mark.parametrize("status, now, expected", [
    ("booked", BEFORE, ["check_in"]),                 # a no-show only once the start has passed
    ("booked", DURING, ["check_in", "no_show"]),
    ("booked", DAY_BEFORE, []),                       # arrival only on the session's own day
    ("arrived", BEFORE, ["start", "held"]),
    ("held", DURING, []),                             # a held dose goes on only by the prescriber's review
    ("in_progress", DURING, ["fulfilled"]),
    ("fulfilled", DURING, []),
    ("no_show", DURING, []),
    ("cancelled", DURING, []),
    ("proposed", DURING, []),
])
def test_a_visit_gets_the_buttons_its_status_and_the_hour_allow(status, now, expected):
    assert keys(status, now) == expected


def test_a_held_dose_goes_on_only_by_the_review_but_a_held_session_without_a_drug_may_start():
    assert [r.code for r in review_reasons("dosing", "held", "in_progress")] == ["needs_prescriber_review"]
    assert review_reasons("dosing", "held", "in_progress", reviewed=True) == []
    assert review_reasons("integration", "held", "in_progress") == []
    assert [a.key for a in actions_for("held", START, DURING, ZONE, "integration")] == ["start"]


def test_every_dosing_kind_needs_an_escort_and_psychotherapy_does_not():
    assert needs_escort("dosing") and needs_escort("booster")
    assert not needs_escort("integration") and not needs_escort("preparation")


def test_a_dose_is_not_checked_in_without_the_escort_confirmed():
    [reason] = escort_reasons("dosing", "arrived", escort_confirmed=False)
    assert reason.code == "escort_not_confirmed" and reason.field == "escort_confirmed"
    assert "responsible adult" in reason.message


@pytest.mark.parametrize("kind, status, confirmed", [
    ("dosing", "arrived", True), ("integration", "arrived", False), ("dosing", "no_show", False),
    ("dosing", "in_progress", False),
])
def test_the_escort_matters_only_when_a_dose_is_checked_in(kind, status, confirmed):
    assert escort_reasons(kind, status, confirmed) == []


@dataclass
class V:
    name: str
    status: str
    starts_at: datetime
    ends_at: datetime


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour + 5, minute, tzinfo=timezone.utc)  # New York wall time in November


def test_the_chair_shows_the_seated_patient_and_the_next_one_due():
    visits = [V("done", "fulfilled", at(8), at(9, 45)), V("seated", "in_progress", at(10), at(11, 45)),
              V("next", "booked", at(12), at(13, 45)), V("later", "booked", at(14), at(15, 45))]
    current, upcoming = in_chair_now(visits, at(11))
    assert (current.name, upcoming.name) == ("seated", "next")


def test_a_booked_visit_whose_time_has_come_is_due_in_the_chair_when_nobody_is_seated():
    visits = [V("gone", "no_show", at(8), at(9, 45)), V("due", "booked", at(10), at(11, 45)),
              V("next", "booked", at(12), at(13, 45))]
    current, upcoming = in_chair_now(visits, at(10, 30))
    assert (current.name, upcoming.name) == ("due", "next")


def test_an_empty_chair_has_nobody_now_and_nobody_next():
    assert in_chair_now([V("done", "fulfilled", at(8), at(9, 45))], at(11)) == (None, None)


HOURS = [(d, time(8), time(18)) for d in range(5)]  # Monday to Friday
MONDAY, SATURDAY = date(2026, 11, 23), date(2026, 11, 28)


def test_a_closure_is_named_as_a_closure_even_when_nobody_is_on_shift():
    notice = why_closed(date(2026, 11, 26), "Thanksgiving", HOURS, anyone_on_shift=False)
    assert notice.kind == "closure" and notice.closed
    assert notice.message == "The site is closed on Thursday 26 November 2026: Thanksgiving."


def test_a_closure_without_a_reason_still_says_the_site_is_closed():
    assert why_closed(MONDAY, "", HOURS, True).message == "The site is closed on Monday 23 November 2026."


def test_a_weekday_without_opening_hours_is_closed():
    notice = why_closed(SATURDAY, None, HOURS, anyone_on_shift=False)
    assert (notice.kind, notice.message) == ("no_hours", "The site is closed on Saturdays (no opening hours).")


def test_an_open_day_with_nobody_on_shift_says_so_and_is_not_called_closed():
    notice = why_closed(MONDAY, None, HOURS, anyone_on_shift=False)
    assert notice.kind == "no_shift" and not notice.closed
    assert notice.message == "The site is open on Monday 23 November 2026, but nobody is on shift."


def test_an_open_day_with_staff_on_shift_has_no_notice():
    assert why_closed(MONDAY, None, HOURS, anyone_on_shift=True) is None


def test_holding_a_dose_asks_for_a_reason_tidied_and_at_most_500_characters():
    assert front_desk.hold_reason("held", "  Blood pressure\n 165/100 ") == "Blood pressure 165/100"
    assert front_desk.hold_reason("held", "x" * 500) == "x" * 500
    for typed, code in (("", "required"), (" \n\t", "required"), (None, "required"), ("x" * 501, "too_long")):
        with pytest.raises(InvalidData) as invalid:
            front_desk.hold_reason("held", typed)
        assert [(p.code, p.field) for p in invalid.value.problems] == [(code, "reason")]


def test_actions_other_than_holding_take_no_reason():
    assert front_desk.hold_reason("in_progress", "anything") == "" and front_desk.hold_reason("arrived", None) == ""
