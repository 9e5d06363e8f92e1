"""A person's credentials, shifts, time off and weekly shift pattern, on the admin's staff pages.

Withdrawing and revoking keep the row (shown as withdrawn or revoked); a change that would leave a
booked session uncovered is refused with every such session named, and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import flash, redirect, render_template, request, url_for

from planner.domain.calendar import local
from planner.domain.errors import InvalidData
from planner.services import staff_edits, staff_forms
from planner.services.callouts_view import zone_for
from planner.services.shift_patterns import create_pattern, preview_pattern
from planner.services.staff_pages import form_values, span_of, staff_page, usual_site
from planner.web.access import actor, now, roles_required
from planner.web.staff import attempt, row_action, site_choices, staff, today
from planner.web.staff_fields import CredentialForm, PatternForm, ShiftForm, TimeOffForm


def _callout(staff_id: int, span: tuple[datetime, datetime] | None) -> dict | None:
    # The call-out page (issue 12 part 5) takes who and the span, in the wall time it shows for
    # them (their site's); it may apply what was refused here.
    if span is None:
        return None
    zone = zone_for(staff_id, now())
    return {"staff_id": staff_id, "from": f"{local(span[0], zone):%Y-%m-%dT%H:%M}",
            "to": f"{local(span[1], zone):%Y-%m-%dT%H:%M}", "reason": request.form.get("reason", "")[:200]}


def _name(staff_id: int) -> str:
    return staff_page(staff_id, now(), today()).name


def _titled(staff_id: int, words: str) -> dict:
    """The form's title and crumb: 'Add a shift for Rosa Diaz' (NotFound for an unknown person)."""
    name = _name(staff_id)
    return {"title": f"{words} {name}", "person": name}


@staff.route("/staff/<id:staff_id>/credentials/new", methods=["GET", "POST"])
@roles_required("admin")
def new_credential(staff_id: int):
    """Record a credential."""
    form = CredentialForm()
    return attempt(form, lambda: staff_forms.add_credential(staff_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Credential recorded.", **_titled(staff_id, "Add a credential for"))


@staff.route("/staff/<id:staff_id>/credentials/<id:credential_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_credential(staff_id: int, credential_id: int):
    """Change a credential's number or dates; refused if a session ahead relies on it, naming each."""
    current = form_values("credential", staff_id, credential_id)
    form = CredentialForm() if request.method == "POST" else CredentialForm(data=current)
    form.kind.data = current["kind"]  # its kind stays: shown, not sent
    form.kind.render_kw = {"disabled": True}
    return attempt(form, lambda: staff_forms.edit_credential(staff_id, credential_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Credential saved.", **_titled(staff_id, "Edit a credential of"))


@staff.post("/staff/<id:staff_id>/credentials/<id:credential_id>/revoke")
@roles_required("admin")
def revoke_credential(staff_id: int, credential_id: int):
    """Revoke a credential from today (kept, shown as revoked), unless a session ahead relies on it."""
    return row_action(staff_id, lambda: staff_edits.revoke_credential(staff_id, credential_id, actor(), now()),
                      "Credential revoked.")


@staff.route("/staff/<id:staff_id>/shifts/new", methods=["GET", "POST"])
@roles_required("admin")
def new_shift(staff_id: int):
    """Add one shift at a site, in that site's wall time."""
    form = ShiftForm()
    form.site_id.choices = site_choices()
    return attempt(form, lambda: staff_forms.add_shift(staff_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Shift added.", **_titled(staff_id, "Add a shift for"))


@staff.route("/staff/<id:staff_id>/shifts/<id:shift_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_shift(staff_id: int, shift_id: int):
    """Move a shift; refused if a session booked on it would lose cover, naming each."""
    current = form_values("shift", staff_id, shift_id)
    form = ShiftForm() if request.method == "POST" else ShiftForm(data=current)
    form.site_id.choices = site_choices()
    return attempt(form, lambda: staff_forms.edit_shift(staff_id, shift_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Shift saved.", **_titled(staff_id, "Edit a shift of"),
                   callout=lambda: _callout(staff_id, span_of("shift", shift_id)))


@staff.post("/staff/<id:staff_id>/shifts/<id:shift_id>/<any(withdraw, reinstate):verb>")
@roles_required("admin")
def shift_withdrawn(staff_id: int, shift_id: int, verb: str):
    """Withdraw a shift ahead (kept) or re-instate it; a withdrawal under booked sessions is refused, naming them."""
    return row_action(staff_id, lambda: staff_forms.set_withdrawn("shift", staff_id, shift_id, verb == "withdraw",
                                                                  actor(), now()),
                      "Shift withdrawn." if verb == "withdraw" else "Shift re-instated.",
                      callout=_callout(staff_id, span_of("shift", shift_id)))


@staff.route("/staff/<id:staff_id>/time-off/new", methods=["GET", "POST"])
@roles_required("admin")
def new_time_off(staff_id: int):
    """Add time off, typed in a site's wall time; refused if it leaves a booked session uncovered, naming each."""
    form = _time_off_form(staff_id, None)
    return attempt(form, lambda: staff_forms.add_time_off(staff_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Time off added.", **_titled(staff_id, "Add time off for"),
                   callout=lambda: _callout(staff_id, staff_forms.typed_leave_span(form.values())))


@staff.route("/staff/<id:staff_id>/time-off/<id:leave_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_time_off(staff_id: int, leave_id: int):
    """Change time off; refused if it leaves a booked session uncovered, naming each."""
    form = _time_off_form(staff_id, form_values("time_off", staff_id, leave_id))
    return attempt(form, lambda: staff_forms.edit_time_off(staff_id, leave_id, form.values(), actor(), now()),
                   staff_id=staff_id, done="Time off saved.", **_titled(staff_id, "Edit time off of"),
                   callout=lambda: _callout(staff_id, staff_forms.typed_leave_span(form.values())))


@staff.post("/staff/<id:staff_id>/time-off/<id:leave_id>/<any(withdraw, reinstate):verb>")
@roles_required("admin")
def time_off_withdrawn(staff_id: int, leave_id: int, verb: str):
    """Withdraw time off ahead (kept) or re-instate it (refused if that leaves a booked session uncovered)."""
    return row_action(staff_id, lambda: staff_forms.set_withdrawn("time_off", staff_id, leave_id,
                                                                  verb == "withdraw", actor(), now()),
                      "Time off withdrawn." if verb == "withdraw" else "Time off re-instated.")


def _time_off_form(staff_id: int, current: dict | None) -> TimeOffForm:
    if request.method == "POST":
        form = TimeOffForm()
    else:
        site_id, _ = usual_site(staff_id)
        form = TimeOffForm(data=current or {"site_id": str(site_id or ""), "from_time": "00:00",
                                            "until_time": "23:59"})
    form.site_id.choices = site_choices()
    return form


@staff.route("/staff/<id:staff_id>/shifts/pattern", methods=["GET", "POST"])
@roles_required("admin")
def pattern(staff_id: int):
    """A weekly pattern: preview its shifts (clashes listed), then create them all in one transaction."""
    name = _name(staff_id)  # 404 for an unknown person before anything else
    form = PatternForm()
    form.site_id.choices = site_choices()
    preview, status, kept = None, 200, None
    if request.method == "POST" and not form.validate_on_submit():
        status = 400  # the CSRF token only: the page says the form expired
    elif request.method == "POST":
        try:
            if request.form.get("action") == "create":
                # Only the ticked days: a day the admin has not seen in a preview is never made.
                kept = _days("keep")
                every = {s.day for s in preview_pattern(staff_id, form.values(), now()).shifts}
                made = create_pattern(staff_id, form.values(), every - kept, actor(), now())
                flash(f"{made} shifts created.", "success")
                return redirect(url_for(".show", staff_id=staff_id), 303)
            preview = preview_pattern(staff_id, form.values(), now())
        except InvalidData as invalid:
            on_form = [p for p in invalid.problems if p.field != "shifts"]
            form.show_errors(on_form)
            status = 422
            if len(on_form) < len(invalid.problems):  # the pattern reads, but chosen shifts clash: show them again
                preview = preview_pattern(staff_id, form.values(), now())
                flash("Nothing was created: " + " ".join(p.message for p in invalid.problems if p.field == "shifts"),
                      "error")
    return render_template("staff/pattern.html", form=form, name=name, staff_id=staff_id, preview=preview,
                           kept=kept, expired=status == 400), status


def _days(name: str) -> set[date]:
    """The days of a list of checkboxes or hidden fields (one that does not read names no shift: ignored)."""
    days = set()
    for text in request.form.getlist(name)[:400]:
        try:
            days.add(date.fromisoformat(text))
        except ValueError:
            continue
    return days
