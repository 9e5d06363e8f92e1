"""Proposing a course: the best safe plan for a patient and protocol, and up to two alternatives."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.domain.calendar import local
from planner.domain.clinic import Patient, Site
from planner.domain.errors import BookingRefused, InvalidData, Reason
from planner.domain.patients import dosing_readiness
from planner.domain.planning import Plan, PlanningProblem, Preferences, plan_course
from planner.domain.planning.horizon import horizon_days
from planner.domain.protocols import Protocol
from planner.services.course_inputs import PreferencesIn
from planner.services.protocols import active_protocol


@dataclass
class Proposal:
    """The plans offered for a course (best first), or why there are none, and where and why there."""

    patient_id: int
    protocol: Protocol
    first_day: date
    plans: list[Plan] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    site_note: str = ""  # which site the plans are at, and why that one


def to_preferences(data: PreferencesIn) -> Preferences:
    """Domain preferences from validated input."""
    return Preferences(frozenset(data.weekdays) if data.weekdays else None, data.time_of_day, data.site_id,
                       data.therapist_id, frozenset(data.blocked_days), data.earliest)


def propose_course(patient_id: int, protocol_key: str, preferences: PreferencesIn, now: datetime,
                   start: date | None = None) -> Proposal:
    """The best plan under every hard rule plus up to two distinct alternatives, or the binding constraints.

    Plans are made at the patient's home site unless reception asks for another site, or the
    home site cannot take the course in the horizon; the proposal's site_note says which.
    """
    prefs = to_preferences(preferences)
    with reads.reading() as session:
        patient = ready_patient(session, patient_id)
        _, protocol = active_protocol(session, protocol_key)
        types = protocol_types(session, protocol)
        proposal = Proposal(patient_id, protocol, start or now.date())
        esketamine = types[protocol.dosing_type].is_esketamine
        asked, home, others = _sites(session, prefs, patient, esketamine)
        home_reasons: list[str] = []
        if asked is None and home is not None:
            proposal.plans, home_reasons = _plan_at([home], session, protocol, types, patient, prefs, start, now,
                                                    proposal)
        if not proposal.plans:
            proposal.plans, why = _plan_at([asked] if asked else others, session, protocol, types, patient, prefs,
                                           start, now, proposal)
            # With no plan anywhere, the home site's own reasons are the ones reception needs first.
            proposal.reasons = [] if proposal.plans else home_reasons or why
        proposal.site_note = _site_note(asked, home, patient, proposal, esketamine, home_reasons)
        return proposal


def _plan_at(sites: list[Site], session: OrmSession, protocol: Protocol, types: dict, patient: Patient,
             prefs: Preferences, start: date | None, now: datetime,
             proposal: Proposal) -> tuple[list[Plan], list[str]]:
    """The best three distinct plans these sites offer, best first, and why the first site without one has none."""
    options: list[Plan] = []
    why: list[str] = []
    for site in sites:
        found, reasons = _plans_at(session, site, protocol, types, patient, prefs, start, now, proposal)
        options += found
        if reasons and not why:
            why = [f"{site.name}: {reason}" for reason in reasons]
    return _distinct(sorted(options, key=lambda plan: plan.score))[:3], why


def _plans_at(session: OrmSession, site: Site, protocol: Protocol, types: dict, patient: Patient, prefs: Preferences,
              start: date | None, now: datetime, proposal: Proposal) -> tuple[list[Plan], tuple[str, ...]]:
    """The plans one site offers (the best, and the other half of the day when any time suits), or why none."""
    first = max(start or local(now, site.calendar.zone).date(), prefs.earliest or date.min)
    proposal.first_day = first
    problem = _problem(session, site, protocol, types, patient, prefs, first, now, short=True)
    result = plan_course(problem)
    if not isinstance(result, Plan) and problem.horizon_days < horizon_days(protocol):
        problem = _problem(session, site, protocol, types, patient, prefs, first, now, short=False)
        result = plan_course(problem)
    if not isinstance(result, Plan):
        return [], result.reasons
    found = [result]
    if prefs.time_of_day == "any":
        other = "afternoon" if _usual_start(result, site.calendar.zone) < time(12) else "morning"
        flipped = plan_course(replace(problem, preferences=replace(prefs, time_of_day=other)))
        if isinstance(flipped, Plan):
            found.append(flipped)
    return found, ()


def _problem(session: OrmSession, site: Site, protocol: Protocol, types: dict, patient: Patient, prefs: Preferences,
             first: date, now: datetime, short: bool) -> PlanningProblem:
    days = horizon_days(protocol, short)
    clinic = reads.for_planning(session, site, first, days, patient.id, now)
    return PlanningProblem(protocol, types, clinic.state, patient, prefs, first, days, now,
                           explain=not short, windows=clinic.windows)


def ready_patient(session: OrmSession, patient_id: int) -> Patient:
    """The patient, if their screening is cleared and consent signed; BookingRefused says what is missing."""
    patient = reads.patient(session, patient_id)
    if patient is None:
        raise InvalidData([Reason("unknown", f"No patient with id {patient_id}.", "patient_id")])
    reasons = dosing_readiness(patient)
    if reasons:
        raise BookingRefused(reasons)
    return patient


def protocol_types(session: OrmSession, protocol: Protocol) -> dict:
    """Every session type by key, after checking the protocol names only types the clinic has."""
    types = reads.session_types(session)
    missing = {protocol.dosing_type, *(t.session_type for t in protocol.therapy)} - set(types)
    if missing:
        raise InvalidData([Reason("unknown", f"The clinic has no session type {key!r}.", "protocol")
                           for key in sorted(missing)])
    return types


def _sites(session: OrmSession, prefs: Preferences, patient: Patient,
           esketamine: bool) -> tuple[Site | None, Site | None, list[Site]]:
    """The site reception asked for, else the patient's home site and the others that may take the course."""
    if prefs.site_id is not None:
        asked = reads.site(session, prefs.site_id)
        if asked is None:
            raise InvalidData([Reason("unknown", f"No site with id {prefs.site_id}.", "preferences.site_id")])
        return asked, None, []
    candidates = [reads.site(session, site_id) for site_id in reads.site_ids(session, esketamine)]
    home = next((site for site in candidates if site.id == patient.home_site_id), None)
    return None, home, [site for site in candidates if site is not home]


def _site_note(asked: Site | None, home: Site | None, patient: Patient, proposal: Proposal, esketamine: bool,
               home_reasons: list[str]) -> str:
    """Which site the plans are at and why there, in the clinic's words."""
    if asked is not None:
        return f"Planned at {asked.name}, as asked."
    where = {plan.sessions[0].site_id for plan in proposal.plans}
    if home is not None and where == {home.id}:
        return f"Planned at the patient's home site, {home.name}."
    if patient.home_site_id is None:
        return "The patient has no home site: plans come from every site."
    if home is None:
        why = "is not certified to give esketamine (REMS)" if esketamine else "is not a site of the clinic"
        return f"The patient's home site {why}; plans come from the other sites."
    if not proposal.plans:
        return f"No site can take the course in the window, the patient's home site {home.name} included."
    why = f" ({home_reasons[0].removeprefix(home.name + ': ')})" if home_reasons else ""
    return (f"The patient's home site, {home.name}, cannot take the course in the window{why}; "
            "these plans are at another site.")


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
