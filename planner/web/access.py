"""Who is asking: session login for pages, hashed bearer tokens for the API, roles."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, Request, abort, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import UserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from planner import clock
from planner.db.uow import reads_without_transaction
from planner.db.models import User
from planner.extensions import db, login_manager
from planner.services import Actor
from planner.services.accounts import ROLES, TOKEN_TOUCH_EVERY, note_token_used, token_digest, token_holder

log = logging.getLogger("planner.access")
__all__ = ["ROLES", "token_digest", "init_app", "log_refusal", "roles_required", "actor", "now", "safe_next"]


def init_app(app: Flask) -> None:
    """Teach Flask-Login how to find users: from a bearer token first, else from the session cookie."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # Strong: a session cookie replayed from another address or browser is dropped at once.
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        # A deactivated account loses its open sessions on the next request.
        return user if user is not None and user.active else None

    # A GET or HEAD only reads (use cases that write open their own unit of work): no transaction.
    app.before_request(_reads_only)
    # Before Flask-Login looks at the session cookie: a request that carries a bearer token is
    # answered as the token's user, whatever cookie (another user's, a stale one) comes with it.
    app.before_request(_authenticate_bearer)
    app.session_interface = CookieSessionUnlessBearer()

    @app.after_request
    def after(response):
        _note_token_use()
        if response.status_code in (401, 403) and not g.get("refusal_logged"):
            log_refusal(f"answered {response.status_code}")
        return response

    @login_manager.unauthorized_handler
    def unauthorized():
        log_refusal("invalid or revoked API token" if g.get("bad_token") else "not signed in")
        if request.blueprint == "api" or request.path.startswith("/api/") \
                or request.accept_mimetypes.best == "application/json":
            abort(401)
        target = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
        return redirect(url_for("auth.login", next=target))

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        # A missing or stale CSRF token is a refused request, not a crash: log it and say what to do.
        from planner.web.errors import problem

        log_refusal(f"CSRF check failed: {error.description}")
        return problem(400, "This form was not accepted because its security token is missing or has expired. "
                            "Go back, reload the page and try again.")


@dataclass(frozen=True)
class TokenUser(UserMixin):
    """current_user for a request with a bearer token: what the views, the audit and the templates read of a user.

    Plain values from the token lookup, not a User row, so nothing about the caller is read twice.
    """

    id: int
    email: str
    name: str
    role: str


class CookieSessionUnlessBearer(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a request with a bearer token neither reads nor refreshes it.

    The token alone says who is asking, so a browser's session cookie sent along by a script is
    not verified, not kept alive and not rewritten by the API's answers.
    """

    def open_session(self, app: Flask, request: Request):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return self.session_class()
        return super().open_session(app, request)


def _reads_only() -> None:
    # Static files read no database: they are not given a connection at all.
    if request.method in ("GET", "HEAD") and request.endpoint != "static":
        reads_without_transaction(db.session)


def _authenticate_bearer() -> None:
    """Settle who a request with a bearer token is from the token alone; the cookie is not read.

    A valid token makes the token's user current; an invalid or revoked one makes the request
    anonymous (refused on the API, sent to sign in on a page), even with a valid session cookie.
    """
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return
    holder = token_holder(db.session, header[7:].strip())
    if holder is None:
        g.bad_token = True
        login_manager._update_request_context_with_user(None)  # Flask-Login's anonymous user for g
        return
    g.via_token = True
    g.token_used = (holder.token_id, holder.last_used_at)
    # Flask-Login keeps the request's user in g; once set, its cookie loaders do not run at all.
    login_manager._update_request_context_with_user(TokenUser(holder.user_id, holder.email, holder.name, holder.role))


def _note_token_use() -> None:
    # After the view, so the bookkeeping write never lands inside a use case's transaction.
    if not g.get("token_used"):
        return
    token_id, last_used = g.pop("token_used")
    moment = clock.now()
    if last_used is not None and moment - last_used < TOKEN_TOUCH_EVERY:
        return
    try:
        note_token_used(token_id, moment)
    except SQLAlchemyError:  # bookkeeping only: a busy database must not fail the answer
        log.exception("could not note the use of API token %s", token_id)


def log_refusal(why: str) -> None:
    """Log a refused access with who, what and from where (once per request)."""
    g.refusal_logged = True
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


def safe_next(target: str | None) -> str | None:
    """target when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def actor() -> Actor:
    """The audit identity of the current request."""
    if current_user.is_authenticated:
        return Actor(current_user.email, current_user.id, request.remote_addr)
    return Actor("anonymous", None, request.remote_addr)


def now():
    """The request's notion of now (the one clock)."""
    return clock.now()
