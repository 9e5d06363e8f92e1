"""API for a site's staffing policy: read it, and change it within the floor (issue 12, part 1)."""

from __future__ import annotations

from flask import jsonify

from planner.services.policy_inputs import PolicyChange
from planner.services.staffing_policy import change_policy, site_policy
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body
from planner.web.api.describe import operation
from planner.web.api.schemas import Out


class RoutePolicyOut(Out):
    acls_on_site: int
    bls_on_site: int
    distinct_monitor: bool
    limits: dict[str, int | None]  # the route's own ratios; null: the site's applies


class RouteRulesOut(RoutePolicyOut):
    ratios: dict[str, int]  # the ratios its doses are held to: the route's own, else the site's


class RatioFloorOut(Out):
    ceilings: dict[str, int]
    defaults: dict[str, int]


class PolicyFloorOut(Out):
    routes: RoutePolicyOut
    limits: RatioFloorOut


class FixedRuleOut(Out):
    route: str | None
    rule: str


class PolicyOut(Out):
    """A site's policy: each route's rules, the ratios, the floor the clinic may not drop below, the hard rules."""

    site_id: int
    site: str
    distinct_roles: bool
    routes: dict[str, RouteRulesOut]
    limits: dict[str, int]
    floor: PolicyFloorOut
    fixed: list[FixedRuleOut]


_POLICY = {200: PolicyOut}


@api.get("/sites/<id:site_id>/policy")
@operation("admin", answers=_POLICY)
def staffing_policy(site_id: int):
    """A site's staffing policy per drug route, its ratios, and the floor each may not drop below."""
    return jsonify(site_policy(site_id))


@api.patch("/sites/<id:site_id>/policy")
@operation("admin", body=PolicyChange, answers=_POLICY, refusals=(409,))
def change_staffing_policy(site_id: int):
    """Raise (or relax to the floor) a site's staffing policy, unless that leaves a session booked ahead uncovered."""
    return jsonify(change_policy(site_id, body(PolicyChange), actor(), now()))
