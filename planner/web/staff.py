"""The admin's staff pages: the list, a person's page, adding and editing a person, deactivating them.

Credentials, shifts, time off and the weekly pattern are in staff_rows.py (the same blueprint).
Every change goes through the service the API calls, so the same rules, cover checks and audit apply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from planner.db import reads
from planner.domain.calendar import local
from planner.domain.errors import CoverBroken, InvalidData
from planner.domain.staffing import CREDENTIAL_NAMES
from planner.extensions import db
from planner.services import staff_forms, staff_members
from planner.services.change_inputs import StaffChange
from planner.services.staff_pages import clinic_today, staff_list, staff_page
from planner.web.access import actor, now, roles_required
from planner.web.staff_fields import Form, StaffForm

staff = Blueprint("staff", __name__)
SHOWN = ("active", "inactive", "all")


def today():
    """The clinic's today, on which credentials are judged."""
    return clinic_today(now())


@staff.get("/staff")
@roles_required("admin")
def listing():
    """Every staff member, active first (deactivated under a filter), searched by name."""
    query = request.args.get("q", "")[:120]
    show = request.args.get("show", "active")
    show = show if show in SHOWN else "active"
    return render_template("staff/list.html", rows=staff_list(query, show, today()), q=query, show=show)


@staff.get("/staff/<id:staff_id>")
@roles_required("admin")
def show(staff_id: int):
    """A person's page: details, credentials, shifts and time off ahead, sessions booked, history."""
    return person_page(staff_id)


def person_page(staff_id: int, broken: list | None = None, problem: str | None = None, status: int = 200,
                callout: dict | None = None):
    """The person's page, with a refusal above everything when a change from it was refused."""
    page = staff_page(staff_id, now(), today())
    return render_template("staff/show.html", page=page, broken=broken, problem=problem, callout=callout,
                           weeks=_weeks(page.shifts)), status


def _weeks(shifts: list) -> list[tuple]:
    """Shifts grouped by the week (from Monday) of their local start at their site, in order."""
    weeks: dict = {}
    for row in shifts:
        day = local(row.starts_at, row.zone).date()
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(row)
    return list(weeks.items())


@staff.app_template_filter("credential_kind")
def credential_kind(kind: str) -> str:
    """'ACLS', 'REMS training': a credential's kind as the clinic says it."""
    return CREDENTIAL_NAMES.get(kind, kind)


@staff.app_template_filter("audit_words")
def audit_words(action: str) -> str:
    """'shift.withdrawn' as 'shift withdrawn'."""
    return action.replace(".", " ").replace("_", " ")


@staff.route("/staff/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    """Add a staff member; each error beside its field (422), nothing written."""
    form = StaffForm()
    if form.validate_on_submit():
        try:
            staff_id = staff_forms.add_staff(form.values(), actor(), now())
        except InvalidData as invalid:
            form.show_errors(invalid.problems)
        else:
            flash(f"{form.name.data.strip()} is added.", "success")
            return redirect(url_for(".show", staff_id=staff_id), 303)
    return form_page(form, "Add a staff member", None)


@staff.route("/staff/<id:staff_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(staff_id: int):
    """Edit a person's details; a change of discipline that breaks a session ahead is refused, naming it."""
    page = staff_page(staff_id, now(), today())
    form = StaffForm() if request.method == "POST" else StaffForm(data={
        "name": page.name, "email": page.email or "", "phone": page.phone or "", "disciplines": page.disciplines})
    return attempt(form, lambda: staff_forms.edit_staff(staff_id, form.values(), actor(), now()),
                   f"Edit {page.name}", staff_id, "Saved.", person=page.name)


@staff.post("/staff/<id:staff_id>/deactivate")
@roles_required("admin")
def deactivate(staff_id: int):
    """Deactivate a person (kept, never offered again); refused while they are booked ahead, naming the sessions."""
    return row_action(staff_id, lambda: staff_members.deactivate_staff(staff_id, actor(), now()), "Deactivated.")


@staff.post("/staff/<id:staff_id>/reactivate")
@roles_required("admin")
def reactivate(staff_id: int):
    """Bring a deactivated person back: they may be offered and booked again."""
    return row_action(staff_id, lambda: staff_members.change_staff(staff_id, StaffChange(active=True), actor(), now()),
                      "Active again.")


def row_action(staff_id: int, action: Callable[[], object], done: str, callout: dict | None = None):
    """A button on the person's page: done and back to the page, or the page with the refusal (409/422)."""
    if not Form().validate_on_submit():  # the CSRF token only
        return person_page(staff_id, problem="The form had expired; nothing was changed. Try again.", status=400)
    try:
        action()
    except CoverBroken as refused:
        return person_page(staff_id, broken=refused.reasons, status=409, callout=callout)
    except InvalidData as invalid:
        return person_page(staff_id, problem=" ".join(p.message for p in invalid.problems), status=422)
    flash(done, "success")
    return redirect(url_for(".show", staff_id=staff_id), 303)


def attempt(form: Form, action: Callable[[], object], title: str, staff_id: int | None, done: str,
            callout: Callable[[], dict | None] | None = None, **context):
    """Run a form's change: back to the person's page, or the form with errors beside fields or the refusal."""
    if form.validate_on_submit():
        try:
            action()
        except InvalidData as invalid:
            form.show_errors(invalid.problems)
        except CoverBroken as refused:
            return form_page(form, title, staff_id, broken=refused.reasons, status=409,
                             callout=callout() if callout else None, **context)
        else:
            flash(done, "success")
            return redirect(url_for(".show", staff_id=staff_id), 303)
    return form_page(form, title, staff_id, **context)


def form_page(form: Form, title: str, staff_id: int | None, broken: list | None = None, status: int | None = None,
              callout: dict | None = None, **context):
    """A staff form; 422 after a post with errors, 409 when the change would break booked sessions."""
    failed = request.method == "POST"
    page = render_template("staff/form.html", form=form, title=title, staff_id=staff_id, broken=broken,
                           failed=failed and not broken, callout=callout, **context)
    return page, status or (422 if failed else 200)


def site_choices(blank: str = "Choose a site") -> list[SelectChoice]:
    """The sites in service, for a site select."""
    sites = [s for s in reads.listed_sites(db.session) if s.active]
    return [SelectChoice("", blank)] + [SelectChoice(str(s.id), f"{s.name} ({s.timezone})") for s in sites]
