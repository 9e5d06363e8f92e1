"""The admin's care of staff logins: rename, change role, deactivate, set a temporary password, API tokens.

The clinic must never lock itself out: the last active admin can be neither deactivated nor
given another role, and nobody deactivates their own account (another admin does). Accounts are
never deleted (the audit log names them); a deactivated one cannot sign in or use its tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from planner.db.models import ApiToken, User
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.services import Actor
from planner.services.accounts import CONTROL, MAX_PASSWORD, MIN_PASSWORD, ROLES, create_api_token, hash_password, \
    revoke_api_token
from planner.services.audit import record


@dataclass(frozen=True)
class TokenLine:
    """An API token as its owner's page lists it: never its value."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Account:
    """A login as the accounts page shows it."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    tokens: tuple[TokenLine, ...] = ()
    live_tokens: int = 0


def accounts_listed() -> list[Account]:
    """Every login, active ones first, then by name, with how many unrevoked tokens each holds."""
    with unit_of_work(write=False) as session:
        live = dict(session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                                    .group_by(ApiToken.user_id)).all())
        rows = session.scalars(select(User).order_by(User.active.desc(), User.name, User.id)).all()
        return [Account(u.id, u.email, u.name, u.role, u.active, live_tokens=live.get(u.id, 0)) for u in rows]


def account(user_id: int) -> Account:
    """One login with all its API tokens, newest first; NotFound when unknown."""
    with unit_of_work(write=False) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("account", user_id)
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
        lines = tuple(TokenLine(t.id, t.name, t.created_at, t.last_used_at, t.revoked_at) for t in tokens)
        return Account(user.id, user.email, user.name, user.role, user.active, lines,
                       sum(1 for t in lines if t.revoked_at is None))


def change_account(user_id: int, name: str, role: str, actor: Actor, now: datetime) -> bool:
    """Rename a login or give it another role; False when nothing changed. The last admin keeps the role."""
    name = (name or "").strip()
    problems = []
    if not name or len(name) > 120 or CONTROL.search(name):
        problems.append(Reason("invalid", "Give a name of 1 to 120 characters, on one line.", "name"))
    if role not in ROLES:
        problems.append(Reason("invalid", f"The role must be one of {', '.join(ROLES)}.", "role"))
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        user = _user(session, user_id)
        if user.role == "admin" and role != "admin" and user.active and _other_admins(session, user_id) == 0:
            raise InvalidData([Reason("last_admin", f"{user.name} is the only active admin; make someone else "
                                      "admin first, or the clinic could no longer be run.", "role")])
        before = {"name": user.name, "role": user.role}
        after = {"name": name, "role": role}
        if before == after:
            return False
        user.name, user.role = name, role
        record(session, actor, "user.changed", "user", user_id, now,
               before={k: v for k, v in before.items() if after[k] != v},
               after={k: v for k, v in after.items() if before[k] != v})
        session.commit()
        return True


def set_account_active(user_id: int, active: bool, actor: Actor, now: datetime) -> bool:
    """Deactivate a login (it can no longer sign in or use its tokens) or bring it back; False when already so."""
    with unit_of_work() as session:
        user = _user(session, user_id)
        if user.active == active:
            return False
        if not active and user_id == actor.user_id:
            raise InvalidData([Reason("own_account", "You cannot deactivate your own account; another admin can.",
                                      "active")])
        if not active and user.role == "admin" and _other_admins(session, user_id) == 0:
            raise InvalidData([Reason("last_admin", f"{user.name} is the only active admin; the clinic would have "
                                      "nobody to run it.", "active")])
        user.active = active
        record(session, actor, "user.reactivated" if active else "user.deactivated", "user", user_id, now)
        session.commit()
        return True


def set_temporary_password(user_id: int, password: str, actor: Actor, now: datetime) -> None:
    """Give a login a temporary password the admin passes on (the rules of creating one); it is audited, not kept."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidData([Reason("too_short", f"The password needs at least {MIN_PASSWORD} characters.",
                                  "password")])
    if len(password) > MAX_PASSWORD:
        raise InvalidData([Reason("too_long", f"The password may have at most {MAX_PASSWORD} characters.",
                                  "password")])
    hashed = hash_password(password)  # before the transaction: scrypt is slow and must not hold the write lock
    with unit_of_work() as session:
        user = _user(session, user_id)
        user.password_hash = hashed
        record(session, actor, "user.password_reset", "user", user_id, now)
        session.commit()


def new_token(user_id: int, label: str, actor: Actor, now: datetime) -> str:
    """A new API token for a login, by the rules of accounts.create_api_token; the value is shown once."""
    with unit_of_work(write=False) as session:
        email = _user(session, user_id).email
    try:
        return create_api_token(email, label, now, actor)
    except InvalidData as invalid:  # the page's field is the label; the account is the page itself
        raise InvalidData([Reason(p.code, p.message, "label" if p.field == "name" else p.field)
                           for p in invalid.problems]) from None


def revoke_token(user_id: int, token_id: int, actor: Actor, now: datetime) -> bool:
    """Revoke one of a login's tokens at once; False when it was revoked already. NotFound if not theirs."""
    with unit_of_work(write=False) as session:
        owner = session.scalar(select(ApiToken.user_id).where(ApiToken.id == token_id))
    if owner != user_id:
        raise NotFound("API token", token_id)
    return revoke_api_token(token_id, now, actor)


def _user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("account", user_id)
    return user


def _other_admins(session, user_id: int) -> int:
    """How many other active admins there are.

    Every active admin's row is locked, this one's too, so two admins who remove each other at the
    same moment are taken one after the other and the second sees the first's change.
    """
    admins = session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True))
                             .with_for_update()).all()
    return sum(1 for admin in admins if admin != user_id)
