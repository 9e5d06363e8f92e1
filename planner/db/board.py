"""Read side of the today board: one site's local day (visits, chairs, shifts, closure, hours) and its change mark."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import String, and_, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session as OrmSession

from planner.db import queries
from planner.db.models import (
    AuditEvent, Closure, ConfigMark, DayMark, OpeningHours, Patient, Room, Session, SessionStaff, SessionType, Site,
    Staff,
)
from planner.domain.lifecycle import CANCELLED, HELD

_ROLE_ORDER = {"supervising_prescriber": 0, "monitoring_clinician": 1, "therapist": 2}


@dataclass(frozen=True)
class BoardSession:
    """One visit on the board: enough to show it and decide which buttons it gets."""

    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    patient: str
    mrn: str
    session_type: str
    kind: str
    room_id: int | None
    room: str | None
    staff: tuple[queries.PersonInRole, ...]
    hold_reason: str = ""  # a held dose: why, as the hold recorded it


@dataclass(frozen=True)
class BoardDay:
    """What the board reads of one site's local day."""

    site: queries.SiteRow
    day: date
    sessions: list[BoardSession]
    rooms: list[queries.RoomRow]
    shifts: list[queries.ShiftRow]
    closure: str | None  # the closure's reason ("" when none was given), None when the day is not closed
    hours: list[tuple[int, time, time]]  # every weekday's opening blocks (weekday, opens, closes)


def site_row(session: OrmSession, site_id: int) -> queries.SiteRow | None:
    """One site's name, zone and phone, or None."""
    row = session.execute(select(Site.id, Site.name, Site.timezone, Site.phone).where(Site.id == site_id)).first()
    return queries.SiteRow(*row) if row else None


def board_day(session: OrmSession, site: queries.SiteRow, day: date, window: tuple[datetime, datetime]) -> BoardDay:
    """The site's visits that start in window (its local day; cancelled ones left out), with its chairs and rota."""
    # Plain rows on the request's connection: on a busy day (200 visits, 400 placements) the ORM's
    # result handling cost more than the queries themselves.
    conn = session.connection()
    start, end = window
    on_day = (Session.site_id == site.id, Session.starts_at >= start, Session.starts_at < end,
              Session.status != CANCELLED)
    people: dict[int, list[queries.PersonInRole]] = {}
    for session_id, name, role in conn.execute(
            select(SessionStaff.session_id, Staff.name, SessionStaff.role).join(Staff, Staff.id == SessionStaff.staff_id)
            .join(Session, Session.id == SessionStaff.session_id).where(*on_day)):
        people.setdefault(session_id, []).append(queries.PersonInRole(name, role))
    query = (select(Session.id, Session.starts_at, Session.ends_at, Session.status, Patient.name, Patient.mrn,
                    SessionType.name, SessionType.kind, Session.room_id, Room.name)
             .join(Patient, Patient.id == Session.patient_id).join(SessionType, SessionType.id == Session.session_type_id)
             .outerjoin(Room, Room.id == Session.room_id).where(*on_day).order_by(Session.starts_at, Session.id))
    visits = [BoardSession(*row, tuple(sorted(people.get(row[0], ()), key=_by_role))) for row in conn.execute(query)]
    held = _hold_reasons(conn, [v.id for v in visits if v.status == HELD])
    if held:
        visits = [replace(v, hold_reason=held[v.id]) if v.id in held else v for v in visits]
    rooms = [queries.RoomRow(r.id, r.name, r.kind, tuple(sorted(r.capabilities or ())), r.active)
             for r in conn.execute(select(Room.id, Room.name, Room.kind, Room.capabilities, Room.active)
                                   .where(Room.site_id == site.id).order_by(Room.name))]
    closure, hours = day_calendars(session, {site.id: day})[site.id]
    return BoardDay(site, day, visits, rooms, queries.shifts_overlapping(session, {site.id: window})[site.id],
                    closure, hours)


def _hold_reasons(conn, session_ids: list[int]) -> dict[int, str]:
    """Why each held dose is held: the reason its latest hold recorded (on any path: the board, the API)."""
    if not session_ids:
        return {}  # most days hold nothing: no query
    reasons: dict[int, str] = {}
    for entity_id, details in conn.execute(
            select(AuditEvent.entity_id, AuditEvent.details)
            .where(AuditEvent.entity == "session", AuditEvent.action == "session.held",
                   AuditEvent.entity_id.in_([str(i) for i in session_ids]))
            .order_by(AuditEvent.at, AuditEvent.id)):
        reasons[int(entity_id)] = str((details or {}).get("reason") or "")  # the latest hold wins
    return reasons


def _by_role(person: queries.PersonInRole) -> tuple:
    return _ROLE_ORDER.get(person.role, 9), person.name


def day_calendars(session: OrmSession, days: dict[int, date]) -> dict[int, tuple[str | None, list[tuple[int, time, time]]]]:
    """By site id: the closure's reason on that site's day ("" if none was given; None when not closed) and the
    site's opening blocks (weekday, opens, closes): one query for any number of sites."""
    if not days:
        return {}
    # One branch per table, each row tagged with its part; the first branch types the NULL columns.
    hours = select(OpeningHours.site_id, literal(0).label("part"), OpeningHours.weekday, OpeningHours.opens,
                   OpeningHours.closes, cast(null(), String).label("reason")
                   ).where(OpeningHours.site_id.in_(list(days)))
    closures = select(Closure.site_id, literal(1), null(), null(), null(), Closure.reason).where(
        or_(*(and_(Closure.site_id == site_id, Closure.day == day) for site_id, day in days.items())))
    result: dict[int, tuple[str | None, list]] = {site_id: (None, []) for site_id in days}
    for row in session.connection().execute(union_all(hours, closures).order_by("site_id", "part", "weekday", "opens")):
        if row.part == 1:
            result[row.site_id] = (row.reason or "", result[row.site_id][1])
        else:
            result[row.site_id][1].append((row.weekday, row.opens, row.closes))
    return result


def board_mark(session: OrmSession, site_id: int, window: tuple[datetime, datetime]) -> tuple:
    """Versions that rise when anything the board shows of this site's day changes (one query).

    The database's triggers raise them (planner/db/models/marks.py): the clinic's set-up (rooms, shifts,
    closures, hours) and every session and placement touching the day's UTC dates at this site.
    """
    start, end = window
    day_version = (select(func.max(DayMark.version))
                   .where(DayMark.site_id == site_id, DayMark.day >= start.date(), DayMark.day <= end.date())
                   .scalar_subquery())
    config_version = select(ConfigMark.version).where(ConfigMark.id == 1).scalar_subquery()
    return tuple(session.execute(select(config_version, day_version)).one())
