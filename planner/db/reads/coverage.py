"""What the coverage view and the daily coverage check read: one pass per site and span.

A site's sessions over a span come with their placements in one query; the people on shift or
placed there, with their shifts and duties, in one more (fresh.for_booking); credentials, leave
and session types from the configuration kept under its mark, which any change to those tables
raises (a row written straight into the database included: the marks are triggers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as OrmSession, aliased

from planner.db.models import CoverageAlert, Credential, Session, SessionStaff, Shift, Staff
from planner.db.reads import fresh
from planner.db.reads.assemble import LONGEST
from planner.db.reads.config import current_config
from planner.db.reads.sql import fetch, instant, marks
from planner.domain import clinic as dom
from planner.domain.intervals import Interval
from planner.domain.lifecycle import FINAL, RELEASED


@dataclass(frozen=True)
class BookedCover:
    """A session still to be given, as the request that booked it, with its real window."""

    id: int
    request: dom.SessionRequest
    window: Interval
    status: str


@dataclass(frozen=True)
class SiteCover:
    """A site over a span: its sessions not yet final, and the clinic around them (people, shifts, duties)."""

    site: dom.Site
    state: dom.ClinicState
    sessions: list[BookedCover]


@dataclass(frozen=True)
class Lapsing:
    """A credential of active staff that lapses soon (the last of its kind for that person)."""

    id: int
    staff_id: int
    name: str
    kind: str
    expires_on: date


def site_cover(session: OrmSession, site_id: int, span: Interval, include_given: bool = False) -> SiteCover | None:
    """The site's sessions overlapping span and the people behind them and on shift; None: no such site.

    Sessions that are final (given, cancelled, no-show) are left out, unless include_given: then
    only cancelled and no-show ones, which hold nothing.
    """
    config = current_config(session)
    site = config.site(session, site_id)
    if site is None:
        return None
    # Thousands of rows over 14 days: through the driver, as the booking snapshot reads (reads/sql.py).
    out = sorted(RELEASED if include_given else FINAL)
    rows = fetch(session, "SELECT s.id, s.patient_id, s.session_type_id, s.starts_at, s.ends_at, s.room_id, s.status, "
                          "ss.staff_id, ss.role FROM sessions s LEFT JOIN session_staff ss ON ss.session_id = s.id "
                          "WHERE s.site_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND s.ends_at > ? "
                          f"AND s.status NOT IN ({marks(len(out))}) ORDER BY s.starts_at, s.id",
                 [site_id, span.start - LONGEST, span.end, span.start, *out])
    found: dict[int, tuple] = {}
    placed: dict[int, list[dom.Placement]] = {}
    for row in rows:
        found.setdefault(row[0], row)
        if row[7] is not None:
            placed.setdefault(row[0], []).append(dom.Placement(row[7], row[8]))
    on_shift = set(session.scalars(select(Shift.staff_id).where(
        Shift.site_id == site_id, Shift.starts_at >= span.start - LONGEST, Shift.starts_at < span.end,
        Shift.ends_at > span.start, Shift.withdrawn_at.is_(None)).distinct()))
    people = on_shift | {p.staff_id for team in placed.values() for p in team}
    state = fresh.for_booking(session, site, span, people, set())
    sessions = []
    for session_id, (_, patient_id, type_id, starts, ends, room_id, status, _, _) in found.items():
        stype = config.types.get(type_id)
        if stype is None:
            continue
        start = instant(starts)
        # The cover rules never read the patient: the id is enough to name whose session it is.
        request = dom.SessionRequest(dom.Patient(patient_id, ""), site, stype, start, room_id,
                                     tuple(placed.get(session_id, ())))
        sessions.append(BookedCover(session_id, request, Interval.trusted(start, instant(ends)), status))
    return SiteCover(site, state, sessions)


def lapsing_credentials(session: OrmSession, first: date, last: date) -> list[Lapsing]:
    """Credentials of active staff expiring between first and last (a later one of the same kind renews them)."""
    later = aliased(Credential)
    renewed = select(later.id).where(later.staff_id == Credential.staff_id, later.kind == Credential.kind,
                                     later.id != Credential.id, later.revoked_on.is_(None),
                                     or_(later.expires_on.is_(None), later.expires_on > Credential.expires_on))
    # A revoked credential has ended already (as in queries.credentials_expiring): it no longer lapses.
    query = (select(Credential.id, Credential.staff_id, Staff.name, Credential.kind, Credential.expires_on)
             .join(Staff, Staff.id == Credential.staff_id)
             .where(Staff.active.is_(True), Credential.expires_on >= first, Credential.expires_on <= last,
                    Credential.revoked_on.is_(None), ~renewed.exists())
             .order_by(Credential.expires_on, Staff.name, Credential.kind))
    return [Lapsing(*row) for row in session.execute(query)]


def teams_of(session: OrmSession, site_id: int, staff_ids: set[int], since: datetime,
             until: datetime) -> list[tuple[int, int, str, datetime, int]]:
    """(session id, staff id, role, start, type id) for these people's places in the site's sessions between two instants."""
    if not staff_ids:
        return []
    rows = session.execute(
        select(Session.id, SessionStaff.staff_id, SessionStaff.role, Session.starts_at, Session.session_type_id)
        .join(SessionStaff, SessionStaff.session_id == Session.id)
        .where(Session.site_id == site_id, Session.starts_at >= since, Session.starts_at < until,
               Session.status.not_in(FINAL), SessionStaff.staff_id.in_(sorted(staff_ids)))
        .order_by(Session.starts_at, Session.id)).all()
    return [(r.id, r.staff_id, r.role, instant(r.starts_at), r.session_type_id) for r in rows]


@dataclass(frozen=True)
class OpenAlert:
    """An open coverage alert as the overview lists it."""

    id: int
    kind: str
    message: str
    session_id: int | None
    staff_id: int | None
    site_id: int | None
    opened_at: datetime
    seen_at: datetime
    staff_name: str | None = None


def open_alerts(session: OrmSession, limit: int = 200) -> list[OpenAlert]:
    """The open coverage alerts: sessions that lost cover by start, then credentials in the order found."""
    rows = session.execute(select(CoverageAlert.id, CoverageAlert.kind, CoverageAlert.message,
                                  CoverageAlert.session_id, CoverageAlert.staff_id, CoverageAlert.site_id,
                                  CoverageAlert.opened_at, CoverageAlert.seen_at, Staff.name)
                           .outerjoin(Staff, Staff.id == CoverageAlert.staff_id)
                           .where(CoverageAlert.resolved_at.is_(None))
                           .order_by(CoverageAlert.kind.desc(), CoverageAlert.starts_at, CoverageAlert.id)
                           .limit(limit)).all()
    return [OpenAlert(*row) for row in rows]
