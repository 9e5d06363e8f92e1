"""Re-planning the rest of a course when one session changes, moving as little as possible."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import CourseEvent, Session
from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, PlanStale
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import cancel_session, change_status, reschedule_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.course_replan_apply import apply_changes
from tests.factories import booking_order, ready_patient

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
DOSE_1_MORNING = datetime(2026, 11, 24, 12, 50, tzinfo=timezone.utc)  # 07:50 in New York, before dose 1 at 08:00
ZONE = "America/New_York"
IV = DEFAULT_PROTOCOLS[0]


@pytest.fixture
def course(course_clinic):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), NOW, date(2026, 11, 23))
    return book_course(booking_order(proposal, patient), SYSTEM, NOW)


def live(course_id):
    db.session.rollback()
    return list(db.session.scalars(select(Session).where(Session.course_id == course_id,
                                                        Session.status.not_in(("cancelled", "no_show")))
                                   .order_by(Session.starts_at)))


def dose(course_id, number):
    return next(s for s in live(course_id) if s.purpose == "dose" and s.dose_number == number)


def follows_protocol(course_id) -> list:
    items = [CourseItem(s.purpose, s.session_type.key, s.dose_number, local(s.starts_at, ZONE).date())
             for s in live(course_id)]
    return course_breaches(IV, items)


def test_a_course_that_still_fits_needs_no_change(course):
    replan = preview_replan(course, NOW)
    assert replan.changes == [] and "nothing needs to move" in replan.note


def test_a_cancelled_middle_dose_is_made_up_and_only_its_integration_moves(course):
    third = dose(course, 3)
    cancel_session(third.id, SYSTEM, NOW, "patient unwell")
    replan = preview_replan(course, NOW)
    new = [c for c in replan.changes if c.session_id is None]
    moved = [c for c in replan.changes if c.session_id is not None and c.new is not None]
    assert [c.purpose for c in new] == ["dose"] and len(moved) == 1 and moved[0].purpose == "integration"
    before = {s.id: s.version for s in live(course)}
    apply_changes(course, SYSTEM, NOW, replan.fingerprint)
    assert follows_protocol(course) == []
    after = {s.id: s.version for s in live(course)}
    assert sum(1 for sid, v in after.items() if sid in before and v != before[sid]) == 1  # one row moved
    assert [e.kind for e in db.session.scalars(select(CourseEvent))] == ["booked", "replanned"]


def test_a_held_dose_is_replanned_never_dropped(course):
    first = dose(course, 1)
    change_status(first.id, "arrived", SYSTEM, DOSE_1_MORNING, escort_confirmed=True)
    change_status(first.id, "held", SYSTEM, DOSE_1_MORNING, "BP 152/96")
    replan = apply_changes(course, SYSTEM, DOSE_1_MORNING, None)
    assert any(c.purpose == "dose" and c.session_id is None for c in replan.changes)
    assert len([s for s in live(course) if s.purpose == "dose" and s.status == "booked"]) == 6


def test_moving_a_dose_onto_another_doses_day_is_refused_with_the_rules_it_breaks(course):
    second = dose(course, 2)
    before = (second.starts_at, second.version)
    # Dose 1 is on Tuesday 24 Nov at 08:00; reception tries to put dose 2 that afternoon.
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(second.id, datetime(2026, 11, 24, 19, tzinfo=timezone.utc), SYSTEM, NOW)
    codes = {r.code for r in refused.value.reasons}
    assert {"patient_dosed_that_day", "cadence"} <= codes
    assert any("Dose 2" in r.message and "dose 1" in r.message for r in refused.value.reasons)
    assert (dose(course, 2).starts_at, dose(course, 2).version) == before  # nothing moved


def test_moving_a_dose_past_the_next_one_is_refused_as_out_of_order(course):
    second = dose(course, 2)
    # Dose 4 is on Monday 30 Nov; dose 2 moved to Tuesday 1 Dec would come after doses 3 and 4.
    with pytest.raises(BookingRefused) as refused:
        reschedule_session(second.id, datetime(2026, 12, 1, 19, tzinfo=timezone.utc), SYSTEM, NOW)
    assert any(r.code == "cadence" and "would not come after dose 2" in r.message for r in refused.value.reasons)


def test_moving_a_dose_within_its_cadence_is_accepted_and_the_course_still_follows_the_protocol(course):
    second = dose(course, 2)
    # Wednesday 25 Nov, 14:00 instead of 08:00: the same day, so every gap and window of the protocol holds.
    reschedule_session(second.id, datetime(2026, 11, 25, 19, tzinfo=timezone.utc), SYSTEM, NOW)
    assert dose(course, 2).starts_at == datetime(2026, 11, 25, 19, tzinfo=timezone.utc)
    assert follows_protocol(course) == []


def test_an_apply_refuses_a_re_plan_other_than_the_one_shown(course):
    cancel_session(dose(course, 3).id, SYSTEM, NOW)
    with pytest.raises(PlanStale) as stale:
        apply_changes(course, SYSTEM, NOW, "not-the-preview")
    assert stale.value.fresh.changes
    assert len([s for s in live(course) if s.purpose == "dose"]) == 5


def test_an_esketamine_induction_miss_keeps_the_planned_schedule(course_clinic):
    patient = ready_patient("ESK-1")
    proposal = propose_course(patient, "esketamine-mdsi", PreferencesIn(), NOW, date(2026, 11, 23))
    course_id = book_course(booking_order(proposal, patient, "esketamine-mdsi"), SYSTEM, NOW)
    second = dose(course_id, 2)
    cancel_session(second.id, SYSTEM, NOW, "missed")
    replan = preview_replan(course_id, NOW)
    assert replan.changes == [] and "schedule continues as planned" in replan.note


def test_a_course_becomes_active_with_its_first_dose_and_can_be_stopped(course):
    from planner.db.models import Course
    from planner.services.course_status import stop_course

    first = dose(course, 1)
    change_status(first.id, "arrived", SYSTEM, DOSE_1_MORNING, escort_confirmed=True)
    db.session.rollback()
    assert db.session.get(Course, course).status == "active"
    assert stop_course(course, SYSTEM, DOSE_1_MORNING, "patient moved away") == 12
    db.session.rollback()
    assert db.session.get(Course, course).status == "stopped"
    assert [s.status for s in live(course)] == ["arrived"]
