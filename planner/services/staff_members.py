"""Changing a staff member's details, deactivating them and bringing them back, with booked sessions kept covered.

A deactivated person keeps their row (sessions and history name them) with active false and
deactivated_at; the engine never offers or books them. Deactivating is refused while they are
booked in sessions to come, each named (those are moved or re-staffed first), and while a dose
ahead relies on them as the ACLS or BLS holder on site.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from planner.db.models import Session, SessionStaff, Staff
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.intervals import Interval
from planner.domain.messages import EMAIL, STAFF
from planner.services import Actor
from planner.services.audit import record
from planner.services.change_inputs import StaffChange
from planner.services.cover import change_keeping_cover, lock_for_staff_change
from planner.services.outbox_contacts import Reach, follow_contacts
from planner.services.setup_changes import FOREVER, asked, booked_ahead, refuse_while_booked, snapshot

_FIELDS = ("name", "email", "phone", "disciplines", "active", "deactivated_at")


def change_staff(staff_id: int, change: StaffChange, actor: Actor, now: datetime) -> None:
    """Change a staff member's details; a change to what they may do is refused if it breaks a session ahead."""
    fields = asked(change, ("email", "phone"))
    if fields.get("active") is False:
        deactivate_staff(staff_id, actor, now, fields)
        return
    with unit_of_work() as session:
        row = _member(session, staff_id)
        _prepare(session, staff_id, fields)
        before = snapshot(row, _FIELDS)
        lock_for_staff_change(session, staff_id)

        def apply() -> None:
            for name, value in fields.items():
                setattr(row, name, value)
            if fields.get("active"):
                row.deactivated_at = None

        # Disciplines decide which roles they may fill in every session to come.
        change_keeping_cover(session, staff_id, Interval(now, FOREVER), now, apply)
        if "email" in fields and fields["email"] != before["email"]:
            # Invites still waiting go to the new address (or none), in this same transaction.
            follow_contacts(session, STAFF, staff_id, {EMAIL: Reach(fields["email"])}, now)
        _audit(session, actor, "staff.changed", staff_id, before, snapshot(row, _FIELDS), now)
        session.commit()


def deactivate_staff(staff_id: int, actor: Actor, now: datetime, fields: dict | None = None) -> None:
    """Deactivate a staff member (kept, never offered or booked again); refused while booked in sessions to come."""
    with unit_of_work() as session:
        row = _member(session, staff_id)
        if not row.active and not fields:
            return  # deactivated already: the first date is kept
        _prepare(session, staff_id, fields or {})
        lock_for_staff_change(session, staff_id)
        theirs = select(SessionStaff.session_id).where(SessionStaff.staff_id == staff_id)
        refuse_while_booked(booked_ahead(session, Session.id.in_(theirs), now),
                            f"{row.name} is booked in it; move it or give it to someone else first.")
        before = snapshot(row, _FIELDS)

        def apply() -> None:
            for name, value in (fields or {}).items():
                if name != "active":  # set below, with its date
                    setattr(row, name, value)
            if row.active:
                row.active, row.deactivated_at = False, now

        # Doses they are not booked in may still rely on them as the ACLS or BLS holder on site.
        change_keeping_cover(session, staff_id, Interval(now, FOREVER), now, apply)
        _audit(session, actor, "staff.deactivated", staff_id, before, snapshot(row, _FIELDS), now)
        session.commit()


def _prepare(session, staff_id: int, fields: dict) -> None:
    """Refuse an email another person has; keep disciplines sorted and once each."""
    if fields.get("email") and session.scalar(select(Staff.id).where(Staff.email == fields["email"],
                                                                     Staff.id != staff_id)):
        raise InvalidData([Reason("taken", f"The email {fields['email']} is already in use.", "email")])
    if "disciplines" in fields:
        fields["disciplines"] = sorted(set(fields["disciplines"]))


def _member(session, staff_id: int) -> Staff:
    row = session.get(Staff, staff_id)
    if row is None:
        raise NotFound("staff member", staff_id)
    return row


def _audit(session, actor: Actor, action: str, staff_id: int, before: dict, after: dict, now: datetime) -> None:
    if before == after:
        return  # nothing changed, nothing to record
    record(session, actor, action, "staff", staff_id, now,
           before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
