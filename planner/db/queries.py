"""Read side for the staff pages and the API's lists: a few queries per list, however many rows it shows.

The pages get plain rows, instants in UTC (the page converts to site time). The API's lists get
rows that planner/web/api/present.py shapes: plain rows read by column name where that is all a
list shows, model rows with what it shows loaded alongside otherwise, so shaping them never sends
another query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, Select, String, and_, cast, literal, null, or_, select, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from planner.db.models import (
    AuditEvent, Closure, Credential, OpeningHours, Patient, Room, Session, SessionStaff, SessionType, Shift, Site, Staff,
    StaffingLimit,
)

LONGEST_SHIFT = timedelta(hours=24)
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


def sessions_starting(session: OrmSession, windows: dict[int, tuple[datetime, datetime]]) -> dict[int, list[SessionRow]]:
    """By site id, the sessions that start in that site's window [start, end), in time order, with everyone
    placed in them: two queries for any number of sites and sessions."""
    if not windows:
        return {}
    # One term per site: each site's local day has its own bounds in UTC.
    starting = or_(*(and_(Session.site_id == site_id, Session.starts_at >= start, Session.starts_at < end)
                     for site_id, (start, end) in windows.items()))
    people: dict[int, list[PersonInRole]] = {}
    for session_id, name, role in session.execute(
            select(SessionStaff.session_id, Staff.name, SessionStaff.role).join(Staff, Staff.id == SessionStaff.staff_id)
            .join(Session, Session.id == SessionStaff.session_id).where(starting)):
        people.setdefault(session_id, []).append(PersonInRole(name, role))
    query = (select(Session.id, Session.site_id, Session.starts_at, Session.ends_at, Session.status, Patient.name,
                    SessionType.name, SessionType.kind, Room.name)
             .join(Patient, Patient.id == Session.patient_id).join(SessionType, SessionType.id == Session.session_type_id)
             .outerjoin(Room, Room.id == Session.room_id).where(starting).order_by(Session.starts_at, Session.id))
    result: dict[int, list[SessionRow]] = {site_id: [] for site_id in windows}
    for sid, site_id, starts_at, ends_at, status, patient, type_name, kind, room in session.execute(query):
        staff = sorted(people.get(sid, ()), key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.name))
        result[site_id].append(SessionRow(sid, starts_at, ends_at, status, patient, type_name, kind, room, tuple(staff)))
    return result


def rooms(session: OrmSession, site_ids: list[int]) -> dict[int, list[RoomRow]]:
    """By site id, the site's rooms and chairs by name: one query."""
    result: dict[int, list[RoomRow]] = {site_id: [] for site_id in site_ids}
    for r in session.scalars(select(Room).where(Room.site_id.in_(site_ids)).order_by(Room.site_id, Room.name)):
        result[r.site_id].append(RoomRow(r.id, r.name, r.kind, tuple(sorted(r.capabilities or ())), r.active))
    return result


def shifts_overlapping(session: OrmSession, windows: dict[int, tuple[datetime, datetime]]) -> dict[int, list[ShiftRow]]:
    """By site id, the shifts at the site that overlap its window [start, end), by start then name: one query."""
    if not windows:
        return {}
    query = (select(Shift.site_id, Shift.staff_id, Staff.name, Staff.disciplines, Shift.starts_at, Shift.ends_at)
             .join(Staff, Staff.id == Shift.staff_id)
             # A shift lasts at most 24 hours (ShiftIn), so one that overlaps began less than that before
             # the window: the bound lets the start index skip every earlier shift.
             # A withdrawn shift, or one of someone deactivated, is nobody on duty.
             .where(Shift.withdrawn_at.is_(None), Staff.active.is_(True),
                    or_(*(and_(Shift.site_id == site_id, Shift.starts_at < end, Shift.ends_at > start,
                               Shift.starts_at > start - LONGEST_SHIFT)
                          for site_id, (start, end) in windows.items())))
             .order_by(Shift.starts_at, Staff.name))
    result: dict[int, list[ShiftRow]] = {site_id: [] for site_id in windows}
    for r in session.execute(query):
        result[r.site_id].append(ShiftRow(r.staff_id, r.name, tuple(r.disciplines or ()), r.starts_at, r.ends_at))
    return result


def credentials_expiring(session: OrmSession, until: date) -> list[ExpiringCredential]:
    """Credentials of active staff that lapse on or before until (expired ones too), soonest first.

    A credential renewed by a later one of the same kind is not listed: only the last of each kind counts.
    """
    later = aliased(Credential)
    renewed = select(later.id).where(later.staff_id == Credential.staff_id, later.kind == Credential.kind,
                                     later.revoked_on.is_(None),
                                     or_(later.expires_on.is_(None), later.expires_on > Credential.expires_on))
    query = (select(Credential.staff_id, Staff.name, Credential.kind, Credential.number, Credential.expires_on)
             .join(Staff, Staff.id == Credential.staff_id)
             # A revoked credential has ended already: it no longer lapses, nobody is warned about it.
             .where(Staff.active.is_(True), Credential.expires_on.is_not(None), Credential.expires_on <= until,
                    Credential.revoked_on.is_(None), ~renewed.exists())
             .order_by(Credential.expires_on, Staff.name, Credential.kind))
    return [ExpiringCredential(*row) for row in session.execute(query)]


def recent_audit(session: OrmSession, limit: int = 100, only: tuple[str, ...] = (),
                 leaving: tuple[str, ...] = ()) -> list[AuditRow]:
    """The latest audit events, newest first: only those actions if given, without those in leaving."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if only:
        query = query.where(AuditEvent.action.in_(only))
    if leaving:
        query = query.where(AuditEvent.action.not_in(leaving))
    return [AuditRow(e.at, e.actor, e.action, e.entity, e.entity_id, e.remote_addr, e.details or {})
            for e in session.scalars(query)]


# --- the API's lists: rows present.py shapes without another query --------------------------------


def plain_rows(session: OrmSession, model, *order_by, where=()) -> list:
    """Rows of one table as plain rows, read by column name like the model's attributes: one query.

    For lists of tables whose JSON shows nothing from other tables (rooms, staff, patients, ...):
    no model objects are built, which costs several times the query itself on long lists.
    """
    table = model.__table__
    return session.connection().execute(select(table).where(*where).order_by(*order_by)).all()


@dataclass(frozen=True)
class SiteInFull:
    """A site with its calendar and policy, as present.site reads it (hours, closures and limits are plain rows)."""

    id: int
    name: str
    timezone: str
    phone: str | None
    esketamine_certified: bool
    distinct_roles: bool
    slot_minutes: int
    active: bool
    deactivated_at: datetime | None
    hours: list
    closures: list
    limits: list


_site, _hours, _closure, _limit = (m.__table__.c for m in (Site, OpeningHours, Closure, StaffingLimit))
# Plain Core statements, built once: loading model rows with their collections cost several times
# what the queries themselves cost (the site list is what most programs ask for first).
_SITES = select(_site.id, _site.name, _site.timezone, _site.phone, _site.esketamine_certified, _site.distinct_roles,
                _site.slot_minutes, _site.active, _site.deactivated_at).order_by(_site.name)
# Hours, closures and limits of every site in one query: one branch per table, each row tagged
# with its part (0, 1, 2) and NULL in the other parts' columns. The first branch gives every
# column its type, so its NULLs are cast.
_CALENDARS = union_all(
    select(_hours.site_id, literal(0).label("part"), _hours.id, _hours.weekday, _hours.opens, _hours.closes,
           cast(null(), Date).label("day"), cast(null(), String).label("reason"), cast(null(), String).label("role"),
           cast(null(), Integer).label("max_concurrent")),
    select(_closure.site_id, literal(1), _closure.id, null(), null(), null(), _closure.day, _closure.reason, null(),
           null()),
    select(_limit.site_id, literal(2), _limit.id, null(), null(), null(), null(), null(), _limit.role,
           _limit.max_concurrent),
).order_by("site_id", "part", "weekday", "opens", "day", "id")


def sites_in_full(session: OrmSession) -> list[SiteInFull]:
    """Every site by name with its hours, closures and staffing limits: two queries for any number of sites."""
    connection = session.connection()  # the request's transaction
    sites = connection.execute(_SITES).all()
    parts: dict[int, tuple[list, list, list]] = {site.id: ([], [], []) for site in sites}
    for row in connection.execute(_CALENDARS):
        parts[row.site_id][row.part].append(row)
    return [SiteInFull(*site, *parts[site.id]) for site in sites]


def sessions_in_full(session: OrmSession, query: Select) -> list[Session]:
    """The sessions a query selects, each with its site (for the time zone) and the people placed in it: two queries."""
    return list(session.scalars(query.options(joinedload(Session.site, innerjoin=True),
                                              selectinload(Session.staff))))


