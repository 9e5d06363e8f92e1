"""The coverage page of a site's day (/sites/<id>/coverage?day=), and the alerts block of the overview.

Who may see it: admin and clinicians, who staff the day, and reception too, read only: reception
books the doses, and seeing where a day is at its limit before offering a time saves a refused
booking. The page names no patient (sessions by number and type only), so nothing on it is more
than reception already sees on the day view.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from planner.db import reads
from planner.domain.calendar import local
from planner.extensions import db
from planner.services.coverage import coverage_day
from planner.web.access import now, roles_required
from planner.web.coverage_chart import chart, shown, state_words
from planner.web.errors import problem
from planner.web.pages import EARLIEST, LATEST, parse_day

coverage = Blueprint("coverage", __name__)
READERS = ("reception", "clinician", "admin")


@coverage.get("/sites/<id:site_id>/coverage")
@roles_required(*READERS)
def site_day(site_id: int):
    """Dosing load against capacity and ACLS/BLS over one local day, and credentials lapsing within 60 days."""
    raw = request.args.get("day", "").strip()
    day = parse_day(raw) if raw else None
    if raw and day is None:
        return problem(422, f"day must be a date between {EARLIEST} and {LATEST} written like 2026-11-23.",
                       fields=[{"field": "day", "message": "not a date like 2026-11-23"}])
    moment = now()
    found = coverage_day(site_id, day, moment)  # NotFound (404) for an unknown site
    day = found.day
    zone = found.site.calendar.zone
    quarters = shown(found.quarters, zone)
    return render_template("coverage/day.html", cover=found, zone=zone, quarters=quarters,
                           chart=chart(quarters, zone), state_words=state_words, hours=len(found.quarters) / 4,
                           previous=day - timedelta(days=1), following=day + timedelta(days=1),
                           today=local(moment, zone).date())


def overview_alerts() -> list:
    """Open coverage alerts for the overview: the admin's to act on, so only they see them."""
    # Read in the page's own transaction, as the overview's other lists are (a read-only page).
    if current_user.is_authenticated and current_user.role == "admin":
        return reads.open_alerts(db.session)
    return []


@coverage.app_context_processor
def coverage_helpers() -> dict:
    """The overview's alerts block asks for the open alerts through this (the overview's view is not touched)."""
    return {"coverage_alerts": overview_alerts}


@coverage.app_template_filter("zone_abbrev")
def zone_abbrev(instant, zone: str) -> str:
    """The zone's abbreviation at an instant: EST, or EDT (which of the two fall-back hours a time is)."""
    return f"{local(instant, zone):%Z}"


@coverage.app_template_filter("wall_time")
def wall_time(instant, zone: str, with_day: bool = False) -> str:
    """'09:15 EST' (or 'Mon 23 Nov 09:15 EST') in the site's wall time."""
    return f"{local(instant, zone):{'%a %d %b ' if with_day else ''}%H:%M %Z}"
