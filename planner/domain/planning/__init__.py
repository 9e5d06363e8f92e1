"""The course planner: a protocol and a patient's preferences in, the best safe course out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from planner.domain.availability import fit_at
from planner.domain.booking import as_booked
from planner.domain.calendar import WEEKDAYS, local
from planner.domain.clinic import SessionRequest
from planner.domain.planning.model import (
    FixedDose, NoPlan, Plan, PlannedSession, PlanningProblem, Preferences,
)
from planner.domain.planning.search import CourseSearch, Found
from planner.domain.planning.slots import SlotTable, all_starts, for_one_person, only_therapist, within
from planner.domain.planning.therapy import therapy_items
from planner.domain.planning.why import why_not
from planner.domain.staffing import THERAPIST

__all__ = ["plan_course", "PlanningProblem", "Preferences", "Plan", "NoPlan", "PlannedSession", "FixedDose"]


def plan_course(problem: PlanningProblem) -> Plan | NoPlan:
    """The best plan for the course under every hard rule, or why none exists in the horizon.

    The problem's clinic state is left as it was: planned sessions go into a copy.
    """
    problem = replace(problem, state=problem.state.copy())
    protocol, state, patient = problem.protocol, problem.state, problem.patient
    first, last = problem.first_day, problem.first_day + timedelta(days=problem.horizon_days)
    dosing = problem.types[protocol.dosing_type]
    prefs = problem.preferences
    if dosing.is_esketamine and (patient.rems_enrolled_on is None or patient.rems_enrolled_on > first):
        # Spravato REMS: the patient must be enrolled before session 1 (domain.md).
        return NoPlan(("The patient is not enrolled in the esketamine REMS before the first session.",))
    cache = problem.starts_cache
    pristine = problem.state  # before planned sessions are added below; all tables read this one

    def table(key: str, therapist_id: int | None = None) -> SlotTable:
        # Types that take the same time, room and roles share one table (preparation and integration do).
        stype = problem.types[key]
        signature = (stype.duration, stype.room_capability, stype.needs, therapist_id, first, last, patient.id)
        if signature not in cache:
            if therapist_id is None:
                found = problem.windows(stype, first, last, patient.id) if problem.windows else None
                cache[signature] = all_starts(stype, pristine, first, last, problem.now, patient.id, found)
            elif len(stype.needs) == 1:
                table(key)  # the any-therapist table, which this one narrows
                anyone = cache[signature[:3] + (None,) + signature[4:]]
                cache[signature] = for_one_person(anyone, stype, pristine, therapist_id, first, last)
            else:
                cache[signature] = all_starts(stype, only_therapist(pristine, therapist_id, stype), first, last,
                                              problem.now, patient.id)
        return within(cache[signature], prefs)

    doses = table(protocol.dosing_type)
    if patient.consent_expires_on is not None:
        # A dose is judged by its own day: none is planned after the treatment consent expires.
        doses = SlotTable({day: starts for day, starts in doses.by_day.items() if day <= patient.consent_expires_on})
    purposes = {key: t.kind for key, t in problem.types.items()}
    items = [it for it in therapy_items(protocol, purposes) if it.key not in problem.fixed_therapy]
    any_therapist = {it.type_key: table(it.type_key) for it in items}

    def one_therapist(therapist_id: int, key: str) -> SlotTable:
        return table(key, therapist_id)

    therapists = sorted(m.id for m in state.roster.staff.values() if m.active and THERAPIST in m.disciplines)
    search = CourseSearch(problem, doses, items, any_therapist, one_therapist, therapists)
    found = search.run()
    if found is None and patient.consent_expires_on is not None and patient.consent_expires_on < last:
        return NoPlan((f"The patient's treatment consent expires on {patient.consent_expires_on:%m/%d/%Y}, before "
                       "the course could be given: record a renewed consent to plan past it.",))
    if found is None:
        if not problem.explain:
            return NoPlan(("No plan within this horizon.",))

        def attempt(some: list, beside_doses: bool) -> bool | None:
            # Does any course fit with only these psychotherapy sessions? None: the search gave up.
            trial = CourseSearch(problem, doses, some, any_therapist, one_therapist, therapists, beside_doses,
                                 any_course=True)
            return True if trial.run() is not None else (None if trial.exhausted else False)

        return NoPlan(tuple(why_not(problem, doses, items, any_therapist, attempt, search.exhausted)))
    plan = _materialise(problem, found, not search.exhausted)
    return plan if plan is not None else NoPlan(("The clinic changed while planning; try again.",))


def _materialise(problem: PlanningProblem, found: Found, proven: bool) -> Plan | None:
    """Rooms and staff for every chosen start, keeping chair, nurse and prescriber where possible."""
    protocol, state = problem.protocol, problem.state
    dosing = problem.types[protocol.dosing_type]
    fixed_numbers = {f.number for f in problem.fixed_doses}
    therapist = found.therapist_id or problem.preferences.therapist_id
    sessions: list[PlannedSession] = []
    keep: dict[str, list[int]] = {THERAPIST: [therapist]} if therapist else {}
    keep_room: int | None = None
    changes = 0
    for number, start in enumerate(found.dose_starts, 1):
        if number in fixed_numbers:
            continue
        fit = fit_at(dosing, state, start, problem.patient.id, keep, keep_room)
        if fit is None:
            return None
        if keep_room is None:
            # The first dose planned sets the chair and people the rest try to keep.
            keep_room = fit.room_id
            keep.update({p.role: [p.staff_id] for p in fit.placements if p.role not in keep})
        else:
            changes += (fit.room_id != keep_room) + sum(1 for p in fit.placements if keep[p.role] != [p.staff_id])
        sessions.append(_add(problem, protocol.dosing_type, "dose", number, fit))
    for item, start in found.therapy:
        stype = problem.types[item.type_key]
        fit = fit_at(stype, state, start, problem.patient.id, {THERAPIST: [therapist]} if therapist else None)
        if fit is None:
            return None
        sessions.append(_add(problem, item.type_key, item.purpose, item.anchor, fit))
    sessions.sort(key=lambda s: s.start)
    score = (*found.score, changes)
    return Plan(tuple(sessions), score, _label(problem, found), proven)


def _add(problem: PlanningProblem, key: str, purpose: str, number: int, fit) -> PlannedSession:
    stype = problem.types[key]
    request = SessionRequest(problem.patient, problem.state.site, stype, fit.start, fit.room_id, fit.placements)
    # Count it in the snapshot at once, so the course's later sessions see it.
    problem.state.add(as_booked(request, -len(problem.state.sessions) - 1))
    window = stype.window(fit.start)
    return PlannedSession(key, purpose, number, window.start, window.end, problem.state.site.id, fit.room_id,
                          fit.placements)


def _label(problem: PlanningProblem, found: Found) -> str:
    zone = problem.state.site.calendar.zone
    days = sorted({local(s, zone).weekday() for s in found.dose_starts})
    names = ", ".join(WEEKDAYS[d][:3] for d in days)
    usual = found.usual_time.strftime("%H:%M") if found.usual_time else "varied times"
    return f"{problem.state.site.name}: doses {names} at {usual}"
