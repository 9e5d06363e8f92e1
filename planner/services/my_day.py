"""A clinician's own days: the sessions they are placed in, by role, with each patient's preparation, and their rota.

Read in at most six statements however many days and sessions (staff, home zone, placements with
everything a line shows, shifts, time off): the week page stays flat on a busy clinic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, select

from planner.db.models import (
    MonitoringForm, Patient, Room, Session, SessionStaff, SessionType, Shift, Site, Staff, TimeOff,
)
from planner.db.uow import unit_of_work
from planner.domain import rems
from planner.domain.calendar import day_start, local
from planner.domain.clinic import CONSENT_SIGNED, DOSING_KINDS, SCREENING_CLEARED
from planner.domain.lifecycle import ARRIVED, FULFILLED, HELD, IN_PROGRESS, RELEASED
from planner.domain.screening import consent_holds_on

# A local day begins at most 14 hours before or after the same UTC day (UTC-12 to UTC+14): read that much more.
ZONE_REACH = timedelta(hours=14)
LONGEST = timedelta(hours=24)  # no session, shift or stretch of time off longer is read from before the span
CHECKED_IN = frozenset({ARRIVED, IN_PROGRESS, HELD, FULFILLED})  # a check-in confirmed the escort (booking.set_status)


@dataclass(frozen=True)
class Preparation:
    """Where a patient stands before a session: screening, consent, the escort for a dose, a REMS form."""

    screening: str
    consent: str
    escort: str  # "" when the session is no dose
    rems_form: str  # "" when the session is no esketamine dose

    @property
    def ready(self) -> bool:
        """True when screening and consent are done and nothing is outstanding for the escort."""
        return self.screening == SCREENING_CLEARED and self.consent == CONSENT_SIGNED and not self.escort.startswith("No escort")


@dataclass(frozen=True)
class MySession:
    """One session I am placed in, as my day lists it; times in UTC, shown in the site's wall time."""

    id: int
    role: str
    starts_at: datetime
    ends_at: datetime
    status: str
    site_id: int
    site: str
    zone: str
    room: str | None
    patient: str
    session_type: str
    preparation: Preparation


@dataclass(frozen=True)
class Rota:
    """A shift (at a site) or time off (with its reason) that touches the day."""

    kind: str  # "shift" or "time off"
    starts_at: datetime
    ends_at: datetime
    where: str
    zone: str


@dataclass
class MyDay:
    """One local day of a clinician's: sessions grouped by site (the day sheet prints a page per site), rota."""

    day: date
    sessions: list[MySession] = field(default_factory=list)
    rota: list[Rota] = field(default_factory=list)

    def by_site(self) -> list[tuple[str, list[MySession]]]:
        """The day's sessions in groups, one per site, in the order the day reaches them."""
        groups: dict[str, list[MySession]] = {}
        for item in self.sessions:
            groups.setdefault(item.site, []).append(item)
        return list(groups.items())

    def rota_at(self, site: str) -> list[Rota]:
        """The day's shifts at one site and all its time off: what that site's sheet lists."""
        return [item for item in self.rota if item.kind != "shift" or item.where == site]


@dataclass(frozen=True)
class MyDays:
    """A clinician's run of days."""

    staff_id: int
    name: str
    zone: str  # their home zone (today, time off): where they last worked, else the first site's
    days: list[MyDay]


def clinician_days(staff_id: int, first: date | None, count: int, now: datetime,
                   whole_weeks: bool = False) -> MyDays | None:
    """The clinician's sessions and rota for count local days from first (None: their today); None for no such staff.

    whole_weeks: start on the Monday of first's week (the week page).
    """
    with unit_of_work(write=False) as session:
        name = session.scalar(select(Staff.name).where(Staff.id == staff_id))
        if name is None:
            return None
        zone = _home_zone(session, staff_id, now)
        first = local(now, zone).date() if first is None else first
        if whole_weeks:
            first -= timedelta(days=first.weekday())
        # Each line falls on its site's local day: read every UTC instant that could be on one of them.
        since = datetime.combine(first, datetime.min.time(), timezone.utc) - ZONE_REACH
        until = datetime.combine(first + timedelta(days=count), datetime.min.time(), timezone.utc) + ZONE_REACH
        days = {first + timedelta(days=n): MyDay(first + timedelta(days=n)) for n in range(count)}
        for row in session.execute(_placements(staff_id, since, until)):
            day = days.get(local(row.starts_at, row.timezone).date())
            if day is not None:
                day.sessions.append(_line(row))
        for row in session.execute(
                select(Shift.starts_at, Shift.ends_at, Site.name, Site.timezone).join(Site, Site.id == Shift.site_id)
                .where(Shift.staff_id == staff_id, Shift.withdrawn_at.is_(None), Shift.starts_at < until,
                       Shift.ends_at > since, Shift.starts_at > since - LONGEST).order_by(Shift.starts_at)):
            _place(days, Rota("shift", row.starts_at, row.ends_at, row.name, row.timezone))
        for row in session.execute(
                select(TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason, TimeOff.kind)
                .where(TimeOff.staff_id == staff_id, TimeOff.withdrawn_at.is_(None), TimeOff.starts_at < until,
                       TimeOff.ends_at > since).order_by(TimeOff.starts_at)):
            _place(days, Rota("time off", row.starts_at, row.ends_at, row.reason or row.kind, zone))
        return MyDays(staff_id, name, zone, list(days.values()))


def staff_choices() -> list[tuple[int, str]]:
    """Every active member of staff by name: whose day an admin may pick (one statement)."""
    with unit_of_work(write=False) as session:
        return [(row.id, row.name) for row in session.execute(
            select(Staff.id, Staff.name).where(Staff.active.is_(True)).order_by(Staff.name, Staff.id))]


def _home_zone(session, staff_id: int, now: datetime) -> str:
    # Where they work: the site of their latest shift begun by tomorrow, else the first site's zone.
    worked = session.scalar(select(Site.timezone).join(Shift, Shift.site_id == Site.id)
                            .where(Shift.staff_id == staff_id, Shift.starts_at < now + LONGEST)
                            .order_by(Shift.starts_at.desc()).limit(1))
    return worked or session.scalar(select(Site.timezone).order_by(Site.name).limit(1)) or "UTC"


def _placements(staff_id: int, since: datetime, until: datetime):
    # One statement: my placements with the session, its site, room, patient, type and any REMS form owed.
    return (select(Session.id, SessionStaff.role, Session.starts_at, Session.ends_at, Session.status,
                   Session.site_id, Site.name.label("site"), Site.timezone, Room.name.label("room"),
                   Patient.name.label("patient"), Patient.screening_status, Patient.consent_status,
                   Patient.consent_expires_on, Patient.escort_name, SessionType.name.label("type_name"), SessionType.kind,
                   SessionType.route,
                   MonitoringForm.state.label("form_state"), MonitoringForm.due_on)
            .join(Session, Session.id == SessionStaff.session_id)
            .join(Site, Site.id == Session.site_id)
            .join(Patient, Patient.id == Session.patient_id)
            .join(SessionType, SessionType.id == Session.session_type_id)
            .outerjoin(Room, Room.id == Session.room_id)
            .outerjoin(MonitoringForm, MonitoringForm.session_id == Session.id)
            .where(and_(SessionStaff.staff_id == staff_id, Session.starts_at >= since, Session.starts_at < until,
                        Session.status.not_in(sorted(RELEASED))))
            .order_by(Session.starts_at, Session.id, SessionStaff.role))


def _line(row) -> MySession:
    dose = row.kind in DOSING_KINDS
    if not dose:
        escort = ""
    elif row.status in CHECKED_IN:
        escort = "Escort confirmed at check-in"
    else:
        escort = f"Escort {row.escort_name}, to confirm at check-in" if row.escort_name else "No escort named"
    form = ""
    if dose and row.route == "intranasal":  # esketamine: a REMS monitoring form after each session given
        if row.form_state == rems.OPEN:
            form = f"REMS form due by {row.due_on:%a %d %b}"
        elif row.form_state == rems.DONE:
            form = "REMS form sent"
        else:
            form = "REMS form due within 7 days after the dose"
    consent = row.consent_status
    if consent == CONSENT_SIGNED and not consent_holds_on(row.consent_expires_on, local(row.starts_at, row.timezone).date()):
        consent = "pending"  # the consent expires before this session's day: it does not hold for it
    preparation = Preparation(row.screening_status, consent, escort, form)
    return MySession(row.id, row.role, row.starts_at, row.ends_at, row.status, row.site_id, row.site, row.timezone,
                     row.room, row.patient, row.type_name, preparation)


def _place(days: dict[date, MyDay], item: Rota) -> None:
    # A shift or time off belongs to every local day (in its zone) it overlaps.
    for day, found in days.items():
        if item.starts_at < day_start(day + timedelta(days=1), item.zone) and item.ends_at > day_start(day, item.zone):
            found.rota.append(item)
