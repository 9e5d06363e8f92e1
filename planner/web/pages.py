"""Pages staff see after signing in."""

from __future__ import annotations

from flask import Blueprint

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    """The clinic overview."""
    return "planner"
