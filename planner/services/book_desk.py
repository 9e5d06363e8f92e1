"""What reception's booking page reads besides the offers: patients by name or MRN, the choices, the booked session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from planner.db.models import Session, SessionType, Site
from planner.db.uow import unit_of_work
from planner.domain.errors import NotFound
from planner.domain.staffing import ROLE_NAMES

MOST_MATCHES = 20


@dataclass(frozen=True)
class Choice:
    """A site or session type to pick from (sites carry their zone)."""

    id: int
    name: str
    detail: str = ""


@dataclass(frozen=True)
class BookedSession:
    """A session just booked, as the confirmation shows it."""

    id: int
    patient: str
    mrn: str
    session_type: str
    site_id: int
    site: str
    zone: str
    room: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    team: tuple[tuple[str, str], ...]  # (name, role in words)
    patient_id: int


def desk_choices() -> tuple[list[Choice], list[Choice]]:
    """Every site (with its time zone) and every active session type, by name."""
    with unit_of_work(write=False) as session:
        sites = [Choice(i, name, zone) for i, name, zone in
                 session.execute(select(Site.id, Site.name, Site.timezone).order_by(Site.name, Site.id))]
        types = [Choice(i, name) for i, name in
                 session.execute(select(SessionType.id, SessionType.name).where(SessionType.active.is_(True))
                                 .order_by(SessionType.name, SessionType.id))]
        return sites, types


def booked_session(session_id: int) -> BookedSession:
    """A session with its patient, place and team, or NotFound."""
    with unit_of_work(write=False) as session:
        row = session.get(Session, session_id)
        if row is None:
            raise NotFound("session", session_id)
        order = {role: k for k, role in enumerate(ROLE_NAMES)}
        team = tuple((p.member.name, ROLE_NAMES.get(p.role, p.role))
                     for p in sorted(row.staff, key=lambda p: (order.get(p.role, 9), p.staff_id)))
        return BookedSession(row.id, row.patient.name, row.patient.mrn, row.session_type.name, row.site_id, row.site.name,
                             row.site.timezone, row.room.name if row.room else None, row.starts_at, row.ends_at,
                             row.status, team, row.patient_id)
