"""The planner against an exhaustive reference on tiny clinics, and its plans against the booking rules."""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.planning import NoPlan, Plan, Preferences, plan_course
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink
from tests.unit.planning.checks import booking_reasons, cadence_breaches
from tests.unit.planning.reference import best_score
from tests.unit.planning.tiny import THREE, TINY, occupy, squeezed_problem, tiny_problem
from tests.unit.planning.world import World


def agrees_with_the_reference(problem) -> None:
    """The planner's answer is the exhaustive optimum, proven, and every plan passes the rules."""
    reference = best_score(copy.deepcopy(problem))
    pristine = copy.deepcopy(problem.state)
    result = plan_course(problem)
    if reference is None:
        assert isinstance(result, NoPlan)
    else:
        assert isinstance(result, Plan), result
        assert result.score[:3] == reference
        assert result.proven_optimal
        assert booking_reasons(result, problem, pristine) == [] and cadence_breaches(result, problem) == []


@pytest.mark.parametrize("seed, protocol", [(seed, TINY) for seed in range(30)] +
                         [(seed, THREE) for seed in range(12)])
def test_the_planner_matches_the_exhaustive_optimum_on_tiny_clinics(seed, protocol):
    agrees_with_the_reference(tiny_problem(random.Random(seed), protocol))


# 400 clinics where psychotherapy must squeeze beside doses whose times move from day to day
# (291 have a course): the search before this shape was added ended 16 of them a day late and
# scored 2 more wrongly on goals 2-3.
@pytest.mark.parametrize("seed", range(400))
def test_the_planner_matches_the_exhaustive_optimum_when_therapy_squeezes_beside_the_doses(seed):
    agrees_with_the_reference(squeezed_problem(random.Random(seed)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), gap=st.integers(1, 3), doses=st.integers(2, 4))
def test_every_plan_passes_the_booking_engine_and_the_protocol(seed, gap, doses):
    protocol = Protocol("p", "P", "iv", (Phase("induction", doses, gap, gap + 2, None, 3, 14),), (
        TherapyLink("prep", BEFORE_FIRST, None, -3, -1),
        TherapyLink("integration", AFTER_DOSE, None, 1, 3)))
    rng = random.Random(seed)
    world = World(chairs=rng.randint(1, 3), nurses=rng.randint(1, 3), therapists=rng.randint(1, 3), days=22,
                  nurse_days=set(rng.sample(range(5), rng.randint(2, 5))))
    problem = world.build(protocol, Preferences(time_of_day=rng.choice(["any", "morning", "afternoon"])), horizon=21)
    occupy(problem, rng, 5)
    pristine = copy.deepcopy(problem.state)
    result = plan_course(problem)
    if isinstance(result, Plan):
        assert booking_reasons(result, problem, pristine) == []
        assert cadence_breaches(result, problem) == []
        assert len(result.sessions) == doses * 2 + 1
    else:
        assert result.reasons


