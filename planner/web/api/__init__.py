"""The JSON API: one module per area, all under /api."""

from __future__ import annotations

from flask import Blueprint, abort, request

from planner.extensions import csrf

api = Blueprint("api", __name__)
# The API authenticates with bearer tokens only, never the session cookie, so it needs
# no CSRF token and a page open in a browser cannot be made to call it.
csrf.exempt(api)


@api.before_request
def bearer_tokens_only():
    """Refuse API calls that do not carry a bearer token (a signed-in browser is not enough)."""
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        from planner.web.access import log_refusal

        log_refusal("API call without a bearer token")
        abort(401)

from planner.web.api import clinic, courses, sessions  # noqa: E402,F401  (routes register on import)
