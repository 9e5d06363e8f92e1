"""The outbox page: every message as its recipient sees it, with its state and history; retry for the admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from planner.domain.errors import StatusRefused
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
    page = _page_number(request.args.get("page") or "0")
    fields = [{"field": name, "message": message} for name, message in (
        ("state", None if state in (None, *OUTBOX_STATES) else f"one of {', '.join(OUTBOX_STATES)}, or empty for any"),
        ("channel", None if channel in (None, *CHANNELS) else f"one of {', '.join(CHANNELS)}, or empty for any"),
        ("page", None if page is not None else "a whole number from 0 to 100000"),
    ) if message]
    if fields:
        return problem(422, "These filters are not right.", fields=fields)
    listing = outbox_page(state, channel, page)
    return render_template("messages/outbox.html", listing=listing, state=state, channel=channel, page=page,
                           page_size=PAGE, states=OUTBOX_STATES, channels=CHANNELS,
                           delivering=bool(current_app.config.get("MAIL_SERVER")))


def _page_number(text: str) -> int | None:
    # ASCII digits only: str.isdigit() also says yes to "²" and "٣", which int() refuses or reads.
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) > 100_000:
        return None
    return int(text)


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
    try:
        retry(message_id, actor(), now())
    except StatusRefused as refused:  # the generic handler speaks of a session's status; say what is wrong here
        return problem(409, refused.reasons[0].message)
    flash("The message is back in line; the sender will try it within a minute.", "success")
    return redirect(url_for("outbox.message", message_id=message_id))
