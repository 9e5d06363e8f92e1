"""Who is asking: session login for pages, hashed bearer tokens for the API, roles."""

from __future__ import annotations

import hashlib
import logging
from functools import wraps

from flask import Flask, abort, g, request
from flask_login import current_user
from sqlalchemy import select

from planner import clock
from planner.db.models import ApiToken, User
from planner.extensions import db, login_manager
from planner.services import Actor

log = logging.getLogger("planner.access")
ROLES = ("reception", "clinician", "admin")


def token_digest(token: str) -> str:
    """The stored form of an API token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Teach Flask-Login how to find users from the session cookie or a bearer token."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @login_manager.request_loader
    def load_from_token(req):
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(header[7:].strip()),
                                                         ApiToken.revoked_at.is_(None)))
        if token is None or not token.user.active:
            return None
        g.via_token = True
        return token.user

    @login_manager.unauthorized_handler
    def unauthorized():
        log_refusal("not signed in")
        if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
            abort(401)
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path))


def log_refusal(why: str) -> None:
    """Log a refused access with who, what and from where."""
    who = current_user.email if current_user.is_authenticated else "anonymous"
    log.warning("access refused: %s %s by %s from %s (%s)", request.method, request.path, who,
                request.remote_addr, why)


def roles_required(*roles: str):
    """Allow the view only to signed-in users whose role is one of roles (admin always may)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != "admin" and current_user.role not in roles:
                log_refusal(f"role {current_user.role} lacks {'/'.join(roles)}")
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def actor() -> Actor:
    """The audit identity of the current request."""
    if current_user.is_authenticated:
        return Actor(current_user.email, current_user.id, request.remote_addr)
    return Actor("anonymous", None, request.remote_addr)


def now():
    """The request's notion of now (the one clock)."""
    return clock.now()
