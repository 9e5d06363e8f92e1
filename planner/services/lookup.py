"""Finding records by the names people use (MRN, site name, type key, room name, staff email)."""

from __future__ import annotations

from sqlalchemy import select

from planner.db.models import Patient, Room, SessionType, Site, Staff
from planner.db.uow import unit_of_work
from planner.domain.errors import InvalidData, Reason


def _missing(field: str, message: str) -> InvalidData:
    return InvalidData([Reason("unknown", message, field)])


def resolve(patient_mrn: str | None = None, site: str | None = None, session_type_key: str | None = None,
            room: str | None = None, staff_emails: tuple[str, ...] = ()) -> dict:
    """Ids for the given natural keys; InvalidData names every one that matches nothing."""
    found: dict = {}
    problems: list[Reason] = []
    with unit_of_work(write=False) as session:
        if patient_mrn is not None:
            found["patient_id"] = session.scalar(select(Patient.id).where(Patient.mrn == patient_mrn))
            if found["patient_id"] is None:
                problems += _missing("patient", f"No patient with MRN {patient_mrn}.").problems
        if site is not None:
            key = Site.id == int(site) if site.isdigit() else Site.name == site
            row = session.execute(select(Site.id, Site.timezone).where(key)).first()
            if row is None:
                problems += _missing("site", f"No site called {site!r}.").problems
            else:
                found["site_id"], found["timezone"] = row
        if session_type_key is not None:
            found["session_type_id"] = session.scalar(select(SessionType.id).where(SessionType.key == session_type_key))
            if found["session_type_id"] is None:
                problems += _missing("type", f"No session type with key {session_type_key!r}.").problems
        if room is not None and "site_id" in found:
            found["room_id"] = session.scalar(select(Room.id).where(Room.site_id == found["site_id"], Room.name == room))
            if found["room_id"] is None:
                problems += _missing("room", f"No room called {room!r} at that site.").problems
        found["staff_ids"] = []
        for email in staff_emails:
            staff_id = session.scalar(select(Staff.id).where(Staff.email == email.lower()))
            if staff_id is None:
                problems += _missing("staff", f"No staff member with email {email}.").problems
            found["staff_ids"].append(staff_id)
    if problems:
        raise InvalidData(problems)
    return found


def session_zone(session_id: int) -> str | None:
    """The time zone of a session's site, or None when there is no such session."""
    from planner.db.models import Session

    with unit_of_work(write=False) as session:
        return session.scalar(select(Site.timezone).join(Session, Session.site_id == Site.id)
                              .where(Session.id == session_id))
