"""Read side for the staff pages: plain rows, instants in UTC (the page converts to site time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased, selectinload

from planner.db.models import AuditEvent, Credential, Patient, Room, Session, SessionStaff, SessionType, Shift, Site, Staff

# Order in which a session's people are listed: who supervises first.
_ROLE_ORDER = {"supervising_prescriber": 0, "monitoring_clinician": 1, "therapist": 2}


@dataclass(frozen=True)
class SiteRow:
    id: int
    name: str
    timezone: str
    phone: str | None


@dataclass(frozen=True)
class PersonInRole:
    name: str
    role: str


@dataclass(frozen=True)
class SessionRow:
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    patient: str
    session_type: str
    kind: str
    room: str | None
    staff: tuple[PersonInRole, ...]


@dataclass(frozen=True)
class RoomRow:
    id: int
    name: str
    kind: str
    capabilities: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class ShiftRow:
    staff_id: int
    name: str
    disciplines: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ExpiringCredential:
    staff_id: int
    name: str
    kind: str
    number: str
    expires_on: date


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    remote_addr: str | None
    details: dict


def sites(session: OrmSession) -> list[SiteRow]:
    """Every site, by name."""
    return [SiteRow(s.id, s.name, s.timezone, s.phone)
            for s in session.execute(select(Site.id, Site.name, Site.timezone, Site.phone).order_by(Site.name))]


def site(session: OrmSession, site_id: int) -> SiteRow | None:
    """One site, or None."""
    row = session.get(Site, site_id)
    return None if row is None else SiteRow(row.id, row.name, row.timezone, row.phone)


def sessions_starting(session: OrmSession, site_id: int, start: datetime, end: datetime) -> list[SessionRow]:
    """Sessions at a site that start in [start, end), in time order, with everyone placed in them."""
    query = (select(Session).where(Session.site_id == site_id, Session.starts_at >= start, Session.starts_at < end)
             .options(selectinload(Session.patient).load_only(Patient.name),
                      selectinload(Session.session_type).load_only(SessionType.name, SessionType.kind),
                      selectinload(Session.room).load_only(Room.name),
                      selectinload(Session.staff).selectinload(SessionStaff.member).load_only(Staff.name))
             .order_by(Session.starts_at, Session.id))
    result = []
    for row in session.scalars(query):
        people = sorted(row.staff, key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.member.name))
        result.append(SessionRow(row.id, row.starts_at, row.ends_at, row.status, row.patient.name,
                                 row.session_type.name, row.session_type.kind, row.room.name if row.room else None,
                                 tuple(PersonInRole(p.member.name, p.role) for p in people)))
    return result


def rooms(session: OrmSession, site_id: int) -> list[RoomRow]:
    """A site's rooms and chairs, by name."""
    return [RoomRow(r.id, r.name, r.kind, tuple(sorted(r.capabilities or ())), r.active)
            for r in session.scalars(select(Room).where(Room.site_id == site_id).order_by(Room.name))]


def shifts_overlapping(session: OrmSession, site_id: int, start: datetime, end: datetime) -> list[ShiftRow]:
    """Shifts at a site that overlap [start, end), by start then name."""
    query = (select(Shift.staff_id, Staff.name, Staff.disciplines, Shift.starts_at, Shift.ends_at)
             .join(Staff, Staff.id == Shift.staff_id)
             .where(Shift.site_id == site_id, Shift.starts_at < end, Shift.ends_at > start)
             .order_by(Shift.starts_at, Staff.name))
    return [ShiftRow(r.staff_id, r.name, tuple(r.disciplines or ()), r.starts_at, r.ends_at)
            for r in session.execute(query)]


def credentials_expiring(session: OrmSession, until: date) -> list[ExpiringCredential]:
    """Credentials of active staff that lapse on or before until (expired ones too), soonest first.

    A credential renewed by a later one of the same kind is not listed: only the last of each kind counts.
    """
    later = aliased(Credential)
    renewed = select(later.id).where(later.staff_id == Credential.staff_id, later.kind == Credential.kind,
                                     or_(later.expires_on.is_(None), later.expires_on > Credential.expires_on))
    query = (select(Credential.staff_id, Staff.name, Credential.kind, Credential.number, Credential.expires_on)
             .join(Staff, Staff.id == Credential.staff_id)
             .where(Staff.active.is_(True), Credential.expires_on.is_not(None), Credential.expires_on <= until,
                    ~renewed.exists())
             .order_by(Credential.expires_on, Staff.name, Credential.kind))
    return [ExpiringCredential(*row) for row in session.execute(query)]


def recent_audit(session: OrmSession, limit: int = 100) -> list[AuditRow]:
    """The latest audit events, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return [AuditRow(e.at, e.actor, e.action, e.entity, e.entity_id, e.remote_addr, e.details or {})
            for e in session.scalars(query)]
