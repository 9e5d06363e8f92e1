"""The admin's site pages: /sites lists them, /sites/<id>/setup edits one (details, hours, closed days, rooms).

Every change goes through the services the API uses (place_edits, site_calendar, clinic_setup):
the same rules, the same audit. A refused change re-renders the page with each error beside its
field, or with every booked session it would break listed beside the form, and nothing written.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from planner.db.models import Room, Site
from planner.domain.calendar import local
from planner.domain.errors import CoverBroken, InvalidData, NotFound
from planner.extensions import db
from planner.services import clinic_setup, place_edits
from planner.services.change_inputs import SiteChange
from planner.services.inputs import SiteIn
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required
from planner.web.pages import parse_day
from planner.web.site_forms import (
    LIMIT_ROLES, WEEKDAYS, ClosureForm, NewSiteForm, ClosureReasonForm, PlainForm, RoomForm, SiteDetailsForm, WeekdayHoursForm,
)

site_admin = Blueprint("site_admin", __name__)
# Every refusal of a set-up change names its sessions "Session 42 (...)": the id links to its page.
_SESSION = re.compile(r"^Session (\d+) ")
# Offered as the admin types a new site's zone; any IANA zone is taken.
COMMON_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
                "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "Europe/London", "Europe/Dublin",
                "Europe/Berlin", "Europe/Paris", "Australia/Sydney")


@site_admin.get("/sites")
@roles_required("admin")
def sites():
    """Every site, in service first, with its zone, rooms and links to its set-up, board and coverage."""
    return _list(NewSiteForm(formdata=None, prefix="new-site"))


@site_admin.post("/sites")
@roles_required("admin")
def add_site():
    """Add a site (its hours, closed days and rooms are set on its own page next); errors beside their fields."""
    form = NewSiteForm(prefix="new-site")
    if not form.validate_on_submit():  # the CSRF token only
        abort(400)
    asked = {"name": form.name.data, "timezone": (form.timezone.data or "").strip(),
             "phone": (form.phone.data or "").strip() or None, "esketamine_certified": form.esketamine_certified.data}
    try:
        site_id = clinic_setup.create_site(parse(SiteIn, asked), actor(), now())
    except InvalidData as invalid:
        return _list(form, form.show_errors(invalid.problems), 422)
    flash("Site added. Give it its opening hours and rooms: nothing is offered there until it opens.", "success")
    return redirect(url_for(".setup", site_id=site_id), 303)


def _list(form: NewSiteForm, problems: list[str] | None = None, status: int = 200):
    rows = db.session.scalars(select(Site).order_by(Site.active.desc(), Site.name)).all()
    return render_template("sites/list.html", sites=rows, form=form, problems=problems or [],
                           zones=COMMON_ZONES), status


@site_admin.get("/sites/<id:site_id>/setup")
@roles_required("admin")
def setup(site_id: int):
    """A site's details, weekly hours, closed days and rooms, each with its own form."""
    return render_page(site_id)


@site_admin.post("/sites/<id:site_id>/setup/details")
@roles_required("admin")
def details(site_id: int):
    """Save a site's name, phone, REMS certification and ratios."""
    site = site_row(site_id)
    form = SiteDetailsForm(prefix="site")
    limits = {limit.role: limit.max_concurrent for limit in site.limits if limit.role not in LIMIT_ROLES}
    for role in LIMIT_ROLES:
        typed = (getattr(form, f"limit_{role}").data or "").strip()
        if typed:
            limits[role] = typed  # as typed: SiteChange says when it is not a whole number from 1 to 20
    asked = {"name": form.name.data, "phone": (form.phone.data or "").strip() or None,
             "esketamine_certified": form.esketamine_certified.data, "distinct_roles": form.distinct_roles.data,
             "slot_minutes": (form.slot_minutes.data or "").strip(), "limits": limits}
    return attempt(site_id, "details", form, lambda: place_edits.change_site(site_id, parse(SiteChange, asked),
                                                                             actor(), now()),
                   "Saved the site's details.")


@site_admin.post("/sites/<id:site_id>/setup/deactivate")
@roles_required("admin")
def deactivate(site_id: int):
    """Take the site out of service (kept; offers nothing), refused while sessions are booked there."""
    site_row(site_id)
    return attempt(site_id, "site_active", PlainForm(prefix="site-active"),
                   lambda: place_edits.deactivate_site(site_id, actor(), now()),
                   "The site is out of service: nothing is offered or booked there. Its history stays.")


@site_admin.post("/sites/<id:site_id>/setup/reactivate")
@roles_required("admin")
def reactivate(site_id: int):
    """Bring a site back into service."""
    site_row(site_id)
    return attempt(site_id, "site_active", PlainForm(prefix="site-active"),
                   lambda: place_edits.change_site(site_id, SiteChange(active=True), actor(), now()),
                   "The site is in service again.")


def attempt(site_id: int, where: str, form, change, done: str, anchor: str | None = None):
    """Run one change from the page's forms; on refusal the page again with the errors beside that form."""
    if not form.validate_on_submit():  # the CSRF token only: the services judge every value
        abort(400)
    try:
        change()
    except InvalidData as invalid:
        return render_page(site_id, submitted=(where, form), problems=form.show_errors(invalid.problems), status=422)
    except CoverBroken as broken:
        return render_page(site_id, submitted=(where, form), broken=[_linked(r.message) for r in broken.reasons],
                           status=409)
    flash(done, "success")
    return redirect(url_for("site_admin.setup", site_id=site_id) + f"#{anchor or where}", 303)


def render_page(site_id: int, submitted: tuple[str, object] | None = None, problems: list[str] | None = None,
                broken: list[tuple[int | None, str]] | None = None, status: int = 200):
    """The set-up page, the submitted form (if any) as it was typed, its refusal beside it."""
    db.session.rollback()  # read the site as the services left it, not an earlier snapshot
    site = site_row(site_id)
    moment = now()
    today = local(moment, site.timezone).date()
    forms = _forms(site)
    ahead = [c for c in site.closures if c.day > today]
    where = submitted[0] if submitted else None
    # A form the page does not show (a closure gone by, or none): its refusal goes at the top.
    shown = set(forms) - {key for c in site.closures if c.day <= today for key in (f"closure_{c.day}",
                                                                                   f"reopen_{c.day}")}
    if submitted:
        forms[where] = submitted[1]
    page = render_template("sites/setup.html", site=site, forms=forms, weekdays=WEEKDAYS, today=today,
                           anchor=_anchor(where),
                           zone_now=local(moment, site.timezone).strftime("%Z"), where=where, problems=problems or [],
                           broken=broken or [], ahead=ahead, orphan=where is not None and where not in shown,
                           past=[c for c in site.closures if c.day <= today][-10:],
                           hours={d: [h for h in site.hours if h.weekday == d] for d in range(7)},
                           rooms=sorted(site.rooms, key=lambda r: (not r.active, r.name)))
    return page, status


def _forms(site: Site) -> dict:
    limits = {limit.role: limit.max_concurrent for limit in site.limits}
    forms: dict = {
        "details": SiteDetailsForm(formdata=None, prefix="site", name=site.name, phone=site.phone or "",
                                   esketamine_certified=site.esketamine_certified, distinct_roles=site.distinct_roles,
                                   slot_minutes=str(site.slot_minutes),
                                   **{f"limit_{r}": str(limits[r]) if r in limits else "" for r in LIMIT_ROLES}),
        "closure": ClosureForm(formdata=None, prefix="closure"),
        "room_new": RoomForm(formdata=None, prefix="room-new", kind="infusion_chair"),
        "site_active": PlainForm(formdata=None, prefix="site-active"),
    }
    for day in range(7):
        spans = [h for h in site.hours if h.weekday == day]
        forms[f"hours_{day}"] = WeekdayHoursForm(
            formdata=None, prefix=f"hours-{day}", opens=f"{spans[0].opens:%H:%M}" if spans else "",
            closes=f"{spans[-1].closes:%H:%M}" if spans else "")
    for closure in site.closures:
        forms[f"closure_{closure.day}"] = ClosureReasonForm(formdata=None, prefix=f"closure-{closure.day}",
                                                            reason=closure.reason)
        forms[f"reopen_{closure.day}"] = PlainForm(formdata=None, prefix=f"reopen-{closure.day}")
    for room in site.rooms:
        forms[f"room_{room.id}"] = RoomForm(formdata=None, prefix=f"room-{room.id}", name=room.name, kind=room.kind,
                                            capabilities=list(room.capabilities))
        forms[f"room_active_{room.id}"] = PlainForm(formdata=None, prefix=f"room-active-{room.id}")
    return forms


def site_row(site_id: int) -> Site:
    """A site by id; 404 when unknown."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    return site


def site_room(site_id: int, room_id: int) -> Room:
    """A room of this site; 404 for a room of another site or none."""
    room = db.session.get(Room, room_id)
    if room is None or room.site_id != site_row(site_id).id:
        raise NotFound("room", room_id)
    return room


def closed_day(text: str) -> date:
    """A closure's day from its address; 404 when it is not a date."""
    day = parse_day(text)
    if day is None:
        raise NotFound("closure", text)
    return day


def _anchor(where: str | None) -> str:
    """The part of the page a form belongs to, for the link from the notice at the top."""
    if where is None:
        return ""
    for prefix, part in (("hours_", "hours"), ("closure", "closures"), ("reopen_", "closures"),
                         ("room_active_", "room-"), ("room_new", "room_new"), ("room_", "room-")):
        if where.startswith(prefix):
            return part + where.removeprefix(prefix) if part == "room-" else part
    return where


def _linked(message: str) -> tuple[int | None, str]:
    found = _SESSION.match(message)
    return (int(found.group(1)) if found else None), message
