"""Staff accounts: creating users, signing in, and API tokens for programs."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from werkzeug.security import check_password_hash, generate_password_hash

from planner.db import reads
from planner.db.models import ApiToken, User
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.services import SYSTEM, Actor
from planner.services.account_links import link_problems, staff_name
from planner.services.audit import record
from planner.services.signin_limits import wait_before_next_try

ROLES = ("reception", "clinician", "admin")
MIN_PASSWORD = 12
# scrypt cost grows with the input; a cap keeps one request from burning a core.
MAX_PASSWORD = 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Control characters and lone surrogates: no database stores them as text (PostgreSQL refuses NUL).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A token's last use is written at most this often, so API reads do not all become writes.
TOKEN_TOUCH_EVERY = timedelta(hours=1)

_dummy_hash: list[str] = []


class TooManyAttempts(Exception):
    """Sign-in refused unchecked: too many recent failures for this email or address."""

    def __init__(self, wait: timedelta):
        super().__init__(f"Too many failed sign-ins; try again in {wait}.")
        self.wait = wait


def hash_password(password: str) -> str:
    """A salted scrypt hash of a password."""
    return generate_password_hash(password, method="scrypt")


def password_matches(stored_hash: str, password: str) -> bool:
    """True when password matches the stored hash."""
    return check_password_hash(stored_hash, password)


def token_digest(token: str) -> str:
    """The stored form of an API token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def normal_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return (email or "").strip().lower()


def create_user(email: str, name: str, role: str, password: str, staff_id: int | None = None, *,
                now: datetime, actor: Actor = SYSTEM) -> int:
    """Create a staff login; InvalidData names every bad field. Returns the user id."""
    email, name = normal_email(email), (name or "").strip()
    problems = _user_problems(email, name, role, password)
    # Hashed before the transaction opens: scrypt is slow and must not hold SQLite's write lock.
    password_hash = "" if problems else hash_password(password)
    with unit_of_work() as session:
        if staff_id is not None:  # one person, one login, and only to an active staff record
            problems.extend(link_problems(session, staff_id, None))
        bad_email = any(p.field == "email" for p in problems)  # never looked up: it may hold a NUL
        if email and not bad_email and session.scalar(select(User.id).where(User.email == email)):
            problems.append(Reason("taken", f"The email {email} already has an account.", "email"))
        if problems:
            raise InvalidData(problems)
        user = User(email=email, name=name, role=role, password_hash=password_hash, staff_id=staff_id,
                    active=True)
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # a concurrent create won the race for the email
            raise InvalidData([Reason("taken", f"The email {email} already has an account.", "email")]) from None
        record(session, actor, "user.created", "user", user.id, now, email=email, role=role, staff_id=staff_id,
               staff=staff_name(session, staff_id))
        session.commit()
        return user.id


def _user_problems(email: str, name: str, role: str, password: str) -> list[Reason]:
    problems = []
    if len(email) > 200 or not EMAIL.match(email) or CONTROL.search(email):
        problems.append(Reason("invalid", "Give an email address like name@clinic.org.", "email"))
    if not name or len(name) > 120 or CONTROL.search(name):
        problems.append(Reason("invalid", "Give a name of 1 to 120 characters, on one line.", "name"))
    if role not in ROLES:
        problems.append(Reason("invalid", f"The role must be one of {', '.join(ROLES)}.", "role"))
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        problems.append(Reason("too_short", f"The password needs at least {MIN_PASSWORD} characters.", "password"))
    elif len(password) > MAX_PASSWORD:
        problems.append(Reason("too_long", f"The password may have at most {MAX_PASSWORD} characters.", "password"))
    return problems


def authenticate(email: str, password: str, remote_addr: str | None, now: datetime) -> int | None:
    """The id of the active user with these credentials, or None; TooManyAttempts while throttled; all audited."""
    email = normal_email(email)[:200]
    password = password if isinstance(password, str) else ""
    with unit_of_work(write=False) as session:
        wait = wait_before_next_try(session, email or "(blank)", remote_addr, now)
        user = session.execute(select(User.id, User.password_hash, User.active)
                               .where(User.email == email)).first() if email and wait is None else None
    if wait is not None:
        # Not checked at all, so a guess made now tells nothing, right or wrong.
        with unit_of_work() as session:
            record(session, Actor(email or "(blank)", None, remote_addr), "login.throttled", "user", None, now,
                   wait_seconds=int(wait.total_seconds()))
            session.commit()
        raise TooManyAttempts(wait)
    # Checked outside any transaction (scrypt is slow). An unknown email costs one scrypt check
    # against a dummy hash too, so the response time does not tell which emails have accounts.
    matches = password_matches(user.password_hash if user else _dummy(), password[:MAX_PASSWORD])
    matches = matches and len(password) <= MAX_PASSWORD
    with unit_of_work() as session:
        if user is not None and matches and user.active:
            record(session, Actor(email, user.id, remote_addr), "login.succeeded", "user", user.id, now)
            session.commit()
            return user.id
        why = "unknown email" if user is None else ("inactive account" if matches else "wrong password")
        record(session, Actor(email or "(blank)", None, remote_addr), "login.failed", "user",
               user.id if user else None, now, reason=why)
        session.commit()
        return None


def note_sign_out(actor: Actor, now: datetime) -> None:
    """Audit a sign-out (the session itself lives in the cookie, not the database)."""
    with unit_of_work() as session:
        record(session, actor, "logout", "user", actor.user_id, now)
        session.commit()


def _dummy() -> str:
    if not _dummy_hash:
        _dummy_hash.append(hash_password(secrets.token_urlsafe(16)))
    return _dummy_hash[0]


def create_api_token(email: str, name: str, now: datetime, actor: Actor = SYSTEM) -> str:
    """A new API token for a user; the returned string is shown once and only its SHA-256 is kept."""
    email, name = normal_email(email), (name or "").strip()
    problems = []
    if not name or len(name) > 80 or CONTROL.search(name):
        problems.append(Reason("invalid", "Give the token a name of 1 to 80 characters, on one line.", "name"))
    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.email == email)) if email else None
        if user is None:
            problems.append(Reason("unknown", f"No account with the email {email or '(blank)'}.", "email"))
        elif not user.active:
            problems.append(Reason("inactive", f"The account {email} is not active.", "email"))
        if problems:
            raise InvalidData(problems)
        token = secrets.token_urlsafe(32)
        row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), created_at=now)
        session.add(row)
        session.flush()
        record(session, actor, "api_token.created", "api_token", row.id, now, user_id=user.id, name=name)
        session.commit()
        return token


def revoke_api_token(token_id: int, now: datetime, actor: Actor = SYSTEM) -> bool:
    """Revoke a token at once; False when it was already revoked (nothing changes). NotFound if unknown."""
    with unit_of_work() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound("API token", token_id)
        if row.revoked_at is not None:
            return False
        row.revoked_at = now
        record(session, actor, "api_token.revoked", "api_token", row.id, now, user_id=row.user_id, name=row.name)
        session.commit()
        return True


@dataclass(frozen=True)
class TokenHolder:
    """The active user an API token speaks for, and what the last-use bookkeeping needs to know."""

    user_id: int
    email: str
    name: str
    role: str
    token_id: int
    last_used_at: datetime | None


def token_holder(session: OrmSession, token: str) -> TokenHolder | None:
    """The active user an unrevoked API token belongs to, or None: one query, token and user together.

    Read in the caller's transaction (a request's), not a unit of work of its own, which would
    cost a transaction more. Nothing is cached, so a token revoked or an account deactivated is
    refused from the next request on.
    """
    row = reads.token_holder(session, token_digest(token))
    return None if row is None else TokenHolder(*row)


def note_token_used(token_id: int, now: datetime) -> None:
    """Remember when a token was last used (bookkeeping, not audited; at most once per TOKEN_TOUCH_EVERY)."""
    with unit_of_work() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (row.last_used_at is not None and now - row.last_used_at < TOKEN_TOUCH_EVERY):
            return
        row.last_used_at = now
        session.commit()
