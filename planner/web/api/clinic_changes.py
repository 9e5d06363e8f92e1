"""API for changing the clinic's set-up: edit, end and re-instate staff, shifts, time off, credentials, rooms, sites.

Nothing clinical is deleted: DELETE withdraws a shift or time off that has not begun, revokes a
credential from today, or deactivates a person, room or site, each kept with its date. A change
that would leave a booked session uncovered is refused with 409 naming each session.
"""

from __future__ import annotations

from flask import jsonify

from planner.db.models import Room, Site, Staff
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services import place_edits, staff_edits, staff_members
from planner.services.change_inputs import (
    CredentialChange, RoomChange, ShiftChange, SiteChange, StaffChange, TimeOffChange,
)
from planner.web.access import actor, now
from planner.web.api import api, present
from planner.web.api.common import body
from planner.web.api.describe import operation
from planner.web.api.schemas import RoomOut, SiteOut, StaffDetailOut

_STAFF = {200: StaffDetailOut}


def _staff(staff_id: int):
    row = db.session.get(Staff, staff_id)
    if row is None:
        raise NotFound("staff member", staff_id)
    return jsonify(present.staff(row, True))


@api.patch("/staff/<id:staff_id>")
@operation("admin", body=StaffChange, answers=_STAFF, refusals=(409,))
def change_staff(staff_id: int):
    """Change a staff member's details (a change to their disciplines is refused if it breaks a session ahead)."""
    staff_members.change_staff(staff_id, body(StaffChange), actor(), now())
    return _staff(staff_id)


@api.delete("/staff/<id:staff_id>")
@operation("admin", answers=_STAFF, refusals=(409,))
def deactivate_staff(staff_id: int):
    """Deactivate a staff member (kept; never offered or booked again), refused while booked in sessions ahead."""
    staff_members.deactivate_staff(staff_id, actor(), now())
    return _staff(staff_id)


@api.patch("/staff/<id:staff_id>/shifts/<id:shift_id>")
@operation("admin", body=ShiftChange, answers=_STAFF, refusals=(409,))
def change_shift(staff_id: int, shift_id: int):
    """Edit a shift, or withdraw or re-instate it, unless that leaves a booked session without cover."""
    staff_edits.change_shift(staff_id, shift_id, body(ShiftChange), actor(), now())
    return _staff(staff_id)


@api.delete("/staff/<id:staff_id>/shifts/<id:shift_id>")
@operation("admin", answers=_STAFF, refusals=(409, 422))
def withdraw_shift(staff_id: int, shift_id: int):
    """Withdraw a shift that has not begun (kept as history; again: no change), unless a booked session rests on it."""
    staff_edits.withdraw_shift(staff_id, shift_id, actor(), now())
    return _staff(staff_id)


@api.patch("/staff/<id:staff_id>/time-off/<id:time_off_id>")
@operation("admin", body=TimeOffChange, answers=_STAFF, refusals=(409,))
def change_time_off(staff_id: int, time_off_id: int):
    """Edit time off, or withdraw or re-instate it, unless that leaves a booked session without cover."""
    staff_edits.change_time_off(staff_id, time_off_id, body(TimeOffChange), actor(), now())
    return _staff(staff_id)


@api.delete("/staff/<id:staff_id>/time-off/<id:time_off_id>")
@operation("admin", answers=_STAFF, refusals=(422,))
def withdraw_time_off(staff_id: int, time_off_id: int):
    """Withdraw time off that has not begun (kept as history; again: no change)."""
    staff_edits.withdraw_time_off(staff_id, time_off_id, actor(), now())
    return _staff(staff_id)


@api.patch("/staff/<id:staff_id>/credentials/<id:credential_id>")
@operation("admin", body=CredentialChange, answers=_STAFF, refusals=(409,))
def change_credential(staff_id: int, credential_id: int):
    """Edit a credential, or revoke it from a date (null re-instates it), unless a session ahead relies on it."""
    staff_edits.change_credential(staff_id, credential_id, body(CredentialChange), actor(), now())
    return _staff(staff_id)


@api.delete("/staff/<id:staff_id>/credentials/<id:credential_id>")
@operation("admin", answers=_STAFF, refusals=(409,))
def revoke_credential(staff_id: int, credential_id: int):
    """Revoke a credential from today (kept as history; again: no change), unless a booked session relies on it."""
    staff_edits.revoke_credential(staff_id, credential_id, actor(), now())
    return _staff(staff_id)


@api.patch("/rooms/<id:room_id>")
@operation("admin", body=RoomChange, answers={200: RoomOut}, refusals=(409,))
def change_room(room_id: int):
    """Change a room's name, kind or equipment, unless a session booked in it needs what it would lose."""
    place_edits.change_room(room_id, body(RoomChange), actor(), now())
    return jsonify(present.room(db.session.get(Room, room_id)))


@api.delete("/rooms/<id:room_id>")
@operation("admin", answers={200: RoomOut}, refusals=(409,))
def deactivate_room(room_id: int):
    """Take a room out of service (kept), refused while sessions to come are booked in it."""
    place_edits.deactivate_room(room_id, actor(), now())
    return jsonify(present.room(db.session.get(Room, room_id)))


@api.patch("/sites/<id:site_id>")
@operation("admin", body=SiteChange, answers={200: SiteOut}, refusals=(409,))
def change_site(site_id: int):
    """Change a site's details, hours, closures or limits, unless a session booked there would break."""
    place_edits.change_site(site_id, body(SiteChange), actor(), now())
    return jsonify(present.site(db.session.get(Site, site_id)))


@api.delete("/sites/<id:site_id>")
@operation("admin", answers={200: SiteOut}, refusals=(409,))
def deactivate_site(site_id: int):
    """Take a site out of service (kept; nothing offered or booked there), refused while sessions are booked there."""
    place_edits.deactivate_site(site_id, actor(), now())
    return jsonify(present.site(db.session.get(Site, site_id)))
