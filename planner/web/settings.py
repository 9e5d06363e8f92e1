"""The admin's page for how the clinic tells people (clinic name, staff invite detail, quiet hours)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner.domain.errors import InvalidData
from planner.services.clinic_settings import message_settings, update_message_settings
from planner.web.access import actor, now, roles_required

settings = Blueprint("settings", __name__)


@settings.route("/settings/messages", methods=["GET", "POST"])
@roles_required("admin")
def messages():
    """Show the message settings; on POST save them, or show each error beside its field (422)."""
    errors: dict[str, str] = {}
    current = message_settings()
    values = {"clinic_name": current.clinic_name, "staff_invites_detailed": current.staff_detailed,
              "quiet_from": current.quiet.start.strftime("%H:%M"), "quiet_until": current.quiet.end.strftime("%H:%M")}
    if request.method == "POST":
        values = {"clinic_name": request.form.get("clinic_name", ""),
                  "staff_invites_detailed": request.form.get("staff_invites_detailed") == "on",
                  "quiet_from": request.form.get("quiet_from", ""), "quiet_until": request.form.get("quiet_until", "")}
        try:
            update_message_settings(values, actor(), now())
        except InvalidData as invalid:
            errors = {problem.field: problem.message for problem in invalid.problems}
        else:
            flash("Saved. New messages use these settings; messages already queued keep what they say.", "success")
            return redirect(url_for("settings.messages"))
    page = render_template("messages/settings.html", values=values, errors=errors)
    return page, 422 if errors else 200
