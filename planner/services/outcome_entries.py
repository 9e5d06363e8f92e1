"""Entering outcome measures: by staff before a dose, or by the patient from their link; corrections supersede.

An entry is never deleted or changed: a correction is a new entry naming the one it supersedes,
and both stay, with the correction in the audit log. The total is always the product's own sum
of the items, so a typed-in total can never disagree with the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Course, LinkUse, OutcomeEntry, Patient, Session
from planner.db.models.outcomes import PATIENT_LINK, PATIENT_VIA_LINK, STAFF
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.clinic import DOSING_KINDS
from planner.domain.errors import InvalidData, NotFound, Reason, Refusal
from planner.domain.links import read_link
from planner.domain.outcomes.scoring import Score, score
from planner.domain.patient_page import CLOSED, OK, USED, link_verdict, refusal
from planner.services import Actor
from planner.services.audit import record
from planner.services.outcome_inputs import OutcomeIn

# A clock a little ahead on a tablet must not refuse an entry taken "now".
FUTURE_SLACK = timedelta(minutes=5)


class EntryRefused(Refusal):
    """An entry cannot be written as asked (a correction of an entry already corrected, a second answer)."""


@dataclass(frozen=True)
class Entered:
    """What was written: the entry's id and its score."""

    entry_id: int
    patient_id: int
    course_id: int | None
    score: Score


def enter_outcome(patient_id: int, given: OutcomeIn, actor: Actor, now: datetime) -> Entered:
    """Write one questionnaire a member of staff entered for a patient; InvalidData names the item or field."""
    scored = score(given.measure, given.items)
    taken_at = given.taken_at or now
    if taken_at > now + FUTURE_SLACK:
        raise InvalidData([Reason("in_future", "When it was taken cannot be in the future.", "taken_at")])
    with unit_of_work() as session:
        if session.get(Patient, patient_id) is None:
            raise NotFound("patient", patient_id)
        course_id = _course_of(session, patient_id, given)
        before = _check_correction(session, patient_id, given) if given.supersedes is not None else None
        entry_id = _write(session, patient_id, course_id, given.session_id, scored, taken_at, STAFF, actor, now,
                          given.supersedes, before)
        try:
            session.commit()
        except IntegrityError:  # the same entry corrected by someone else meanwhile
            session.rollback()
            raise _already_corrected(given.supersedes) from None
        return Entered(entry_id, patient_id, course_id, scored)


def enter_from_link(token: str, secret: str, measure: str, answers: list, now: datetime,
                    remote_addr: str | None = None) -> Entered:
    """The patient answers a questionnaire from their appointment's link, before they come.

    The link must be good now (signed, unexpired, for the session as it stands, or the one just
    used to confirm it) and its session still to come; the link is not used up by answering.
    """
    actor = Actor(PATIENT_VIA_LINK, None, remote_addr)
    claim = read_link(token, secret, now)
    with unit_of_work() as session:
        row = session.get(Session, claim.session_id) if claim.session_id else None
        used = row is not None and session.scalar(select(exists().where(
            LinkUse.session_id == claim.session_id, LinkUse.version == claim.version)))
        verdict = link_verdict(claim, row.version if row is not None else None, bool(used))
        if verdict not in (OK, USED):
            raise refusal(verdict)
        if row.status not in lifecycle.MOVABLE or row.session_type.kind not in DOSING_KINDS:
            raise refusal(CLOSED)
        scored = score(measure, answers)  # after the link's check: a bad link is said first
        if answered_from_link(session, row.id, scored.measure):
            raise EntryRefused([Reason("already_answered", "You have already answered these questions for this "
                                                           "appointment. Thank you.", "measure")])
        entry_id = _write(session, row.patient_id, row.course_id, row.id, scored, now, PATIENT_LINK, actor, now, None)
        try:
            session.commit()
        except IntegrityError:  # two taps of "Send" at once: the unique index keeps one
            session.rollback()
            raise EntryRefused([Reason("already_answered", "You have already answered these questions for this "
                                                           "appointment. Thank you.", "measure")]) from None
        return Entered(entry_id, row.patient_id, row.course_id, scored)


def answered_from_link(session: OrmSession, session_id: int, measure: str) -> bool:
    """Whether the patient has answered this measure from a link for this session."""
    return bool(session.scalar(select(exists().where(OutcomeEntry.session_id == session_id,
                                                     OutcomeEntry.measure == measure,
                                                     OutcomeEntry.source == PATIENT_LINK))))


def _course_of(session: OrmSession, patient_id: int, given: OutcomeIn) -> int | None:
    problems = []
    course_id = given.course_id
    if given.session_id is not None:
        row = session.get(Session, given.session_id)
        if row is None or row.patient_id != patient_id:
            problems.append(Reason("not_theirs", "No session of this patient has that id.", "session_id"))
        elif course_id is None:
            course_id = row.course_id
        elif row.course_id != course_id:
            problems.append(Reason("other_course", "That session is not in that course.", "session_id"))
    if given.course_id is not None:
        course = session.get(Course, given.course_id)
        if course is None or course.patient_id != patient_id:
            problems.append(Reason("not_theirs", "No course of this patient has that id.", "course_id"))
    if problems:
        raise InvalidData(problems)
    return course_id


def _check_correction(session: OrmSession, patient_id: int, given: OutcomeIn) -> dict:
    """The entry to correct as the audit keeps it (its answers and total), or why it cannot be corrected."""
    old = session.get(OutcomeEntry, given.supersedes)
    if old is None or old.patient_id != patient_id or old.measure != given.measure:
        raise InvalidData([Reason("not_theirs", "No entry of this patient and measure has that id.", "supersedes")])
    if session.scalar(select(exists().where(OutcomeEntry.supersedes_id == old.id))):
        raise _already_corrected(old.id)
    return {"items": list(old.items), "total": old.total, "taken_at": old.taken_at.isoformat()}


def _already_corrected(entry_id: int | None) -> EntryRefused:
    return EntryRefused([Reason("already_corrected", f"Entry {entry_id} has already been corrected: correct the "
                                                     "correction instead.", "supersedes")])


def _write(session: OrmSession, patient_id: int, course_id: int | None, session_id: int | None, scored: Score,
           taken_at: datetime, source: str, actor: Actor, now: datetime, supersedes: int | None,
           before: dict | None = None) -> int:
    entry_id = session.execute(insert(OutcomeEntry).returning(OutcomeEntry.id).values(
        patient_id=patient_id, course_id=course_id, session_id=session_id, measure=scored.measure,
        items=list(scored.items), total=scored.total, taken_at=taken_at, source=source, entered_by=actor.label,
        entered_by_id=actor.user_id, supersedes_id=supersedes, created_at=now)).scalar_one()
    # A new entry's answers live in its row; a correction's audit keeps the values before and after.
    changed = {"before": before, "after": {"items": list(scored.items), "total": scored.total,
                                           "taken_at": taken_at.isoformat()}} if supersedes else {}
    record(session, actor, "outcome.corrected" if supersedes else "outcome.entered", "outcome_entry", entry_id, now,
           patient_id=patient_id, course_id=course_id, session_id=session_id, measure=scored.measure,
           supersedes=supersedes, flags=list(scored.flags), **changed)
    return entry_id
