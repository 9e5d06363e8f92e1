"""API for the clinic's setup: sites, rooms, staff (with credentials, shifts, time off), patients, session types."""

from __future__ import annotations

from flask import jsonify

from planner.db import queries, reads
from planner.db.models import Patient, Room, SessionType, Site, Staff
from planner.domain.errors import NotFound
from planner.extensions import db
from planner.services import clinic_setup as setup
from planner.services import patient_registry
from planner.services.inputs import (
    CredentialIn, RoomIn, SessionTypeChange, SessionTypeIn, ShiftIn, SiteIn, StaffIn,
    TimeOffIn,
)
from planner.services.patient_inputs import PatientChange, PatientIn
from planner.services.session_types import update_session_type
from planner.web.access import actor, now
from planner.web.api import api, present
from planner.web.api.common import body
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.schemas import PatientOut, RoomOut, SessionTypeOut, SiteOut, StaffDetailOut, StaffOut


def _one(model, key: int, what: str):
    row = db.session.get(model, key)
    if row is None:
        raise NotFound(what, key)
    return row


def _created(model, key: int, shape, *args):
    return jsonify(shape(db.session.get(model, key), *args)), 201


@api.get("/sites")
@operation(*ANY_STAFF, answers={200: list[SiteOut]})
def list_sites():
    """Every site."""
    return jsonify([present.site(s) for s in reads.listed_sites(db.session)])


@api.get("/sites/<id:site_id>")
@operation(*ANY_STAFF, answers={200: SiteOut})
def show_site(site_id: int):
    """One site."""
    return jsonify(present.site(_one(Site, site_id, "site")))


@api.post("/sites")
@operation("admin", body=SiteIn, answers={201: SiteOut})
def create_site():
    """Create a site with hours, closures and staffing limits."""
    return _created(Site, setup.create_site(body(SiteIn), actor(), now()), present.site)


@api.get("/rooms")
@operation(*ANY_STAFF, answers={200: list[RoomOut]})
def list_rooms():
    """Every room and chair."""
    return jsonify([present.room(r) for r in queries.plain_rows(db.session, Room, Room.site_id, Room.name)])


@api.get("/rooms/<id:room_id>")
@operation(*ANY_STAFF, answers={200: RoomOut})
def show_room(room_id: int):
    """One room or chair."""
    return jsonify(present.room(_one(Room, room_id, "room")))


@api.post("/rooms")
@operation("admin", body=RoomIn, answers={201: RoomOut})
def create_room():
    """Create a room or chair."""
    return _created(Room, setup.create_room(body(RoomIn), actor(), now()), present.room)


@api.get("/staff")
@operation(*ANY_STAFF, answers={200: list[StaffOut]})
def list_staff():
    """Every staff member."""
    return jsonify([present.staff(s) for s in queries.plain_rows(db.session, Staff, Staff.name)])


@api.get("/staff/<id:staff_id>")
@operation(*ANY_STAFF, answers={200: StaffDetailOut})
def show_staff(staff_id: int):
    """One staff member with credentials, shifts and time off."""
    return jsonify(present.staff(_one(Staff, staff_id, "staff member"), True))


@api.post("/staff")
@operation("admin", body=StaffIn, answers={201: StaffDetailOut})
def create_staff():
    """Create a staff member with credentials."""
    return _created(Staff, setup.create_staff(body(StaffIn), actor(), now()), present.staff, True)


@api.post("/staff/<id:staff_id>/credentials")
@operation("admin", body=CredentialIn, answers={201: StaffDetailOut})
def add_credential(staff_id: int):
    """Record a credential."""
    _one(Staff, staff_id, "staff member")
    setup.create_credential(staff_id, body(CredentialIn), actor(), now())
    return _created(Staff, staff_id, present.staff, True)


@api.post("/staff/<id:staff_id>/shifts")
@operation("admin", body=ShiftIn, answers={201: StaffDetailOut})
def add_shift(staff_id: int):
    """Add a shift at a site."""
    _one(Staff, staff_id, "staff member")
    setup.create_shift(staff_id, body(ShiftIn), actor(), now())
    return _created(Staff, staff_id, present.staff, True)


@api.post("/staff/<id:staff_id>/time-off")
@operation("admin", body=TimeOffIn, answers={201: StaffDetailOut}, refusals=(409,))
def add_time_off(staff_id: int):
    """Add time off, unless it leaves a booked session without cover (409 names each such session)."""
    _one(Staff, staff_id, "staff member")
    setup.create_time_off(staff_id, body(TimeOffIn), actor(), now())
    return _created(Staff, staff_id, present.staff, True)


@api.get("/patients")
@operation(*ANY_STAFF, answers={200: list[PatientOut]})
def list_patients():
    """Every patient."""
    return jsonify([present.patient(p) for p in queries.plain_rows(db.session, Patient, Patient.name)])


@api.get("/patients/<id:patient_id>")
@operation(*ANY_STAFF, answers={200: PatientOut})
def show_patient(patient_id: int):
    """One patient."""
    return jsonify(present.patient(_one(Patient, patient_id, "patient")))


@api.post("/patients")
@operation("reception", body=PatientIn, answers={201: PatientOut})
def create_patient():
    """Register a patient."""
    return _created(Patient, setup.create_patient(body(PatientIn), actor(), now()), present.patient)


@api.patch("/patients/<id:patient_id>")
@operation("reception", body=PatientChange, answers={200: PatientOut})
def change_patient(patient_id: int):
    """Change a patient: only the fields given, by the rules of registering; their waiting messages follow."""
    patient_registry.change_patient(patient_id, body(PatientChange), actor(), now())
    return jsonify(present.patient(_one(Patient, patient_id, "patient")))


@api.get("/session-types")
@operation(*ANY_STAFF, answers={200: list[SessionTypeOut]})
def list_session_types():
    """Every session type."""
    return jsonify([present.session_type(t) for t in queries.plain_rows(db.session, SessionType, SessionType.key)])


@api.get("/session-types/<id:type_id>")
@operation(*ANY_STAFF, answers={200: SessionTypeOut})
def show_session_type(type_id: int):
    """One session type."""
    return jsonify(present.session_type(_one(SessionType, type_id, "session type")))


@api.post("/session-types")
@operation("admin", body=SessionTypeIn, answers={201: SessionTypeOut})
def create_session_type():
    """Create a session type."""
    return _created(SessionType, setup.create_session_type(body(SessionTypeIn), actor(), now()),
                    present.session_type)


@api.patch("/session-types/<id:type_id>")
@operation("admin", body=SessionTypeChange, answers={200: SessionTypeOut}, refusals=(409,))
def change_session_type(type_id: int):
    """Change a session type (never below the supervision floor, never under sessions booked ahead)."""
    update_session_type(type_id, body(SessionTypeChange), actor(), now())
    return jsonify(present.session_type(_one(SessionType, type_id, "session type")))
