"""Calendar feeds: the feed a calendar app polls, and the page where a clinician gets its URL."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.http import unquote_etag

from planner.domain.messages import STAFF
from planner.services.feeds import (
    FeedOwner, active_feed, calendar_feed, feed_owner, issue_feed_token, revoke_feed_tokens,
)
from planner.web.access import actor, now, roles_required

feeds = Blueprint("feeds", __name__)


@feeds.get("/feeds/<token>.ics")
def feed(token: str):
    """The owner's sessions as iCalendar; 304 when the app already holds this version."""
    owner = feed_owner(token, now())
    if owner is None:
        abort(404)  # unknown and revoked look the same: a guess learns nothing
    headers = {"Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}
    config = current_app.config
    # Built or kept, the feed's ETag is a digest of what it shows: a 304 whenever that is unchanged.
    built = calendar_feed(owner, now(), config["MAIL_FROM"], config["CALENDAR_UID_DOMAIN"])
    tag, _weak = unquote_etag(built.etag)
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(built.body, content_type="text/calendar; charset=utf-8",
                            headers={**headers, "Content-Disposition": 'inline; filename="sessions.ics"'})
    response.set_etag(tag, weak=True)
    return response


@feeds.route("/me/calendar", methods=["GET", "POST"])
@roles_required("reception", "clinician", "admin")
def my_calendar():
    """Get, renew or stop the URL of one's own schedule as a calendar feed."""
    staff_id = getattr(current_user, "staff_id", None)
    token = None
    if staff_id is not None and request.method == "POST":
        owner = FeedOwner(STAFF, staff_id)
        if request.form.get("action") == "revoke":
            revoke_feed_tokens(owner, actor(), now())
        else:
            token = issue_feed_token(owner, actor(), now())
    links = _links(token) if token else None
    since = active_feed(FeedOwner(STAFF, staff_id)) if staff_id is not None else None
    return render_template("messages/my_calendar.html", staff_id=staff_id, links=links, since=since)


def _links(token: str) -> dict:
    https = current_app.config["PUBLIC_URL"] + url_for("feeds.feed", token=token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}

