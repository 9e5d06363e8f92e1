"""The today board per site: arrivals in order, who is in which chair, and the front desk's actions on each visit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from planner.db import board as board_reads
from planner.db import queries
from planner.db.models import Session
from planner.domain import front_desk
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, InvalidTransition, NotFound, StatusRefused
from planner.domain.lifecycle import STATUSES
from planner.extensions import db
from planner.services.front_desk import act_on_session
from planner.web.access import actor, now, roles_required
from planner.web.errors import problem
from planner.web.pages import EARLIEST, LATEST, day_span, parse_day, span_filter

board = Blueprint("board", __name__)
STAFF = ("reception", "clinician", "admin")
# The API lets reception and clinicians (and admins) move a session along its lifecycle; the board follows it.
ACTORS = ("reception", "clinician")
STATUS_WORDS = {status: status.replace("_", " ") for status in STATUSES}
_DONE = {"check_in": "{} checked in.", "start": "{}: session started.", "held": "{}: dose held for the prescriber.",
         "fulfilled": "{}: session fulfilled.", "no_show": "{} marked as a no-show."}


@dataclass(frozen=True)
class Line:
    """One visit as the arrivals list shows it."""

    visit: board_reads.BoardSession
    time: str  # '13:00–14:45' in the site's wall time
    details: str  # session type · room · team
    words: str  # the status in words
    actions: list[front_desk.Action]
    escort: bool  # a check-in asks for the escort


@dataclass(frozen=True)
class Chair:
    room: queries.RoomRow
    current: board_reads.BoardSession | None
    upcoming: board_reads.BoardSession | None


@board.get("/board")
@roles_required(*STAFF)
def pick_site():
    """Choose a site's board; each site's today is its own local day."""
    moment = now()
    sites = [(site, local(moment, site.timezone).date()) for site in queries.sites(db.session)]
    return render_template("board/sites.html", sites=sites)


@board.get("/sites/<id:site_id>/board")
@roles_required(*STAFF)
def site_board(site_id: int):
    """One site's board for a local day (?day=YYYY-MM-DD, default the site's today)."""
    site, day, refusal = _site_and_day(site_id)
    if refusal is not None:
        return refusal
    return _render(site, day, fragment=False)


@board.get("/sites/<id:site_id>/board/live")
@roles_required(*STAFF)
def live(site_id: int):
    """The board's changing part, for the page's refresh: 304 while nothing it shows has changed."""
    site, day, refusal = _site_and_day(site_id)
    if refusal is not None:
        return refusal
    tag = _etag(site, day, now())
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
        response.set_etag(tag)
        return response
    return _render(site, day, fragment=True, tag=tag)


@board.post("/board/sessions/<id:session_id>/status")
@roles_required(*ACTORS)
def act(session_id: int):
    """Check in, start, hold, fulfil or mark a no-show through the status service; refusals say why."""
    key = request.form.get("action", "")
    typed = request.form.get("reason", "")[:2000]
    try:
        act_on_session(session_id, key, actor(), now(), escort_confirmed=request.form.get("escort_confirmed") == "y",
                       reason=typed)
    except NotFound as missing:
        return problem(404, str(missing))
    except InvalidData as invalid:
        said = {p.field: p.message for p in invalid.problems}
        if "reason" in said:  # shown beside the visit's reason field, with what was typed kept
            return _after_action(session_id, "alert", f"The dose is not held: {said['reason']}", 422,
                                 held=(session_id, said["reason"], typed[:600]))
        return _after_action(session_id, "alert", "Choose one of the board's actions.", 422)
    except StatusRefused as refused:
        return _after_action(session_id, "alert", " ".join(r.message for r in refused.reasons), 409)
    except InvalidTransition as wrong:
        return _after_action(session_id, "alert", f"{wrong} Someone may have changed it already: the board "
                                                  "now shows its current status.", 409)
    return _after_action(session_id, "status", None, 200, key)


def _after_action(session_id: int, role: str, message: str | None, status: int, key: str = "",
                  held: tuple[int, str, str] | None = None):
    """The board again with what happened: the live part for the page's script, else the page (or a redirect)."""
    db.session.rollback()  # read what the action committed, not the transaction it ran in
    row = db.session.get(Session, session_id)
    site = board_reads.site_row(db.session, row.site_id)
    day = local(row.starts_at, site.timezone).date()
    if message is None:
        message = _DONE[key].format(row.patient.name)
    if request.headers.get("X-Requested-With") == "fetch":
        return _render(site, day, fragment=True, notice=(role, message), status=status, held=held)
    if status == 200:
        flash(message, "info")
        return redirect(url_for(".site_board", site_id=site.id, day=day.isoformat()), 303)
    return _render(site, day, fragment=False, notice=(role, message), status=status, held=held)


def _site_and_day(site_id: int):
    """(site, day, None) from the path and ?day=, or (None, None, the 404/422 answer)."""
    site = board_reads.site_row(db.session, site_id)
    if site is None:
        return None, None, problem(404, f"No site with id {site_id}.")
    raw = request.args.get("day", "").strip()
    day = parse_day(raw) if raw else local(now(), site.timezone).date()
    if day is None:
        return None, None, problem(422, f"day must be a date between {EARLIEST} and {LATEST} written like 2026-11-23.",
                                   fields=[{"field": "day", "message": "not a date like 2026-11-23"}])
    return site, day, None


def _etag(site: queries.SiteRow, day: date, moment: datetime) -> str:
    """Changes when the board's data changes, when the minute turns (who is due now) and with the viewer's role."""
    mark = board_reads.board_mark(db.session, site.id, day_span(day, site.timezone))
    seed = f"{site.id}|{day}|{mark}|{moment:%Y%m%d%H%M}|{current_user.role}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def _render(site: queries.SiteRow, day: date, fragment: bool, notice: tuple[str, str] | None = None,
            status: int = 200, tag: str | None = None, held: tuple[int, str, str] | None = None):
    moment = now()
    tag = tag or _etag(site, day, moment)
    seen = board_reads.board_day(db.session, site, day, day_span(day, site.timezone))
    today = local(moment, site.timezone).date()
    context = {
        "site": site, "day": day, "today": today, "now": moment, "notice": notice, "etag": tag, "fragment": fragment,
        "previous": day - timedelta(days=1), "following": day + timedelta(days=1),
        "lines": _lines(seen, moment, site.timezone), "shifts": seen.shifts,
        "chairs": _chairs(seen, moment) if day == today else [],
        "closed": front_desk.why_closed(day, seen.closure, seen.hours, bool(seen.shifts)),
        "may_act": current_user.role in (*ACTORS, "admin"),
        "act_url": url_for(".act", session_id=0).removesuffix("0/status"),
        "refresh_seconds": current_app.config["BOARD_REFRESH_SECONDS"],
        "held": held,  # (session id, the error beside its reason field, what was typed) after a refused hold
    }
    template = "board/live.html" if fragment else "board/board.html"
    response = make_response(render_template(template, **context), status)
    response.set_etag(tag)
    # Always asked again, never shown from a cache: the board must not go stale in a browser's cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _lines(seen: board_reads.BoardDay, moment: datetime, zone: str) -> list[Line]:
    # Words made here, once per visit: a busy day's 200 visits made the template's filters and loops its main cost.
    return [Line(v, span_filter(v.starts_at, v.ends_at, zone),
                 " · ".join((v.session_type, v.room or "no room", *(p.name for p in v.staff))),
                 STATUS_WORDS[v.status], front_desk.actions_for(v.status, v.starts_at, moment, zone, v.kind),
                 front_desk.needs_escort(v.kind))
            for v in seen.sessions]


def _chairs(seen: board_reads.BoardDay, moment: datetime) -> list[Chair]:
    by_room: dict[int | None, list[board_reads.BoardSession]] = {}
    for visit in seen.sessions:
        by_room.setdefault(visit.room_id, []).append(visit)
    chairs = []
    for room in seen.rooms:
        if room.active:
            chairs.append(Chair(room, *front_desk.in_chair_now(by_room.get(room.id, []), moment)))
    return chairs


@board.app_template_filter("wall")
def wall(instant: datetime, zone: str) -> str:
    """'13:05' in the site's wall time."""
    return f"{local(instant, zone):%H:%M}"
