"""Editing, withdrawing and re-instating a person's shifts and time off, and editing or revoking credentials.

Each change goes through cover.change_keeping_cover over the union of the old and the new span,
so an edit that would leave a booked session uncovered is refused (CoverBroken naming each
session) and nothing is written. The past is kept: what has ended does not change, what is under
way keeps its start, and only what lies ahead can be withdrawn (the row stays, with withdrawn_at).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Credential, Shift, Staff, TimeOff
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.intervals import Interval
from planner.services import Actor
from planner.services.audit import record
from planner.services.change_inputs import CredentialChange, ShiftChange, TimeOffChange
from planner.services.clinic_setup import refuse_overlap
from planner.services.cover import change_keeping_cover, lock_for_staff_change
from planner.services.inputs import CredentialIn, ShiftIn, TimeOffIn
from planner.services.setup_changes import FOREVER, asked, snapshot
from planner.services.validation import parse

_SHIFT = ("site_id", "starts_at", "ends_at", "withdrawn_at")
_LEAVE = ("starts_at", "ends_at", "reason", "withdrawn_at")
_CREDENTIAL = ("kind", "number", "issued_on", "expires_on", "revoked_on")


def change_shift(staff_id: int, shift_id: int, change: ShiftChange, actor: Actor, now: datetime) -> None:
    """Edit, withdraw or re-instate a shift, unless that leaves a booked session without cover."""
    _change_span(Shift, "shift", ShiftIn, _SHIFT, staff_id, shift_id, asked(change), actor, now)


def withdraw_shift(staff_id: int, shift_id: int, actor: Actor, now: datetime) -> None:
    """Withdraw a shift that has not begun (kept as history), unless a booked session rests on it; again: no change."""
    if _withdrawn_already(Shift, "shift", staff_id, shift_id):
        return
    _change_span(Shift, "shift", ShiftIn, _SHIFT, staff_id, shift_id, {"withdrawn": True}, actor, now)


def change_time_off(staff_id: int, leave_id: int, change: TimeOffChange, actor: Actor, now: datetime) -> None:
    """Edit, withdraw or re-instate time off, unless that leaves a booked session without cover."""
    _change_span(TimeOff, "time_off", TimeOffIn, _LEAVE, staff_id, leave_id, asked(change), actor, now)


def withdraw_time_off(staff_id: int, leave_id: int, actor: Actor, now: datetime) -> None:
    """Withdraw time off that has not begun (kept as history): the person is free to work again; again: no change."""
    if _withdrawn_already(TimeOff, "time_off", staff_id, leave_id):
        return
    _change_span(TimeOff, "time_off", TimeOffIn, _LEAVE, staff_id, leave_id, {"withdrawn": True}, actor, now)


def _withdrawn_already(model, what: str, staff_id: int, row_id: int) -> bool:
    # DELETE twice is one withdrawal: the first moment is kept, nothing is audited again.
    with unit_of_work(write=False) as session:
        return _theirs(session, model, what, staff_id, row_id).withdrawn_at is not None


def _change_span(model, what: str, shape, names: tuple[str, ...], staff_id: int, row_id: int, fields: dict,
                 actor: Actor, now: datetime) -> None:
    with unit_of_work() as session:
        row = _theirs(session, model, what, staff_id, row_id)
        withdrawn = fields.pop("withdrawn", None)
        _keep_the_past(row, fields, withdrawn, now)
        old = Interval(row.starts_at, row.ends_at)
        current = {name: getattr(row, name) for name in names if name != "withdrawn_at"}
        merged = parse(shape, {**current, **fields})  # an edit makes nothing creating could not
        before = snapshot(row, names)
        lock_for_staff_change(session, staff_id)

        def apply() -> None:
            live = row.withdrawn_at is None if withdrawn is None else not withdrawn
            if model is Shift and live:  # asked before anything changes: the database refuses overlaps too
                refuse_overlap(session, staff_id, merged, ignore_id=row.id)
            if withdrawn is not None and withdrawn != (row.withdrawn_at is not None):  # withdrawn again: first moment kept
                row.withdrawn_at = now if withdrawn else None
            for name, value in merged.model_dump().items():
                setattr(row, name, value)

        span = Interval(min(old.start, merged.starts_at), max(old.end, merged.ends_at))
        change_keeping_cover(session, staff_id, span, now, apply)
        after = snapshot(row, names)
        if after != before:  # the same values again: nothing to record
            record(session, actor, f"{what}.{_verb(before, after)}", what, row_id, now,
                   before={k: v for k, v in before.items() if after[k] != v},
                   after={k: v for k, v in after.items() if before[k] != v})
        session.commit()


def _verb(before: dict, after: dict) -> str:
    if after["withdrawn_at"] != before["withdrawn_at"]:
        return "withdrawn" if after["withdrawn_at"] else "reinstated"
    return "changed"


def _keep_the_past(row, fields: dict, withdrawn: bool | None, now: datetime) -> None:
    """Refuse a change to what has happened: an ended row, the start of one under way, a time before now."""
    what = "shift" if isinstance(row, Shift) else "time off"
    if row.ends_at <= now:
        raise InvalidData([Reason("in_the_past", f"This {what} has ended and is kept as it was.", "body")])
    problems = []
    started = row.starts_at <= now
    if started and withdrawn:
        problems.append(Reason("under_way", f"This {what} has begun and cannot be withdrawn; give it an earlier "
                               "end instead.", "withdrawn"))
    if started and withdrawn is False and row.withdrawn_at is not None:
        problems.append(Reason("under_way", f"This {what} was withdrawn and its time has begun; add a new one "
                               "instead.", "withdrawn"))
    for name in ("starts_at", "site_id"):
        if started and name in fields and fields[name] != getattr(row, name):
            problems.append(Reason("under_way", f"This {what} has begun: its start and site are kept.", name))
    for name in ("starts_at", "ends_at"):
        if name in fields and fields[name] < now and not (started and name == "starts_at"):
            problems.append(Reason("in_the_past", f"{name} lies in the past; the past is kept as it was.", name))
    if problems:
        raise InvalidData(problems)


def change_credential(staff_id: int, credential_id: int, change: CredentialChange, actor: Actor,
                      now: datetime) -> None:
    """Edit, revoke or re-instate a credential, unless a booked session relies on it on a day it would not cover."""
    _change_credential(staff_id, credential_id, asked(change, ("expires_on", "revoked_on")), actor, now)


def revoke_credential(staff_id: int, credential_id: int, actor: Actor, now: datetime) -> None:
    """Revoke a credential from today (UTC), kept as history, unless a booked session relies on it; again: no change."""
    with unit_of_work(write=False) as session:
        if _theirs(session, Credential, "credential", staff_id, credential_id).revoked_on is not None:
            return  # revoked already: its date is kept
    _change_credential(staff_id, credential_id, {"revoked_on": now.date()}, actor, now)


def _change_credential(staff_id: int, credential_id: int, fields: dict, actor: Actor, now: datetime) -> None:
    with unit_of_work() as session:
        row = _theirs(session, Credential, "credential", staff_id, credential_id)
        revoked_on = fields.pop("revoked_on", row.revoked_on)
        current = {name: getattr(row, name) for name in _CREDENTIAL if name != "revoked_on"}
        merged = parse(CredentialIn, {**current, **fields})
        if revoked_on is not None and revoked_on < merged.issued_on:
            raise InvalidData([Reason("order", "revoked_on is before issued_on.", "revoked_on")])
        before = snapshot(row, _CREDENTIAL)
        lock_for_staff_change(session, staff_id)

        def apply() -> None:
            for name, value in merged.model_dump().items():
                setattr(row, name, value)
            row.revoked_on = revoked_on

        # A credential is dated, not timed: every session to come may rest on it.
        change_keeping_cover(session, staff_id, Interval(now, FOREVER), now, apply)
        after = snapshot(row, _CREDENTIAL)
        verb = "changed" if before["revoked_on"] == after["revoked_on"] else (
            "revoked" if after["revoked_on"] else "reinstated")
        if after != before:
            record(session, actor, f"credential.{verb}", "credential", credential_id, now,
                   before={k: v for k, v in before.items() if after[k] != v},
                   after={k: v for k, v in after.items() if before[k] != v})
        session.commit()


def _theirs(session: OrmSession, model, what: str, staff_id: int, row_id: int):
    """The row, if it is this person's (404 otherwise: another person's shift is not found under this one)."""
    if session.get(Staff, staff_id) is None:
        raise NotFound("staff member", staff_id)
    row = session.get(model, row_id)
    if row is None or row.staff_id != staff_id:
        raise NotFound(what.replace("_", " "), row_id)
    return row
