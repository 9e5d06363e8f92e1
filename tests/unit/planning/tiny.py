"""Random tiny clinics small enough for the brute-force reference.

Two shapes: the plain one (chairs, nurses and therapists on random weekdays, some slots taken)
and the squeezed one, where psychotherapy only fits beside a dose at some other time of the
day: nurses and therapists work short stretches that move from day to day (so the times a
dose can take differ by day), and integration may fall on the dose's own day, after it.
"""

from __future__ import annotations

import random
from datetime import timedelta

from planner.domain.booking import as_booked
from planner.domain.clinic import Patient, Placement, SessionRequest
from planner.domain.planning import PlanningProblem, Preferences
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink
from tests.unit.planning.world import INTEGRATION, IV, START, World

TINY = Protocol("tiny", "Tiny course", "iv", (Phase("induction", 2, 1, 3, None, 3, 5),), (
    TherapyLink("prep", BEFORE_FIRST, None, -2, -1),
    TherapyLink("integration", AFTER_DOSE, (2,), 1, 2)))

THREE = Protocol("three", "Three doses", "iv", (Phase("induction", 3, 1, 2, None, 2, 6),), (
    TherapyLink("integration", AFTER_DOSE, (1, 3), 1, 2),))

# Integration on the dose's own day (after it) or the next, which may be the next dose's day.
SAME_DAY = Protocol("same-day", "Integration the same day", "iv", (Phase("induction", 2, 1, 2, None, 3, 4),), (
    TherapyLink("integration", AFTER_DOSE, None, 0, 1),))
SAME_DAY_THREE = Protocol("same-day-three", "Three doses, integration the same day", "iv",
                          (Phase("induction", 3, 1, 2, None, 3, 5),), (TherapyLink("integration", AFTER_DOSE, None, 0, 1),))
PREPARED = Protocol("prepared", "Preparation, then integration beside the doses", "iv",
                    (Phase("induction", 2, 1, 2, None, 3, 4),), (
                        TherapyLink("prep", BEFORE_FIRST, None, -2, -1),
                        TherapyLink("integration", AFTER_DOSE, None, 0, 1)))
SQUEEZED_PROTOCOLS = (SAME_DAY, SAME_DAY_THREE, PREPARED)


def tiny_problem(rng: random.Random, protocol: Protocol = TINY) -> PlanningProblem:
    """A random tiny clinic: 1-2 chairs, 1-2 nurses and therapists on random days, some slots taken."""
    world = World(chairs=rng.randint(1, 2), nurses=rng.randint(1, 2), therapists=rng.randint(1, 2),
                  days=8, opening=("08:00", "13:00"), slot_minutes=60,
                  nurse_days=set(rng.sample(range(5), rng.randint(3, 5))),
                  therapist_days={0: set(rng.sample(range(5), rng.randint(2, 4)))})
    prefs = Preferences(time_of_day=rng.choice(["any", "any", "morning"]))
    problem = world.build(protocol, prefs, horizon=7)
    occupy(problem, rng, 5)
    return problem


def squeezed_problem(rng: random.Random) -> PlanningProblem:
    """A tiny clinic where nurses and therapists work short stretches that move from day to day."""
    nurses, therapists = rng.randint(1, 2), rng.randint(1, 2)
    stretches = {}
    for sid in [10 + n for n in range(nurses)]:
        stretches[sid] = _stretches(rng, off=0.2, hours=(2, 4))  # a dose (1 h 45) needs two hours
    for sid in [20 + n for n in range(therapists)]:
        stretches[sid] = _stretches(rng, off=0.25, hours=(1, 3))
    world = World(chairs=rng.randint(1, 2), nurses=nurses, therapists=therapists, days=8,
                  opening=("08:00", "14:00"), slot_minutes=60, stretches=stretches)
    protocol = rng.choice(SQUEEZED_PROTOCOLS)
    problem = world.build(protocol, Preferences(), horizon=rng.choice([5, 6, 7]))
    occupy(problem, rng, 3)
    return problem


def _stretches(rng: random.Random, off: float, hours: tuple[int, int]) -> dict[int, tuple[str, str]]:
    worked = {}
    for k in range(9):
        if rng.random() >= off:
            begin = rng.randint(8, 13)
            end = min(14, begin + rng.randint(*hours))
            worked[k] = (f"{begin:02d}:00", f"{end:02d}:00")
    return worked


def occupy(problem: PlanningProblem, rng: random.Random, most: int) -> None:
    """Other patients' sessions that take chairs, nurses and therapists at random times."""
    state = problem.state
    for k in range(rng.randint(0, most)):
        day = START + timedelta(days=rng.randint(0, 6))
        openings = state.site.calendar.open_intervals(day, day)
        if not openings:
            continue
        start = openings[0].start + timedelta(hours=rng.randint(0, 3))
        if rng.random() < 0.6:
            chair = rng.choice([r for r in state.rooms if r < 100])
            nurse = rng.choice([s for s in state.roster.staff if 10 <= s < 20])
            request = SessionRequest(Patient(100 + k, f"OTHER-{k}"), state.site, IV, start, chair,
                                     (Placement(1, "supervising_prescriber"), Placement(nurse, "monitoring_clinician")))
        else:
            therapist = rng.choice([s for s in state.roster.staff if s >= 20])
            request = SessionRequest(Patient(100 + k, f"OTHER-{k}"), state.site, INTEGRATION, start, 100,
                                     (Placement(therapist, "therapist"),))
        state.add(as_booked(request, 500 + k))
