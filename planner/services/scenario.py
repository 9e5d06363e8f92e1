"""Loading a scenario file: a whole clinic (sites to sessions and logins) in one transaction.

The file is judged whole before anything is written (scenario_plan), the rows are built by the
same builders the setup API uses (clinic_setup), and every session that holds a place must pass
the booking rules against everything loaded before it. Any problem refuses the whole file.
The format is described in docs/scenario-format.md.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Patient, Session, SessionStaff, SessionType, Shift, Site, Staff, User
from planner.db.uow import unit_of_work
from planner.domain.booking import check_session
from planner.domain.clinic import Placement, SessionRequest
from planner.domain.errors import InvalidData, Reason
from planner.domain import lifecycle
from planner.domain.lifecycle import holds_place
from planner.services import SYSTEM, Actor
from planner.services.accounts import hash_password
from planner.services.audit import record
from planner.services.notices import queue_notices
from planner.services.rems_forms import owe_monitoring_form
from planner.services.clinic_setup import (
    add_patient, add_room, add_session_type, add_site, add_staff, add_time_off,
)
from planner.services.inputs import RoomIn
from planner.services.patient_inputs import PatientIn
from planner.services.records_import import import_records
from planner.services.scenario_plan import Plan, SessionPlan, plan_scenario, rebase_weeks
from planner.services.scenario_schema import Scenario
from planner.services.validation import parse

# A scenario may hold history: a session that already happened is loaded as it was.
PAST_IS_FINE = {"starts_in_past"}
SCENARIO_NOTE = "From the scenario import: the file gives the status, not the answers or the signed form."


def load_scenario(data: dict, actor: Actor, now: datetime, rebase_to: date | None = None,
                  tell: bool = False, settle_past: bool = False) -> dict[str, int]:
    """Load a scenario into a database without its sites; returns how many of each record were added.

    rebase_to moves every date by whole weeks so the anchor's week becomes the week containing
    rebase_to, keeping local wall times. tell queues the invites and reminders of the sessions
    still ahead (the demo does; a clinic moving in from another system has sent its own already).
    settle_past records a booked session that ended before now as fulfilled (the demo ran its
    week so far), so the no-show job does not mark the clinic's whole past as missed.
    InvalidData names every problem by its JSON path (e.g. sessions[12].room); nothing is written then.
    """
    scenario = parse(Scenario, data)
    plan = plan_scenario(scenario, rebase_weeks(scenario.anchor, rebase_to))
    # Hashed before the transaction opens: scrypt is slow and must not hold SQLite's write lock.
    # A user without a password gets a random one nobody knows, so the account cannot sign in.
    hashes = [hash_password(user.password or secrets.token_urlsafe(32)) for user in plan.users]
    with unit_of_work() as session:
        _refuse_taken(session, scenario)
        loaded = _Loaded()
        try:
            _insert_clinic(session, plan, loaded)
            _insert_users(session, plan, hashes, loaded)
        except IntegrityError:
            # PostgreSQL: another load took one of these names after _refuse_taken looked.
            raise InvalidData([Reason("taken", "Another load wrote some of these records at the same moment; "
                                               "nothing was written. Try again.", "sites")]) from None
        _import_records(session, plan, loaded, actor, now)
        _book(session, plan, loaded, now, settle_past, actor)
        if tell:
            queue_notices(session, loaded.session_ids, now)
        counts = loaded.counts()
        anchor = scenario.anchor + timedelta(weeks=plan.weeks) if scenario.anchor else None
        record(session, actor, "scenario.loaded", "scenario", None, now, **counts, rebased_weeks=plan.weeks,
               anchor=anchor.isoformat() if anchor else None)
        session.commit()
        return counts


class _Loaded:
    """Ids of what has been inserted so far, by natural key."""

    def __init__(self) -> None:
        self.sites: dict[str, int] = {}
        self.rooms: dict[tuple[str, str], int] = {}
        self.staff: dict[str, int] = {}
        self.patients: dict[str, Patient] = {}
        self.types: dict[str, SessionType] = {}
        self.shifts = self.time_off = self.sessions = self.users = 0
        self.session_ids: list[int] = []

    def counts(self) -> dict[str, int]:
        return {"sites": len(self.sites), "rooms": len(self.rooms), "staff": len(self.staff), "shifts": self.shifts,
                "time_off": self.time_off, "patients": len(self.patients), "session_types": len(self.types),
                "sessions": self.sessions, "users": self.users}


def _refuse_taken(session: OrmSession, scenario: Scenario) -> None:
    """Names the file would take that the database already has: one problem per record."""
    problems = []
    checks = [
        ("sites", "name", Site.name, [s.name for s in scenario.sites],
         "The database already has a site named {!r}: is this scenario loaded already?"),
        ("staff", "email", Staff.email, [s.email for s in scenario.staff],
         "The database already has a staff member with the email {}."),
        ("patients", "mrn", Patient.mrn, [p.mrn for p in scenario.patients],
         "The database already has a patient with the MRN {}."),
        ("session_types", "key", SessionType.key, [t.key for t in scenario.session_types],
         "The database already has a session type with the key {!r}."),
        ("users", "email", User.email, [u.email for u in scenario.users],
         "The database already has an account with the email {}."),
    ]
    for section, attribute, column, keys, message in checks:
        taken = set(session.scalars(select(column).where(column.in_(set(keys))))) if keys else set()
        problems += [Reason("taken", message.format(key), f"{section}[{i}].{attribute}")
                     for i, key in enumerate(keys) if key in taken]
        if problems and section == "sites":
            break  # the scenario is most likely loaded already: say that, not a page of echoes
    if problems:
        raise InvalidData(problems)


class _Under:
    """Report a builder's InvalidData under the JSON path of the record it was building."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _tb) -> bool:
        if isinstance(error, InvalidData):
            raise InvalidData([Reason(p.code, p.message, f"{self.path}.{p.field}" if p.field else self.path)
                               for p in error.problems]) from None
        return False


def _insert_clinic(session: OrmSession, plan: Plan, loaded: _Loaded) -> None:
    shifts: list[dict] = []
    for i, site in enumerate(plan.sites):
        with _Under(f"sites[{i}]"):
            loaded.sites[site.name] = add_site(session, site).id
    for i, room in enumerate(plan.rooms):
        with _Under(f"rooms[{i}]"):
            data = RoomIn(site_id=loaded.sites[room.site], **room.model_dump(exclude={"site"}))
            loaded.rooms[(room.site, room.name)] = add_room(session, data).id
    for i, member in enumerate(plan.staff):
        with _Under(f"staff[{i}]"):
            staff_id = add_staff(session, member.data).id
        loaded.staff[member.data.email] = staff_id
        # Shifts were validated as ShiftIn while planning; hundreds of them go in one statement.
        shifts += [{"staff_id": staff_id, "site_id": loaded.sites[site], "starts_at": starts, "ends_at": ends}
                   for site, starts, ends in member.shifts]
        for leave in member.time_off:
            add_time_off(session, staff_id, leave)
            loaded.time_off += 1
    if shifts:
        session.execute(insert(Shift), shifts)
        loaded.shifts = len(shifts)
    first_site = {}
    for item in plan.sessions:
        first_site.setdefault(item.entry.patient, item.entry.site)
    for i, patient in enumerate(plan.patients):
        # Left out, the home site is where the patient's first session is, else the file's first site.
        home = patient.home_site or first_site.get(patient.mrn) or (plan.sites[0].name if plan.sites else None)
        data = PatientIn(**patient.model_dump(exclude={"home_site", "home_site_id", *PatientIn.RECORDED_ELSEWHERE}),
                         home_site_id=loaded.sites.get(home))
        with _Under(f"patients[{i}]"):
            loaded.patients[patient.mrn] = add_patient(session, data)
    for i, stype in enumerate(plan.session_types):
        with _Under(f"session_types[{i}]"):
            loaded.types[stype.key] = add_session_type(session, stype)


def _import_records(session: OrmSession, plan: Plan, loaded: _Loaded, actor: Actor, now: datetime) -> None:
    """The statuses the file states, written as the records they stand for (the statuses follow only from records)."""
    # A consent is taken as signed by the patient's first session in the file (or today): the file gives no date.
    first_day: dict[str, date] = {}
    for item in plan.sessions:
        first_day[item.entry.patient] = min(item.start.date(), first_day.get(item.entry.patient, now.date()))
    for patient in plan.patients:
        import_records(session, loaded.patients[patient.mrn], screening=patient.screening_status,
                       consent=patient.consent_status, signed_on=first_day.get(patient.mrn, now.date()),
                       rems_enrolled_on=patient.rems_enrolled_on, actor=actor, now=now, note=SCENARIO_NOTE)


def _insert_users(session: OrmSession, plan: Plan, hashes: list[str], loaded: _Loaded) -> None:
    for user, password_hash in zip(plan.users, hashes, strict=True):
        session.add(User(email=user.email, name=user.name, role=user.role, password_hash=password_hash,
                         staff_id=loaded.staff[user.staff] if user.staff else None, active=user.active))
        loaded.users += 1
    session.flush()


def _book(session: OrmSession, plan: Plan, loaded: _Loaded, now: datetime, settle_past: bool = False,
          actor: Actor = SYSTEM) -> None:
    """Insert the sessions in file order, each checked against those before it (as a batch booking is)."""
    problems: list[Reason] = []
    sites = {name: reads.site(session, site_id) for name, site_id in loaded.sites.items()}
    types = reads.session_types(session)
    patients: dict[str, object] = {}  # by MRN: read once each, not once per session
    for item in plan.sessions:
        entry = item.entry
        site = sites[entry.site]
        placements = tuple(Placement(loaded.staff[p.staff], p.role) for p in entry.staff)
        room_id = loaded.rooms[(entry.site, entry.room)] if entry.room else None
        if entry.patient not in patients:
            patients[entry.patient] = reads.patient(session, loaded.patients[entry.patient].id)
        patient = patients[entry.patient]
        request = SessionRequest(patient, site, types[entry.type], item.start, room_id, placements)
        # Cancelled and no-show sessions hold nothing, so no rule can refuse them.
        if holds_place(entry.status):
            reasons = [r for r in check_session(request, reads.for_booking(session, request), now)
                       if r.code not in PAST_IS_FINE]
            if reasons:
                problems += [Reason(r.code, r.message, f"sessions[{item.index}]") for r in reasons]
                continue
        status = entry.status
        if settle_past and status == lifecycle.BOOKED and request.window.end <= now:
            status = lifecycle.FULFILLED
        loaded.session_ids.append(_insert_session(session, item, request, loaded.types[entry.type].id, now, status))
        loaded.sessions += 1
        if status == lifecycle.FULFILLED and request.session_type.is_esketamine:
            # A dose given before the load owes its REMS monitoring form, as one given here would.
            owe_monitoring_form(session, session.get(Session, loaded.session_ids[-1]), site.calendar.zone, actor, now)
    if problems:
        raise InvalidData(problems)


def _insert_session(session: OrmSession, item: SessionPlan, request: SessionRequest, type_id: int,
                    now: datetime, status: str) -> int:
    stype = request.session_type
    needs = {need.role: need for need in stype.needs}
    row = Session(patient_id=request.patient.id, site_id=request.site.id, session_type_id=type_id,
                  room_id=request.room_id, starts_at=request.window.start, ends_at=request.window.end,
                  status=status, version=1, note=item.entry.note, created_at=now, updated_at=now)
    for p in request.placements:
        # A released session is not checked, so its roles may not match its type: give them the whole window.
        window = stype.role_window(request.start, needs[p.role]) if p.role in needs else request.window
        row.staff.append(SessionStaff(staff_id=p.staff_id, role=p.role, starts_at=window.start, ends_at=window.end))
    session.add(row)
    # Flushed at once so the next session's check sees this one.
    session.flush()
    return row.id



def site_names() -> set[str]:
    """The names of the sites in the database: an empty set means an empty clinic."""
    with unit_of_work(write=False) as session:
        return set(session.scalars(select(Site.name)))
