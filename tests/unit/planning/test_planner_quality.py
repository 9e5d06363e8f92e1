"""The planner against an exhaustive reference on tiny clinics, and its plans against the booking rules."""

from __future__ import annotations

import copy
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.booking import as_booked
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.planning import NoPlan, Plan, Preferences, plan_course
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink
from tests.unit.planning.checks import booking_reasons, cadence_breaches
from tests.unit.planning.reference import best_score
from tests.unit.planning.world import INTEGRATION, IV, START, World

TINY = Protocol("tiny", "Tiny course", "iv", (Phase("induction", 2, 1, 3, None, 3, 5),), (
    TherapyLink("prep", BEFORE_FIRST, None, -2, -1),
    TherapyLink("integration", AFTER_DOSE, (2,), 1, 2)))


def tiny_problem(rng: random.Random, protocol: Protocol = TINY):
    """A random tiny clinic: 1-2 chairs, 1-2 nurses and therapists on random days, some slots taken."""
    world = World(chairs=rng.randint(1, 2), nurses=rng.randint(1, 2), therapists=rng.randint(1, 2),
                  days=8, opening=("08:00", "13:00"), slot_minutes=60,
                  nurse_days=set(rng.sample(range(5), rng.randint(3, 5))),
                  therapist_days={0: set(rng.sample(range(5), rng.randint(2, 4)))})
    prefs = Preferences(time_of_day=rng.choice(["any", "any", "morning"]))
    problem = world.build(protocol, prefs, horizon=7)
    _occupy(problem, rng)
    return problem


def _occupy(problem, rng: random.Random) -> None:
    """Other patients' sessions that take chairs, nurses and therapists at random times."""
    state = problem.state
    for k in range(rng.randint(0, 5)):
        day = START + timedelta(days=rng.randint(0, 6))
        openings = state.site.calendar.open_intervals(day, day)
        if not openings:
            continue
        start = openings[0].start + timedelta(hours=rng.randint(0, 3))
        if rng.random() < 0.6:
            chair = rng.choice([r for r in state.rooms if r < 100])
            nurse = rng.choice([s for s in state.roster.staff if 10 <= s < 20])
            request = SessionRequest(_other(k), state.site, IV, start, chair,
                                     (Placement(1, "supervising_prescriber"), Placement(nurse, "monitoring_clinician")))
        else:
            therapist = rng.choice([s for s in state.roster.staff if s >= 20])
            request = SessionRequest(_other(k), state.site, INTEGRATION, start, 100,
                                     (Placement(therapist, "therapist"),))
        state.add(as_booked(request, 500 + k))


def _other(k):
    from planner.domain.clinic import Patient

    return Patient(100 + k, f"OTHER-{k}", screening="cleared", consent="signed")


THREE = Protocol("three", "Three doses", "iv", (Phase("induction", 3, 1, 2, None, 2, 6),), (
    TherapyLink("integration", AFTER_DOSE, (1, 3), 1, 2),))


@pytest.mark.parametrize("seed, protocol", [(seed, TINY) for seed in range(30)] +
                         [(seed, THREE) for seed in range(12)])
def test_the_planner_matches_the_exhaustive_optimum_on_tiny_clinics(seed, protocol):
    problem = tiny_problem(random.Random(seed), protocol)
    reference = best_score(copy.deepcopy(problem))
    result = plan_course(problem)
    if reference is None:
        assert isinstance(result, NoPlan)
    else:
        assert isinstance(result, Plan), result
        assert result.score[:3] == reference


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
    _occupy(problem, rng)
    pristine = copy.deepcopy(problem.state)
    result = plan_course(problem)
    if isinstance(result, Plan):
        assert booking_reasons(result, problem, pristine) == []
        assert cadence_breaches(result, problem) == []
        assert len(result.sessions) == doses * 2 + 1
    else:
        assert result.reasons


