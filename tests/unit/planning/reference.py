"""A brute-force course planner for tiny clinics: tries every assignment, keeps the best.

It shares nothing with the real planner but the booking oracle `fit_at` (itself checked
against the booking rules by the availability property tests), so agreement means something.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

from planner.domain.availability import fit_at
from planner.domain.calendar import local
from planner.domain.intervals import Interval
from planner.domain.planning import PlanningProblem
from planner.domain.protocols import BEFORE_FIRST
from planner.domain.staffing import THERAPIST


def cadence_ok(days: list[date], problem: PlanningProblem) -> bool:
    """The protocol's dose rules, read straight from its phases."""
    number = 0
    for index, phase in enumerate(problem.protocol.phases):
        mine = days[number:number + phase.doses]
        gaps = [(b - a).days for a, b in zip(mine, mine[1:])]
        if any(g < phase.min_gap_days or (phase.max_gap_days and g > phase.max_gap_days) for g in gaps):
            return False
        if index and number:
            low, high = phase.gap_from_previous_phase
            gap = (mine[0] - days[number - 1]).days
            if gap < low or (high is not None and gap > high):
                return False
        if phase.window_days is not None and (mine[-1] - mine[0]).days > phase.window_days:
            return False
        weeks = Counter(d - timedelta(days=d.weekday()) for d in mine)
        if phase.per_week_max and max(weeks.values()) > phase.per_week_max:
            return False
        if phase.per_week_min:
            week = min(weeks) + timedelta(days=7)
            while week < max(weeks):
                if weeks.get(week, 0) < phase.per_week_min:
                    return False
                week += timedelta(days=7)
        number += phase.doses
    return True


def best_score(problem: PlanningProblem) -> tuple[int, int, int] | None:
    """The lexicographic optimum (end day, doses off the usual time, therapist split), or None."""
    zone = problem.state.site.calendar.zone
    prefs = problem.preferences
    first, last = problem.first_day, problem.first_day + timedelta(days=problem.horizon_days)
    horizon = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    step = timedelta(minutes=problem.state.site.slot_minutes)
    dosing = problem.types[problem.protocol.dosing_type]
    therapists = frozenset(m.id for m in problem.state.roster.staff.values() if THERAPIST in m.disciplines)

    def starts(day: date, stype):
        for block in problem.state.site.calendar.open_intervals(day, day):
            start = block.start
            while start + stype.duration <= block.end:
                wall = local(start, zone).time().replace(tzinfo=None)
                if start >= problem.now and prefs.allows_day(day) and prefs.allows_time(wall):
                    yield start
                start += step

    dose_slots = {d: [s for s in starts(d, dosing) if fit_at(dosing, problem.state, s, problem.patient.id)]
                  for d in horizon}
    items = []
    for link in problem.protocol.therapy:
        for anchor in link.anchors(problem.protocol.total_doses):
            items += [(link, anchor)] * link.count
    # Every start of each psychotherapy type, with the therapists who could take it.
    therapy_slots = {}
    for key in {link.session_type for link, _ in items}:
        stype = problem.types[key]
        therapy_slots[key] = []
        for d in horizon:
            for s in starts(d, stype):
                who = frozenset(t for t in therapists if _takes(stype, problem, s, t))
                if who:
                    therapy_slots[key].append((d, s, who, stype.duration))
    best = None
    for days in itertools.combinations(horizon, problem.protocol.total_doses):
        days = list(days)
        if not cadence_ok(days, problem) or any(not dose_slots[d] for d in days):
            continue
        for dose_starts in itertools.product(*(dose_slots[d] for d in days)):
            cost = len(days) - max(Counter(local(s, zone).time() for s in dose_starts).values())
            if best is not None and ((days[-1] - first).days, cost) > best[:2]:
                continue  # the doses alone already end later or cost more
            dose_spans = [Interval(s, s + dosing.duration) for s in dose_starts]
            found = _therapy_best(items, days, dose_spans, therapy_slots, first, therapists)
            if found is not None:
                candidate = (found[0], cost, found[1])
                if best is None or candidate < best:
                    best = candidate
    return best


def _takes(stype, problem: PlanningProblem, start, therapist: int) -> bool:
    fit = fit_at(stype, problem.state, start, problem.patient.id, {THERAPIST: [therapist]})
    return fit is not None and any(p.staff_id == therapist for p in fit.placements)


def _therapy_best(items, days, dose_spans, therapy_slots, first, therapists):
    """The least (end day, split) over every way to place every psychotherapy session, or None."""
    options = []
    for link, anchor in items:
        low = days[anchor - 1] + timedelta(days=link.min_days)
        high = days[anchor - 1] + timedelta(days=link.max_days)
        fits = [(d, s, who, length) for d, s, who, length in therapy_slots.get(link.session_type, [])
                if low <= d <= high and (link.anchor == BEFORE_FIRST or d != days[anchor - 1]
                                         or s >= dose_spans[anchor - 1].end)]
        options.append(fits)
    best = None

    def walk(k, spans, end, staff):
        nonlocal best
        if k == len(options):
            candidate = (end, 0 if staff else 1)
            if best is None or candidate < best:
                best = candidate
            return
        for d, s, who, length in options[k]:
            span = Interval(s, s + length)
            if not any(span.overlaps(other) for other in spans):
                walk(k + 1, spans + [span], max(end, (d - first).days), staff & who)

    walk(0, dose_spans, (days[-1] - first).days, therapists)
    return best
