"""The clinic's staffing policy as data: per site and drug route, with the floor no clinic may drop below.

domain.md ("Supervision staffing") gives the defaults. The clinic may raise a rule (two ACLS
holders, three BLS holders, a monitor who never administers), never drop below the floor. The
hard rules that have nothing to raise (a prescriber on site for the whole window, a therapist
1:1 for KAP, esketamine only at a certified site for an enrolled patient in a room with a pulse
oximeter) are listed with the editable ones so the admin reads the whole policy in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from planner.domain.errors import Reason
from planner.domain.staffing import MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER, THERAPIST

DOSING_ROUTES = ("IV", "IM", "intranasal", "sublingual")
KAP_ROUTES = frozenset({"IM", "sublingual"})


@dataclass(frozen=True)
class RoutePolicy:
    """What every dosing session of one route at one site needs beyond its team."""

    acls_on_site: int = 1        # people on site with valid ACLS for the whole dose and observation
    bls_on_site: int = 2         # people on site with valid BLS or ACLS, the ACLS holder counted
    # The monitoring clinician is not the one administering, even where the site allows one person two roles.
    distinct_monitor: bool = False
    # The route's own ratios (concurrent dosing patients per person, by role); a role left out follows the site's.
    limits: dict[str, int] = field(default_factory=dict)


FLOOR = DEFAULT = RoutePolicy()  # domain.md's defaults are the floor: a clinic may only ask for more
# Above this a rule asks for more people than a site ever has on a shift: a typing slip, not a policy.
MOST_ON_SITE = 10

FIELD_NAMES = {
    "acls_on_site": "ACLS holders on site during every dose",
    "bls_on_site": "BLS holders on site during every dose (the ACLS holder counted)",
    "distinct_monitor": "Monitoring clinician distinct from the one administering",
    "limits": "Ratios for this route (empty: the site's)",
}
LIMIT_NAMES = {
    SUPERVISING_PRESCRIBER: "Concurrent dosing patients per supervising prescriber",
    MONITORING_CLINICIAN: "Concurrent dosing patients per monitoring clinician",
    THERAPIST: "Concurrent KAP dosing patients per therapist",
}
# The ratio ceilings: a person's load is counted in shares of 1 to 20 patients (staffing.FULL_LOAD),
# and a therapist stays with one KAP patient (domain.md, hard rule).
LIMIT_CEILINGS = {SUPERVISING_PRESCRIBER: 20, MONITORING_CLINICIAN: 20, THERAPIST: 1}
# The ratios a route may set for itself; the therapist stays 1:1 on every route.
ROUTE_RATIOS = (SUPERVISING_PRESCRIBER, MONITORING_CLINICIAN)

# Hard rules: nothing to raise, shown beside the editable ones (route None: every dosing route).
FIXED_RULES = (
    (None, "A prescriber is on site for the whole dose and observation window"),
    (None, "Every credential a rule relies on is valid on the session date"),
    ("IM", "A therapist is present 1:1 for the whole KAP dosing session"),
    ("sublingual", "A therapist is present 1:1 for the whole KAP dosing session"),
    ("intranasal", "Only at a REMS-certified site, for a patient enrolled before the session"),
    ("intranasal", "In a room with a pulse oximeter"),
    ("IV", "In an infusion chair with pump and monitor"),
)


def policy_for(policies: dict[str, RoutePolicy], route: str) -> RoutePolicy:
    """The policy of a route at a site: its row, or the defaults when the clinic stored none."""
    return policies.get(route, DEFAULT)


def one_role_each(site, session_type) -> bool:
    """True when one person may fill only one role in a session of this type at this site (a Site, a SessionType)."""
    return site.distinct_roles or (session_type.is_dosing
                                   and policy_for(site.policies, session_type.route).distinct_monitor)


def changed(policy: RoutePolicy, values: dict) -> RoutePolicy:
    """The policy with these fields changed (names checked by the caller's input model).

    values["limits"] changes only the ratios it names; a ratio given as None goes back to the site's.
    """
    values = dict(values)
    if "limits" in values:
        limits = {**policy.limits, **values["limits"]}
        values["limits"] = {role: n for role, n in limits.items() if n is not None}
    return replace(policy, **values)


def below_floor(route: str, policy: RoutePolicy) -> list[Reason]:
    """Every field of a route's policy that drops below the floor or above what a site can staff, by field."""
    reasons = []
    where = f"routes.{route}"
    if policy.acls_on_site < FLOOR.acls_on_site or policy.acls_on_site > MOST_ON_SITE:
        reasons.append(Reason("policy_below_floor", f"At least {FLOOR.acls_on_site} ACLS holder must be on site "
                              f"during every dose (at most {MOST_ON_SITE}).", f"{where}.acls_on_site"))
    reasons += limits_below_floor(policy.limits, f"{where}.limits")
    least_bls = max(FLOOR.bls_on_site, policy.acls_on_site)
    if policy.bls_on_site < least_bls or policy.bls_on_site > MOST_ON_SITE:
        reasons.append(Reason("policy_below_floor", f"At least {least_bls} BLS holders (the ACLS holders counted) "
                              f"must be on site during every dose (at most {MOST_ON_SITE}).", f"{where}.bls_on_site"))
    return reasons


def limits_below_floor(limits: dict[str, int], where: str = "limits") -> list[Reason]:
    """Ratios outside 1 to their ceiling (a therapist stays 1:1 with a KAP patient), by field under where."""
    reasons = []
    for role, value in sorted(limits.items()):
        ceiling = LIMIT_CEILINGS.get(role)
        if ceiling is None:
            reasons.append(Reason("policy_unknown_role", f"There is no ratio for {role}.", f"{where}.{role}"))
        elif role == THERAPIST and value != 1:
            reasons.append(Reason("floor_ratio", "A therapist is present 1:1 for a KAP dose: the therapist "
                                  "limit must be 1.", f"{where}.{role}"))
        elif not 1 <= value <= ceiling:
            reasons.append(Reason("policy_below_floor", f"{LIMIT_NAMES[role]} must be between 1 and {ceiling}.",
                                  f"{where}.{role}"))
    return reasons


def as_dict(policy: RoutePolicy) -> dict:
    """A route's policy as plain values (for the API, the audit log and the page)."""
    found = {f.name: getattr(policy, f.name) for f in fields(policy)}
    found["limits"] = {role: policy.limits.get(role) for role in ROUTE_RATIOS}  # None: the site's ratio applies
    return found
