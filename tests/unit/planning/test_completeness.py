"""The planner finds a course whenever one exists, the earliest and then the fewest doses off one time."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import time, timedelta

from planner.domain.calendar import local, to_utc
from planner.domain.planning import FixedDose, NoPlan, Plan, Preferences, plan_course
from planner.domain.protocols import Phase, Protocol
from tests.unit.planning.checks import booking_reasons, cadence_breaches
from tests.unit.planning.reference import best_score
from tests.unit.planning.tiny import SAME_DAY, SAME_DAY_THREE
from tests.unit.planning.world import START, ZONE, World

NURSE, THERAPIST = 10, 20
DOSES_ONLY = Protocol("doses", "Two doses", "iv", (Phase("induction", 2, 1, 2, None, 3, 4),))


def squeezed(nurse: dict, therapist: dict, **changes) -> World:
    """One nurse and one therapist who work only the stretches given (day offset -> hours)."""
    return World(nurses=1, therapists=1, days=8, slot_minutes=60, stretches={NURSE: nurse, THERAPIST: therapist},
                 **changes)


def dose_times(plan: Plan) -> list[str]:
    return [local(s.start, ZONE).strftime("%a %H:%M") for s in plan.sessions if s.purpose == "dose"]


def test_each_dose_takes_the_time_its_day_leaves_beside_psychotherapy_that_only_fits_before_it():
    # Monday offers a dose at 08:00 only, Tuesday at 08:00 or 09:00, Wednesday at 08:00 to 10:00.
    # The therapist is in for one hour on Tuesday (08:00), Wednesday (09:00) and Thursday (08:00),
    # so integration after Monday's dose takes Tuesday 08:00 and Tuesday's dose has to be at 09:00,
    # integration after it Wednesday 09:00 and Wednesday's dose 10:00: no one usual time, and
    # neither the usual time nor the earliest start of a day would do.
    world = squeezed({0: ("08:00", "10:00"), 1: ("08:00", "11:00"), 2: ("08:00", "12:00")},
                     {1: ("08:00", "09:00"), 2: ("09:00", "10:00"), 3: ("08:00", "09:00")})
    problem = world.build(SAME_DAY_THREE, horizon=7)
    pristine = copy.deepcopy(problem.state)
    plan = plan_course(problem)
    assert isinstance(plan, Plan) and plan.proven_optimal
    assert dose_times(plan) == ["Mon 08:00", "Tue 09:00", "Wed 10:00"]
    assert plan.score[:3] == (3, 2, 0) == best_score(copy.deepcopy(world.build(SAME_DAY_THREE, horizon=7)))
    assert booking_reasons(plan, problem, pristine) == [] and cadence_breaches(plan, problem) == []


def test_a_usual_time_offered_on_few_days_is_kept_when_it_is_the_one_every_dose_can_have():
    # 08:00 to 13:00 are offered on five days, 16:00 only on Monday and Tuesday; the earliest
    # course (Monday and Tuesday) keeps one time only at 16:00.
    early = ("08:00", "15:00")
    world = squeezed({0: ("08:00", "18:00"), 1: ("16:00", "18:00"), 2: early, 3: early, 4: early, 7: early}, {})
    plan = plan_course(world.build(DOSES_ONLY, horizon=7))
    assert isinstance(plan, Plan) and plan.proven_optimal
    assert dose_times(plan) == ["Mon 16:00", "Tue 16:00"]
    assert plan.score[:3] == (1, 0, 0)


def test_a_course_without_psychotherapy_keeps_one_time_from_the_first_free_day():
    plan = plan_course(World().build(DOSES_ONLY, horizon=7))
    assert isinstance(plan, Plan) and plan.proven_optimal
    assert dose_times(plan) == ["Mon 08:00", "Tue 08:00"] and plan.score[:3] == (1, 0, 0)


def test_no_plan_says_psychotherapy_cannot_fit_beside_doses_when_the_therapists_hours_clash_with_them():
    # Doses fit on Monday and Tuesday at 08:00 only; the therapist is in 08:00-09:00 those days
    # and not at all afterwards, so integration could only take the doses' own hour.
    world = squeezed({0: ("08:00", "10:00"), 1: ("08:00", "10:00")}, {0: ("08:00", "09:00"), 1: ("08:00", "09:00")})
    result = plan_course(world.build(SAME_DAY, horizon=7))
    assert isinstance(result, NoPlan)
    assert result.reasons[0] == ("The doses fit, but Integration (2 session(s), on the day of each dose once it has "
                                 "ended, or up to 1 day(s) after) cannot fit beside them.")
    assert "would fit if it could overlap the doses" in result.reasons[1]
    assert any(r.startswith("No therapist free for Integration") for r in result.reasons)
    assert not any("monitoring clinician" in r for r in result.reasons)


def test_no_plan_names_a_therapist_whose_stretches_are_too_short_for_a_session():
    half_hours = {k: ("11:00", "11:30") for k in range(8)}
    result = plan_course(squeezed({k: ("08:00", "12:00") for k in range(8)}, half_hours).build(SAME_DAY, horizon=7))
    assert isinstance(result, NoPlan)
    assert "Integration" in result.reasons[0] and "cannot fit beside them" in result.reasons[0]
    assert any(r.startswith("Therapist 0 works only stretches shorter than a 50-minute Integration on 6 day(s)")
               for r in result.reasons)


def test_no_plan_still_names_the_dosing_gap_when_the_doses_themselves_cannot_fit():
    result = plan_course(World(nurse_days={0}).build())
    assert isinstance(result, NoPlan)
    assert "the protocol needs 6 dose(s)" in result.reasons[0]
    assert not any("cannot fit beside them" in r for r in result.reasons)


def test_a_plan_found_when_the_node_budget_runs_out_is_not_called_optimal():
    # Nurses on Monday, Wednesday and Friday; no therapist on enough days to take all of it alone,
    # so proving that no course keeps one therapist takes the search a while.
    world = World(nurse_days={0, 2, 4}, therapists=3, therapist_days={0: {1}, 1: {3}, 2: {0, 2}})
    cut_short = plan_course(replace(world.build(), node_budget=100))
    assert isinstance(cut_short, Plan) and not cut_short.proven_optimal
    full = plan_course(world.build())
    assert isinstance(full, Plan) and full.proven_optimal and full.score[:3] == (15, 0, 1)


def test_a_re_plan_keeps_two_doses_given_before_the_planning_window_and_plans_the_rest():
    problem = World(days=40).build()
    given = [START - timedelta(days=6), START - timedelta(days=5)]  # Tuesday and Wednesday the week before
    fixed = tuple(FixedDose(n, day, to_utc(day, time(9), ZONE), to_utc(day, time(10, 45), ZONE))
                  for n, day in enumerate(given, 1))
    kept = {("prep", 1, 0): to_utc(given[0] - timedelta(days=1), time(9), ZONE),
            ("integration", 1, 0): to_utc(given[1], time(11), ZONE),
            ("integration", 2, 0): to_utc(given[1] + timedelta(days=1), time(11), ZONE)}
    plan = plan_course(replace(problem, fixed_doses=fixed, fixed_therapy=kept, preferences=Preferences()))
    assert isinstance(plan, Plan) and plan.proven_optimal
    assert [n for n in (s.dose_number for s in plan.sessions if s.purpose == "dose")] == [3, 4, 5, 6]
