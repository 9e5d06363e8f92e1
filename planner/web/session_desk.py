"""A session's page (/sessions/<id>): what, when, where, who, history; move it to an offered time or cancel it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, InvalidData, InvalidTransition, RequestResolved, StatusRefused
from planner.services.session_moves import WAITING, course_check, move, move_offers, rebook, rebook_offers
from planner.services.session_page import SessionPage, cancel, clean_reason, session_page
from planner.web.access import actor, now, roles_required
from planner.web.checkin_desk import gate_context
from planner.web.book import SPANS, _instant, _number, _placement
from planner.web.errors import problem, said
from planner.web.pages import parse_day

session_desk = Blueprint("session_desk", __name__)
STAFF = ("reception", "clinician", "admin")
DESK = ("reception",)  # admin always may (roles_required)


def _may_act() -> bool:
    return current_user.role in ("reception", "admin")


def _asked(page: SessionPage, args) -> tuple[dict, dict[str, str]]:
    """The day and span to look for offers on (the session's own day by default), and an error beside each."""
    # Its own day by default; a session already past (cancelled, waiting for a new time) looks from today.
    default = max(page.starts_at.date(), local(now(), page.zone).date())
    values = {"day": (args.get("day") or default.isoformat()).strip()[:40],
              "span": (args.get("span") or "day").strip()[:10],
              "more": "1" if args.get("more") == "1" else ""}  # "more times": every start, not an hour apart
    errors = {}
    if parse_day(values["day"]) is None:
        errors["day"] = "Give a date like 2026-11-23."
    if values["span"] not in SPANS:
        errors["span"] = "Pick a day or a week."
    return values, errors


def _working(page: SessionPage, raw: str | None):
    """The open request this visit works (from the requests list), or None."""
    wanted = _number(raw) if raw else None
    return next((ask for ask in page.asks if ask.id == wanted), None)


@session_desk.get("/sessions/<id:session_id>")
@roles_required(*STAFF)
def show(session_id: int):
    """The session, its history and (for the desk) offers to move it to and a way to cancel it."""
    page = session_page(session_id)
    if request.args.get("request") and _number(request.args["request"]) is None:
        return problem(422, "request must be a request's number.", fields=[{"field": "request",
                                                                             "message": "not a request's number"}])
    values, errors = _asked(page, request.args)
    working = _working(page, request.args.get("request"))
    # Offers once asked for (a day picked, or a request being worked): the page itself stays short.
    return _render(page, values, errors, working, look="day" in request.args or working is not None)


def _render(page: SessionPage, values: dict, errors: dict[str, str], working=None, stale=None, status: int = 200,
            look: bool = True, **gate):
    found = breaking = None
    # A cancelled session waiting for a new time (one-off, or a course's dose to put back): book, not move.
    rebooking = working is not None and working.kind in WAITING and not page.movable
    if look and _may_act() and not errors and (page.movable or rebooking):
        first = parse_day(values["day"])
        last = first + timedelta(days=SPANS[values["span"]])
        try:
            looked = (rebook_offers(page.id, first, last, now(), more=bool(values["more"])) if rebooking
                      else move_offers(page.id, first, last, now(), more=bool(values["more"])))
            found, breaking = looked.found, looked.breaking
        except InvalidData as invalid:
            errors = {"day": " ".join(p.message for p in invalid.problems)}
    html = render_template("sessions/session.html", page=page, values=values, errors=errors, found=found,
                           breaking=breaking or [], working=working, rebooking=rebooking, stale=stale,
                           may_act=_may_act(), **gate_context(page.id, page.status, **gate))
    return html, 422 if errors and status == 200 else status


def show_again(session_id: int, status: int, **gate):
    """The page again after a check-in gate form was refused, its errors beside the fields."""
    page = session_page(session_id)
    values, errors = _asked(page, {})
    return _render(page, values, errors, status=status, look=False, **gate)


def _offer_posted(form):
    """The offer a form posted (start, room, team), or None when it is not one this page made."""
    start = _instant(form.get("start", ""))
    room_id = _number(form.get("room_id")) if form.get("room_id") else None
    staff = tuple(_placement(item) for item in form.getlist("staff"))
    if start is None or None in staff or (form.get("room_id") and room_id is None) or not staff:
        return None
    return start, room_id, staff


@session_desk.post("/sessions/<id:session_id>/move")
@roles_required(*DESK)
def move_to(session_id: int):
    """Move the session to the offer picked; a course session is confirmed first; refusals show fresh offers."""
    page = session_page(session_id)
    values, errors = _asked(page, request.form)
    working = _working(page, request.form.get("request"))
    offer, asked_for = _offer_posted(request.form), request.form.get("request")
    if offer is None or errors or (asked_for and _number(asked_for) is None):
        return problem(422, "This offer could not be read: reload the offers and pick one again.",
                       fields=[{"field": "offer", "message": "not an offer this page made"}])
    if asked_for and working is None:
        return _render(page, values, {}, None, ["The request was already resolved by someone else; nothing was "
                                                "moved."], 409)
    start, room_id, staff = offer
    shown = _number(request.form.get("version")) if request.form.get("version") else None
    if shown is not None and shown != page.version:
        return _render(page, values, {}, working, ["The session changed since these offers were shown (someone moved "
                                                   "it or changed its status); here it is as it is now."], 409)
    if page.course_id is not None and request.form.get("confirmed") != "yes":
        return render_template("sessions/confirm_move.html", page=page, start=start, room_id=room_id,
                               staff=request.form.getlist("staff"), values=values, working=working,
                               room=request.form.get("room_name", "")[:80], check=course_check(page.id, start))
    try:
        moved = move(session_id, start, room_id, staff, actor(), now(), working.id if working else None, shown)
    except BookingRefused as refused:
        return _render(session_page(session_id), values, {}, working, [r.message for r in refused.reasons], 409)
    except (InvalidTransition, StatusRefused) as refused:
        return _render(session_page(session_id), values, {}, working, [said(refused)], 409)
    except RequestResolved:
        return _render(session_page(session_id), values, {}, None,
                       ["The request was already resolved by someone else; nothing was moved."], 409)
    done = len(moved.resolved)
    flash("Moved. The patient's updated invite is on its way." + ("" if not done else " The request is marked done."
                                                                  if done == 1 else f" {done} requests are marked done."),
          "success")
    return redirect(url_for(".show", session_id=session_id), 303)


@session_desk.post("/sessions/<id:session_id>/rebook")
@roles_required(*DESK)
def rebook_to(session_id: int):
    """Book the offer picked as the new time of a session the clinic cancelled, resolving its request."""
    page = session_page(session_id)
    values, errors = _asked(page, request.form)
    working = _working(page, request.form.get("request"))
    offer = _offer_posted(request.form)
    if offer is None or errors:
        return problem(422, "This offer could not be read: reload the offers and pick one again.",
                       fields=[{"field": "offer", "message": "not an offer this page made"}])
    if working is None or working.kind not in WAITING:
        return _render(page, values, {}, None, ["This session is no longer waiting for a new time."], 409)
    try:
        new_id = rebook(working.id, *offer, actor(), now())
    except BookingRefused as refused:
        return _render(session_page(session_id), values, {}, working, [r.message for r in refused.reasons], 409)
    except RequestResolved:
        return _render(session_page(session_id), values, {}, None,
                       ["Someone else already booked a new time for this session."], 409)
    flash("Booked the new time. The patient's invite is on its way; the request is marked done.", "success")
    return redirect(url_for(".show", session_id=new_id), 303)


@session_desk.route("/sessions/<id:session_id>/cancel", methods=["GET", "POST"])
@roles_required(*DESK)
def cancel_it(session_id: int):
    """Ask why (and whether the patient needs a new time), then cancel through the lifecycle rules."""
    page = session_page(session_id)
    typed = request.form.get("reason", "")[:2000]
    new_time = request.form.get("new_time") == "yes"
    if request.method == "GET" or not page.movable:
        refused = None if page.movable else [f"A session that is {page.status.replace('_', ' ')} cannot be cancelled."]
        return render_template("sessions/cancel.html", page=page, reason="", error=None, refused=refused,
                               new_time=False), 200 if page.movable else 409
    try:
        reason = clean_reason(typed)
        cancel(session_id, reason, actor(), now(), new_time)
    except InvalidData as invalid:
        return render_template("sessions/cancel.html", page=page, reason=typed[:500], new_time=new_time,
                               error=invalid.problems[0].message, refused=None), 422
    except (InvalidTransition, StatusRefused) as refused:
        return render_template("sessions/cancel.html", page=session_page(session_id), reason=typed[:500],
                               new_time=new_time, error=None, refused=[said(refused)]), 409
    if page.course_id is not None:
        flash("Cancelled. Here is what re-planning the rest of the course would do; nothing changes until you "
              "apply it." + (" The course is on the requests list to re-plan." if new_time else ""), "success")
        return redirect(url_for("course_page.replan_preview", course_id=page.course_id), 303)
    flash("Cancelled. The patient's cancellation notice is on its way."
          + (" It is on the requests list for a new time." if new_time else ""), "success")
    return redirect(url_for(".show", session_id=session_id), 303)


@session_desk.app_template_filter("as_wall")
def as_wall(text: str, zone: str) -> str:
    """An ISO instant kept in the history, in the site's wall time (as written when it cannot be read)."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return local(moment, zone).strftime("%a %d %b %H:%M") if moment.tzinfo else str(text)
