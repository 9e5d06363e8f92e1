"""API for staff logins and their API tokens (admin only): list, add, change, link, deactivate, passwords, tokens.

The rules are account_admin's, as on the /accounts pages, each change audited there: the last
active admin keeps the role and stays active, nobody deactivates their own account, and a staff
record is newly linked only while active and to one active account at most (422 naming the
field). A password hash is never shown; a token's value only once, in the answer that made it
(only its SHA-256 is kept).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import jsonify
from sqlalchemy import select

from planner.db.models import ApiToken
from planner.extensions import db
from planner.services import account_admin as admin
from planner.services.account_inputs import AccountChange, AccountRole, NewAccount, NewToken, TemporaryPassword
from planner.services.accounts import create_user, token_digest
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out


class TokenOut(Out):
    """An API token as its account lists it: never its value."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None  # revoked: refused from that moment on, kept as history


class NewTokenOut(TokenOut):
    """A token just made, with its value: shown this once and never again."""

    token: str


class AccountOut(Out):
    """A staff login, its staff record, how far it reads clinical records, and how many unrevoked API tokens it holds."""

    id: int
    email: str
    name: str
    role: AccountRole
    active: bool
    live_tokens: int
    staff_id: int | None  # the staff record it is linked to: whose day "My day" shows; null when none
    staff_name: str | None
    staff_active: bool | None  # false: the staff member was deactivated since; the account keeps the link
    # Whose clinical records it reads: every patient's, only its own patients' (a therapist's), or none.
    clinical_records: Literal["all", "own", "none"]


class AccountDetailOut(AccountOut):
    tokens: list[TokenOut]


_ACCOUNT = {200: AccountDetailOut}


@api.get("/accounts")
@operation("admin", answers={200: list[AccountOut]}, tag="accounts")
def accounts():
    """Every staff login, active ones first, then by name, with its count of unrevoked API tokens."""
    return jsonify([_account(found) for found in admin.accounts_listed()])


@api.post("/accounts")
@operation("admin", body=NewAccount, answers={201: AccountDetailOut}, tag="accounts")
def add_account():
    """Add a staff login with a role and a temporary password to pass on (422 names a taken email)."""
    new = body(NewAccount)
    user_id = create_user(new.email, new.name, new.role, new.password, new.staff_id, now=now(), actor=actor())
    return _detail(user_id), 201


@api.get("/accounts/<id:user_id>")
@operation("admin", answers=_ACCOUNT, tag="accounts")
def account(user_id: int):
    """One staff login with all its API tokens, newest first (never their values)."""
    return _detail(user_id)


@api.patch("/accounts/<id:user_id>")
@operation("admin", body=AccountChange, answers=_ACCOUNT, tag="accounts")
def change_account(user_id: int):
    """Rename a login, change its role, link it to a staff record (null unlinks), deactivate or restore it."""
    admin.apply_account_change(user_id, body(AccountChange), actor(), now())
    return _detail(user_id)


@api.post("/accounts/<id:user_id>/password")
@operation("admin", body=TemporaryPassword, answers={204: None}, tag="accounts")
def set_temporary_password(user_id: int):
    """Set a temporary password the admin passes on in person or by phone (audited, never shown again)."""
    admin.set_temporary_password(user_id, body(TemporaryPassword).password, actor(), now())
    return "", 204


@api.post("/accounts/<id:user_id>/tokens")
@operation("admin", body=NewToken, answers={201: NewTokenOut}, tag="accounts")
def add_token(user_id: int):
    """Make an API token for an active login; its value is in this answer only, never again."""
    value = admin.new_token(user_id, body(NewToken).label, actor(), now())
    made = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(value)))
    answer = jsonify({**_token(admin.TokenLine(made.id, made.name, made.created_at, None, None)), "token": value})
    answer.headers["Cache-Control"] = "no-store"  # the value must not stay in a cache on the way
    return answer, 201


@api.delete("/accounts/<id:user_id>/tokens/<id:token_id>")
@operation("admin", answers={200: TokenOut}, tag="accounts")
def revoke_token(user_id: int, token_id: int):
    """Revoke one of a login's API tokens: refused from the next request on (again: no change)."""
    admin.revoke_token(user_id, token_id, actor(), now())
    line = next(t for t in admin.account(user_id).tokens if t.id == token_id)
    return jsonify(_token(line))


def _account(found: admin.Account) -> dict:
    staff = found.staff
    return {"id": found.id, "email": found.email, "name": found.name, "role": found.role, "active": found.active,
            "live_tokens": found.live_tokens, "staff_id": staff and staff.id, "staff_name": staff and staff.name,
            "staff_active": staff and staff.active, "clinical_records": found.reach}


def _detail(user_id: int):
    found = admin.account(user_id)  # NotFound: 404
    return jsonify({**_account(found), "tokens": [_token(line) for line in found.tokens]})


def _token(line: admin.TokenLine) -> dict:
    return {"id": line.id, "label": line.label, "created_at": instant(line.created_at),
            "last_used_at": instant(line.last_used_at), "revoked_at": instant(line.revoked_at)}
