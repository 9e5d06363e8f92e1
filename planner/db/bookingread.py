"""The snapshot a booking decision reads: sessions, placements and shifts fresh, configuration kept.

Sessions and placements are what the booking lock protects, so they are read under it, in one
round trip with the people's shifts. Rooms, staff, credentials and leave come from the copy kept
under the configuration mark (planner/db/configcache.py). The result equals db/state.clinic_state.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session as OrmSession

from planner.db.configcache import current_config
from planner.db.fastread import NO_ROLE, fetch, instant, marks
from planner.db.state import LIVE, LONGEST
from planner.domain import clinic as dom
from planner.domain.intervals import Interval
from planner.domain.staffing import Duty, Roster, Shift as ShiftBlock, StaffMember


def booking_state(session: OrmSession, site: dom.Site, span: Interval, staff_ids: set[int],
                  patient_ids: set[int]) -> dom.ClinicState:
    """What clinic_state(session, site, span, staff_ids, patient_ids) reads, in one or two round trips."""
    config = current_config(session)
    staff = sorted(s for s in staff_ids if s in config.members)
    patients = sorted(patient_ids)
    near = [span.start - LONGEST, span.end, span.start]
    wide = [span.start - 2 * LONGEST, span.end + LONGEST, span.start - LONGEST]
    booked = ("SELECT 0, id, patient_id, site_id, room_id, starts_at, ends_at, {role} FROM sessions "
              f"WHERE {LIVE} AND starts_at >= ? AND starts_at < ? AND ends_at > ? AND ")
    parts = [booked.format(role=NO_ROLE) + "site_id = ?"]
    params = near + [site.id]
    if patients:
        parts.append(booked.format(role=NO_ROLE) + f"patient_id IN ({marks(len(patients))})")
        params += near + patients
    if staff:
        parts.append("SELECT 1, staff_id, session_id, 0, 0, starts_at, ends_at, role FROM session_staff "
                     f"WHERE staff_id IN ({marks(len(staff))}) AND starts_at >= ? AND starts_at < ? AND ends_at > ?")
        params += staff + near
        # Shifts a little beyond the span, so shifts that adjoin at its edges still join up.
        parts.append(f"SELECT 2, staff_id, site_id, 0, 0, starts_at, ends_at, {NO_ROLE} FROM shifts "
                     f"WHERE staff_id IN ({marks(len(staff))}) AND starts_at >= ? AND starts_at < ? AND ends_at > ?")
        params += staff + wide
    sessions: dict[int, dom.BookedSession] = {}
    found_duties, shifts = [], defaultdict(list)
    for kind, a, b, c, d, starts, ends, role in fetch(session, " UNION ALL ".join(parts), params):
        if kind == 0:
            sessions[a] = dom.BookedSession(a, b, c, d, Interval.trusted(instant(starts), instant(ends)))
        elif kind == 1:
            found_duties.append((a, b, starts, ends, role))
        else:
            shifts[a].append(ShiftBlock(b, Interval(instant(starts), instant(ends))))
    # A placement counts while its session holds its place; sessions not read above are asked for.
    holding = set(sessions)
    unknown = sorted({row[1] for row in found_duties} - holding)
    for chunk in range(0, len(unknown), 900):
        part = unknown[chunk:chunk + 900]
        holding |= {row[0] for row in fetch(session, f"SELECT id FROM sessions WHERE id IN ({marks(len(part))}) "
                                                     f"AND {LIVE}", part)}
    duties = defaultdict(list)
    for staff_id, session_id, starts, ends, role in found_duties:
        if session_id in holding:
            duties[staff_id].append(Duty(Interval.trusted(instant(starts), instant(ends)), role, session_id))
    members = {}
    for staff_id in staff:
        name, disciplines, active = config.members[staff_id]
        members[staff_id] = StaffMember(staff_id, name, disciplines, config.credentials.get(staff_id, ()),
                                        tuple(shifts[staff_id]), config.leave_in(staff_id, span), active)
    return dom.ClinicState(site, config.site_rooms(site.id), Roster(members, dict(duties)), list(sessions.values()))
