"""The one routine that turns rows into a clinic snapshot, whichever read gave the rows.

A booking decision (rows read fresh under the lock), a search or a plan (rows from kept day
pieces) and the reference read of the tests all end here, so a snapshot means the same thing
on every path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from planner.db.reads.sql import instant
from planner.domain import clinic as dom
from planner.domain.intervals import Interval
from planner.domain.lifecycle import RELEASED
from planner.domain.staffing import Duty, Roster, Shift as ShiftBlock, StaffMember

_RELEASED = ", ".join(f"'{status}'" for status in sorted(RELEASED))
LIVE = f"status NOT IN ({_RELEASED})"  # SQL: the session still holds its time, room and staff

# No session or shift runs longer than this; it bounds index range scans so a lookup costs
# what lies near the window, not what lies in the whole table.
LONGEST = timedelta(hours=24)

# The columns a session row is read with, in this order, by every read.
SESSION_COLUMNS = "id, patient_id, site_id, room_id, starts_at, ends_at, session_type_id"


def booked(row: tuple, dosing_types: frozenset[int]) -> dom.BookedSession:
    """A session row (SESSION_COLUMNS) as the rules see it."""
    session_id, patient_id, site_id, room_id, starts, ends, type_id = row
    return dom.BookedSession(session_id, patient_id, site_id, room_id, Interval.trusted(instant(starts), instant(ends)),
                             dosing=type_id in dosing_types)


def duty(starts, ends, role: str, session_id: int, route: str | None) -> Duty:
    """A placement row as the load it puts on its person (weighed by the ratio of its session's route)."""
    return Duty(Interval.trusted(instant(starts), instant(ends)), role, session_id, route)


def shift(site_id: int, starts, ends) -> ShiftBlock:
    """A shift row as a stretch of work at a site."""
    return ShiftBlock(site_id, Interval(instant(starts), instant(ends)))


def snapshot(config, site: dom.Site, span: Interval, sessions: Iterable[dom.BookedSession], staff_ids: Iterable[int],
             duties: dict[int, list[Duty]], shifts: dict[int, list[ShiftBlock]],
             on_site: dict[int, list[ShiftBlock]] | None = None) -> dom.ClinicState:
    """The clinic near span: the site's rooms, these sessions, and these people with their shifts, leave and duties.

    config gives what changes rarely (people, credentials, leave, rooms); the rest is what the
    caller read for span. on_site: the site's shifts near span of everyone else, who count as
    present (the ACLS/BLS rule) but carry no role in the request.
    """
    members = {staff_id: _member(config, staff_id, shifts.get(staff_id, ()), span)
               for staff_id in staff_ids if staff_id in config.members}
    present = {staff_id: _member(config, staff_id, found, span) for staff_id, found in (on_site or {}).items()
               if staff_id in config.members and staff_id not in members}
    kept = {staff_id: found for staff_id, found in duties.items() if staff_id in members and found}
    return dom.ClinicState(site, config.site_rooms(site.id), Roster(members, kept), list(sessions), present)


def _member(config, staff_id: int, shifts: Iterable[ShiftBlock], span: Interval) -> StaffMember:
    name, disciplines, active = config.members[staff_id]
    return StaffMember(staff_id, name, disciplines, config.credentials.get(staff_id, ()), tuple(shifts),
                       config.leave_in(staff_id, span), active)
