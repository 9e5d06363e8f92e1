"""Read side of the FHIR export: a patient's or a course's sessions with their team, a course with its protocol.

Plain rows, instants aware in UTC; three queries however many sessions there are.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Row, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Course, Patient, ProtocolVersion, Room, Session, SessionStaff, SessionType, Site, Staff


def patient(session: OrmSession, patient_id: int) -> Row | None:
    """The patient's id and name, or None."""
    return session.execute(select(Patient.id, Patient.name).where(Patient.id == patient_id)).first()


def visits(session: OrmSession, patient_id: int | None = None, course_id: int | None = None,
           session_id: int | None = None) -> list[Row]:
    """Sessions of a patient, of a course, or one session, in time order, with their site, zone, room, type, patient."""
    query = (select(Session.id, Session.status, Session.starts_at, Session.ends_at, Session.created_at,
                    Session.patient_id, Patient.name.label("patient_name"), Session.site_id,
                    Site.name.label("site_name"), Site.timezone.label("zone"), Session.room_id,
                    Room.name.label("room_name"), SessionType.key.label("type_key"),
                    SessionType.name.label("type_name"), SessionType.kind.label("type_kind"), Session.course_id)
             .join(Patient, Patient.id == Session.patient_id).join(Site, Site.id == Session.site_id)
             .join(SessionType, SessionType.id == Session.session_type_id)
             .outerjoin(Room, Room.id == Session.room_id)
             .order_by(Session.starts_at, Session.id))
    if patient_id is not None:
        query = query.where(Session.patient_id == patient_id)
    if course_id is not None:
        query = query.where(Session.course_id == course_id)
    if session_id is not None:
        query = query.where(Session.id == session_id)
    return list(session.execute(query))


def teams(session: OrmSession, patient_id: int | None = None, course_id: int | None = None,
          session_id: int | None = None) -> dict[int, list[Row]]:
    """Each session's people (staff id, name, role, their part's start and end), by session id."""
    query = (select(SessionStaff.session_id, SessionStaff.staff_id, Staff.name, SessionStaff.role,
                    SessionStaff.starts_at, SessionStaff.ends_at)
             .join(Staff, Staff.id == SessionStaff.staff_id).join(Session, Session.id == SessionStaff.session_id)
             .order_by(SessionStaff.session_id, SessionStaff.id))
    if patient_id is not None:
        query = query.where(Session.patient_id == patient_id)
    if course_id is not None:
        query = query.where(Session.course_id == course_id)
    if session_id is not None:
        query = query.where(SessionStaff.session_id == session_id)
    found: dict[int, list[Row]] = defaultdict(list)
    for row in session.execute(query):
        found[row.session_id].append(row)
    return found


def course(session: OrmSession, course_id: int) -> Row | None:
    """A course with its patient and protocol version (name, version, definition), or None."""
    return session.execute(
        select(Course.id, Course.status, Course.patient_id, Patient.name.label("patient_name"), Course.first_day,
               Course.created_at, ProtocolVersion.version, ProtocolVersion.definition)
        .join(Patient, Patient.id == Course.patient_id).join(ProtocolVersion, ProtocolVersion.id == Course.protocol_id)
        .where(Course.id == course_id)).first()


def active_type_ids(session: OrmSession) -> set[int]:
    """The ids of the session types in use (a retired type is offered nowhere)."""
    return set(session.scalars(select(SessionType.id).where(SessionType.active.is_(True))))
