"""Pages staff see after signing in: the clinic overview, a site's day, the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request

from planner.db import queries
from planner.db.board import day_calendars
from planner.domain.calendar import local
from planner.domain.clinic import CAPABILITY_NAMES
from planner.domain.front_desk import DayNotice, why_closed
from planner.domain.staffing import CREDENTIAL_NAMES, ROLE_NAMES
from planner.extensions import db
from planner.services.record_access import READS
from planner.web.access import now, roles_required
from planner.web.errors import problem

pages = Blueprint("pages", __name__)
STAFF = ("reception", "clinician", "admin")
# domain.md: warn 60 days and again 30 days before a credential a rule relies on expires.
WARN_DAYS, URGENT_DAYS = 60, 30
# The audit page's choices: edits (the default), reads of patients' clinical records, or both.
AUDIT_VIEWS = {"changes": "Changes", "views": "Record views", "all": "Everything"}
ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class SiteDay:
    """One site on one of its local days: what the overview and the day view show."""

    site: queries.SiteRow
    day: date
    sessions: list[queries.SessionRow]
    shifts: list[queries.ShiftRow]
    rooms: list[queries.RoomRow]
    notice: DayNotice | None = None  # why the site sees nobody that day (a closure, no hours, nobody on shift)


@dataclass(frozen=True)
class CredentialWarning:
    credential: queries.ExpiringCredential
    days_left: int
    level: str  # "red" within URGENT_DAYS (or expired), "amber" within WARN_DAYS


def day_span(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants where a site's local day begins and the next one begins.

    Built from local midnights, not day + 24 h: a local day lasts 23 or 25 hours across DST.
    """
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)


def site_days(wanted: list[tuple[queries.SiteRow, date]]) -> list[SiteDay]:
    """Each site's sessions, shifts, rooms and closure for one of its local days: six queries for any number of sites."""
    windows = {site.id: day_span(day, site.timezone) for site, day in wanted}
    sessions = queries.sessions_starting(db.session, windows)
    shifts = queries.shifts_overlapping(db.session, windows)
    rooms = queries.rooms(db.session, list(windows))
    calendars = day_calendars(db.session, {site.id: day for site, day in wanted})
    return [SiteDay(site, day, sessions[site.id], shifts[site.id], rooms[site.id],
                    why_closed(day, *calendars[site.id], bool(shifts[site.id]))) for site, day in wanted]


def credential_warnings(today: date) -> list[CredentialWarning]:
    """Credentials lapsing within WARN_DAYS of today, each with its urgency."""
    warnings = []
    for item in queries.credentials_expiring(db.session, today + timedelta(days=WARN_DAYS)):
        left = (item.expires_on - today).days
        warnings.append(CredentialWarning(item, left, "red" if left <= URGENT_DAYS else "amber"))
    return warnings


@pages.get("/")
@roles_required(*STAFF)
def home():
    """The clinic overview: each site's day in its own time zone, and credentials about to lapse."""
    moment = now()
    days = site_days([(site, local(moment, site.timezone).date()) for site in queries.sites(db.session)])
    # Credentials belong to people, not sites; count days from the latest local "today"
    # among the sites so a warning never comes a day late anywhere.
    reference = max((d.day for d in days), default=moment.date())
    return render_template("pages/overview.html", days=days, warnings=credential_warnings(reference),
                           reference=reference, now=moment)


@pages.get("/sessions")
@roles_required(*STAFF)
def day_view():
    """One site's sessions and shifts on one local day: /sessions?site_id=1&day=2026-11-23."""
    all_sites = queries.sites(db.session)
    raw_site, raw_day = request.args.get("site_id", "").strip(), request.args.get("day", "").strip()
    if raw_site and not (raw_site.isascii() and raw_site.isdigit()):
        return problem(422, "site_id must be a site's number, e.g. site_id=1.",
                       fields=[{"field": "site_id", "message": "not a whole number"}])
    if raw_site:
        # A number too long to be an id is no site (and int() of thousands of digits would raise).
        wanted = int(raw_site) if len(raw_site) < 10 else None
        site = next((s for s in all_sites if s.id == wanted), None)
        if site is None:
            return problem(404, f"No site with id {raw_site}.")
    elif all_sites:
        site = all_sites[0]
    else:
        return render_template("pages/day.html", day=None, sites=all_sites, site_day=None)
    day = parse_day(raw_day) if raw_day else local(now(), site.timezone).date()
    if day is None:
        return problem(422, f"day must be a date between {EARLIEST} and {LATEST} written like 2026-11-23.",
                       fields=[{"field": "day", "message": "not a date like 2026-11-23"}])
    return render_template("pages/day.html", day=day, sites=all_sites, site_day=site_days([(site, day)])[0],
                           previous=day - timedelta(days=1), following=day + timedelta(days=1))


@pages.get("/audit")
@roles_required("admin")
def audit_log():
    """The latest audit events (admin only): changes, or reads of patients' clinical records, or both."""
    shown = request.args.get("show", "changes")
    shown = shown if shown in AUDIT_VIEWS else "changes"
    only, leaving = {"changes": ((), READS), "views": (READS, ()), "all": ((), ())}[shown]
    return render_template("pages/audit.html", events=queries.recent_audit(db.session, 200, only, leaving),
                           shown=shown, views=AUDIT_VIEWS)


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date in a plausible range, or None."""
    if not ISO_DAY.match(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


@pages.app_template_filter("span")
def span_filter(start: datetime, end: datetime, zone: str) -> str:
    """'13:00–14:45' in the site's wall time; notes an end on a later local day."""
    first, last = local(start, zone), local(end, zone)
    later = "" if last.date() == first.date() else f" (+{(last.date() - first.date()).days}d)"
    return f"{first:%H:%M}–{last:%H:%M}{later}"


@pages.app_template_filter("role_name")
def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role.replace("_", " "))


@pages.app_template_filter("capability_name")
def capability_name(key: str) -> str:
    return CAPABILITY_NAMES.get(key, key.replace("_", " ")).removeprefix("an ").removeprefix("a ")


@pages.app_template_filter("credential_name")
def credential_name(kind: str) -> str:
    return CREDENTIAL_NAMES.get(kind, kind)


@pages.app_template_filter("words")
def words(key: str) -> str:
    """snake_case keys as words: no_show -> no show."""
    return (key or "").replace("_", " ")
