"""Setting up the clinic: sites, rooms, staff and their shifts, patients, session types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import (
    Closure, Credential, OpeningHours, Patient, Room, SessionType, Shift, Site, Staff, StaffingLimit, TimeOff,
)
from planner.db import reads
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import InvalidData, NotFound, Reason
from planner.domain.intervals import Interval
from planner.domain.supervision import floor_breaches, limit_breaches
from planner.services import Actor
from planner.services.audit import record
from planner.services.cover import change_keeping_cover, lock_for_staff_change
from planner.services.inputs import (
    CredentialIn, RoomIn, SessionTypeIn, ShiftIn, SiteIn, StaffIn, TimeOffIn,
)
from planner.services.patient_inputs import PatientIn
from planner.services.patient_contacts import follow_patient_edit


def _taken(field: str, what: str) -> InvalidData:
    return InvalidData([Reason("taken", f"{what} is already in use.", field)])


def add_site(session: OrmSession, data: SiteIn) -> Site:
    """Add a site with its hours, closures and limits to the session (no commit)."""
    if session.scalar(select(Site.id).where(Site.name == data.name)):
        raise _taken("name", f"The site name {data.name!r}")
    below = limit_breaches(data.limits)
    if below:
        raise InvalidData(below)
    site = Site(name=data.name, timezone=data.timezone, esketamine_certified=data.esketamine_certified,
                distinct_roles=data.distinct_roles, slot_minutes=data.slot_minutes, phone=data.phone)
    site.hours = [OpeningHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in data.hours]
    site.closures = [Closure(day=c.day, reason=c.reason) for c in data.closures]
    site.limits = [StaffingLimit(role=role, max_concurrent=n) for role, n in data.limits.items()]
    session.add(site)
    session.flush()
    return site


def add_room(session: OrmSession, data: RoomIn) -> Room:
    """Add a room or chair at a site (no commit)."""
    if session.get(Site, data.site_id) is None:
        raise InvalidData([Reason("unknown", f"No site with id {data.site_id}.", "site_id")])
    if session.scalar(select(Room.id).where(Room.site_id == data.site_id, Room.name == data.name)):
        raise _taken("name", f"The room name {data.name!r} at this site")
    room = Room(site_id=data.site_id, name=data.name, kind=data.kind, capabilities=sorted(set(data.capabilities)),
                active=data.active)
    session.add(room)
    session.flush()
    return room


def add_staff(session: OrmSession, data: StaffIn) -> Staff:
    """Add a staff member with their credentials (no commit)."""
    if data.email and session.scalar(select(Staff.id).where(Staff.email == data.email)):
        raise _taken("email", f"The email {data.email}")
    member = Staff(name=data.name, email=data.email, phone=data.phone, disciplines=sorted(set(data.disciplines)),
                   active=data.active)
    member.credentials = [Credential(kind=c.kind, number=c.number, issued_on=c.issued_on, expires_on=c.expires_on)
                          for c in data.credentials]
    session.add(member)
    session.flush()
    return member


def add_shift(session: OrmSession, staff_id: int, data: ShiftIn) -> Shift:
    """Add a shift for a staff member at a site (no commit); one person works one shift at a time."""
    _require(session, Staff, staff_id, "staff member", "staff_id")
    refuse_overlap(session, staff_id, data)
    shift = Shift(staff_id=staff_id, site_id=data.site_id, starts_at=data.starts_at, ends_at=data.ends_at)
    session.add(shift)
    session.flush()
    return shift


def refuse_overlap(session: OrmSession, staff_id: int, data: ShiftIn, ignore_id: int | None = None) -> None:
    """Refuse a shift at a site out of service, or one that overlaps another live shift of the person's."""
    site = session.get(Site, data.site_id)
    if site is None:
        raise InvalidData([Reason("unknown", f"No site with id {data.site_id}.", "site_id")])
    if not site.active:
        raise InvalidData([Reason("site_inactive", f"{site.name} is no longer in service.", "site_id")])
    lock_for_booking(session, staff_ids={staff_id})  # two overlapping shifts must not both slip in
    clash = session.execute(select(Shift.starts_at, Shift.ends_at, Site.name, Site.timezone)
                            .join(Site, Site.id == Shift.site_id)
                            .where(Shift.staff_id == staff_id, Shift.starts_at < data.ends_at,
                                   Shift.ends_at > data.starts_at, Shift.withdrawn_at.is_(None),
                                   Shift.id != (ignore_id or 0)).order_by(Shift.starts_at)).first()
    if clash is not None:
        start, end = local(clash.starts_at, clash.timezone), local(clash.ends_at, clash.timezone)
        raise InvalidData([Reason("shift_overlap", f"This person already works {start:%a %d %b %H:%M}–{end:%H:%M} "
                                  f"at {clash.name}; one person works one shift at a time.", "starts_at")])


def add_time_off(session: OrmSession, staff_id: int, data: TimeOffIn) -> TimeOff:
    """Add time off for a staff member (no commit)."""
    _require(session, Staff, staff_id, "staff member", "staff_id")
    leave = TimeOff(staff_id=staff_id, starts_at=data.starts_at, ends_at=data.ends_at, reason=data.reason)
    session.add(leave)
    session.flush()
    return leave


def add_patient(session: OrmSession, data: PatientIn) -> Patient:
    """Add a patient (no commit); their home site is the clinic's only site when none is given."""
    if session.scalar(select(Patient.id).where(Patient.mrn == data.mrn)):
        raise _taken("mrn", f"The MRN {data.mrn}")
    values = data.model_dump()
    values["home_site_id"] = _home_site(session, data.home_site_id)
    patient = Patient(**values)
    session.add(patient)
    session.flush()
    return patient


def edit_patient(session: OrmSession, patient_id: int, data: PatientIn, now: datetime) -> PatientEdited:
    """Change a patient's record to data (no commit): the same rules as registering; their waiting messages follow."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("patient", patient_id)
    if data.mrn != patient.mrn and session.scalar(select(Patient.id).where(Patient.mrn == data.mrn)):
        raise _taken("mrn", f"The MRN {data.mrn}")
    values = data.model_dump()
    values["home_site_id"] = _home_site(session, data.home_site_id)
    changes = {}
    for field, value in values.items():
        before = getattr(patient, field)
        if before != value:
            changes[field] = (before, value)
            setattr(patient, field, value)
    session.flush()
    # In this transaction: an address or a consent changed here is where the next message goes.
    return PatientEdited(changes, follow_patient_edit(session, patient, changes, now))


@dataclass(frozen=True)
class PatientEdited:
    """What an edit changed ({field: (before, after)}) and what it did to the outbox ({"readdressed": 2, ...})."""

    changes: dict[str, tuple]
    outbox: dict[str, int]


def _home_site(session: OrmSession, site_id: int | None) -> int:
    if site_id is not None:
        _require(session, Site, site_id, "site", "home_site_id")
        return site_id
    sites = list(session.scalars(select(Site.id).order_by(Site.id).limit(2)))
    if len(sites) != 1:
        raise InvalidData([Reason("missing", "Give the patient's home site: the site where their courses are "
                                  "planned." if sites else "Set up a site before registering patients.",
                                  "home_site_id")])
    return sites[0]


def add_session_type(session: OrmSession, data: SessionTypeIn) -> SessionType:
    """Add a session type (no commit); a dosing type never below the supervision floor."""
    if session.scalar(select(SessionType.id).where(SessionType.key == data.key)):
        raise _taken("key", f"The session type key {data.key!r}")
    row = SessionType(**data.model_dump())
    above_floor(row)
    session.add(row)
    session.flush()
    return row


def above_floor(row: SessionType) -> None:
    """Refuse a session type row below the supervision floor of its route (the clinic may raise it, never drop it)."""
    below = floor_breaches(reads.session_type_from_row(row))
    if below:
        raise InvalidData(list(below))


def _require(session: OrmSession, model, key: int, what: str, field: str) -> None:
    if session.get(model, key) is None:
        raise InvalidData([Reason("unknown", f"No {what} with id {key}.", field)])


def _create(builder, what: str, actor: Actor, now: datetime, *args) -> int:
    """Run one builder in its own transaction with an audit event; returns the new id."""
    with unit_of_work() as session:
        row = builder(session, *args)
        record(session, actor, f"{what}.created", what, row.id, now)
        session.commit()
        return row.id


def create_site(data: SiteIn, actor: Actor, now: datetime) -> int:
    """Create a site; returns its id."""
    return _create(add_site, "site", actor, now, data)


def create_room(data: RoomIn, actor: Actor, now: datetime) -> int:
    """Create a room or chair; returns its id."""
    return _create(add_room, "room", actor, now, data)


def create_staff(data: StaffIn, actor: Actor, now: datetime) -> int:
    """Create a staff member; returns their id."""
    return _create(add_staff, "staff", actor, now, data)


def create_shift(staff_id: int, data: ShiftIn, actor: Actor, now: datetime) -> int:
    """Create a shift; returns its id."""
    return _create(add_shift, "shift", actor, now, staff_id, data)


def create_time_off(staff_id: int, data: TimeOffIn, actor: Actor, now: datetime) -> int:
    """Create time off, unless it leaves a booked session without cover (CoverBroken names each); returns its id."""
    def build(session: OrmSession, key: int, item: TimeOffIn) -> TimeOff:
        _require(session, Staff, key, "staff member", "staff_id")
        lock_for_staff_change(session, key)
        return change_keeping_cover(session, key, Interval(item.starts_at, item.ends_at), now,
                                    lambda: add_time_off(session, key, item))

    return _create(build, "time_off", actor, now, staff_id, data)


def create_credential(staff_id: int, data: CredentialIn, actor: Actor, now: datetime) -> int:
    """Record a credential for a staff member; returns its id."""
    def build(session: OrmSession, key: int, item: CredentialIn) -> Credential:
        _require(session, Staff, key, "staff member", "staff_id")
        row = Credential(staff_id=key, **item.model_dump())
        session.add(row)
        session.flush()
        return row

    return _create(build, "credential", actor, now, staff_id, data)


def create_patient(data: PatientIn, actor: Actor, now: datetime) -> int:
    """Register a patient; returns their id."""
    return _create(add_patient, "patient", actor, now, data)


def create_session_type(data: SessionTypeIn, actor: Actor, now: datetime) -> int:
    """Create a session type; returns its id."""
    return _create(add_session_type, "session_type", actor, now, data)

