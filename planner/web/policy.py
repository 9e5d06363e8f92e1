"""The admin's staffing policy page: each rule per site and route, its floor and the clinic's value (issue 12, part 1)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from planner.domain.errors import CoverBroken, InvalidData, NotFound
from planner.domain.policy import (
    DOSING_ROUTES, FIELD_NAMES, LIMIT_NAMES, ROUTE_RATIOS, RoutePolicy, below_floor, changed, limits_below_floor,
)
from planner.services.policy_inputs import PolicyChange
from planner.services.staffing_policy import change_policy, policy_sites, site_policy
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required

policy_page = Blueprint("policy", __name__)

ROUTE_NAMES = {"IV": "IV infusion", "IM": "IM (KAP)", "intranasal": "Esketamine (intranasal)",
               "sublingual": "Sublingual (KAP)"}
_COUNTS = ("acls_on_site", "bls_on_site")
_RATIOS = ("supervising_prescriber", "monitoring_clinician")


@policy_page.route("/policy", methods=["GET", "POST"])
@roles_required("admin")
def staffing_policy():
    """Show a site's staffing policy; on POST change it, or show each error beside its field (422, 409)."""
    sites = policy_sites()
    if not sites:
        return render_template("policy/policy.html", sites=[], policy=None, errors={}, broken=[], values={})
    site_id = request.values.get("site", type=int) or sites[0][0]
    try:
        policy = site_policy(site_id)
    except NotFound:
        abort(404)
    errors: dict[str, str] = {}
    broken: list[str] = []
    values = _values(policy)
    status = 200
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in _names()}
        values.update({f"routes.{r}.distinct_monitor": request.form.get(f"routes.{r}.distinct_monitor") == "on"
                       for r in DOSING_ROUTES})
        try:
            change_policy(site_id, _change(values, errors), actor(), now())
        except InvalidData as invalid:
            errors.update({problem.field: problem.message for problem in invalid.problems})
            status = 422
        except CoverBroken as refused:
            broken = [reason.message for reason in refused.reasons]
            status = 409
        else:
            flash("Saved. Every booking, move and change from now on is held to this policy.", "success")
            return redirect(url_for("policy.staffing_policy", site=site_id))
    page = render_template("policy/policy.html", sites=sites, policy=policy, errors=errors, broken=broken,
                           values=values, routes=DOSING_ROUTES, route_names=ROUTE_NAMES, field_names=FIELD_NAMES,
                           limit_names=LIMIT_NAMES, ratios=_RATIOS, route_ratios=ROUTE_RATIOS)
    return page, status


def _names() -> list[str]:
    return ([f"routes.{r}.{name}" for r in DOSING_ROUTES for name in _COUNTS] + [f"limits.{role}" for role in _RATIOS]
            + _route_ratio_names())


def _route_ratio_names() -> list[str]:
    # A route's own ratio: a box left empty follows the site's ratio.
    return [f"routes.{r}.limits.{role}" for r in DOSING_ROUTES for role in ROUTE_RATIOS]


def _values(policy: dict) -> dict:
    values: dict = {f"routes.{r}.{name}": str(policy["routes"][r][name]) for r in DOSING_ROUTES for name in _COUNTS}
    values.update({f"routes.{r}.distinct_monitor": policy["routes"][r]["distinct_monitor"] for r in DOSING_ROUTES})
    values.update({f"limits.{role}": str(policy["limits"][role]) for role in _RATIOS})
    values.update({f"routes.{r}.limits.{role}": "" if policy["routes"][r]["limits"][role] is None
                   else str(policy["routes"][r]["limits"][role]) for r in DOSING_ROUTES for role in ROUTE_RATIOS})
    return values


def _change(values: dict, errors: dict) -> PolicyChange:
    """The form as the API's body; a box that holds no whole number is an error beside it."""
    routes: dict = {r: {"limits": {}} for r in DOSING_ROUTES}
    limits: dict = {}
    own = set(_route_ratio_names())
    for name in _names():
        text = values[name].strip()
        parts = name.split(".")
        if name in own and not text:
            routes[parts[1]]["limits"][parts[3]] = None  # empty: the site's ratio applies to the route
            continue
        if not text.isdigit() or len(text) > 3:
            errors[name] = "Enter a whole number." + (" Leave it empty for the site's ratio." if name in own else "")
            continue
        if name in own:
            routes[parts[1]]["limits"][parts[3]] = int(text)
        elif parts[0] == "routes":
            routes[parts[1]][parts[2]] = int(text)
        else:
            limits[parts[1]] = int(text)
    for r in DOSING_ROUTES:
        routes[r]["distinct_monitor"] = values[f"routes.{r}.distinct_monitor"]
    if errors:
        # The other boxes still get their floor's words, so the admin fixes everything in one go.
        found = limits_below_floor(limits)
        found += [reason for r, part in routes.items() if set(_COUNTS) <= set(part)
                  for reason in below_floor(r, changed(RoutePolicy(), part))]
        errors.update({reason.field: reason.message for reason in found})
        raise InvalidData([])
    return parse(PolicyChange, {"routes": routes, "limits": limits})
