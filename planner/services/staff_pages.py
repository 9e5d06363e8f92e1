"""What the admin's staff pages show: the list of staff, and one person's credentials, shifts, time off, sessions, history.

Read-only: each page reads in one snapshot. Times stay UTC instants here; the pages show them in
each site's wall time with the zone named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from planner.db.models import AuditEvent, Credential, Session, SessionStaff, SessionType, Shift, Site, Staff, TimeOff, User
from planner.db.uow import unit_of_work
from planner.domain import staffing
from planner.domain.calendar import local
from planner.domain.errors import NotFound
from planner.domain.lifecycle import FINAL

HISTORY_SHOWN = 60


@dataclass(frozen=True)
class CredentialRow:
    """A credential with its state on today's date: valid, lapsing (in days), expired or revoked."""

    id: int
    kind: str
    number: str
    issued_on: date
    expires_on: date | None
    revoked_on: date | None
    state: str          # "valid", "lapsing", "expired", "revoked", "not_yet"
    days_left: int | None


@dataclass(frozen=True)
class StaffRow:
    """One line of the staff list."""

    id: int
    name: str
    email: str | None
    disciplines: list[str]
    active: bool
    lapsing: list[CredentialRow]


@dataclass(frozen=True)
class SpanRow:
    """A shift or time off ahead: its instants, where (a shift's site and zone), withdrawn or not."""

    id: int
    starts_at: datetime
    ends_at: datetime
    zone: str
    site_name: str | None
    reason: str
    withdrawn: bool
    begun: bool


@dataclass(frozen=True)
class BookedRow:
    """A session ahead the person is booked in (no patient: number, type, time, site, role)."""

    id: int
    type_name: str
    starts_at: datetime
    ends_at: datetime
    site_name: str
    zone: str
    role: str


@dataclass(frozen=True)
class StaffPage:
    """One person's page."""

    id: int
    name: str
    email: str | None
    phone: str | None
    disciplines: list[str]
    active: bool
    deactivated_at: datetime | None
    credentials: list[CredentialRow]
    shifts: list[SpanRow]
    time_off: list[SpanRow]
    booked: list[BookedRow]
    history: list[AuditEvent]
    logins: list[tuple[int, str, str, bool]] = ()  # accounts linked to this record: (id, email, role, active)


def credential_state(row: Credential, today: date) -> CredentialRow:
    """A credential as the admin reads it on a day: revoked and expired ones are kept and said so."""
    days_left = None
    if row.revoked_on is not None and row.revoked_on <= today:
        state = "revoked"
    elif row.issued_on > today:
        state = "not_yet"
    elif row.expires_on is not None and row.expires_on < today:
        state = "expired"
    elif staffing.expiry_warning(staffing.Credential(row.kind, row.issued_on, row.expires_on), today):
        state, days_left = "lapsing", (row.expires_on - today).days
    else:
        state = "valid"
    return CredentialRow(row.id, row.kind, row.number, row.issued_on, row.expires_on, row.revoked_on, state,
                         days_left)


def staff_list(query: str, show: str, today: date) -> list[StaffRow]:
    """Staff whose name holds the query (any case), active ones unless show is "inactive" or "all"."""
    wanted = query.strip().casefold()
    with unit_of_work(write=False) as session:
        statement = select(Staff).order_by(Staff.active.desc(), Staff.name, Staff.id)  # active first
        if show != "all":
            statement = statement.where(Staff.active.is_(show != "inactive"))
        people = [p for p in session.scalars(statement) if wanted in p.name.casefold()]
        credentials: dict[int, list[CredentialRow]] = {}
        ids = [p.id for p in people]
        for row in session.scalars(select(Credential).where(Credential.staff_id.in_(ids))) if ids else ():
            state = credential_state(row, today)
            if state.state == "lapsing":
                credentials.setdefault(row.staff_id, []).append(state)
        return [StaffRow(p.id, p.name, p.email, list(p.disciplines), p.active, credentials.get(p.id, []))
                for p in people]


def staff_page(staff_id: int, now: datetime, today: date) -> StaffPage:
    """Everything on a person's page, or NotFound."""
    with unit_of_work(write=False) as session:
        person = session.get(Staff, staff_id)
        if person is None:
            raise NotFound("staff member", staff_id)
        credentials = [credential_state(c, today) for c in
                       session.scalars(select(Credential).where(Credential.staff_id == staff_id)
                                       .order_by(Credential.kind, Credential.issued_on, Credential.id))]
        shifts = [SpanRow(s.id, s.starts_at, s.ends_at, zone, name, "", s.withdrawn_at is not None, s.starts_at <= now)
                  for s, name, zone in session.execute(
                      select(Shift, Site.name, Site.timezone).join(Site, Site.id == Shift.site_id)
                      .where(Shift.staff_id == staff_id, Shift.ends_at > now).order_by(Shift.starts_at))]
        _, home = _usual_site(session, staff_id)
        leave = [SpanRow(t.id, t.starts_at, t.ends_at, home, None, t.reason, t.withdrawn_at is not None,
                         t.starts_at <= now)
                 for t in session.scalars(select(TimeOff).where(TimeOff.staff_id == staff_id, TimeOff.ends_at > now)
                                          .order_by(TimeOff.starts_at))]
        booked = [BookedRow(*row) for row in session.execute(
            select(Session.id, SessionType.name, Session.starts_at, Session.ends_at, Site.name, Site.timezone,
                   SessionStaff.role)
            .join(SessionStaff, SessionStaff.session_id == Session.id)
            .join(SessionType, SessionType.id == Session.session_type_id).join(Site, Site.id == Session.site_id)
            .where(SessionStaff.staff_id == staff_id, Session.ends_at > now, Session.status.not_in(FINAL))
            .order_by(Session.starts_at, Session.id))]
        history = _history(session, staff_id)
        logins = [tuple(row) for row in session.execute(
            select(User.id, User.email, User.role, User.active).where(User.staff_id == staff_id)
            .order_by(User.active.desc(), User.id))]
        return StaffPage(person.id, person.name, person.email, person.phone, list(person.disciplines), person.active,
                         person.deactivated_at, credentials, shifts, leave, booked, history, logins)


def clinic_today(now: datetime) -> date:
    """Today at the clinic's first site in service: the day credentials are judged on (they are dated, not timed)."""
    with unit_of_work(write=False) as session:
        zone = session.scalar(select(Site.timezone).where(Site.active.is_(True)).order_by(Site.id).limit(1))
    return local(now, zone or "UTC").date()


def usual_site(staff_id: int) -> tuple[int | None, str]:
    """The site (id, zone) a person's time off is typed at: that of their latest shift, else the first site."""
    with unit_of_work(write=False) as session:
        return _usual_site(session, staff_id)


def _usual_site(session, staff_id: int) -> tuple[int | None, str]:
    found = session.execute(select(Site.id, Site.timezone).join(Shift, Shift.site_id == Site.id)
                            .where(Shift.staff_id == staff_id).order_by(Shift.starts_at.desc()).limit(1)).first()
    found = found or session.execute(select(Site.id, Site.timezone).order_by(Site.id).limit(1)).first()
    return (found[0], found[1]) if found else (None, "UTC")


def form_values(what: str, staff_id: int, row_id: int) -> dict:
    """A credential, shift or time off of the person's as its edit form shows it (wall time at its site), or NotFound."""
    model = {"credential": Credential, "shift": Shift, "time_off": TimeOff}[what]
    with unit_of_work(write=False) as session:
        row = session.get(model, row_id)
        if row is None or row.staff_id != staff_id:
            raise NotFound(what.replace("_", " "), row_id)
        if what == "credential":
            return {"kind": row.kind, "number": row.number, "issued_on": row.issued_on.isoformat(),
                    "expires_on": row.expires_on.isoformat() if row.expires_on else ""}
        if what == "shift":
            zone = session.get(Site, row.site_id).timezone
            start, end = local(row.starts_at, zone), local(row.ends_at, zone)
            return {"site_id": str(row.site_id), "day": start.date().isoformat(), "starts": f"{start:%H:%M}",
                    "ends": f"{end:%H:%M}"}
        site_id, zone = _usual_site(session, staff_id)
        start, end = local(row.starts_at, zone), local(row.ends_at, zone)
        return {"site_id": str(site_id or ""), "from_day": start.date().isoformat(), "from_time": f"{start:%H:%M}",
                "until_day": end.date().isoformat(), "until_time": f"{end:%H:%M}", "reason": row.reason}


def span_of(what: str, row_id: int) -> tuple[datetime, datetime] | None:
    """A shift's or time off's span as stored (for a call-out's link), or None."""
    with unit_of_work(write=False) as session:
        row = session.get(Shift if what == "shift" else TimeOff, row_id)
        return (row.starts_at, row.ends_at) if row is not None else None


def _history(session, staff_id: int) -> list[AuditEvent]:
    """The audit events about the person and their shifts, time off and credentials, newest first."""
    def ids(model) -> list[str]:
        return [str(i) for i in session.scalars(select(model.id).where(model.staff_id == staff_id))]

    about = [and_(AuditEvent.entity == "staff", AuditEvent.entity_id == str(staff_id))]
    for entity, model in (("shift", Shift), ("time_off", TimeOff), ("credential", Credential)):
        theirs = ids(model)
        if theirs:
            about.append(and_(AuditEvent.entity == entity, AuditEvent.entity_id.in_(theirs)))
    events = list(session.scalars(select(AuditEvent).where(or_(*about))
                                  .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(HISTORY_SHOWN)))
    for event in events:  # read after the snapshot closes: kept loaded, never refreshed
        session.expunge(event)
    return events
