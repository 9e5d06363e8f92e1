"""The course planner: complete, safe courses that follow the protocol and the patient's wishes."""

from __future__ import annotations

import copy
from datetime import date, time, timedelta

from planner.domain.calendar import local
from planner.domain.planning import NoPlan, Plan, Preferences, plan_course
from tests.unit.planning.checks import booking_reasons, cadence_breaches
from tests.unit.planning.world import START, ZONE, World


def solve(world: World, preferences: Preferences = Preferences(), **kwargs):
    problem = world.build(preferences=preferences, **kwargs)
    pristine = copy.deepcopy(problem.state)
    return plan_course(problem), problem, pristine


def wall(session) -> str:
    return local(session.start, ZONE).strftime("%a %d %b %H:%M")


def test_an_iv_induction_course_has_thirteen_sessions_that_all_pass_the_booking_rules():
    plan, problem, pristine = solve(World())
    assert isinstance(plan, Plan)
    assert Counter_of(plan) == {"dose": 6, "preparation": 1, "integration": 6}
    assert booking_reasons(plan, problem, pristine) == []
    assert cadence_breaches(plan, problem) == []


def Counter_of(plan):
    counts: dict[str, int] = {}
    for s in plan.sessions:
        counts[s.purpose] = counts.get(s.purpose, 0) + 1
    return counts


def test_the_course_finishes_as_early_as_the_rules_allow():
    plan, _, _ = solve(World())
    # Preparation Monday, three doses Tue-Thu, three Mon-Wed (at most three a week), integration Thursday.
    assert [wall(s) for s in plan.sessions if s.purpose == "dose"] == [
        "Tue 16 Jun 08:00", "Wed 17 Jun 08:00", "Thu 18 Jun 08:00", "Mon 22 Jun 08:00", "Tue 23 Jun 08:00",
        "Wed 24 Jun 08:00"]
    assert plan.score == (10, 0, 0, 0) and plan.proven_optimal


def test_doses_keep_one_time_chair_nurse_and_therapy_keeps_one_therapist():
    plan, _, _ = solve(World())
    doses = [s for s in plan.sessions if s.purpose == "dose"]
    assert len({local(s.start, ZONE).time() for s in doses}) == 1
    assert len({s.room_id for s in doses}) == 1
    assert len({s.placements for s in doses}) == 1
    assert len({s.placements for s in plan.sessions if s.purpose != "dose"}) == 1


def test_the_patients_weekdays_part_of_day_and_blocked_dates_are_honoured():
    blocked = frozenset({date(2026, 6, 17)})
    prefs = Preferences(weekdays=frozenset({0, 2, 4}), time_of_day="afternoon", blocked_days=blocked,
                        earliest=date(2026, 6, 16))
    plan, problem, pristine = solve(World(), prefs)
    assert isinstance(plan, Plan)
    for s in plan.sessions:
        start = local(s.start, ZONE)
        assert start.weekday() in {0, 2, 4} and start.time() >= time(12) and start.date() not in blocked
        assert start.date() >= date(2026, 6, 16)
    assert booking_reasons(plan, problem, pristine) == [] and cadence_breaches(plan, problem) == []


def test_the_preferred_therapist_runs_all_psychotherapy():
    plan, _, _ = solve(World(therapists=3), Preferences(therapist_id=22))
    therapy = [s for s in plan.sessions if s.purpose != "dose"]
    assert {p.staff_id for s in therapy for p in s.placements} == {22}


def test_doses_move_to_the_days_a_nurse_works():
    plan, problem, _ = solve(World(nurse_days={0, 2, 4}))
    assert {local(s.start, ZONE).weekday() for s in plan.sessions if s.purpose == "dose"} <= {0, 2, 4}
    assert cadence_breaches(plan, problem) == []


def test_a_therapist_who_works_only_some_days_still_gets_continuity_when_possible():
    plan, _, _ = solve(World(therapists=2, therapist_days={0: {1}, 1: {0, 1, 2, 3, 4}}))
    therapy = [s for s in plan.sessions if s.purpose != "dose"]
    assert {p.staff_id for s in therapy for p in s.placements} == {21}
    assert plan.score[2] == 0


def test_no_plan_names_the_missing_monitoring_clinician():
    result, _, _ = solve(World(nurse_days={0}))
    assert isinstance(result, NoPlan)
    text = " ".join(result.reasons)
    assert "the protocol needs 6 dose(s)" in text
    assert "No monitoring clinician free for IV ketamine infusion on Tue, Wed, Thu and Fri mornings" in text


def test_no_plan_when_the_horizon_is_too_short():
    result, _, _ = solve(World(), horizon=5)
    assert isinstance(result, NoPlan)


def test_a_plan_never_starts_before_now_or_the_first_day():
    plan, problem, _ = solve(World())
    assert min(s.start for s in plan.sessions) >= problem.now
    assert min(local(s.start, ZONE).date() for s in plan.sessions) >= START
    assert max(local(s.start, ZONE).date() for s in plan.sessions) <= START + timedelta(days=problem.horizon_days)
