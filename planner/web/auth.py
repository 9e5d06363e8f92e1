"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint

auth = Blueprint("auth", __name__)


@auth.get("/login")
def login():
    """The sign-in page."""
    return "sign in"
