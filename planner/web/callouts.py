"""Call-out pages: mark someone away for a span, see each session's proposed repair, apply it in one click.

Admin only. domain.md gives staff, shifts and coverage gaps to the clinic admin; a call-out
records another person's time off and re-staffs or moves other clinicians' and patients'
sessions, so a clinician who falls ill tells the admin rather than repairing the day alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import Blueprint, redirect, render_template, request, url_for

from planner.domain.callouts import AUTO, CHOICES, GAP, MOVE, REASSIGN
from planner.domain.calendar import local, wall_instant
from planner.domain.errors import InvalidData
from planner.services.callouts import CalloutStale, Preview, apply_callout, preview_callout
from planner.services.callouts_view import callout, past_callouts, people, zone_for
from planner.web.access import actor, now, roles_required

callouts = Blueprint("callouts", __name__)
WALL = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$")
FIELDS = {"staff_id": "staff_id", "starts_at": "from", "ends_at": "to", "reason": "reason"}  # service -> form
CHOICE_WORDS = {AUTO: "Best repair", REASSIGN: "Reassign only", MOVE: "Move only", GAP: "Leave as a gap"}


@callouts.get("/callouts/new")
@roles_required()
def new():
    """The call-out form; with a person and a span, the preview of each affected session's repair."""
    asked = _asked(request.args)
    preview = None
    if asked["errors"] == {} and asked["complete"]:
        try:
            preview = preview_callout(asked["staff_id"], asked["starts"], asked["ends"], now(), asked["choices"])
        except InvalidData as bad:
            asked["errors"] = _field_errors(bad)
    status = 422 if asked["errors"] else 200
    return _page(asked, preview, status=status)


@callouts.post("/callouts")
@roles_required()
def apply():
    """Apply the previewed call-out: time off, reassignments and moves together, or the fresh preview when stale."""
    asked = _asked(request.form)
    if asked["errors"] or not asked["complete"]:
        asked["errors"] = asked["errors"] or {"staff_id": "Choose who is away and when."}
        return _page(asked, None, status=422)
    try:
        done = apply_callout(asked["staff_id"], asked["starts"], asked["ends"], request.form.get("reason", ""),
                             request.form.get("token", "")[:64], actor(), now(), asked["choices"])
    except InvalidData as bad:
        asked["errors"] = _field_errors(bad)
        return _page(asked, None, status=422)
    except CalloutStale as stale:
        return _page(asked, stale.fresh, stale=True, status=409)
    return redirect(url_for("callouts.show", callout_id=done.callout_id))


@callouts.get("/callouts")
@roles_required()
def history():
    """Past call-outs, newest first, with what each did."""
    return render_template("callouts/list.html", rows=past_callouts())


@callouts.get("/callouts/<id:callout_id>")
@roles_required()
def show(callout_id: int):
    """One call-out applied: each session's repair and who was told."""
    return render_template("callouts/show.html", c=callout(callout_id))


def _page(asked: dict, preview: Preview | None, stale: bool = False, status: int = 200):
    return render_template("callouts/new.html", asked=asked, people=people(), preview=preview, stale=stale,
                           choice_words=CHOICE_WORDS, choices=CHOICES), status


def _asked(source) -> dict:
    """The person, span (site wall time), reason and per-session choices a form or query gives, with errors per field."""
    moment = now()
    errors: dict[str, str] = {}
    raw_staff = (source.get("staff_id") or "").strip()
    staff_id = None
    if raw_staff:
        if raw_staff.isascii() and raw_staff.isdigit() and len(raw_staff) <= 9 and int(raw_staff) > 0:
            staff_id = int(raw_staff)
        else:
            errors["staff_id"] = "Choose someone from the list."
    zone = zone_for(staff_id, moment)
    wall_now = local(moment, zone)
    default_from = wall_now.replace(minute=wall_now.minute - wall_now.minute % 15, second=0, microsecond=0)
    texts = {"from": (source.get("from") or "").strip()[:40] or f"{default_from:%Y-%m-%dT%H:%M}",
             "to": (source.get("to") or "").strip()[:40]
             or f"{wall_now.date() + timedelta(days=1):%Y-%m-%d}T00:00"}
    instants = {}
    for name, text in texts.items():
        instants[name] = _wall(text, zone)
        if instants[name] is None:
            errors[name] = "Give a date and time like 2026-11-23T07:00."
    choices = {}
    for key, value in source.items():
        if key.startswith("repair-") and key[7:].isascii() and key[7:].isdigit() and len(key) < 20:
            if value not in CHOICES:
                errors["choices"] = "Choose one of the repairs offered."
            elif value != AUTO:
                choices[int(key[7:])] = value
    return {"staff_id": staff_id, "zone": zone, "texts": texts, "reason": (source.get("reason") or "")[:200],
            "starts": instants["from"], "ends": instants["to"], "choices": choices, "errors": errors,
            "complete": staff_id is not None and "staff_id" in source}


def _wall(text: str, zone: str) -> datetime | None:
    found = WALL.match(text)
    if not found:
        return None
    try:
        day, hour, minute = date.fromisoformat(found.group(1)), int(found.group(2)), int(found.group(3))
        if not (2000 <= day.year <= 2100):
            return None
        return wall_instant(day, time(hour, minute), zone)
    except ValueError:
        return None


def _field_errors(bad: InvalidData) -> dict[str, str]:
    return {FIELDS.get(p.field or "", "staff_id"): p.message for p in bad.problems}
