"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from planner.db.models import User
from planner.extensions import db
from planner.services import accounts
from planner.web.access import actor, now, safe_next
from planner.web.forms import LoginForm, LogoutForm

auth = Blueprint("auth", __name__)
FAILED = "That email and password do not match an active account."


@auth.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page; on success a fresh session and a redirect to a local page."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("pages.home"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 422
    try:
        user_id = accounts.authenticate(form.email.data, form.password.data, request.remote_addr, now())
    except accounts.TooManyAttempts as refused:
        form.password.data = ""
        minutes = max(1, -(-int(refused.wait.total_seconds()) // 60))
        message = f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        page = render_template("auth/login.html", form=form, failed=message)
        return page, 429, {"Retry-After": str(max(1, int(refused.wait.total_seconds())))}
    if user_id is None:
        form.password.data = ""
        return render_template("auth/login.html", form=form, failed=FAILED)
    target = safe_next(form.next.data) or url_for("pages.home")
    # A new session on sign-in: nothing set before (a planted id, an old CSRF token) survives it.
    session.clear()
    login_user(db.session.get(User, user_id))
    session.permanent = True
    return redirect(target)


@auth.post("/logout")
def logout():
    """Sign out (POST only, CSRF-checked) and forget the whole session."""
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        accounts.note_sign_out(actor(), now())
        logout_user()
        session.clear()
        flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
