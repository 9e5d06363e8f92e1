"""A live server over a small seeded clinic for the API fuzzer: tokens per role, real ids, a database fingerprint."""

from __future__ import annotations

import itertools
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, text

from planner.db.models import (
    ApiToken, Course, Credential, MonitoringForm, Patient, ProtocolVersion, Room, Session, SessionType, Shift, Site,
    Staff, TimeOff, User,
)
from planner.extensions import db
from planner.services import SYSTEM, accounts
from planner.services.booking import SessionOrder, book_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.protocols import install_default_protocols
from tests import factories as f
from tests.serving import serving

# The fuzzer's clock: the Friday before the seeded clinic week, so its week lies ahead (as clinic_clock).
FROZEN_NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Which rows a path parameter or a body field named so refers to.
ID_KINDS = {"site_id": Site, "room_id": Room, "staff_id": Staff, "therapist_id": Staff, "patient_id": Patient,
            "type_id": SessionType, "session_type_id": SessionType, "session_id": Session, "course_id": Course,
            "shift_id": Shift, "time_off_id": TimeOff, "credential_id": Credential, "task_id": MonitoringForm,
            "user_id": User, "token_id": ApiToken}


@dataclass
class FuzzTarget:
    """The served app's address, a bearer token per role, and the ids of the rows seeded."""

    base_url: str
    tokens: dict[str, str]
    real_ids: dict[str, list[int]]
    state: tuple | None = None  # the database's fingerprint after the last call
    _turns: dict[str, itertools.count] = field(default_factory=dict)

    def headers_for(self, operation_id: str, roles: list[str]) -> dict[str, str]:
        """A bearer token of the operation's roles, taking turns so every allowed role calls it."""
        if not roles:
            return {}
        turn = next(self._turns.setdefault(operation_id, itertools.count()))
        return {"Authorization": f"Bearer {self.tokens[roles[turn % len(roles)]]}"}

    def real_id(self, name: str, generated: object) -> object:
        """A seeded row's id in place of a generated one, so requests reach past 'not found'."""
        ids = self.real_ids.get(name)
        if ids and isinstance(generated, str) and isinstance(ids[0], str):
            return ids[len(generated) % len(ids)]  # a protocol's key: a seeded one
        if not ids or not isinstance(generated, int) or isinstance(generated, bool) or isinstance(ids[0], str):
            return generated
        return ids[generated % len(ids)]

    def keep_signed_in(self) -> None:
        """Put the fuzzer's own accounts and tokens back as made, should an accounts call have changed them.

        Otherwise a call that deactivated one, took its role or revoked its token would leave every
        later call in that role answered 401 or 403, and those routes unfuzzed without a sign.
        """
        with db.engine.begin() as connection:
            for role in self.tokens:
                connection.execute(text("UPDATE users SET active = :yes, role = :role WHERE email = :email"),
                                   {"yes": True, "role": role, "email": f"fuzz-{role}@clinic.example"})
            connection.execute(text("UPDATE api_tokens SET revoked_at = NULL WHERE token_hash IN :digests")
                               .bindparams(bindparam("digests", expanding=True)),
                               {"digests": [accounts.token_digest(token) for token in self.tokens.values()]})


def seed_fuzz_clinic() -> dict[str, list[int]]:
    """The small clinic, the course session types and protocols, a booked session and a booked course."""
    from tests.snapshots import built

    # The same rows every time (the clock is frozen): built once per run, put back after.
    return built("fuzz clinic", _seed)


def _seed() -> dict[str, list[int]]:
    clinic = f.small_clinic()
    f.make_session_type(f.IV_DOSING, key="iv-infusion")
    f.make_session_type(f.INTEGRATION, key="preparation", name="Preparation psychotherapy", kind="preparation")
    for week in range(1, 4):
        for day in f.week_of(f.MONDAY + timedelta(weeks=week)):
            for person in [clinic.prescriber, *clinic.nurses, clinic.therapist]:
                f.make_shift(person, clinic.site, day)
    install_default_protocols(SYSTEM, FROZEN_NOW)
    away = datetime.combine(f.MONDAY + timedelta(weeks=3), time(0), tzinfo=ZoneInfo("America/New_York"))
    f.make_time_off(clinic.therapist, away, away + timedelta(days=1))  # a row for the time-off routes to reach
    start = datetime.combine(f.MONDAY, time(9), tzinfo=ZoneInfo("America/New_York"))
    book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start, clinic.chairs[0],
                              ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))),
                 SYSTEM, FROZEN_NOW)
    patient = f.ready_patient("READY-FUZZ")
    proposal = propose_course(patient, "iv-induction", PreferencesIn(), FROZEN_NOW, f.MONDAY)
    book_course(f.booking_order(proposal, patient), SYSTEM, FROZEN_NOW)
    _give_esketamine(clinic)
    # An account and a token for the accounts routes to reach (their real ids), not the fuzzer's own.
    accounts.create_user("fuzz-target@clinic.example", "Fuzz Target", "reception", "correct horse battery", now=CREATED)
    accounts.create_api_token("fuzz-target@clinic.example", "target", CREATED)
    found = {name: list(db.session.scalars(select(model.id).order_by(model.id))) for name, model in ID_KINDS.items()}
    # A protocol's key and version number in a path (/api/protocols/{key}/versions/{number}).
    return {**found, "key": sorted(set(db.session.scalars(select(ProtocolVersion.key)))), "number": [1]}


def _give_esketamine(clinic) -> None:
    """An esketamine dose given on the last seeded Friday, after the course: it owes a REMS monitoring form."""
    from planner.services.booking import change_status

    zone = ZoneInfo("America/New_York")
    friday = f.MONDAY + timedelta(weeks=3, days=4)
    start = datetime.combine(friday, time(9), tzinfo=zone)
    given = book_session(SessionOrder(clinic.patients[2], clinic.site, clinic.esketamine, start, clinic.chairs[2],
                                      ((clinic.prescriber, "supervising_prescriber"),
                                       (clinic.nurses[1], "monitoring_clinician"))), SYSTEM, FROZEN_NOW)
    change_status(given, "arrived", SYSTEM, start - timedelta(minutes=15), escort_confirmed=True)
    change_status(given, "in_progress", SYSTEM, start)
    change_status(given, "fulfilled", SYSTEM, start + timedelta(hours=3))


def tokens_per_role() -> dict[str, str]:
    """A staff account and an API token for each role."""
    tokens = {}
    for role in accounts.ROLES:
        email = f"fuzz-{role}@clinic.example"
        accounts.create_user(email, f"Fuzz {role.title()}", role, "correct horse battery", now=CREATED)
        tokens[role] = accounts.create_api_token(email, "fuzzer", CREATED)
    return tokens


def fingerprint_query() -> str:
    """One statement for every table's row count, the audit log's last id and the sum of row versions."""
    counts = [f"(SELECT count(*) FROM {t.name})" for t in db.metadata.sorted_tables]
    extra = ["(SELECT max(id) FROM audit_events)", "(SELECT coalesce(sum(version), 0) FROM sessions)",
             "(SELECT coalesce(sum(version), 0) FROM courses)"]
    return "SELECT " + ", ".join(counts + extra)


def fingerprint(statement: str) -> tuple:
    """The database's fingerprint as it is committed now (read on a connection of its own)."""
    with db.engine.connect() as connection:
        return tuple(connection.execute(text(statement)).one())


@contextmanager
def live_server(app, statuses: Counter):
    """The app served on 127.0.0.1 and a free port, in a thread, as a real server would; counts answers."""

    def counted(environ, start_response):
        def start(status, headers, *args):
            statuses[int(status.split()[0])] += 1
            return start_response(status, headers, *args)

        return app(environ, start)

    with serving(counted, "fuzz-server") as url:
        yield url
