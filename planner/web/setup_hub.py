"""The admin's set-up page: one place that leads to every part of the clinic's configuration."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from planner.web.access import roles_required

setup_hub = Blueprint("setup_hub", __name__)

# (endpoint, name, what it is for), in the order an admin setting up a clinic needs them. An entry
# whose page is not part of this app is left out rather than linked to a 404.
PARTS = (
    ("staff.listing", "Staff", "People, their credentials, shifts and time off."),
    ("site_admin.sites", "Sites and rooms", "Opening hours, closed days, rooms and their equipment."),
    ("policy.staffing_policy", "Staffing policy", "Who must be on site and assigned for each kind of dose."),
    ("callouts.history", "Call-outs", "Someone cannot come: see what it breaks and repair it in one go."),
    ("account_admin.accounts", "Accounts", "Who signs in, with which role; API tokens."),
    ("settings.messages", "Messages settings", "The clinic's name in messages, quiet hours, what staff invites show."),
    ("reminder_settings.policies", "Reminder policy", "When each kind of session is reminded."),
    ("pages.audit_log", "Audit log", "Every change, who made it and when."),
    ("protocols.listing", "Protocols", "Each treatment's doses, cadence and psychotherapy; versions, retire, restore."),
    ("vitals_admin.thresholds", "Check-in blood pressure", "Each site's pressure above which a dose is held for a "
                                                          "prescriber."),
)
# The pages reached from here: the top bar marks "Set-up" as current on each of them.
BLUEPRINTS = frozenset({"setup_hub", "settings", "staff", "site_admin", "site_parts", "policy", "callouts",
                        "account_admin", "reminder_settings", "protocols"})
BLUEPRINTS |= {"vitals_admin"}  # issue 13, part 3: the check-in thresholds
ENDPOINTS = frozenset({"pages.audit_log"})


@setup_hub.get("/setup")
@roles_required("admin")
def index():
    """The set-up page: each part of the configuration with what it is for."""
    parts = [(url, name, what) for url, name, what in PARTS if url in current_app.view_functions]
    return render_template("setup/index.html", parts=parts)


@setup_hub.app_template_global("in_setup")
def in_setup(blueprint: str | None, endpoint: str | None) -> bool:
    """Whether a page belongs to the set-up (so the top bar marks "Set-up" current)."""
    return blueprint in BLUEPRINTS or endpoint in ENDPOINTS
