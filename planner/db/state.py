"""Rows to domain objects: the snapshot a booking decision or a search reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.fastread import fetch, instant, marks
from planner.db.models import (
    Closure, Credential, OpeningHours, Patient, Room, SessionType, Shift, Site,
    Staff, StaffingLimit, TimeOff,
)
from planner.domain import clinic as dom
from planner.domain.calendar import OpeningHours as Hours
from planner.domain.calendar import SiteCalendar
from planner.domain.errors import NotFound
from planner.domain.intervals import Interval
from planner.domain.lifecycle import RELEASED
from planner.domain.staffing import DEFAULT_LIMITS
from planner.domain.staffing import Credential as Cred
from planner.domain.staffing import Duty, RoleNeed, Roster, Shift as ShiftBlock, StaffMember

_RELEASED = ", ".join(f"'{status}'" for status in sorted(RELEASED))
LIVE = f"status NOT IN ({_RELEASED})"  # SQL: the session still holds its time, room and staff

# No session or shift runs longer than this; it bounds index range scans so a
# lookup costs what lies near the window, not what lies in the whole table.
LONGEST = timedelta(hours=24)


def site_rules(session: OrmSession, site_id: int) -> dom.Site:
    """A site with its calendar and staffing policy, or NotFound."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    hours = session.execute(select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
                            .where(OpeningHours.site_id == site_id)).all()
    closures = session.scalars(select(Closure.day).where(Closure.site_id == site_id)).all()
    limits = dict(DEFAULT_LIMITS)
    limits.update(session.execute(select(StaffingLimit.role, StaffingLimit.max_concurrent)
                                  .where(StaffingLimit.site_id == site_id)).all())
    calendar = SiteCalendar(site.timezone, tuple(Hours(*row) for row in hours), frozenset(closures))
    return dom.Site(site.id, site.name, calendar, site.esketamine_certified, limits, site.distinct_roles,
                    site.slot_minutes)


def session_type_rules(row: SessionType) -> dom.SessionType:
    """The domain form of a session type row."""
    needs = tuple(RoleNeed(n["role"], frozenset(n.get("disciplines", ())), frozenset(n.get("credentials", ())),
                           n.get("part", "whole")) for n in row.role_requirements or ())
    return dom.SessionType(row.id, row.key, row.name, row.kind, row.route, row.active_minutes,
                           row.observation_minutes, row.room_capability, needs)


def load_session_type(session: OrmSession, type_id: int) -> dom.SessionType:
    """A session type by id, or NotFound."""
    row = session.get(SessionType, type_id)
    if row is None:
        raise NotFound("session type", type_id)
    return session_type_rules(row)


def patient_rules(row: Patient) -> dom.Patient:
    """The domain form of a patient row."""
    return dom.Patient(row.id, row.mrn, row.name, row.rems_enrolled_on)


def _near(column_start, column_end, span: Interval):
    return and_(column_start < span.end, column_end > span.start, column_start >= span.start - LONGEST)


def clinic_state(session: OrmSession, site: dom.Site, span: Interval, staff_ids: set[int] | None = None,
                 patient_ids: set[int] = frozenset()) -> dom.ClinicState:
    """Everything near span that decides bookings at a site: rooms, sessions, staff and their duties.

    staff_ids None means every member with a shift at the site in span (for searches).
    """
    rooms = {r.id: dom.Room(r.id, r.site_id, r.name, r.kind, frozenset(r.capabilities or ()), r.active)
             for r in session.scalars(select(Room).where(Room.site_id == site.id))}
    near = [span.start - LONGEST, span.end, span.start]
    booked = ("SELECT id, patient_id, site_id, room_id, starts_at, ends_at FROM sessions "
              f"WHERE {LIVE} AND starts_at >= ? AND starts_at < ? AND ends_at > ? AND ")
    rows = {r[0]: r for r in fetch(session, booked + "site_id = ?", near + [site.id])}
    if patient_ids:
        ids = sorted(patient_ids)
        rows.update({r[0]: r for r in fetch(session, booked + f"patient_id IN ({marks(len(ids))})", near + ids)})
    sessions = [dom.BookedSession(r[0], r[1], r[2], r[3], Interval.trusted(instant(r[4]), instant(r[5])))
                for r in rows.values()]
    if staff_ids is None:
        staff_ids = set(session.scalars(select(Shift.staff_id).where(
            Shift.site_id == site.id, _near(Shift.starts_at, Shift.ends_at, span)).distinct()))
    return dom.ClinicState(site, rooms, _roster(session, staff_ids, span, set(rows)), sessions)


def _roster(session: OrmSession, staff_ids: set[int], span: Interval, holding: set[int]) -> Roster:
    """Staff with credentials, shifts, leave and duties near span (holding: ids of sessions known to hold)."""
    if not staff_ids:
        return Roster()
    ids = sorted(staff_ids)
    creds, shifts, leave, duties = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for c in session.execute(select(Credential.staff_id, Credential.kind, Credential.issued_on, Credential.expires_on)
                             .where(Credential.staff_id.in_(ids))):
        creds[c.staff_id].append(Cred(c.kind, c.issued_on, c.expires_on))
    # Shifts a little beyond the span, so shifts that adjoin at its edges still join up.
    wide = Interval(span.start - LONGEST, span.end + LONGEST)
    for s in session.execute(select(Shift.staff_id, Shift.site_id, Shift.starts_at, Shift.ends_at)
                             .where(Shift.staff_id.in_(ids), _near(Shift.starts_at, Shift.ends_at, wide))):
        shifts[s.staff_id].append(ShiftBlock(s.site_id, Interval(s.starts_at, s.ends_at)))
    for t in session.execute(select(TimeOff.staff_id, TimeOff.starts_at, TimeOff.ends_at)
                             .where(TimeOff.staff_id.in_(ids), TimeOff.starts_at < span.end,
                                    TimeOff.ends_at > span.start)):
        leave[t.staff_id].append(Interval(t.starts_at, t.ends_at))
    # Read from a covering index alone; whether each duty's session still holds its place is
    # known for the sessions already loaded and asked of the database only for the others.
    found = fetch(session, "SELECT staff_id, starts_at, ends_at, session_id, role FROM session_staff "
                           f"WHERE staff_id IN ({marks(len(ids))}) AND starts_at >= ? AND starts_at < ? "
                           "AND ends_at > ?", ids + [span.start - LONGEST, span.end, span.start])
    unknown = sorted({row[3] for row in found} - holding)
    for chunk in range(0, len(unknown), 900):
        part = unknown[chunk:chunk + 900]
        holding |= {row[0] for row in fetch(session, f"SELECT id FROM sessions WHERE id IN ({marks(len(part))}) "
                                                     f"AND {LIVE}", part)}
    for staff_id, starts, ends, session_id, role in found:
        if session_id in holding:
            duties[staff_id].append(Duty(Interval.trusted(instant(starts), instant(ends)), role, session_id))
    members = {}
    for row in session.execute(select(Staff.id, Staff.name, Staff.disciplines, Staff.active).where(Staff.id.in_(ids))):
        members[row.id] = StaffMember(row.id, row.name, frozenset(row.disciplines or ()), tuple(creds[row.id]),
                                      tuple(shifts[row.id]), tuple(leave[row.id]), row.active)
    return Roster(members, dict(duties))
