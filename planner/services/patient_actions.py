"""What a patient may do from their link: confirm, cancel, or ask for another time.

Each acts only through a link that is good now (signed, unexpired, for the session's current
version) and uses it up in the same transaction: the LinkUse row's unique (session, version)
makes a second POST of the same link "already used", even when two arrive at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Course, LinkUse, PatientRequest, Session
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.errors import DomainError, InvalidTransition, StatusRefused
from planner.domain.links import read_link
from planner.domain.patient_page import (
    ANOTHER_TIME, ANOTHER_TIME_REQUEST, CANCEL, CLOSED, CONFIRM, OK, REPLAN_REQUEST, USED, clean_note, link_verdict,
    refusal,
)
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import set_status
from planner.services.course_replan_apply import apply_changes

log = logging.getLogger("planner.patient")
PATIENT_LINK = "patient link"
_REPLANNING = ("planned", "active")  # a stopped or completed course is not re-planned


@dataclass(frozen=True)
class Cancelled:
    """What a cancel from a link did beyond the cancel itself."""

    session_id: int
    replanned: bool = False        # the course was re-planned at once (a make-up dose, moved sessions)
    replan_request: int | None = None  # else the request left for reception to re-plan by hand


def confirm_from_link(token: str, secret: str, now: datetime, remote_addr: str | None = None) -> int:
    """The patient confirms they will come; returns the session's id."""
    actor = Actor(PATIENT_LINK, None, remote_addr)
    with unit_of_work() as session:
        row = _take_link(session, token, secret, now, CONFIRM)
        row.confirmed_at, row.version, row.updated_at = now, row.version + 1, now
        # No notice: nothing a calendar shows changed, and the sender signs later links afresh.
        record(session, actor, "session.confirmed", "session", row.id, now, version=row.version)
        session_id = row.id
        _commit(session)
        return session_id


def cancel_from_link(token: str, secret: str, now: datetime, reason: str = "",
                     remote_addr: str | None = None) -> Cancelled:
    """The patient cancels, under the same rules as reception's cancel; a course is then re-planned."""
    actor = Actor(PATIENT_LINK, None, remote_addr)
    with unit_of_work() as session:
        row = _take_link(session, token, secret, now, CANCEL)
        note = clean_note(reason)  # after the link's check: a bad link is said first; a bad note rolls it all back
        session_id, patient_id, course_id = row.id, row.patient_id, row.course_id
        try:
            # The cancel reception makes: status rules, a higher SEQUENCE, CANCEL messages, the course's status.
            set_status(session, row.id, lifecycle.CANCELLED, actor, now, f"Cancelled by the patient. {note}".strip())
        except (InvalidTransition, StatusRefused):
            raise refusal(CLOSED) from None
        course = session.get(Course, course_id) if course_id is not None else None
        replan = course is not None and course.status in _REPLANNING
        _commit(session)
    if not replan:
        return Cancelled(session_id)
    return _replan(course_id, session_id, patient_id, actor, now)


def ask_another_time(token: str, secret: str, now: datetime, note: str = "", remote_addr: str | None = None) -> int:
    """The patient asks reception for another time; returns the request's id (reception works the list)."""
    actor = Actor(PATIENT_LINK, None, remote_addr)
    with unit_of_work() as session:
        row = _take_link(session, token, secret, now, ANOTHER_TIME)
        text = clean_note(note)
        request_id = _open_request(session, row, ANOTHER_TIME_REQUEST, text, now)
        # A new version, so the next reminder's link works again: the patient may still confirm or
        # cancel while reception has not called back (this link itself stays used).
        row.version, row.updated_at = row.version + 1, now
        record(session, actor, "patient_request.opened", "patient_request", request_id, now, session_id=row.id,
               kind=ANOTHER_TIME_REQUEST, note=text)
        _commit(session)
        return request_id


def _take_link(session: OrmSession, token: str, secret: str, now: datetime, action: str) -> Session:
    """The linked session, locked, with the link used up; LinkRefused unless the link may act now."""
    claim = read_link(token, secret, now)
    # Locked: a reception change racing this one is either seen (outdated) or waits for it.
    row = session.get(Session, claim.session_id, with_for_update=True) if claim.session_id else None
    used = row is not None and session.scalar(select(LinkUse.id).where(
        LinkUse.session_id == claim.session_id, LinkUse.version == claim.version)) is not None
    verdict = link_verdict(claim, row.version if row is not None else None, used)
    if verdict != OK:
        raise refusal(verdict)
    if row.status not in lifecycle.MOVABLE:
        raise refusal(CLOSED)  # e.g. a link from a cancellation's message: the session is gone
    try:
        # Written first, so a second POST of this link waits on the unique key and is then refused.
        session.execute(insert(LinkUse).values(session_id=row.id, version=claim.version, action=action, at=now))
    except IntegrityError:
        session.rollback()
        raise refusal(USED) from None
    return row


def _commit(session: OrmSession) -> None:
    try:
        session.commit()
    except IntegrityError:  # the same link used by another request in the meantime
        session.rollback()
        raise refusal(USED) from None


def _open_request(session: OrmSession, row: Session, kind: str, note: str, now: datetime) -> int:
    return session.execute(insert(PatientRequest).returning(PatientRequest.id).values(
        session_id=row.id, patient_id=row.patient_id, kind=kind, note=note, state="open",
        asked_at=now)).scalar_one()


def _replan(course_id: int, session_id: int, patient_id: int, actor: Actor, now: datetime) -> Cancelled:
    """Re-plan the course after the cancel; when it cannot be done, leave it to reception as a request."""
    try:
        apply_changes(course_id, actor, now, None)
        return Cancelled(session_id, replanned=True)
    except (DomainError, SQLAlchemyError) as failed:
        # The cancel stands (it committed): the patient must not see an error for what reception can fix.
        log.warning("course %s not re-planned after a patient cancelled session %s: %s", course_id, session_id,
                    failed)
        why = _why(failed)
    with unit_of_work() as session:
        row = session.get(Session, session_id)
        request_id = _open_request(session, row, REPLAN_REQUEST, why, now)
        record(session, actor, "patient_request.opened", "patient_request", request_id, now, session_id=session_id,
               kind=REPLAN_REQUEST, note=why, patient_id=patient_id)
        session.commit()
        return Cancelled(session_id, replan_request=request_id)


def _why(failed: Exception) -> str:
    words = str(failed) if isinstance(failed, DomainError) else "the database refused the change"
    return f"The course could not be re-planned after the patient cancelled. {words}"[:500]
