"""Validated input for the accounts API: a new login, a change to one, a temporary password, a token's label."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from planner.services.accounts import MAX_PASSWORD, MIN_PASSWORD, ROLES
from planner.services.inputs import Email, Id, Name, Strict, text

AccountRole = Literal[ROLES]  # type: ignore[valid-type]
# Taken exactly as typed: blanks at either end are part of a password, not a typo to strip.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]


class NewAccount(Strict):
    """A staff login: who, their role, a temporary password the admin passes on, and the staff record it is for."""

    email: Email
    name: Name
    role: AccountRole
    password: Password
    staff_id: Id | None = None


class AccountChange(Strict):
    """A login's new name or role; active false deactivates it (never one's own, never the last admin), true restores.

    staff_id links it to a staff record (active, and linked to no other active account); null unlinks.
    """

    name: Name | None = None
    role: AccountRole | None = None
    active: bool | None = None
    staff_id: Id | None = None


class TemporaryPassword(Strict):
    """A temporary password the admin sets and tells the person (never by email)."""

    password: Password


class NewToken(Strict):
    """What program a new API token is for."""

    label: text(80, min_length=1)
