"""Changing and deactivating rooms and sites, never under sessions booked ahead that depend on them.

A change is made in the transaction, then each session booked ahead in the room (or at the
site) is checked again by the booking rules against the clinic as the change leaves it; the
change is refused, naming each session it would break, unless all still pass. A deactivated room
or site keeps its row (sessions name it) with active false and deactivated_at.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from planner.db import reads
from planner.db.models import Closure, OpeningHours, Room, Session, Site, StaffingLimit
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.booking import check_session
from planner.domain.clinic import SessionRequest
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.supervision import limit_breaches
from planner.services import Actor
from planner.services.audit import record
from planner.services.change_inputs import RoomChange, SiteChange
from planner.services.setup_changes import asked, booked_ahead, refuse_broken, refuse_while_booked, snapshot

# What a change to a room can break in a session booked in it.
_ROOM = {"room_inactive", "room_lacks_capability", "room_not_at_site"}
# What a change to a site can break in a session booked there: its hours and closures, its REMS
# certification, its ratios and its one-person-one-role policy.
_SITE = {"site_inactive", "site_closed", "site_not_rems_certified", "staff_over_capacity", "one_person_two_roles"}
_ROOM_FIELDS = ("name", "kind", "capabilities", "active", "deactivated_at")
_SITE_FIELDS = ("name", "phone", "esketamine_certified", "distinct_roles", "slot_minutes", "active", "deactivated_at")


def change_room(room_id: int, change: RoomChange, actor: Actor, now: datetime) -> None:
    """Change a room's name, kind or equipment, or take it out of service, unless a session booked in it needs it."""
    fields = asked(change)
    with unit_of_work() as session:
        row = _found(session, Room, room_id, "room")
        if "name" in fields and session.scalar(select(Room.id).where(Room.site_id == row.site_id,
                                                                      Room.name == fields["name"], Room.id != room_id)):
            raise InvalidData([Reason("taken", f"The room name {fields['name']!r} at this site is already in use.",
                                      "name")])
        lock_for_booking(session, site_ids={row.site_id})
        booked = booked_ahead(session, Session.room_id == room_id, now)
        before = snapshot(row, _ROOM_FIELDS)
        if fields.get("active") is False and row.active:
            refuse_while_booked(booked, f"It is booked in {row.name}; move it to another room first.")
        for name, value in fields.items():
            setattr(row, name, sorted(set(value)) if name == "capabilities" else value)
        if "active" in fields and fields["active"] != before["active"]:
            row.deactivated_at = None if row.active else now
        session.flush()
        _refuse_broken(session, booked, now, _ROOM)
        _audit(session, actor, "room", room_id, before, snapshot(row, _ROOM_FIELDS), now)
        session.commit()


def deactivate_room(room_id: int, actor: Actor, now: datetime) -> None:
    """Take a room out of service (kept as history), refused while sessions to come are booked in it."""
    change_room(room_id, RoomChange(active=False), actor, now)


def change_site(site_id: int, change: SiteChange, actor: Actor, now: datetime) -> None:
    """Change a site's details, hours, closures or limits, or deactivate it, unless a session booked there breaks."""
    fields = asked(change, ("phone",))
    with unit_of_work() as session:
        change_site_in(session, site_id, fields, actor, now)
        session.commit()


def change_site_in(session, site_id: int, fields: dict, actor: Actor, now: datetime) -> None:
    """change_site inside the caller's transaction (no commit), for a change worked out from the site as it is."""
    row = _found(session, Site, site_id, "site")
    if "name" in fields and session.scalar(select(Site.id).where(Site.name == fields["name"], Site.id != site_id)):
        raise InvalidData([Reason("taken", f"The site name {fields['name']!r} is already in use.", "name")])
    below = limit_breaches(fields.get("limits") or {})
    if below:
        raise InvalidData(below)
    lock_for_booking(session, site_ids={site_id})
    booked = booked_ahead(session, Session.site_id == site_id, now)
    before = {**snapshot(row, _SITE_FIELDS), **_calendar(row)}
    if fields.get("active") is False and row.active:
        refuse_while_booked(booked, f"It is booked at {row.name}; move or cancel it first.")
    _apply_site(session, row, fields, now)
    session.flush()
    session.expire(row)  # hours, closures and limits are read again as the rules see them
    changed = reads.site_as_changed(session, site_id)
    _refuse_broken(session, [(key, _at(request, changed)) for key, request in booked], now, _SITE)
    _audit(session, actor, "site", site_id, before, {**snapshot(row, _SITE_FIELDS), **_calendar(row)}, now)


def deactivate_site(site_id: int, actor: Actor, now: datetime) -> None:
    """Take a site out of service (kept as history), refused while sessions to come are booked there."""
    change_site(site_id, SiteChange(active=False), actor, now)


def _apply_site(session, row: Site, fields: dict, now: datetime) -> None:
    for name in ("name", "phone", "esketamine_certified", "distinct_roles", "slot_minutes"):
        if name in fields:
            setattr(row, name, fields[name])
    # The old closures and limits go first: the new list may hold the same day or role again, and
    # the unit of work would insert the new rows before deleting the old (unique per site).
    for name in ("hours", "closures", "limits"):
        if name in fields:
            setattr(row, name, [])
    session.flush()
    if "hours" in fields:
        row.hours = [OpeningHours(weekday=h["weekday"], opens=h["opens"], closes=h["closes"]) for h in fields["hours"]]
    if "closures" in fields:
        row.closures = [Closure(day=c["day"], reason=c["reason"]) for c in fields["closures"]]
    if "limits" in fields:
        row.limits = [StaffingLimit(role=role, max_concurrent=n) for role, n in fields["limits"].items()]
    if "active" in fields and fields["active"] != row.active:
        row.active, row.deactivated_at = fields["active"], None if fields["active"] else now


def _calendar(row: Site) -> dict:
    return {"hours": [f"{h.weekday} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in row.hours],
            # With the reason, so a closure reworded is a change the audit log shows.
            "closures": [f"{c.day.isoformat()}: {c.reason}" if c.reason else c.day.isoformat() for c in row.closures],
            "limits": {limit.role: limit.max_concurrent for limit in row.limits}}


def _at(request: SessionRequest, site) -> SessionRequest:
    return SessionRequest(request.patient, site, request.session_type, request.start, request.room_id,
                          request.placements)


def _refuse_broken(session, booked: list[tuple[int, SessionRequest]], now: datetime, codes: set[str]) -> None:
    """CoverBroken naming each session booked ahead that the booking rules, asked again now, refuse for these codes."""
    states = reads.for_rechecking(session, [request for _, request in booked])
    # A session under way started before now: only what the change broke counts, not that it began.
    found = {key: [r for r in check_session(request, state, now, key) if r.code in codes]
             for (key, request), state in zip(booked, states)}
    refuse_broken(booked, lambda key, _: found[key])


def _found(session, model, key: int, what: str):
    row = session.get(model, key)
    if row is None:
        raise NotFound(what, key)
    return row


def _audit(session, actor: Actor, what: str, key: int, before: dict, after: dict, now: datetime) -> None:
    if before == after:
        return  # nothing changed (deactivated again, the same name again): nothing to record
    verb = "changed"
    if before["active"] != after["active"]:
        verb = "reactivated" if after["active"] else "deactivated"
    record(session, actor, f"{what}.{verb}", what, key, now,
           before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
