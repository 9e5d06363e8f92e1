"""Re-planning the rest of a course: the preview, worked out by the domain on a snapshot of the clinic."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import AuditEvent
from planner.domain import lifecycle
from planner.domain.calendar import local
from planner.domain.courses import DOSE, BookedCourse
from planner.domain.errors import NotFound
from planner.domain.planning.horizon import horizon_days
from planner.domain.planning.replan import Change, Replan, replan_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import to_preferences

__all__ = ["Change", "Replan", "compute_replan", "preview_replan", "booked_course"]


def booked_course(session: OrmSession, course_id: int) -> BookedCourse:
    """A course as the rules see it, or NotFound."""
    course = reads.course(session, course_id)
    if course is None:
        raise NotFound("course", course_id)
    return course


def compute_replan(session: OrmSession, course_id: int, now: datetime) -> Replan:
    """The re-plan of a course as things stand (reads only, inside the caller's transaction)."""
    course = _held_off_counts_as_held(session, booked_course(session, course_id))
    site = reads.site(session, course.site_id)
    patient = reads.patient(session, course.patient_id)
    first = max(local(now, site.calendar.zone).date(), course.first_day)
    clinic = reads.for_planning(session, site, first, horizon_days(course.protocol), patient.id, now)
    preferences = to_preferences(PreferencesIn.model_validate(course.preferences))
    return replan_course(course, clinic.state, reads.session_types(session), patient, preferences, first, now)


def _held_off_counts_as_held(session: OrmSession, course: BookedCourse) -> BookedCourse:
    """The course with each dose cancelled after being held shown as held: a held dose is always made up.

    A prescriber who holds a dose off for the day cancels it (issue 13, part 3); without this an
    esketamine induction dose held off would read as a plain miss, which keep_schedule does not
    make up, and the held dose would be silently dropped. The audit log says which were held.
    """
    cancelled = {str(s.id) for s in course.sessions if s.purpose == DOSE and s.status == lifecycle.CANCELLED}
    if not cancelled:
        return course
    held = set(session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.entity == "session", AuditEvent.action == f"session.{lifecycle.HELD}",
        AuditEvent.entity_id.in_(sorted(cancelled)))))
    if not held:
        return course
    return replace(course, sessions=tuple(replace(s, status=lifecycle.HELD) if str(s.id) in held else s
                                          for s in course.sessions))


def preview_replan(course_id: int, now: datetime) -> Replan:
    """What re-planning the course would change, without changing anything."""
    with reads.reading() as session:
        return compute_replan(session, course_id, now)
