"""Proposing a course: the best safe plan for a patient and protocol, and up to two alternatives."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db import daycache
from planner.db import state as rows
from planner.db.windowcache import cached_free_windows
from planner.db.models import Patient, SessionType, Site
from planner.db.uow import unit_of_work
from planner.gcpause import gc_paused
from planner.domain.calendar import day_start, local
from planner.domain.errors import BookingRefused, InvalidData, Reason
from planner.domain.intervals import Interval
from planner.domain.planning.cadence import ideal_span
from planner.domain.planning import Plan, PlanningProblem, Preferences, plan_course
from planner.domain.protocols import Protocol
from planner.services.course_inputs import PreferencesIn
from planner.services.protocols import active_protocol

LONGEST_HORIZON = 120  # days


@dataclass
class Proposal:
    """The plans offered for a course (best first), or why there are none."""

    patient_id: int
    protocol: Protocol
    first_day: date
    plans: list[Plan] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def to_preferences(data: PreferencesIn) -> Preferences:
    """Domain preferences from validated input."""
    return Preferences(frozenset(data.weekdays) if data.weekdays else None, data.time_of_day, data.site_id,
                       data.therapist_id, frozenset(data.blocked_days), data.earliest)


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


def propose_course(patient_id: int, protocol_key: str, preferences: PreferencesIn, now: datetime,
                   start: date | None = None) -> Proposal:
    """The best plan under every hard rule plus up to two distinct alternatives, or the binding constraints."""
    prefs = to_preferences(preferences)
    with unit_of_work(write=False) as session, gc_paused():
        patient = ready_patient(session, patient_id)
        _, protocol = active_protocol(session, protocol_key)
        types = _types(session, protocol)
        sites = _sites(session, prefs, types[protocol.dosing_type].is_esketamine)
        proposal = Proposal(patient_id, protocol, start or now.date())
        options: list[Plan] = []
        for site_id in sites:
            site = daycache.site(session, site_id)
            first = max(start or local(now, site.calendar.zone).date(), prefs.earliest or date.min)
            proposal.first_day = first
            problem = planning_problem(session, site, protocol, types, patient, prefs, first, now, short=True)
            result = plan_course(problem)
            if not isinstance(result, Plan) and problem.horizon_days < horizon_days(protocol):
                problem = planning_problem(session, site, protocol, types, patient, prefs, first, now)
                result = plan_course(problem)
            if isinstance(result, Plan):
                options.append(result)
                if prefs.time_of_day == "any":
                    other = "afternoon" if _usual_start(result, site.calendar.zone) < time(12) else "morning"
                    flipped = plan_course(replace(problem, preferences=replace(prefs, time_of_day=other)))
                    if isinstance(flipped, Plan):
                        options.append(flipped)
            elif not proposal.reasons:
                proposal.reasons = [f"{site.name}: {reason}" for reason in result.reasons]
        proposal.plans = _distinct(sorted(options, key=lambda plan: plan.score))[:3]
        if proposal.plans:
            proposal.reasons = []
        return proposal


def ready_patient(session: OrmSession, patient_id: int):
    row = session.get(Patient, patient_id)
    if row is None:
        raise InvalidData([Reason("unknown", f"No patient with id {patient_id}.", "patient_id")])
    # A course cannot start while screening or consent is missing (domain.md).
    reasons = []
    if row.screening_status != "cleared":
        reasons.append(Reason("screening_missing", "The patient's contraindication screening is not cleared.",
                              "patient_id"))
    if row.consent_status != "signed":
        reasons.append(Reason("consent_missing", "The patient has not signed consent for treatment.", "patient_id"))
    if reasons:
        raise BookingRefused(reasons)
    return rows.patient_rules(row)


def _types(session: OrmSession, protocol: Protocol) -> dict:
    types = {row.key: rows.session_type_rules(row) for row in session.scalars(select(SessionType))}
    missing = {protocol.dosing_type, *(t.session_type for t in protocol.therapy)} - set(types)
    if missing:
        raise InvalidData([Reason("unknown", f"The clinic has no session type {key!r}.", "protocol")
                           for key in sorted(missing)])
    return types


def _sites(session: OrmSession, prefs: Preferences, esketamine: bool) -> list[int]:
    if prefs.site_id is not None:
        if session.get(Site, prefs.site_id) is None:
            raise InvalidData([Reason("unknown", f"No site with id {prefs.site_id}.", "preferences.site_id")])
        return [prefs.site_id]
    query = select(Site.id).order_by(Site.id)
    if esketamine:
        query = query.where(Site.esketamine_certified.is_(True))
    return list(session.scalars(query))


def planning_problem(session: OrmSession, site, protocol: Protocol, types: dict, patient, prefs: Preferences,
                     first: date, now: datetime, fixed=(), fixed_therapy=None, ignore_sessions=(),
                     short: bool = False) -> PlanningProblem:
    """The planner's input: the clinic near the horizon, less any sessions being re-planned."""
    days = horizon_days(protocol, short)
    zone = site.calendar.zone
    span = Interval(day_start(first, zone), day_start(first + timedelta(days=days + 1), zone))
    state = daycache.snapshot(session, site.id, span, {patient.id})
    windows = None
    if ignore_sessions:
        state = _without(state, set(ignore_sessions))
    else:
        # The clinic as stored: the free windows kept per day serve it.
        def windows(stype, first_day, last_day, patient_id):
            return cached_free_windows(session, site, stype, first_day, last_day, now, patient_id)
    return PlanningProblem(protocol, types, state, patient, prefs, first, days, now, tuple(fixed),
                           dict(fixed_therapy or {}), explain=not short, windows=windows)


def _without(state, session_ids: set[int]):
    """The clinic as if some sessions (those being re-planned) were not there."""
    copy = state.copy()
    copy.sessions = [s for s in copy.sessions if s.id not in session_ids]
    copy.roster.duties = {k: [d for d in v if d.session_id not in session_ids] for k, v in copy.roster.duties.items()}
    return copy


def _usual_start(plan: Plan, zone: str) -> time:
    return local(min(s.start for s in plan.sessions if s.purpose == "dose"), zone).time().replace(tzinfo=None)


def _distinct(plans: list[Plan]) -> list[Plan]:
    seen, kept = set(), []
    for plan in plans:
        key = tuple(sorted(s.start for s in plan.sessions if s.purpose == "dose"))
        if key not in seen:
            seen.add(key)
            kept.append(plan)
    return kept
