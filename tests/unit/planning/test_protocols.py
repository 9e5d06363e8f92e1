"""A protocol that can never be planned is refused with the reason."""

from __future__ import annotations

from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink, protocol_problems
from tests.unit.planning.world import IV_INDUCTION


def codes(protocol: Protocol, known=None) -> set[str]:
    return {reason.code for reason in protocol_problems(protocol, known)}


def with_phase(**changes) -> Protocol:
    phase = Phase("induction", **{"doses": 6, "min_gap_days": 1, "max_gap_days": 7, "per_week_min": 2,
                                  "per_week_max": 3, "window_days": 21, **changes})
    return Protocol("p", "P", "iv", (phase,))


def test_the_shipped_iv_induction_is_sound():
    assert protocol_problems(IV_INDUCTION, {"iv", "prep", "integration"}) == []


def test_a_minimum_gap_above_the_maximum_gap_is_refused():
    assert codes(with_phase(min_gap_days=3, max_gap_days=2)) == {"gap_order"}


def test_six_doses_two_days_apart_cannot_fit_in_seven_days():
    problems = protocol_problems(with_phase(min_gap_days=2, window_days=7, per_week_max=None))
    assert [p.code for p in problems] == ["window_too_short"]
    assert problems[0].field == "phases[0].window_days"


def test_four_doses_a_week_three_days_apart_are_impossible():
    assert "week_unreachable" in codes(with_phase(min_gap_days=3, per_week_min=None, per_week_max=4))


def test_a_weekly_minimum_above_the_maximum_is_refused():
    assert "week_order" in codes(with_phase(per_week_min=3, per_week_max=2))


def test_therapy_windows_must_make_sense():
    protocol = Protocol("p", "P", "iv", (Phase("induction", 3),), (
        TherapyLink("integration", AFTER_DOSE, None, 3, 1),
        TherapyLink("prep", BEFORE_FIRST, None, -2, 1),
        TherapyLink("integration", AFTER_DOSE, (4,), 1, 3),
        TherapyLink("integration", AFTER_DOSE, None, 1, 1, count=2),
        TherapyLink("massage", AFTER_DOSE, None, 1, 3),
    ))
    assert codes(protocol, {"iv", "integration", "prep"}) == {
        "therapy_window_order", "therapy_not_before", "therapy_dose", "therapy_count", "unknown_type"}


def test_a_protocol_without_doses_is_refused():
    assert codes(Protocol("p", "P", "iv", ())) == {"no_phases"}
    assert "unknown_type" in codes(Protocol("p", "P", "spray", (Phase("x", 1),)), {"iv"})
