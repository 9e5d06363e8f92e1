"""The admin's care of staff logins: rename, change role, link to a staff record, deactivate, passwords, API tokens.

The clinic must never lock itself out: the last active admin can be neither deactivated nor
given another role, and nobody deactivates their own account (another admin does). Accounts are
never deleted (the audit log names them); a deactivated one cannot sign in or use its tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from planner.db.models import ApiToken, Staff, User
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.record_access import NONE, REACH_WORDS
from planner.services import Actor
from planner.services.account_inputs import AccountChange
from planner.services.account_links import UNCHANGED, LinkedStaff, clinical_reach, link_problems, linked_staff, \
    staff_name
from planner.services.accounts import CONTROL, MAX_PASSWORD, MIN_PASSWORD, ROLES, create_api_token, hash_password, \
    revoke_api_token
from planner.services.audit import record
from planner.services.setup_changes import asked


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
    staff: LinkedStaff | None = None  # the staff record it is linked to: whose day "My day" shows
    reach: str = NONE  # how far it reads clinical records (record_access: all, own, none)

    @property
    def reads(self) -> str:
        """What clinical records it reads, in words: "only their own patients' clinical records"."""
        return REACH_WORDS[self.reach]


def accounts_listed() -> list[Account]:
    """Every login, active ones first, then by name, with its staff record and its count of unrevoked tokens."""
    with unit_of_work(write=False) as session:
        live = dict(session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                                    .group_by(ApiToken.user_id)).all())
        rows = session.execute(select(User, Staff).outerjoin(Staff, Staff.id == User.staff_id)
                               .order_by(User.active.desc(), User.name, User.id)).all()
        return [_account(user, staff, live_tokens=live.get(user.id, 0)) for user, staff in rows]


def account(user_id: int) -> Account:
    """One login with its staff record and all its API tokens, newest first; NotFound when unknown."""
    with unit_of_work(write=False) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("account", user_id)
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
        lines = tuple(TokenLine(t.id, t.name, t.created_at, t.last_used_at, t.revoked_at) for t in tokens)
        staff = session.get(Staff, user.staff_id) if user.staff_id is not None else None
        return _account(user, staff, tokens=lines, live_tokens=sum(1 for t in lines if t.revoked_at is None))


def _account(user: User, staff: Staff | None, **more) -> Account:
    link = linked_staff(staff)
    return Account(user.id, user.email, user.name, user.role, user.active, staff=link,
                   reach=clinical_reach(user.role, link), **more)


def change_account(user_id: int, name: str, role: str, actor: Actor, now: datetime,
                   staff_id: object = UNCHANGED) -> bool:
    """Rename a login, give it another role, link it to a staff record or unlink it (None); False: no change."""
    return update_account(user_id, actor, now, name=name or "", role=role, staff_id=staff_id)


def set_account_active(user_id: int, active: bool, actor: Actor, now: datetime) -> bool:
    """Deactivate a login (it can no longer sign in or use its tokens) or bring it back; False when already so."""
    return update_account(user_id, actor, now, active=active)


def update_account(user_id: int, actor: Actor, now: datetime, *, name: str | None = None, role: str | None = None,
                   active: bool | None = None, staff_id: object = UNCHANGED) -> bool:
    """Change any of a login's name, role, staff record and active state in one transaction; False: no change.

    None leaves a name, role or state as it is; staff_id None unlinks (UNCHANGED leaves the link).
    The whole change is judged as one: either all of it is written, with an audit row per kind of
    change (as the pages make them: name, role and link in one), or none, with every reason named by
    its field.
    """
    problems = []
    if name is not None:
        name = name.strip()
        if not name or len(name) > 120 or CONTROL.search(name):
            problems.append(Reason("invalid", "Give a name of 1 to 120 characters, on one line.", "name"))
    if role is not None and role not in ROLES:
        problems.append(Reason("invalid", f"The role must be one of {', '.join(ROLES)}.", "role"))
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        user = _user(session, user_id)
        after = {"name": user.name if name is None else name, "role": user.role if role is None else role,
                 "staff_id": user.staff_id if staff_id is UNCHANGED else staff_id}
        active = user.active if active is None else active
        problems = _locked_out(session, user, after["role"], active, actor) + _link_refused(session, user, after,
                                                                                            active)
        if problems:
            raise InvalidData(problems)
        before = {"name": user.name, "role": user.role, "staff_id": user.staff_id}
        changed = False
        if before != after:
            user.name, user.role, user.staff_id = after["name"], after["role"], after["staff_id"]
            if before["staff_id"] != after["staff_id"]:  # the names too: the audit log reads as people
                before["staff"], after["staff"] = (staff_name(session, before["staff_id"]),
                                                   staff_name(session, after["staff_id"]))
            record(session, actor, "user.changed", "user", user_id, now,
                   before={k: v for k, v in before.items() if after[k] != v},
                   after={k: v for k, v in after.items() if before[k] != v})
            changed = True
        if user.active != active:
            user.active = active
            record(session, actor, "user.reactivated" if active else "user.deactivated", "user", user_id, now)
            changed = True
        if changed:
            session.commit()
        return changed


def apply_account_change(user_id: int, change: AccountChange, actor: Actor, now: datetime) -> bool:
    """The API's change to a login: the fields its body sets (422 when none, or null but staff_id), judged whole."""
    return update_account(user_id, actor, now, **asked(change, ("staff_id",)))


def _link_refused(session, user: User, after: dict, active: bool) -> list[Reason]:
    """Why the account may not have this link: a new one to an unknown, deactivated or taken staff record.

    An account made active again while keeping its link is refused when another active account has
    taken that staff record meanwhile (one person, one login).
    """
    if after["staff_id"] is None:
        return []
    if after["staff_id"] != user.staff_id:
        return link_problems(session, after["staff_id"], user.id)
    if active and not user.active:
        return link_problems(session, after["staff_id"], user.id, field="active", linking=False)
    return []


def _locked_out(session, user: User, role: str, active: bool, actor: Actor) -> list[Reason]:
    """Why this change would lock the clinic out: one's own account deactivated, or the last active admin lost."""
    problems = []
    if user.active and not active and user.id == actor.user_id:
        problems.append(Reason("own_account", "You cannot deactivate your own account; another admin can.", "active"))
    stays_admin = role == "admin" and active
    if user.active and user.role == "admin" and not stays_admin and _other_admins(session, user.id) == 0:
        if role != "admin":
            problems.append(Reason("last_admin", f"{user.name} is the only active admin; make someone else admin "
                                   "first, or the clinic could no longer be run.", "role"))
        else:
            problems.append(Reason("last_admin", f"{user.name} is the only active admin; the clinic would have "
                                   "nobody to run it.", "active"))
    return problems


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
    except InvalidData as invalid:  # the form's (and the API body's) field is the label; the account is no field
        raise InvalidData([Reason(p.code, p.message, {"name": "label", "email": None}.get(p.field or "", p.field))
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
