"""The forms on a site's set-up page that change its week, its closed days and its rooms (admin only).

Each one posts here, runs one service and goes back to the page (site_admin.attempt): refused,
the page shows why beside the form that asked, naming every booked session the change would break.
"""

from __future__ import annotations

from flask import Blueprint

from planner.domain.errors import NotFound
from planner.services import clinic_setup, place_edits, site_calendar
from planner.services.change_inputs import RoomChange
from planner.services.inputs import RoomIn
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required
from planner.web.site_admin import attempt, closed_day, site_room, site_row
from planner.web.site_forms import ClosureForm, ClosureReasonForm, PlainForm, RoomForm, WeekdayHoursForm

site_parts = Blueprint("site_parts", __name__)


@site_parts.post("/sites/<id:site_id>/setup/hours/<int:weekday>")
@roles_required("admin")
def hours(site_id: int, weekday: int):
    """Set one weekday's opening (both blank: closed that weekday), unless a booked session falls outside it."""
    site_row(site_id)
    if weekday > 6:
        raise NotFound("weekday", weekday)
    form = WeekdayHoursForm(prefix=f"hours-{weekday}")
    return attempt(site_id, f"hours_{weekday}", form,
                   lambda: site_calendar.set_weekday_hours(site_id, weekday, form.opens.data, form.closes.data,
                                                           actor(), now()),
                   "Saved the opening hours.", "hours")


@site_parts.post("/sites/<id:site_id>/setup/closures")
@roles_required("admin")
def close(site_id: int):
    """Close a day or a run of days with a reason, unless a session is booked on one of them."""
    site_row(site_id)
    form = ClosureForm(prefix="closure")
    asked = {"first": form.first.data, "last": form.last.data, "reason": form.reason.data}
    return attempt(site_id, "closure", form, lambda: site_calendar.close_days(site_id, asked, actor(), now()),
                   "Closed. Nothing will be offered or booked on those days.", "closures")


@site_parts.post("/sites/<id:site_id>/setup/closures/<day>/reason")
@roles_required("admin")
def reword(site_id: int, day: str):
    """Change the reason given for a closed day ahead."""
    site_row(site_id)
    closed = closed_day(day)
    form = ClosureReasonForm(prefix=f"closure-{closed}")
    return attempt(site_id, f"closure_{closed}", form,
                   lambda: site_calendar.reword_closure(site_id, closed, form.reason.data or "", actor(), now()),
                   "Saved the reason.", "closures")


@site_parts.post("/sites/<id:site_id>/setup/closures/<day>/remove")
@roles_required("admin")
def reopen(site_id: int, day: str):
    """Remove a closure ahead: the site keeps its usual hours that day again."""
    site_row(site_id)
    closed = closed_day(day)
    return attempt(site_id, f"reopen_{closed}", PlainForm(prefix=f"reopen-{closed}"),
                   lambda: site_calendar.reopen_day(site_id, closed, actor(), now()),
                   f"{closed:%a %d %b %Y} is open again at the usual hours.", "closures")


@site_parts.post("/sites/<id:site_id>/setup/rooms")
@roles_required("admin")
def add_room(site_id: int):
    """Add a room or chair at this site."""
    site_row(site_id)
    form = RoomForm(prefix="room-new")
    asked = {"site_id": site_id, "name": form.name.data, "kind": form.kind.data,
             "capabilities": form.capabilities.data or []}
    return attempt(site_id, "room_new", form,
                   lambda: clinic_setup.create_room(parse(RoomIn, asked), actor(), now()),
                   "Added the room.", "rooms")


@site_parts.post("/sites/<id:site_id>/setup/rooms/<id:room_id>")
@roles_required("admin")
def change_room(site_id: int, room_id: int):
    """Change a room's name, kind or equipment, unless a session booked in it needs what it would lose."""
    site_room(site_id, room_id)
    form = RoomForm(prefix=f"room-{room_id}")
    asked = {"name": form.name.data, "kind": form.kind.data, "capabilities": form.capabilities.data or []}
    return attempt(site_id, f"room_{room_id}", form,
                   lambda: place_edits.change_room(room_id, parse(RoomChange, asked), actor(), now()),
                   "Saved the room.", f"room-{room_id}")


@site_parts.post("/sites/<id:site_id>/setup/rooms/<id:room_id>/<any(deactivate, reactivate):verb>")
@roles_required("admin")
def room_active(site_id: int, room_id: int, verb: str):
    """Take a room out of service (refused while sessions to come are booked in it), or bring it back."""
    site_room(site_id, room_id)
    active = verb == "reactivate"
    return attempt(site_id, f"room_active_{room_id}", PlainForm(prefix=f"room-active-{room_id}"),
                   lambda: place_edits.change_room(room_id, RoomChange(active=active), actor(), now()),
                   "The room is in service again." if active else "The room is out of service; its history stays.",
                   f"room-{room_id}")
