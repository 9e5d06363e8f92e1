"""Read side for reception's patient pages: search candidates, one patient's record, their courses and sessions.

Plain rows, instants in UTC (the page converts each to its site's wall time). A patient page is a
handful of queries however many sessions the patient has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import (
    AuditEvent, ConsentRecord, Course, Patient, ProtocolVersion, Room, ScreeningRecord, Session, SessionType, Site,
)
from planner.domain import clinic as dom

_patient, _site = Patient.__table__.c, Site.__table__.c


@dataclass(frozen=True)
class PatientHit:
    """One patient as a search result lists them."""

    id: int
    name: str
    mrn: str
    date_of_birth: date
    phone: str | None
    home_site: str | None


@dataclass(frozen=True)
class CourseRow:
    id: int
    protocol: str
    site: str
    status: str
    first_day: date


@dataclass(frozen=True)
class VisitRow:
    """A session of the patient, with what the page shows of it and its site's zone."""

    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    session_type: str
    site: str
    zone: str
    room: str | None
    course_id: int | None
    purpose: str | None


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    actor: str
    action: str
    details: dict


def matching(session: OrmSession, words: tuple[str, ...], mrn: str, day: date | None, digits: str | None,
             limit: int) -> list[PatientHit]:
    """Patients whose name has a word starting with each of words, whose MRN starts with mrn, born on day, or
    whose number contains digits; best first (MRN in full, then birth date or phone, names, MRN prefixes), then
    by name. At most limit of them: one query.

    Names are compared folded (search_name: lower case, no accents, a space before each word), so a
    word's start is `LIKE '% word%'`. Every typed text goes in as a bound, LIKE-escaped value.
    """
    typed_mrn = func.lower(_patient.mrn)
    named = and_(*(_patient.search_name.contains(" " + word, autoescape=True) for word in words)) \
        if words else false()
    other = [_patient.date_of_birth == day] if day is not None else []
    if digits:
        other.append(_patient.phone.contains(digits, autoescape=True))
    born_or_dialled = or_(*other) if other else false()
    by_mrn = typed_mrn.startswith(mrn, autoescape=True) if mrn else false()
    rank = case((typed_mrn == mrn, 0), (born_or_dialled, 1), (named, 2), else_=3)
    query = (select(_patient.id, _patient.name, _patient.mrn, _patient.date_of_birth, _patient.phone,
                    _site.name.label("home_site"))
             .outerjoin(Site.__table__, _site.id == _patient.home_site_id)
             .where(or_(by_mrn, born_or_dialled, named))
             .order_by(rank, _patient.search_name, _patient.id).limit(limit))
    return [PatientHit(*r) for r in session.connection().execute(query)]


def record_of(session: OrmSession, patient_id: int):
    """The patient's row (read by column name, like the model) with home_site and home_zone, or None: one query."""
    query = (select(Patient.__table__, _site.name.label("home_site"), _site.timezone.label("home_zone"))
             .outerjoin(Site.__table__, _site.id == _patient.home_site_id).where(_patient.id == patient_id))
    return session.connection().execute(query).first()


def rules_of(row) -> dom.Patient:
    """The patient as the booking rules see them, from the row record_of read."""
    return dom.Patient(row.id, row.mrn, row.name, row.rems_enrolled_on, row.screening_status, row.consent_status,
                       row.home_site_id, row.consent_expires_on)


def courses_of(session: OrmSession, patient_id: int) -> list[CourseRow]:
    """The patient's courses, latest first."""
    query = (select(Course.id, ProtocolVersion.name, Site.name, Course.status, Course.first_day)
             .join(ProtocolVersion, ProtocolVersion.id == Course.protocol_id).join(Site, Site.id == Course.site_id)
             .where(Course.patient_id == patient_id).order_by(Course.first_day.desc(), Course.id.desc()))
    return [CourseRow(*r) for r in session.connection().execute(query)]


def visits_of(session: OrmSession, patient_id: int) -> list[VisitRow]:
    """The patient's sessions in time order, each with its site's zone: one query (the patient-time index)."""
    query = (select(Session.id, Session.starts_at, Session.ends_at, Session.status, SessionType.name, Site.name,
                    Site.timezone, Room.name, Session.course_id, Session.purpose)
             .join(SessionType, SessionType.id == Session.session_type_id).join(Site, Site.id == Session.site_id)
             .outerjoin(Room, Room.id == Session.room_id)
             .where(Session.patient_id == patient_id).order_by(Session.starts_at, Session.id))
    return [VisitRow(*r) for r in session.connection().execute(query)]


def changes_to(session: OrmSession, patient_id: int, limit: int = 50) -> list[ChangeRow]:
    """The history of the patient's record, newest first: registered, edited, consent expired (the audit trail),
    and each screening, consent and withdrawal recorded (their records, who and when).

    A screening's history names its outcome, never its answers nor its note: the history is shown to
    reception, who never reads screening answers (issue 13, part 7); the screening card shows them to clinicians.
    """
    query = (select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.details)
             .where(AuditEvent.entity == "patient", AuditEvent.entity_id == str(patient_id))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    changes = [ChangeRow(r.at, r.actor, r.action, r.details or {}) for r in session.connection().execute(query)]
    screenings = (select(ScreeningRecord.recorded_at, ScreeningRecord.recorded_by, ScreeningRecord.outcome)
                  .where(ScreeningRecord.patient_id == patient_id)
                  .order_by(ScreeningRecord.id.desc()).limit(limit))
    changes += [ChangeRow(at, by, "screening.recorded", {"outcome": outcome})
                for at, by, outcome in session.connection().execute(screenings)]
    consents = (select(ConsentRecord.recorded_at, ConsentRecord.recorded_by, ConsentRecord.kind,
                       ConsentRecord.signed_on, ConsentRecord.expires_on, ConsentRecord.note)
                .where(ConsentRecord.patient_id == patient_id).order_by(ConsentRecord.id.desc()).limit(limit))
    changes += [ChangeRow(at, by, "consent.withdrawn" if kind == "withdrawal" else "consent.recorded",
                          {"kind": kind, "on": on, "expires_on": expires, "note": note})
                for at, by, kind, on, expires, note in session.connection().execute(consents)]
    # Stable: a record and the audit of the same moment keep the order each query gave them.
    return sorted(changes, key=lambda change: change.at, reverse=True)[:limit]
