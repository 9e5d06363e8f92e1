"""A session's statuses: which moves the clinic allows, and which sessions still hold a place."""

from datetime import datetime, timezone

import pytest

from planner.domain.errors import InvalidTransition
from planner.domain.lifecycle import (
    ARRIVED,
    BOOKED,
    CANCELLED,
    FULFILLED,
    HELD,
    IN_PROGRESS,
    NO_SHOW,
    PROPOSED,
    STATUSES,
    can_become,
    ensure_movable,
    holds_place,
    timing_reasons,
    transition,
)

ALLOWED = {
    (PROPOSED, BOOKED), (PROPOSED, CANCELLED),
    (BOOKED, ARRIVED), (BOOKED, CANCELLED), (BOOKED, NO_SHOW),
    (ARRIVED, IN_PROGRESS), (ARRIVED, HELD), (ARRIVED, CANCELLED),
    (HELD, IN_PROGRESS), (HELD, CANCELLED),
    (IN_PROGRESS, FULFILLED),
}
FORBIDDEN = sorted((a, b) for a in STATUSES for b in STATUSES if (a, b) not in ALLOWED)


@pytest.mark.parametrize(("current", "wanted"), sorted(ALLOWED))
def test_the_lifecycle_allows_the_clinics_ordinary_steps(current, wanted):
    assert can_become(current, wanted)
    assert transition(current, wanted) == wanted


def test_every_other_move_is_forbidden_with_a_readable_error():
    for current, wanted in FORBIDDEN:
        assert not can_become(current, wanted), (current, wanted)
        with pytest.raises(InvalidTransition):
            transition(current, wanted)
    assert str(InvalidTransition(FULFILLED, IN_PROGRESS)) == "A session that is fulfilled cannot become in progress."


def test_a_patient_who_arrived_cannot_be_marked_a_no_show():
    assert not can_become(ARRIVED, NO_SHOW)


def test_a_finished_cancelled_or_missed_session_never_changes_again():
    for final in (FULFILLED, CANCELLED, NO_SHOW):
        assert not any(can_become(final, wanted) for wanted in STATUSES)


def test_a_held_dose_can_go_ahead_after_prescriber_review_but_never_silently_complete():
    assert can_become(HELD, IN_PROGRESS)
    assert not can_become(HELD, FULFILLED)


def test_an_unknown_status_can_become_nothing():
    assert not can_become("lost", BOOKED)


@pytest.mark.parametrize("status", [PROPOSED, BOOKED, ARRIVED, IN_PROGRESS, HELD, FULFILLED])
def test_a_live_or_finished_session_still_holds_its_place(status):
    assert holds_place(status)


@pytest.mark.parametrize("status", [CANCELLED, NO_SHOW])
def test_a_cancelled_or_missed_session_frees_its_room_and_staff(status):
    assert not holds_place(status)


def test_only_proposed_and_booked_sessions_may_be_rescheduled():
    for status in (PROPOSED, BOOKED):
        ensure_movable(status)
    for status in (ARRIVED, IN_PROGRESS, HELD, FULFILLED, CANCELLED, NO_SHOW):
        with pytest.raises(InvalidTransition):
            ensure_movable(status)


# Status follows time (site-local): a session on Monday 15 June 2026 at 10:00 in New York.
START = datetime(2026, 6, 15, 14, 0, tzinfo=timezone.utc)
ZONE = "America/New_York"


@pytest.mark.parametrize("wanted, now, code", [
    ("arrived", datetime(2026, 6, 12, 14, tzinfo=timezone.utc), "not_the_day"),      # three days ahead
    ("arrived", datetime(2026, 6, 15, 12, 30, tzinfo=timezone.utc), None),           # 08:30 that morning
    ("arrived", datetime(2026, 6, 16, 3, 30, tzinfo=timezone.utc), None),            # 23:30 local, still that day
    ("arrived", datetime(2026, 6, 16, 4, 30, tzinfo=timezone.utc), "not_the_day"),   # 00:30 local the next day
    ("in_progress", datetime(2026, 6, 14, 14, tzinfo=timezone.utc), "not_the_day"),
    ("held", datetime(2026, 6, 15, 13, 50, tzinfo=timezone.utc), None),
    ("no_show", datetime(2026, 6, 15, 13, 59, tzinfo=timezone.utc), "not_yet"),      # a minute before the start
    ("no_show", datetime(2026, 6, 15, 14, 20, tzinfo=timezone.utc), None),
    ("fulfilled", datetime(2026, 6, 15, 13, 0, tzinfo=timezone.utc), "not_yet"),
    ("fulfilled", datetime(2026, 6, 15, 15, 45, tzinfo=timezone.utc), None),
    ("cancelled", datetime(2026, 6, 1, tzinfo=timezone.utc), None),                   # cancelling is for any time
])
def test_status_follows_the_sessions_time_in_the_sites_zone(wanted, now, code):
    reasons = timing_reasons(wanted, START, now, ZONE)
    assert [r.code for r in reasons] == ([code] if code else [])


def test_marking_a_session_three_days_ahead_as_arrived_says_which_day_it_is_on():
    (reason,) = timing_reasons("arrived", START, datetime(2026, 6, 12, 14, tzinfo=timezone.utc), ZONE)
    assert reason.message == "The session is on Mon 15 Jun: it can be marked arrived only on that day."
