"""Carrying out a course re-plan: move, add and cancel sessions in one checked transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Course, CourseEvent, Session
from planner.db.uow import defer_overlap_constraints, lock_for_booking, unit_of_work
from planner.domain import lifecycle
from planner.domain.calendar import local
from planner.domain.errors import BatchRefused, PlanStale, Reason
from planner.domain.courses import DOSE
from planner.domain.planning.replan import GIVEN, UPCOMING
from planner.domain.planning.verify import CourseItem, course_breaches
from planner.services import Actor
from planner.services.audit import record
from planner.services.booking import SessionOrder, build_request, check_request, place_orders, placements_for
from planner.services.course_replan import Replan, compute_replan, preview_replan
from planner.services.notices import queue_notices
from planner.services.request_resolution import resolve_by_replan


@dataclass(frozen=True)
class Applied:
    """A re-plan carried out, and the course's "re-plan" requests it answered (marked done)."""

    replan: Replan
    resolved: tuple[int, ...]


def apply_changes(course_id: int, actor: Actor, now: datetime, expected: str | None) -> Replan:
    """Apply the course's re-plan as computed now; refuse if it is not the one the caller saw."""
    return apply_replan(course_id, actor, now, expected).replan


def apply_replan(course_id: int, actor: Actor, now: datetime, expected: str | None) -> Applied:
    """apply_changes, also saying which of the course's open re-plan requests it resolved in the same commit."""
    with unit_of_work() as session:
        replan = compute_replan(session, course_id, now)
        course = session.get(Course, course_id)
        if expected is not None and replan.fingerprint != expected:
            raise PlanStale({0: [Reason("changed", "The re-plan changed since it was shown; review it again.")]},
                            replan)
        if replan.reasons:
            raise PlanStale({0: [Reason("no_plan", reason) for reason in replan.reasons]}, replan)
        staff = {p.staff_id for c in replan.changes if c.new for p in c.new.placements}
        lock_for_booking(session, {course.site_id}, staff, {course.patient_id})
        defer_overlap_constraints(session)
        types = {key: stype.id for key, stype in reads.session_types(session).items()}
        moved, refusals = [], {}
        # Move every row first, then check each against the result: rows of this course
        # may trade places, and a check against half-moved state would see false clashes.
        for change in replan.changes:
            if change.session_id is None or change.new is None:
                continue
            row = session.get(Session, change.session_id)
            request = build_request(session, _order(course, row.session_type_id, change.new))
            row.starts_at, row.ends_at, row.room_id = change.new.start, change.new.end, change.new.room_id
            row.dose_number = change.new.dose_number
            row.staff = placements_for(request)
            row.version += 1
            row.sequence += 1
            row.updated_at = now
            moved.append((row, change, request))
        session.flush()
        for index, (row, _change, request) in enumerate(moved):
            reasons = check_request(session, request, now, ignore=row.id)
            if reasons:
                refusals[index] = reasons
        for change in replan.changes:
            if change.new is None:
                row = session.get(Session, change.session_id)
                row.status = lifecycle.transition(row.status, lifecycle.CANCELLED)
                row.version += 1
                row.sequence += 1
                row.updated_at = now
        for session_id, number in replan.renumbered.items():
            session.get(Session, session_id).dose_number = number
        new = [c for c in replan.changes if c.session_id is None]
        try:
            created = place_orders(session, [_order(course, types[c.type_key], c.new) for c in new], actor, now,
                                   "new") if new else []
        except BatchRefused as refused:
            refusals.update({len(moved) + i: r for i, r in refused.refusals.items()})
            created = []
        if not refusals and replan.changes:
            refusals = _cadence_refusals(session, course_id, len(moved) + len(new), now)
        if refusals:
            session.rollback()
            raise PlanStale(refusals, preview_replan(course_id, now))
        for row, change, _request in moved:
            record(session, actor, "session.rescheduled", "session", row.id, now, course_id=course_id,
                   before=change.old_start.isoformat() if change.old_start else None,
                   after=row.starts_at.isoformat(), version=row.version)
        queue_notices(session, [row.id for row, _, _ in moved] + [c.session_id for c in replan.changes if c.new is None],
                      now)
        course.version += 1
        course.updated_at = now
        session.add(CourseEvent(course_id=course_id, at=now, actor=actor.label, kind="replanned", details={
            "moved": [row.id for row, _, _ in moved], "added": created,
            "cancelled": [c.session_id for c in replan.changes if c.new is None], "note": replan.note}))
        record(session, actor, "course.replanned", "course", course_id, now, moved=len(moved), added=len(created))
        # Applied on any path (the preview page, the API, the CLI, a patient's cancel), the course's
        # "re-plan" requests are answered: they leave the requests list in this same commit.
        resolved = resolve_by_replan(session, course_id, actor, now)
        session.commit()
        return Applied(replan, tuple(resolved))


def _cadence_refusals(session: OrmSession, course_id: int, index: int, now: datetime) -> dict[int, list[Reason]]:
    """The re-planned course checked whole against its protocol before anything is kept (the planner's own check)."""
    session.flush()
    course = reads.course(session, course_id)
    zone = reads.site(session, course.site_id).calendar.zone
    given = [s for s in course.sessions if s.purpose == DOSE and s.status in GIVEN]
    upcoming = [s for s in course.sessions if s.purpose == DOSE and s.status in UPCOMING and s.start >= now]
    therapy = [s for s in course.sessions if s.purpose != DOSE and lifecycle.holds_place(s.status)]
    items = [CourseItem(s.purpose, s.type_key, s.dose_number or 0, local(s.start, zone).date())
             for s in given + upcoming + therapy]
    breaches = course_breaches(course.protocol, items, given=len(given))
    return {index: breaches} if breaches else {}


def _order(course: Course, type_id: int, planned) -> SessionOrder:
    return SessionOrder(course.patient_id, course.site_id, type_id, planned.start, planned.room_id,
                        tuple((p.staff_id, p.role) for p in planned.placements), course.id,
                        purpose=planned.purpose, dose_number=planned.dose_number)
