"""A clinician's own day and week (/me/day, /me/week), and a site's day as a grid (/sites/<id>/grid).

My day and week: every signed-in member of staff with a staff record sees their own; an admin may
look at anyone's (?staff_id=). The grid: every staff role, reception included, as the day view
(patients by name, as reception books and checks them in).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from planner.domain.calendar import local
from planner.services.my_day import clinician_days, staff_choices
from planner.services.site_grid import site_grid
from planner.web.access import log_refusal, now, roles_required
from planner.web.errors import problem
from planner.web.pages import EARLIEST, LATEST, STAFF, parse_day

my_day = Blueprint("my_day", __name__)


@my_day.get("/me/day")
@roles_required(*STAFF)
def day():
    """My sessions, by role, with each patient's preparation, and my rota on one local day: the printable day sheet."""
    return _mine("day", "my_day/day.html", 1)


@my_day.get("/me/week")
@roles_required(*STAFF)
def week():
    """My seven days, Monday to Sunday, each session a compact line linking to it."""
    return _mine("week", "my_day/week.html", 7)


@my_day.get("/sites/<id:site_id>/grid")
@roles_required(*STAFF)
def grid(site_id: int):
    """A site's local day: rooms and chairs by hour, each session a block with its team, and the team's load."""
    day, refusal = _day("day")
    if refusal is not None:
        return refusal
    found = site_grid(site_id, day, now())  # NotFound (404) for an unknown site
    return render_template("my_day/grid.html", grid=found, zone=found.site.calendar.zone,
                           previous=found.day - timedelta(days=1), following=found.day + timedelta(days=1))


def _mine(field: str, template: str, count: int):
    day, refusal = _day(field)
    if refusal is not None:
        return refusal
    raw = request.args.get("staff_id", "").strip()
    own = getattr(current_user, "staff_id", None)
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            return problem(422, "staff_id must be a member of staff's number, e.g. staff_id=3.",
                           fields=[{"field": "staff_id", "message": "not a whole number"}])
        if int(raw) != own and current_user.role != "admin":
            log_refusal("another clinician's day is for an admin only")
            return problem(403, "Only an admin may look at another clinician's day.")
        wanted = int(raw)
    elif own is None:
        return render_template("my_day/no_staff.html", field=field, choices=_choices()), 200
    else:
        wanted = own
    moment = now()
    found = clinician_days(wanted, day, count, moment, whole_weeks=count == 7)
    if found is None:
        return problem(404, f"No member of staff with id {wanted}.")
    first = found.days[0].day
    return render_template(template, mine=found, other=wanted != own, staff_id=wanted if raw else None,
                           field=field, choices=_choices(),
                           previous=first - timedelta(days=count), following=first + timedelta(days=count),
                           today=local(moment, found.zone).date())


def _choices() -> list[tuple[int, str]]:
    # Only an admin picks whose day to see; everyone else sees their own and is not sent the staff list.
    return staff_choices() if current_user.role == "admin" else []


def _day(field: str):
    raw = request.args.get(field, "").strip()
    if not raw:
        return None, None
    day = parse_day(raw)
    if day is None:
        return None, problem(422, f"{field} must be a date between {EARLIEST} and {LATEST} written like 2026-11-23.",
                             fields=[{"field": field, "message": "not a date like 2026-11-23"}])
    return day, None
