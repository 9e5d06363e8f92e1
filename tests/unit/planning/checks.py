"""Independent re-checks of a plan: the booking engine's rules and the protocol's cadence."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import timedelta

from planner.domain.booking import as_booked, check_session
from planner.domain.calendar import local
from planner.domain.clinic import SessionRequest
from planner.domain.planning import Plan, PlanningProblem
from planner.domain.protocols import BEFORE_FIRST


def booking_reasons(plan: Plan, problem: PlanningProblem, pristine_state) -> list[str]:
    """Book every planned session, in order, on a fresh copy of the clinic: every refusal reason."""
    state = copy.deepcopy(pristine_state)
    reasons = []
    for n, planned in enumerate(plan.sessions):
        stype = problem.types[planned.type_key]
        request = SessionRequest(problem.patient, state.site, stype, planned.start, planned.room_id, planned.placements)
        found = check_session(request, state, problem.now)
        reasons += [f"{planned.purpose} {planned.dose_number}: {r.message}" for r in found]
        state.add(as_booked(request, 10_000 + n))
    return reasons


def cadence_breaches(plan: Plan, problem: PlanningProblem) -> list[str]:
    """Every way the plan breaks the protocol, checked directly from its definition."""
    zone = problem.state.site.calendar.zone
    protocol = problem.protocol
    doses = sorted((s for s in plan.sessions if s.purpose == "dose"), key=lambda s: s.start)
    days = [local(s.start, zone).date() for s in doses]
    breaches = []
    if [s.dose_number for s in doses] != list(range(1, protocol.total_doses + 1)):
        breaches.append(f"doses numbered {[s.dose_number for s in doses]}")
    number = 0
    for index, phase in enumerate(protocol.phases):
        mine = days[number:number + phase.doses]
        for k in range(1, len(mine)):
            gap = (mine[k] - mine[k - 1]).days
            if gap < phase.min_gap_days or (phase.max_gap_days and gap > phase.max_gap_days):
                breaches.append(f"phase {index} gap {gap}")
        if index and number:
            low, high = phase.gap_from_previous_phase
            gap = (mine[0] - days[number - 1]).days
            if gap < low or (high is not None and gap > high):
                breaches.append(f"phase {index} starts {gap} days after the previous one")
        if phase.window_days is not None and (mine[-1] - mine[0]).days > phase.window_days:
            breaches.append(f"phase {index} spans {(mine[-1] - mine[0]).days} days")
        weeks = Counter(d - timedelta(days=d.weekday()) for d in mine)
        if phase.per_week_max and max(weeks.values()) > phase.per_week_max:
            breaches.append(f"phase {index} has {max(weeks.values())} doses in a week")
        if phase.per_week_min:
            first, last = min(weeks), max(weeks)
            week = first + timedelta(days=7)
            while week < last:
                if weeks.get(week, 0) < phase.per_week_min:
                    breaches.append(f"phase {index} week of {week} has {weeks.get(week, 0)} doses")
                week += timedelta(days=7)
        number += phase.doses
    for link in protocol.therapy:
        for anchor in link.anchors(protocol.total_doses):
            tied = [s for s in plan.sessions if s.type_key == link.session_type and s.dose_number == anchor
                    and s.purpose != "dose"]
            if len(tied) != link.count:
                breaches.append(f"{len(tied)} {link.session_type} for dose {anchor}, wanted {link.count}")
            for s in tied:
                offset = (local(s.start, zone).date() - days[anchor - 1]).days
                if not link.min_days <= offset <= link.max_days:
                    breaches.append(f"{link.session_type} for dose {anchor} at day {offset:+d}")
                if link.anchor == BEFORE_FIRST and s.start >= doses[0].start:
                    breaches.append("preparation after dose 1")
    return breaches
