"""Reception books one session from offers: /book?patient=<id>, pick type, site and a day or week, one click."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner.domain.calendar import local
from planner.domain.errors import BookingRefused, InvalidData, Reason
from planner.services.book_desk import booked_session, desk_choices
from planner.services.patient_search import patient_brief, search_patients
from planner.services.booking import SessionOrder, book_session
from planner.services.inputs import MAX_ID
from planner.services.offers import find_offers
from planner.web.access import actor, now, roles_required
from planner.web.errors import problem
from planner.web.pages import parse_day

book = Blueprint("book", __name__)
SPANS = {"day": 0, "week": 6}
ROLES = ("supervising_prescriber", "monitoring_clinician", "therapist")
# Where a service's field names land on this page's form.
_FIELDS = {"to": "day", "from": "day", "patient_id": "patient"}


def _number(raw: str | None) -> int | None:
    """A record id typed or posted as text, or None (a number too long to be an id is none either)."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def _asked(args) -> tuple[dict, dict[str, str]]:
    """The page's choices from a query string or form, and an error beside each field that is not right."""
    values = {"session_type_id": args.get("session_type_id", "").strip(), "site_id": args.get("site_id", "").strip(),
              "day": args.get("day", "").strip(), "span": args.get("span", "day").strip() or "day",
              "more": "1" if args.get("more") == "1" else ""}  # "more times": every start, not an hour apart
    errors = {}
    for field, what in (("session_type_id", "session type"), ("site_id", "site")):
        if _number(values[field]) is None:
            errors[field] = f"Pick a {what}."
    if parse_day(values["day"]) is None:
        errors["day"] = "Give a date like 2026-11-23."
    if values["span"] not in SPANS:
        errors["span"] = "Pick a day or a week."
    return values, errors


@book.get("/book")
@roles_required("reception")
def choose():
    """Find the patient, then show the offers for the chosen type, site and day or week."""
    if not request.args.get("patient"):
        text = request.args.get("q", "")
        return render_template("book/find.html", q=text[:120], matches=search_patients(text).hits if text.strip() else None)
    patient_id = _number(request.args["patient"])
    if patient_id is None:
        return problem(422, "patient must be a patient's number, e.g. /book?patient=12.",
                       fields=[{"field": "patient", "message": "not a patient's number"}])
    patient = patient_brief(patient_id)
    if "session_type_id" not in request.args:
        sites, _ = desk_choices()
        site = next((s for s in sites if s.id == patient.home_site_id), sites[0] if sites else None)
        today = local(now(), site.detail).date().isoformat() if site else ""
        return _page(patient, {"session_type_id": "", "site_id": str(site.id) if site else "", "day": today,
                               "span": "day"}, {})
    values, errors = _asked(request.args)
    return _page(patient, values, errors)


@book.post("/book")
@roles_required("reception")
def take():
    """Book one offer through the booking service; a stale offer gets every reason and fresh offers."""
    form = request.form
    patient_id, site_id, type_id = (_number(form.get(k)) for k in ("patient", "site_id", "session_type_id"))
    room_id = _number(form.get("room_id")) if form.get("room_id") else None
    start = _instant(form.get("start", ""))
    staff = [_placement(item) for item in form.getlist("staff")]
    if None in (patient_id, site_id, type_id, start) or None in staff or (form.get("room_id") and room_id is None):
        return problem(422, "This offer could not be read: reload the offers and pick one again.",
                       fields=[{"field": "offer", "message": "not an offer this page made"}])
    order = SessionOrder(patient_id, site_id, type_id, start, room_id, tuple(staff))
    try:
        session_id = book_session(order, actor(), now())
    except BookingRefused as refused:
        values, errors = _asked(form)
        return _page(patient_brief(patient_id), values, errors, stale=refused.reasons, status=409)
    flash("Booked. The patient's invite and reminders are on their way.", "success")
    return redirect(url_for("book.booked", session_id=session_id), 303)


@book.get("/book/booked/<id:session_id>")
@roles_required("reception")
def booked(session_id: int):
    """The session just booked, in the site's wall time."""
    return render_template("book/booked.html", s=booked_session(session_id))


def _page(patient, values: dict, errors: dict[str, str], stale: list[Reason] | None = None, status: int = 200):
    sites, types = desk_choices()
    found = None
    if values["session_type_id"] and not errors:
        first = parse_day(values["day"])
        try:
            found = find_offers(int(values["site_id"]), int(values["session_type_id"]), first,
                                first + timedelta(days=SPANS[values["span"]]), now(), patient.id,
                                more=bool(values.get("more")))
        except InvalidData as invalid:
            errors = {_FIELDS.get(p.field, p.field): p.message for p in invalid.problems}
    page = render_template("book/offers.html", patient=patient, sites=sites, types=types, values=values,
                           errors=errors, found=found, stale=stale)
    return page, 422 if errors else status


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _placement(text: str) -> tuple[int, str] | None:
    staff_id, _, role = text.partition(":")
    number = _number(staff_id)
    return (number, role) if number is not None and role in ROLES else None


@book.app_template_filter("wall")
def wall(instant: datetime, zone: str, pattern: str = "%H:%M") -> str:
    """An instant in the site's wall time."""
    return local(instant, zone).strftime(pattern)


@book.app_template_filter("zone_label")
def zone_label(instant: datetime, zone: str) -> str:
    """The zone's abbreviation at that instant (EST, CET), or its UTC offset where it has none (UTC-03)."""
    name = local(instant, zone).strftime("%Z")
    return f"UTC{name}" if name[:1] in "+-" else name
