"""Factories with keyword defaults for building a small clinic in tests."""

from __future__ import annotations

from dataclasses import dataclass

from datetime import date, datetime, time, timedelta, timezone

from planner.db.uow import unit_of_work
from planner.domain.calendar import to_utc
from planner.services import Actor, clinic_setup as setup
from planner.services.records_import import import_records
from planner.services.inputs import (
    CredentialIn, RoomIn, SessionTypeIn, ShiftIn, SiteIn, StaffIn, TimeOffIn,
)
from planner.services.patient_inputs import PatientIn

PRESCRIBER = ["MD", "DO", "NP", "PA"]
MONITOR = ["RN", "NP", "MD", "DO", "PA"]
MONDAY = date(2026, 11, 23)  # a week with no DST change and no US holiday in it
LONG_AGO, FAR_AHEAD = date(2020, 1, 1), date(2030, 12, 31)
WEEKDAY_HOURS = [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)]

IV_DOSING = {
    "key": "iv-dose", "name": "IV ketamine infusion", "kind": "dosing", "route": "IV",
    "active_minutes": 45, "observation_minutes": 60, "room_capability": "infusion_pump_monitor",
    "role_requirements": [
        {"role": "supervising_prescriber", "disciplines": PRESCRIBER, "credentials": ["licence", "acls"]},
        {"role": "monitoring_clinician", "disciplines": MONITOR, "credentials": ["licence", "bls"]},
    ],
}
ESKETAMINE = {
    "key": "esk-dose", "name": "Esketamine nasal spray", "kind": "dosing", "route": "intranasal",
    "active_minutes": 30, "observation_minutes": 120, "room_capability": "pulse_oximeter",
    "role_requirements": [
        {"role": "supervising_prescriber", "disciplines": PRESCRIBER, "credentials": ["licence", "rems_training"]},
        {"role": "monitoring_clinician", "disciplines": MONITOR, "credentials": ["licence", "bls"]},
    ],
}
INTEGRATION = {
    "key": "integration", "name": "Integration psychotherapy", "kind": "integration", "route": "none",
    "active_minutes": 50, "room_capability": "therapy",
    "role_requirements": [{"role": "therapist", "disciplines": ["therapist"], "credentials": ["licence"]}],
}


def _commit(builder, *args):
    with unit_of_work() as session:
        row = builder(session, *args)
        session.commit()
        return row.id


def make_site(**overrides) -> int:
    """A site open weekdays 08:00-18:00 in New York."""
    data = {"name": "Midtown", "timezone": "America/New_York", "esketamine_certified": True,
            "hours": WEEKDAY_HOURS, **overrides}
    return _commit(setup.add_site, SiteIn.model_validate(data))


def make_room(site_id: int, **overrides) -> int:
    """An infusion chair with pump and monitor."""
    data = {"site_id": site_id, "name": "Chair 1", "kind": "infusion_chair",
            "capabilities": ["infusion_pump_monitor", "pulse_oximeter"], **overrides}
    return _commit(setup.add_room, RoomIn.model_validate(data))


def credentials(*kinds: str, issued_on: date = LONG_AGO, expires_on: date | None = FAR_AHEAD) -> list[dict]:
    """Credential dicts of the given kinds, valid from long ago to far ahead."""
    return [{"kind": k, "issued_on": issued_on, "expires_on": expires_on} for k in kinds]


def make_staff(name: str = "Dr Ada Kim", disciplines=("MD",), creds=None, **overrides) -> int:
    """A staff member, by default an MD with licence, ACLS, BLS and REMS training."""
    data = {"name": name, "disciplines": list(disciplines),
            "credentials": creds if creds is not None else credentials("licence", "acls", "bls", "rems_training"),
            **overrides}
    return _commit(setup.add_staff, StaffIn.model_validate(data))


def make_shift(staff_id: int, site_id: int, day: date, start: str = "08:00", end: str = "18:00",
               zone: str = "America/New_York") -> int:
    """A shift on a local day, given in the site's wall time."""
    data = {"site_id": site_id, "starts_at": to_utc(day, time.fromisoformat(start), zone),
            "ends_at": to_utc(day, time.fromisoformat(end), zone)}
    return _commit(setup.add_shift, staff_id, ShiftIn.model_validate(data))


def make_time_off(staff_id: int, starts_at: datetime, ends_at: datetime) -> int:
    """Time off between two instants."""
    return _commit(setup.add_time_off, staff_id, TimeOffIn(starts_at=starts_at, ends_at=ends_at))


def make_patient(mrn: str = "MRN-1", **overrides) -> int:
    """A patient ready for treatment (screening cleared, consent signed), REMS-enrolled long ago."""
    data = {"mrn": mrn, "name": f"Patient {mrn}", "date_of_birth": date(1980, 5, 17), "email": f"{mrn.lower()}@example.org",
            "rems_patient_id": f"R{mrn}", "rems_enrolled_on": LONG_AGO, "screening_status": "cleared",
            "consent_status": "signed", "home_site_id": _first_site(), **overrides}
    # The statuses follow only from records: the patient is registered, then their records written.
    statuses = {field: data.pop(field) for field in ("screening_status", "consent_status", "rems_enrolled_on")}
    with unit_of_work() as session:
        patient = setup.add_patient(session, PatientIn.model_validate(data))
        import_records(session, patient, screening=statuses["screening_status"], consent=statuses["consent_status"],
                       signed_on=LONG_AGO, rems_enrolled_on=statuses["rems_enrolled_on"], actor=Actor("tests"),
                       now=datetime(2020, 1, 1, tzinfo=timezone.utc), note="Written by the test's factory.")
        session.commit()
        return patient.id


def _first_site() -> int | None:
    """The clinic's first site, every test patient's home unless the test says otherwise."""
    from sqlalchemy import func, select

    from planner.db.models import Site
    from planner.extensions import db

    found = db.session.scalar(select(func.min(Site.id)))
    db.session.rollback()
    return found


def make_session_type(template: dict = IV_DOSING, **overrides) -> int:
    """A session type from a template (IV dosing by default)."""
    return _commit(setup.add_session_type, SessionTypeIn.model_validate({**template, **overrides}))


def make_credential(staff_id: int, kind: str, issued_on: date, expires_on: date | None) -> int:
    """A credential row for a staff member."""
    from planner.services.clinic_setup import create_credential
    from planner.services import SYSTEM

    return create_credential(staff_id, CredentialIn(kind=kind, issued_on=issued_on, expires_on=expires_on), SYSTEM,
                             datetime(2026, 1, 1, tzinfo=timezone.utc))


def week_of(monday: date) -> list[date]:
    """The five weekdays from a Monday."""
    return [monday + timedelta(days=i) for i in range(5)]



@dataclass
class SmallClinic:
    site: int
    chairs: list[int]
    office: int
    prescriber: int
    nurses: list[int]
    therapist: int
    patients: list[int]
    iv: int
    esketamine: int
    integration: int


def small_clinic() -> SmallClinic:
    """Midtown: 3 chairs, an office, one MD, two RNs, a therapist, on shift all week from MONDAY."""
    site = make_site()
    chairs = [make_room(site, name=f"Chair {i}") for i in (1, 2, 3)]
    office = make_room(site, name="Office A", kind="therapy_office", capabilities=["therapy"])
    prescriber = make_staff("Dr Ada Kim", ["MD"])
    nurses = [make_staff(name, ["RN"], credentials("licence", "bls")) for name in ("Rosa Diaz", "Sam Lee")]
    therapist = make_staff("Theo Park", ["therapist"], credentials("licence"))
    for person in [prescriber, *nurses, therapist]:
        for day in week_of(MONDAY):
            make_shift(person, site, day)
    patients = [make_patient(f"MRN-{i}") for i in range(1, 7)]
    return SmallClinic(site, chairs, office, prescriber, nurses, therapist, patients,
                       make_session_type(IV_DOSING), make_session_type(ESKETAMINE),
                       make_session_type(INTEGRATION))


def ready_patient(mrn: str = "READY-1") -> int:
    """A patient whose screening is cleared and consent signed, so a course may start."""
    return make_patient(mrn, screening_status="cleared", consent_status="signed")


def booking_body(proposal, patient_id: int, protocol: str = "iv-induction", which: int = 0) -> dict:
    """The body that books one of a proposal's plans."""
    plan = proposal.plans[which]
    return {"patient_id": patient_id, "protocol": protocol, "site_id": plan.sessions[0].site_id,
            "sessions": [{"session_type": s.type_key, "purpose": s.purpose, "dose_number": s.dose_number,
                          "start": s.start.isoformat(), "room_id": s.room_id,
                          "staff": [{"staff_id": p.staff_id, "role": p.role} for p in s.placements]}
                         for s in plan.sessions]}


def empty_all_tables() -> None:
    """Empty every table (children first), keeping the schema; ids start again from 1."""
    from sqlalchemy import text

    from planner.extensions import db

    # DELETE, not TRUNCATE, on PostgreSQL too: a test's tables hold a few rows, and TRUNCATE
    # gives every table and index a new file and scans shared buffers for each (about half a
    # second for the whole schema, every test); DELETE of a few rows takes milliseconds.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(text(f"DELETE FROM {table.name}"))
    if db.engine.dialect.name == "postgresql":
        # What TRUNCATE ... RESTART IDENTITY did: every sequence used since starts again.
        used = db.session.scalars(text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
            "WHERE last_value IS NOT NULL")).all()
        if used:
            db.session.execute(text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in used)))
    db.session.commit()


def as_order(body: dict):
    """The typed order a booking body asks for, as the API hands it to book_course."""
    from planner.services.course_booking import course_order
    from planner.services.course_inputs import BookCourseIn

    return course_order(BookCourseIn.model_validate(body))


def booking_order(proposal, patient_id: int, protocol: str = "iv-induction", which: int = 0):
    """The typed order that books one of a proposal's plans."""
    return as_order(booking_body(proposal, patient_id, protocol, which))
