"""The outbox page: every message as its recipient sees it, with its state and history; retry for the admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from planner.domain.messages import CHANNELS, hours_of
from planner.db.models.messages import OUTBOX_STATES
from planner.services.couriers import KEPT, postmark_from
from planner.services.outbox_claims import retry
from planner.services.outbox_view import PAGE, message_view, outbox_page
from planner.web.access import actor, now, roles_required
from planner.web.errors import problem

outbox = Blueprint("outbox", __name__)


@outbox.app_template_filter("message_kind")
def message_kind_words(kind: str) -> str:
    """A stored kind in words: "invite", "cancellation", "reminder 72 h before"."""
    hours = hours_of(kind)
    if hours is not None:
        return f"Reminder {hours} h before"
    return {"invite": "Invite", "cancel": "Cancellation"}.get(kind, kind)


@outbox.get("/outbox")
@roles_required("reception")
def messages():
    """The outbox, newest first, filtered by state and channel."""
    state = request.args.get("state") or None
    channel = request.args.get("channel") or None
    page = request.args.get("page", "0")
    if state not in (None, *OUTBOX_STATES) or channel not in (None, *CHANNELS) or not page.isdigit() \
            or int(page) > 100_000:
        return problem(422, "Filter by a known state and channel, and a page number from 0.")
    listing = outbox_page(state, channel, int(page))
    return render_template("messages/outbox.html", listing=listing, state=state, channel=channel, page=int(page),
                           page_size=PAGE, states=OUTBOX_STATES, channels=CHANNELS,
                           delivering=bool(current_app.config.get("MAIL_SERVER")))


@outbox.get("/outbox/<id:message_id>")
@roles_required("reception")
def message(message_id: int):
    """One message as it was (or will be) sent, and everything that happened to it."""
    view = message_view(message_id, postmark_from(current_app.config), now())
    return render_template("messages/message.html", view=view, kept=KEPT)


@outbox.post("/outbox/<id:message_id>/retry")
@roles_required("admin")
def retry_message(message_id: int):
    """Put a failed message back in line."""
    retry(message_id, actor(), now())
    flash("The message is back in line; the sender will try it within a minute.", "success")
    return redirect(url_for("outbox.message", message_id=message_id))
