"""The link between a login and a staff record: whose day "My day" shows, and how far the account reads clinical records.

One person, one login: a staff record is linked to at most one active account. A new link is only
to an active staff record; an account keeps its link when the staff member is later deactivated
(what they did under that login stays theirs), and the accounts pages say the record is deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Staff, User
from planner.db.uow import unit_of_work
from planner.domain import record_access as rule
from planner.domain.errors import Reason
from planner.services.inputs import MAX_ID

# Asked of update_account when the change leaves the link as it is (None unlinks).
UNCHANGED = object()


@dataclass(frozen=True)
class LinkedStaff:
    """The staff record an account is linked to, as the accounts pages and the API name it."""

    id: int
    name: str
    disciplines: tuple[str, ...]
    active: bool

    @property
    def label(self) -> str:
        """'Tom Reyes (therapist)': the name with the disciplines, as the admin picks them."""
        return f"{self.name} ({', '.join(self.disciplines)})" if self.disciplines else self.name


@dataclass(frozen=True)
class StaffChoice:
    """One staff record the admin may pick for an account, and the other active account linked to it, if any."""

    id: int
    label: str
    linked_to: str | None


def linked_staff(row: Staff | None) -> LinkedStaff | None:
    """A staff row (or no row) as the link the accounts pages show."""
    if row is None:
        return None
    return LinkedStaff(row.id, row.name, tuple(row.disciplines or ()), bool(row.active))


def clinical_reach(role: str, staff: LinkedStaff | None) -> str:
    """How far an account reads clinical records (record_access.reach), from its role and its link."""
    return rule.reach(role, None if staff is None else frozenset(staff.disciplines))


def staff_choices(user_id: int | None = None) -> list[StaffChoice]:
    """Active staff by name, each with the other active account linked to it; the account's own link kept first.

    The account's own staff record stays a choice when it is deactivated, so saving the form with the
    rest unchanged keeps the link (a new link is only to an active record).
    """
    with unit_of_work(write=False) as session:
        own = session.scalar(select(User.staff_id).where(User.id == user_id)) if user_id else None
        taken = {row.staff_id: row.name for row in session.execute(
            select(User.staff_id, User.name).where(User.staff_id.is_not(None), User.active.is_(True),
                                                    User.id != (user_id or 0)))}
        rows = session.scalars(select(Staff).where((Staff.active.is_(True)) | (Staff.id == own))
                               .order_by(Staff.name, Staff.id)).all()
        choices = []
        for row in rows:
            found = linked_staff(row)
            label = found.label if found.active else f"{found.label}, deactivated"
            choices.append(StaffChoice(found.id, label, taken.get(found.id)))
        return choices


def link_problems(session: OrmSession, staff_id: object, user_id: int | None, field: str = "staff_id",
                  linking: bool = True) -> list[Reason]:
    """Why an account (None: a new one) may not be linked to this staff record: unknown, deactivated, or taken.

    linking False judges an account keeping its link while it becomes active again: only another active
    account holding the record stands in the way. The staff row is locked, so two admins linking two
    accounts to one person at once are taken one after the other and the second is refused.
    """
    if not isinstance(staff_id, int) or isinstance(staff_id, bool) or staff_id <= 0:
        return [Reason("invalid", "Choose a staff record from the list, or none.", field)]
    # Past the id column's range PostgreSQL would refuse the very lookup: no such record either way.
    row = session.scalars(select(Staff).where(Staff.id == staff_id).with_for_update()).first() \
        if staff_id <= MAX_ID else None
    if row is None:
        return [Reason("unknown", f"No staff member with id {staff_id}.", field)]
    if linking and not row.active:
        return [Reason("deactivated", f"{row.name}'s staff record is deactivated: link an account only to an "
                       "active staff record.", field)]
    holder = session.execute(select(User.name, User.email).where(
        User.staff_id == staff_id, User.active.is_(True), User.id != (user_id or 0)).limit(1)).first()
    if holder is not None:
        return [Reason("taken", f"{row.name}'s staff record is already linked to the account of {holder.name} "
                       f"({holder.email}): one person, one login. Unlink it there first.", field)]
    return []


def staff_name(session: OrmSession, staff_id: int | None) -> str | None:
    """The name of a staff record, for the audit log (None for none)."""
    return None if staff_id is None else session.scalar(select(Staff.name).where(Staff.id == staff_id))
