"""The REMS page: patient monitoring forms owed after esketamine sessions, per prescriber and site; mark done."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.domain import rems
from planner.domain.errors import InvalidData, NotFound, StatusRefused
from planner.services import rems_forms
from planner.services.rems_view import FormFilter, FormRow, filter_choices, form_counts, form_history
from planner.services.rems_view import monitoring_forms
from planner.web.access import actor, now, roles_required
from planner.web.errors import problem

rems_page = Blueprint("rems", __name__)
STATES = (rems.OPEN, rems.DONE)


@dataclass(frozen=True)
class Group:
    """The forms one prescriber owes at one site."""

    prescriber: str
    site: str
    own: bool
    forms: list[FormRow]

    @property
    def overdue(self) -> int:
        return sum(1 for form in self.forms if form.overdue)


@rems_page.app_template_global("rems_form_counts")
def rems_form_counts():
    """Open and overdue monitoring forms, for the overview's REMS line."""
    return form_counts(now())


@rems_page.get("/rems")
@roles_required("clinician")
def tasks():
    """Open (or done) monitoring forms grouped per prescriber and site, the signed-in prescriber's first."""
    state = request.args.get("state") or rems.OPEN
    site_id, prescriber_id = _id_arg("site_id"), _id_arg("prescriber_id")
    fields = [{"field": name, "message": message} for name, message in (
        ("state", None if state in STATES else "open or done"),
        ("site_id", None if site_id is not False else "a site's number"),
        ("prescriber_id", None if prescriber_id is not False else "a prescriber's number"),
    ) if message]
    if fields:
        return problem(422, "These filters are not right.", fields=fields)
    rows = monitoring_forms(FormFilter(state, prescriber_id or None, site_id or None), now())
    groups = _groups(rows, getattr(current_user, "staff_id", None))
    return render_template("rems/list.html", groups=groups, state=state, site_id=site_id, prescriber_id=prescriber_id,
                           choices=filter_choices(), overdue=sum(g.overdue for g in groups), total=len(rows))


def _id_arg(name: str) -> int | None | bool:
    # None: not given; False: not a plain number (ASCII digits only: "²".isdigit() is true).
    text = request.args.get(name) or ""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) == 0:
        return False
    return int(text)


def _groups(rows: list[FormRow], own_staff: int | None) -> list[Group]:
    grouped: dict[tuple, list[FormRow]] = {}
    for row in rows:
        grouped.setdefault((row.prescriber_id, row.prescriber_name or "No prescriber", row.site_name), []).append(row)
    groups = [Group(name, site, prescriber is not None and prescriber == own_staff, forms)
              for (prescriber, name, site), forms in grouped.items()]
    # The signed-in prescriber's own forms first, then the rest by name and site.
    return sorted(groups, key=lambda g: (not g.own, g.prescriber, g.site))


@rems_page.post("/rems/<id:task_id>/done")
@roles_required("clinician")
def mark_done(task_id: int):
    """Mark a form sent; it leaves the open list (and shows under "done")."""
    done = rems_forms.mark_done(task_id, actor(), now())
    flash(f"Monitoring form {task_id} is marked done by {done.done_by}.", "success")
    return redirect(_back(), 303)


def _back() -> str:
    # Back to the list as it was filtered; only our own list, never a URL from the form.
    wanted = {name: request.form.get(name) for name in ("state", "site_id", "prescriber_id")}
    return url_for(".tasks", **{k: v for k, v in wanted.items() if v and v.isascii() and v.isalnum()})


@rems_page.get("/rems/<id:task_id>")
@roles_required("clinician")
def show(task_id: int):
    """One form: its session, due day, state and history; the admin may undo a "done"."""
    return _form_page(task_id, "", None, 200)


@rems_page.post("/rems/<id:task_id>/reopen")
@roles_required("admin")
def reopen(task_id: int):
    """Undo a "done" with a reason (admin only); the reason is kept in the form's history."""
    typed = request.form.get("reason", "")[:2000]
    try:
        rems_forms.reopen(task_id, typed, actor(), now())
    except InvalidData as invalid:
        return _form_page(task_id, typed[:500], invalid.problems[0].message, 422)
    except StatusRefused as refused:
        return _form_page(task_id, typed[:500], refused.reasons[0].message, 409)
    flash(f"Monitoring form {task_id} is open again.", "success")
    return redirect(url_for(".show", task_id=task_id), 303)


def _form_page(task_id: int, reason: str, error: str | None, status: int):
    found = monitoring_forms(FormFilter(state=None, form_id=task_id), now())
    if not found:
        raise NotFound("monitoring form", task_id)
    return render_template("rems/form.html", form=found[0], history=form_history(task_id), reason=reason,
                           error=error), status
