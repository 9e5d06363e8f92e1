"""The JSON API: one module per area, all under /api."""

from __future__ import annotations

from flask import Blueprint

from planner.extensions import csrf

api = Blueprint("api", __name__)
# The API authenticates with bearer tokens, not cookies, so cross-site forms cannot ride on it.
csrf.exempt(api)

from planner.web.api import clinic, sessions  # noqa: E402,F401  (routes register on import)
