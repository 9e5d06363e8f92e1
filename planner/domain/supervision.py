"""The supervision floor: the least staffing, equipment and observation a dosing session type may ask for.

A clinic may raise every part of it (more credentials, fewer disciplines, longer observation),
never drop it. Numbers and sources are in docs/domain.md ("The supervision floor").
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.clinic import CAPABILITY_NAMES, SessionType
from planner.domain.errors import Reason
from planner.domain.staffing import (
    CREDENTIAL_NAMES, MONITORING_CLINICIAN, PRESCRIBERS, ROLE_NAMES, SUPERVISING_PRESCRIBER, THERAPIST, WHOLE,
)

MONITORS = frozenset({"RN", "NP", "CRNA", "MD", "DO", "PA"})
THERAPISTS = frozenset({"therapist", "MD", "DO", "NP"})


@dataclass(frozen=True)
class RoleFloor:
    """A role every session of the route needs, who may fill it and what they must hold."""

    role: str
    disciplines: frozenset[str]  # the role may be limited to fewer of these, never widened beyond them
    credentials: frozenset[str]  # the role must ask for at least these


@dataclass(frozen=True)
class RouteFloor:
    """The floor for one drug route."""

    roles: tuple[RoleFloor, ...]
    room_capability: str
    observation_minutes: int


def _prescriber(*credentials: str) -> RoleFloor:
    return RoleFloor(SUPERVISING_PRESCRIBER, PRESCRIBERS, frozenset({"licence", *credentials}))


_MONITOR = RoleFloor(MONITORING_CLINICIAN, MONITORS, frozenset({"licence", "bls"}))
_THERAPIST = RoleFloor(THERAPIST, THERAPISTS, frozenset({"licence"}))

FLOORS = {
    # An independent practitioner on site and ACLS with the one who gives IV ketamine (GUIDE);
    # an infusion chair with pump and monitor; 30 min recovery at the least (CLINIC).
    "IV": RouteFloor((_prescriber("acls"), _MONITOR), "infusion_pump_monitor", 30),
    # Spravato REMS: prescriber on site, a pulse oximeter, at least 2 h observation (REG, label).
    "intranasal": RouteFloor((_prescriber("rems_training"), _MONITOR), "pulse_oximeter", 120),
    # Ketamine-assisted psychotherapy: a therapist 1:1 throughout, besides the medical cover (CLINIC).
    "IM": RouteFloor((_prescriber(), _MONITOR, _THERAPIST), "pulse_oximeter", 30),
    "sublingual": RouteFloor((_prescriber(), _MONITOR, _THERAPIST), "pulse_oximeter", 30),
}


_DOSE = {"IV": "An IV dose", "intranasal": "An esketamine (intranasal) dose", "IM": "An IM (KAP) dose",
         "sublingual": "A sublingual (KAP) dose"}


def floor_breaches(stype: SessionType) -> tuple[Reason, ...]:
    """Every way a dosing session type falls below the supervision floor (empty for a sound type or no dose)."""
    # Asked at every placement the planner tries: worked out once per type object (frozen, but a
    # memo is not part of its value, as StaffMember.shift_cover keeps its covers).
    found = stype.__dict__.get("_floor_breaches")
    if found is None:
        found = stype.__dict__["_floor_breaches"] = _breaches(stype)
    return found


def _breaches(stype: SessionType) -> tuple[Reason, ...]:
    if not stype.is_dosing:
        return ()
    floor = FLOORS.get(stype.route)
    if floor is None:
        return (Reason("dosing_route", "A dosing session needs its drug route: IV, IM, intranasal or sublingual.",
                       "route"),)
    reasons = []
    dose = _DOSE[stype.route]
    if stype.room_capability != floor.room_capability:
        needed = CAPABILITY_NAMES[floor.room_capability]
        reasons.append(Reason("floor_room", f"{dose} needs a room with {needed}.", "room_capability"))
    if stype.observation_minutes < floor.observation_minutes:
        reasons.append(Reason("floor_observation", f"{dose} needs at least {floor.observation_minutes} "
                              "minutes of observation after it.", "observation_minutes"))
    needs = {need.role: need for need in stype.needs}
    for role in floor.roles:
        name = ROLE_NAMES[role.role]
        need = needs.get(role.role)
        if need is None:
            reasons.append(Reason("floor_role", f"{dose} needs a {name}.", "role_requirements"))
            continue
        if need.part != WHOLE:
            reasons.append(Reason("floor_part", f"The {name} must cover the whole session, dose and observation.",
                                  "role_requirements"))
        wider = sorted(need.disciplines - role.disciplines)
        if not need.disciplines or wider:
            allowed = ", ".join(sorted(role.disciplines))
            reasons.append(Reason("floor_disciplines", f"The {name} may only be one of {allowed}"
                                  + (f" (not {', '.join(wider)})." if wider else "."), "role_requirements"))
        missing = sorted(role.credentials - need.credentials)
        if missing:
            names = ", ".join(CREDENTIAL_NAMES.get(kind, kind) for kind in missing)
            reasons.append(Reason("floor_credentials", f"The {name} must hold {names}.", "role_requirements"))
    return tuple(reasons)


def limit_breaches(limits: dict[str, int]) -> list[Reason]:
    """Site ratios that drop below the floor: a therapist stays with one dosing patient at a time (KAP, 1:1)."""
    if limits.get(THERAPIST, 1) != 1:
        return [Reason("floor_ratio", "A therapist is present 1:1 for a KAP dose: the therapist limit must be 1.",
                       f"limits.{THERAPIST}")]
    return []
