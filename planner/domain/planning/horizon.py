"""How far ahead the planner looks for a course."""

from __future__ import annotations

from datetime import date

from planner.domain.planning.cadence import ideal_span
from planner.domain.protocols import Protocol

LONGEST_HORIZON = 120  # days


def horizon_days(protocol: Protocol, short: bool = False) -> int:
    """Days enough to fit the whole course with room to start later (short: a first, quicker try)."""
    if short:
        # The course's span on an always-open calendar plus ten days: enough when the clinic
        # has room, and far less clinic to load and search; the full horizon is the fallback.
        tightest = ideal_span(protocol, date(2024, 1, 1)) + max((t.max_days for t in protocol.therapy), default=0)
        return min(tightest + 10, horizon_days(protocol))
    days = 14
    for phase in protocol.phases:
        span = phase.window_days if phase.window_days is not None else (
            (phase.doses - 1) * (phase.max_gap_days or phase.min_gap_days * 2))
        days += span + (phase.gap_from_previous_phase[1] or 7)
    days += max((t.max_days for t in protocol.therapy), default=0)
    return min(days, LONGEST_HORIZON)
