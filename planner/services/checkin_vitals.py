"""The check-in gate: pre-dose vitals that may hold a dose, and the prescriber's review of a held dose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Session, SessionType, User, VitalsReading, VitalsThreshold
from planner.db.uow import unit_of_work
from planner.domain import front_desk, lifecycle
from planner.domain.errors import InvalidData, NotFound, Reason, ReviewRefused, StatusRefused
from planner.domain.staffing import StaffMember
from planner.domain.vitals import Threshold, Vitals, above, hold_reason, reading_problems, review_refusal
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import set_status
from planner.services.session_page import wait_for_a_new_time

Decision = Literal["clear", "hold_off"]


@dataclass(frozen=True)
class Recorded:
    """What recording vitals did: the reading written, the session's status after it, why it was held."""

    reading_id: int
    status: str
    held_because: str


def site_threshold(session: OrmSession, site_id: int) -> Threshold:
    """The site's threshold as data, or the default 140/90 when the site has not set its own."""
    row = session.get(VitalsThreshold, site_id)
    return Threshold() if row is None else Threshold(row.systolic, row.diastolic)


def record_vitals(session_id: int, vitals: Vitals, actor: Actor, now: datetime) -> Recorded:
    """Record a checked-in dose's pre-dose vitals; above the site's threshold the dose goes on hold, all at once.

    A second reading for the same dose is a correction: it supersedes the last one, never
    replaces it. Only a reading taken while the patient is arrived holds the dose; a correction
    while held leaves the hold for the prescriber's review.
    """
    problems = reading_problems(vitals.systolic, vitals.diastolic, vitals.heart_rate)
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        row = _checked_in_dose(session, session_id, (lifecycle.ARRIVED, lifecycle.HELD))
        threshold = site_threshold(session, row.site_id)
        last = session.scalar(select(VitalsReading.id).where(VitalsReading.session_id == session_id)
                              .order_by(VitalsReading.id.desc()).limit(1))
        held = row.status == lifecycle.ARRIVED and above(vitals, threshold)
        reading = VitalsReading(session_id=session_id, systolic=vitals.systolic, diastolic=vitals.diastolic,
                                heart_rate=vitals.heart_rate, threshold=str(threshold), held=held, taken_at=now,
                                taken_by=actor.label, taken_by_id=actor.user_id, supersedes_id=last)
        session.add(reading)
        session.flush()
        record(session, actor, "session.vitals_recorded", "session", session_id, now, reading=reading.id,
               systolic=vitals.systolic, diastolic=vitals.diastolic, heart_rate=vitals.heart_rate,
               threshold=str(threshold), supersedes=last)
        because = hold_reason(threshold) if held else ""
        if held:  # set_status audits the hold and queues the notices, in this same transaction
            set_status(session, session_id, lifecycle.HELD, actor, now, because)
        done = Recorded(reading.id, lifecycle.HELD if held else row.status, because)
        session.commit()
        return done


def review_held_dose(session_id: int, decision: Decision, note: str, actor: Actor, now: datetime) -> str:
    """The prescriber clears a held dose (it goes on, in progress) or holds it off for the day (cancelled).

    Only an account linked to a prescriber whose licence is valid on the dose's day may
    (ReviewRefused otherwise, nothing changed). A dose held off is cancelled with its reason; the
    course's re-plan then counts it as a dose to make up (planning/replan.py treats a cancelled
    dose as lost), so it is never silently dropped.
    """
    note = note.strip()
    with unit_of_work() as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        reviewer = _reviewer(session, actor.user_id, row)
        if decision == "hold_off" and not note:
            raise InvalidData([Reason("required", "Say why the dose is held off today.", "note")])
        row = _checked_in_dose(session, session_id, (lifecycle.HELD,))
        held_because = row.note
        if decision == "clear":
            status = lifecycle.IN_PROGRESS
            set_status(session, session_id, status, actor, now, note, reviewed=True)
        else:
            status = lifecycle.CANCELLED
            reason = f"held off today: {note}"
            set_status(session, session_id, status, actor, now, reason)
            wait_for_a_new_time(session, row, reason, actor, now)
        record(session, actor, f"session.hold_{'cleared' if decision == 'clear' else 'kept'}", "session",
               session_id, now, note=note, held_because=held_because, prescriber=reviewer.name,
               prescriber_staff_id=reviewer.id)
        session.commit()
        return status


def _reviewer(session: OrmSession, user_id: int | None, row: Session) -> StaffMember:
    """The prescriber behind this account, who may review this dose; ReviewRefused (403) naming why not."""
    member, refused = _judged_reviewer(session, user_id, row)
    if refused is not None:
        raise ReviewRefused([refused])
    assert member is not None  # review_refusal refuses an account linked to nobody
    return member


def _judged_reviewer(session: OrmSession, user_id: int | None, row: Session) -> tuple[StaffMember | None,
                                                                                        Reason | None]:
    staff_id = session.scalar(select(User.staff_id).where(User.id == user_id)) if user_id is not None else None
    member = reads.staff_member(session, staff_id) if staff_id is not None else None
    # The dose's day is its local day at its site: a licence is judged on it as a booking judges it.
    day = reads.site(session, row.site_id).calendar.local_day(row.starts_at)
    return member, review_refusal(member, day)


def _checked_in_dose(session: OrmSession, session_id: int, statuses: tuple[str, ...]) -> Session:
    """The dosing session, locked, in one of these statuses; StatusRefused (409) otherwise."""
    row = session.get(Session, session_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound("session", session_id)
    kind = reads.session_type_from_row(session.get(SessionType, row.session_type_id)).kind
    if not front_desk.needs_escort(kind):
        raise StatusRefused([Reason("not_a_dose", "Vitals and holds are for dosing sessions only.", "status")])
    if row.status not in statuses:
        wanted = " or ".join(s.replace("_", " ") for s in statuses)
        raise StatusRefused([Reason("wrong_status", f"The session is {row.status.replace('_', ' ')}: this needs it "
                                                    f"{wanted} (check the patient in first).", "status")])
    return row


@dataclass(frozen=True)
class Gate:
    """What the session page shows of the check-in gate: whether it applies, the threshold, the latest reading.

    review_refused: for a held dose, why the signed-in account may not review it (empty when it may).
    """

    is_dose: bool
    threshold: str
    latest: VitalsReading | None
    review_refused: str = ""


def check_in_gate(session_id: int, user_id: int | None = None) -> Gate:
    """The gate for a session's page (reads only); the latest reading is the one no correction superseded."""
    with unit_of_work(write=False) as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        kind = reads.session_type_from_row(session.get(SessionType, row.session_type_id)).kind
        latest = session.scalar(select(VitalsReading).where(VitalsReading.session_id == session_id)
                                .order_by(VitalsReading.id.desc()).limit(1))
        if latest is not None:
            session.expunge(latest)  # read after the transaction ends, by the template
        refused = ""
        if row.status == lifecycle.HELD:
            _, reason = _judged_reviewer(session, user_id, row)
            refused = reason.message if reason is not None else ""
        return Gate(front_desk.needs_escort(kind), str(site_threshold(session, row.site_id)), latest, refused)


def review_refused(session_id: int, user_id: int | None) -> str:
    """Why this account may not review the session's held dose, in words (empty when it may)."""
    with unit_of_work(write=False) as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        _, reason = _judged_reviewer(session, user_id, row)
        return reason.message if reason is not None else ""
