"""The booking rules: every reason a single session cannot take a place."""

from __future__ import annotations

from datetime import datetime

from planner.domain.calendar import local
from planner.domain.clinic import (
    CAPABILITY_NAMES,
    BookedSession,
    ClinicState,
    Placement,
    SessionRequest,
)
from planner.domain.errors import Reason
from planner.domain.patients import dosing_readiness
from planner.domain.policy import one_role_each
from planner.domain.presence import presence_reasons
from planner.domain.rems import esketamine_reasons
from planner.domain.supervision import floor_breaches
from planner.domain.staffing import (
    CREDENTIAL_NAMES,
    FULL_LOAD,
    ROLE_NAMES,
    Duty,
    peak_load,
)


def _span(request: SessionRequest, start: datetime, end: datetime) -> str:
    zone = request.site.calendar.zone
    return f"{local(start, zone):%a %d %b %H:%M}–{local(end, zone):%H:%M}"


def check_session(request: SessionRequest, state: ClinicState, now: datetime,
                  ignore_session_id: int | None = None) -> list[Reason]:
    """Every reason the request cannot be booked; an empty list means it can."""
    others = [s for s in state.sessions if s.id != ignore_session_id]
    reasons: list[Reason] = []
    reasons += _time_reasons(request, now)
    reasons += _room_reasons(request, state, others)
    reasons += _rems_reasons(request)
    if request.session_type.is_dosing:
        # Judged on the dose's own day in the site's zone: a consent expiring before it does not hold.
        reasons += dosing_readiness(request.patient, request.site.calendar.local_day(request.start))
        # A type stored before the floor existed (or written around the application) is not booked.
        reasons += [Reason("type_below_floor", f"{request.session_type.name} is below the supervision floor: "
                           f"{breach.message}", "session_type_id") for breach in floor_breaches(request.session_type)]
    reasons += _staff_reasons(request, state, ignore_session_id)
    reasons += presence_reasons(request, state)
    reasons += _patient_reasons(request, others)
    return reasons


def _time_reasons(request: SessionRequest, now: datetime) -> list[Reason]:
    reasons = []
    if request.start < now:
        reasons.append(Reason("starts_in_past", "The session would start in the past.", "start"))
    if not request.site.active:
        return [*reasons, Reason("site_inactive", f"{request.site.name} is no longer in service.", "site_id")]
    closed = request.site.calendar.why_closed(request.window)
    if closed:
        reasons.append(Reason("site_closed", closed, "start"))
    return reasons


def _room_reasons(request: SessionRequest, state: ClinicState, others: list[BookedSession]) -> list[Reason]:
    needed = request.session_type.room_capability
    if request.room_id is None:
        if needed:
            return [Reason("room_missing", f"This session needs a room with {CAPABILITY_NAMES.get(needed, needed)}.",
                           "room_id")]
        return []
    room = state.rooms.get(request.room_id)
    if room is None or room.site_id != request.site.id:
        return [Reason("room_not_at_site", f"Room {request.room_id} is not a room of {request.site.name}.", "room_id")]
    reasons = []
    if not room.active:
        reasons.append(Reason("room_inactive", f"{room.name} is out of service.", "room_id"))
    if needed and needed not in room.capabilities:
        reasons.append(Reason("room_lacks_capability",
                              f"{room.name} has no {CAPABILITY_NAMES.get(needed, needed).removeprefix('a ').removeprefix('an ')}.",
                              "room_id"))
    for other in others:
        if other.room_id == room.id and other.window.overlaps(request.window):
            reasons.append(Reason("room_taken", f"{room.name} is taken {_span(request, other.window.start, other.window.end)} "
                                                "by another session.", "room_id"))
            break
    return reasons


def _rems_reasons(request: SessionRequest) -> list[Reason]:
    # Spravato REMS: only at a certified site, for a patient enrolled before the session.
    return esketamine_reasons(request.session_type, request.site, request.patient.rems_enrolled_on,
                              request.site.calendar.local_day(request.start))


def _staff_reasons(request: SessionRequest, state: ClinicState, ignore_session_id: int | None) -> list[Reason]:
    reasons = []
    stype, site = request.session_type, request.site
    day = site.calendar.local_day(request.start)
    by_role: dict[str, list[Placement]] = {}
    for placement in request.placements:
        by_role.setdefault(placement.role, []).append(placement)
    needs = {need.role: need for need in stype.needs}
    for role in by_role:
        if role not in needs:
            reasons.append(Reason("role_not_needed", f"A {stype.name} session has no {ROLE_NAMES.get(role, role)} role.",
                                  "assignments"))
    for need in stype.needs:
        role_name = ROLE_NAMES.get(need.role, need.role)
        placed = by_role.get(need.role, [])
        if not placed:
            reasons.append(Reason("role_missing", f"No {role_name} is assigned.", "assignments"))
            continue
        if len(placed) > 1:
            reasons.append(Reason("role_twice", f"Only one {role_name} can be assigned.", "assignments"))
        window = stype.role_window(request.start, need)
        for placement in placed:
            member = state.roster.staff.get(placement.staff_id)
            if member is None or not member.active:
                reasons.append(Reason("staff_unknown", f"Staff member {placement.staff_id} is not active staff.",
                                      "assignments"))
                continue
            who = member.label()
            if not member.disciplines & need.disciplines:
                allowed = ", ".join(sorted(need.disciplines))
                reasons.append(Reason("staff_wrong_discipline", f"{who} cannot act as {role_name}: needs {allowed}.",
                                      "assignments"))
            for kind in member.missing_credentials(need.credentials, day):
                reasons.append(Reason("credential_not_valid",
                                      f"{who} has no valid {CREDENTIAL_NAMES.get(kind, kind)} on {day:%d %b %Y}.",
                                      "assignments"))
            if not member.on_shift(site.id, window):
                reasons.append(Reason("staff_off_shift",
                                      f"{who} is not on shift at {site.name} {_span(request, window.start, window.end)}.",
                                      "assignments"))
            elif member.on_shift_elsewhere(site.id, window):
                # One person is at one site at a time: a shift elsewhere then means they are not here.
                reasons.append(Reason("staff_at_another_site",
                                      f"{who} is also on shift at another site during the session.", "assignments"))
            if member.on_leave(window):
                reasons.append(Reason("staff_on_leave", f"{who} is on leave during the session.", "assignments"))
            duties = [d for d in state.roster.duties_near(member.id, request.window)
                      if ignore_session_id is None or d.session_id != ignore_session_id]
            # Every role this person takes in this very session counts, not only this one.
            duties += [Duty(stype.role_window(request.start, needs[p.role]), p.role, None, stype.route)
                       for p in request.placements if p.staff_id == member.id and p.role in needs]
            # Each duty weighs by its own session's route ratio (the route's policy, else the site's).
            if peak_load(duties, window, site.ratios) > FULL_LOAD:
                limit = site.ratios.limit(need.role, stype.route)
                reasons.append(Reason("staff_over_capacity",
                                      f"{who} would carry more than {limit} concurrent patient"
                                      f"{'s' if limit != 1 else ''} as {role_name} or the equivalent across roles.",
                                      "assignments"))
    if one_role_each(site, stype):
        seen: dict[int, str] = {}
        for placement in request.placements:
            if placement.staff_id in seen and seen[placement.staff_id] != placement.role:
                member = state.roster.staff.get(placement.staff_id)
                name = member.name if member else str(placement.staff_id)
                reasons.append(Reason("one_person_two_roles",
                                      f"{name} cannot be both {ROLE_NAMES.get(seen[placement.staff_id])} and "
                                      f"{ROLE_NAMES.get(placement.role)} in one session.", "assignments"))
            seen.setdefault(placement.staff_id, placement.role)
    return reasons


def _patient_reasons(request: SessionRequest, others: list[BookedSession]) -> list[Reason]:
    reasons = []
    mine = [other for other in others if other.patient_id == request.patient.id]
    for other in mine:
        if other.window.overlaps(request.window):
            reasons.append(Reason("patient_double_booked", f"The patient already has a session "
                                  f"{_span(request, other.window.start, other.window.end)}.", "patient_id"))
            break
    if request.session_type.is_dosing:
        # One dosing session a day, whichever site gives it: the site's local day of this session.
        calendar = request.site.calendar
        day = calendar.local_day(request.start)
        for other in mine:
            if other.dosing and calendar.local_day(other.window.start) == day:
                where = "" if other.site_id == request.site.id else " at another site"
                reasons.append(Reason("patient_dosed_that_day", f"The patient already has a dosing session{where} "
                                      f"on {day:%a %d %b} ({_span(request, other.window.start, other.window.end)}); "
                                      "only one dose a day.", "start"))
                break
    return reasons


def as_booked(request: SessionRequest, session_id: int) -> BookedSession:
    """The booked form of an accepted request, to count it in a snapshot."""
    duties = []
    needs = {need.role: need for need in request.session_type.needs}
    for placement in request.placements:
        need = needs.get(placement.role)
        window = request.session_type.role_window(request.start, need) if need else request.window
        duties.append((placement.staff_id, Duty(window, placement.role, session_id, request.session_type.route)))
    return BookedSession(session_id, request.patient.id, request.site.id, request.room_id,
                         request.window, tuple(duties), request.session_type.is_dosing)


def cover_reasons(request: SessionRequest, state: ClinicState, staff_id: int,
                  ignore_session_id: int | None = None) -> list[Reason]:
    """Why one person can no longer fill their roles in a booked session (empty when they still can).

    Used when shifts, time off or credentials change under sessions already booked.
    """
    mine = SessionRequest(request.patient, request.site, request.session_type, request.start, request.room_id,
                          tuple(p for p in request.placements if p.staff_id == staff_id))
    # Whether or not they are in its team, the person may have been its ACLS or second BLS holder on site.
    return [r for r in _staff_reasons(mine, state, ignore_session_id) if r.code != "role_missing"] + \
        presence_reasons(request, state)


def team_cover_reasons(request: SessionRequest, state: ClinicState, ignore_session_id: int | None = None) -> list[Reason]:
    """Why a booked session's whole team no longer covers it, every person and role at once (role_missing too).

    One pass for the team instead of cover_reasons per person: the daily coverage check judges thousands.
    """
    return _staff_reasons(request, state, ignore_session_id) + presence_reasons(request, state)
