"""The admin's reminder policy per session type (/settings/reminders): hours before, or the clinic default."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField

from planner.domain.errors import InvalidData
from planner.domain.reminders import DEFAULT_HOURS
from planner.services.reminder_policy import as_typed, reminder_policies, set_reminder_hours
from planner.web.access import actor, now, roles_required

reminder_settings = Blueprint("reminder_settings", __name__)


class ReminderForm(FlaskForm):
    """One session type's reminder hours, as typed (the service reads and judges them)."""

    reminder_hours = StringField("Remind this many hours before", render_kw={"maxlength": 40, "inputmode": "text"})


@reminder_settings.get("/settings/reminders")
@roles_required("admin")
def policies():
    """Each session type with its reminder hours, each a small form."""
    return _page()


@reminder_settings.post("/settings/reminders/<id:type_id>")
@roles_required("admin")
def change(type_id: int):
    """Set one type's reminders; the reminders of its sessions booked ahead are queued again under the new policy."""
    form = ReminderForm(prefix=f"type-{type_id}")
    if not form.validate_on_submit():  # the CSRF token only
        abort(400)
    try:
        set_reminder_hours(type_id, form.reminder_hours.data or "", actor(), now())
    except InvalidData as invalid:
        form.reminder_hours.errors = [p.message for p in invalid.problems]
        return _page((type_id, form), 422)
    flash("Saved. Reminders of the sessions of that type booked ahead follow the new policy.", "success")
    return redirect(url_for(".policies") + f"#type-{type_id}", 303)


def _page(submitted: tuple[int, ReminderForm] | None = None, status: int = 200):
    rows = reminder_policies()
    forms = {t.id: ReminderForm(formdata=None, prefix=f"type-{t.id}", reminder_hours=as_typed(t.hours)) for t in rows}
    if submitted:
        forms[submitted[0]] = submitted[1]
    page = render_template("messages/reminders.html", types=rows, forms=forms, default=DEFAULT_HOURS,
                           failed=submitted[0] if submitted else None)
    return page, status
