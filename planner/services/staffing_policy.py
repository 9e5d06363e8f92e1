"""A site's staffing policy: read it, and change it within the floor, never under sessions booked ahead.

A change below the floor is refused (InvalidData, 422, naming the field) before anything is
written. An accepted change is made in the transaction, then every session booked ahead at the
site is checked again by the booking rules against the policy as the change leaves it; the
change is refused (CoverBroken, 409) naming each session it would break, as setup changes are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from planner.db import reads
from planner.db.models import Session, Site, StaffingLimit, StaffingPolicy
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain import clinic as dom
from planner.domain.booking import check_session
from planner.domain.errors import InvalidData, NotFound
from planner.domain.policy import (
    DOSING_ROUTES, FIXED_RULES, FLOOR, LIMIT_CEILINGS, LIMIT_NAMES, as_dict, below_floor,
    changed, limits_below_floor, policy_for,
)
from planner.domain.presence import PRESENCE_CODES
from planner.domain.staffing import DEFAULT_LIMITS, MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER
from planner.services import Actor
from planner.services.audit import record
from planner.services.policy_inputs import PolicyChange
from planner.services.setup_changes import booked_ahead, refuse_broken

# What a policy change can break in a session booked at the site.
BROKEN_BY_POLICY = {"staff_over_capacity", "one_person_two_roles", *PRESENCE_CODES}


def site_policy(site_id: int) -> dict:
    """A site's policy as the API and the page show it: each route's values, the ratios, the floor and the hard rules."""
    with reads.reading() as session:
        site = reads.site(session, site_id)
        if site is None:
            raise NotFound("site", site_id)
        return described(site)


def described(site: dom.Site) -> dict:
    """The policy of a site's rules in plain values."""
    return {
        "site_id": site.id, "site": site.name, "distinct_roles": site.distinct_roles,
        "routes": {route: {**as_dict(policy_for(site.policies, route)),
                           "ratios": {role: site.ratios.limit(role, route) for role in LIMIT_NAMES}}
                   for route in DOSING_ROUTES},
        "limits": {role: site.limits.get(role, DEFAULT_LIMITS[role]) for role in LIMIT_NAMES},
        "floor": {"routes": as_dict(FLOOR), "limits": {"ceilings": dict(LIMIT_CEILINGS), "defaults": dict(DEFAULT_LIMITS)}},
        "fixed": [{"route": route, "rule": rule} for route, rule in FIXED_RULES],
    }


def change_policy(site_id: int, change: PolicyChange, actor: Actor, now: datetime) -> dict:
    """Change a site's policy, refused below the floor (422) or when a session booked ahead would lose cover (409)."""
    with unit_of_work() as session:
        row = session.get(Site, site_id)
        if row is None:
            raise NotFound("site", site_id)
        current = reads.site_as_changed(session, site_id)
        routes = {route: changed(policy_for(current.policies, route), _values(part))
                  for route, part in (change.routes or {}).items()}
        problems = [reason for route, policy in routes.items() for reason in below_floor(route, policy)]
        problems += limits_below_floor(change.limits or {})
        if problems:
            raise InvalidData(problems)
        lock_for_booking(session, site_ids={site_id})
        booked = booked_ahead(session, Session.site_id == site_id, now)
        before = described(current)
        _write(session, row, routes, change.limits or {}, now)
        session.flush()
        session.expire(row)
        after_site = reads.site_as_changed(session, site_id)
        requests = [(key, _at(request, after_site)) for key, request in booked]
        states = reads.for_rechecking(session, [request for _, request in requests])
        found = {key: [r for r in check_session(request, state, now, key) if r.code in BROKEN_BY_POLICY]
                 for (key, request), state in zip(requests, states)}
        refuse_broken(requests, lambda key, _: found[key])
        after = described(after_site)
        record(session, actor, "staffing_policy.changed", "site", site_id, now,
               before={k: before[k] for k in ("routes", "limits") if before[k] != after[k]},
               after={k: after[k] for k in ("routes", "limits") if before[k] != after[k]})
        session.commit()
        return after


def _write(session, row: Site, routes: dict, limits: dict[str, int], now: datetime) -> None:
    stored = {p.route: p for p in session.scalars(select(StaffingPolicy).where(StaffingPolicy.site_id == row.id))}
    for route, policy in routes.items():
        found = stored.get(route)
        if found is None:
            found = StaffingPolicy(site_id=row.id, route=route)
            session.add(found)
        found.acls_on_site, found.bls_on_site = policy.acls_on_site, policy.bls_on_site
        found.distinct_monitor, found.updated_at = policy.distinct_monitor, now
        found.supervising_prescriber_limit = policy.limits.get(SUPERVISING_PRESCRIBER)
        found.monitoring_clinician_limit = policy.limits.get(MONITORING_CLINICIAN)
    kept = {limit.role: limit for limit in row.limits}
    for role, value in limits.items():
        if role in kept:
            kept[role].max_concurrent = value
        else:
            row.limits.append(StaffingLimit(role=role, max_concurrent=value))


def _values(part) -> dict:
    """A route's change as field values: a field left out keeps its value; a ratio given as null is cleared."""
    values = part.model_dump(exclude_none=True, exclude={"limits"})
    if part.limits is not None:
        values["limits"] = dict(part.limits)
    return values


def _at(request: dom.SessionRequest, site: dom.Site) -> dom.SessionRequest:
    return dom.SessionRequest(request.patient, site, request.session_type, request.start, request.room_id,
                              request.placements)




def policy_sites() -> list[tuple[int, str]]:
    """The sites in service, (id, name), for the policy page's choice of site."""
    with reads.reading() as session:
        return [(site_id, reads.site(session, site_id).name) for site_id in reads.site_ids(session)]
