"""The clinic's configuration (sites, rooms, types, staff, credentials, leave), kept per configuration mark.

Every change to those tables raises the one config mark (a trigger, migration 0004), so a copy
read under a mark stays right for as long as the mark reads the same. The mark is read before
the data it labels: a copy can only be newer than its label, never older.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import scoped_session

from planner.db import state as fresh
from planner.db.fastread import database_key, fetch
from planner.db.marks import config_mark
from planner.db.models import Credential, Room, SessionType, Staff, TimeOff
from planner.domain import clinic as dom
from planner.domain.errors import NotFound
from planner.domain.intervals import Interval
from planner.domain.staffing import Credential as Cred

_MEMO = "planner.configcache"


@dataclass
class ClinicConfig:
    """Small tables read whole once per configuration version; sites and types filled in as asked for."""

    version: int | None
    members: dict[int, tuple[str, frozenset[str], bool]]  # id -> (name, disciplines, active)
    credentials: dict[int, tuple[Cred, ...]]
    leave: dict[int, tuple[Interval, ...]]  # per person, by start
    rooms: dict[int, dom.Room]
    sites: dict[int, dom.Site] = field(default_factory=dict)
    types: dict[int, dom.SessionType] = field(default_factory=dict)
    _site_rooms: dict[int, dict[int, dom.Room]] = field(default_factory=dict)
    # Per person: leave starts (for bisect) and the longest stretch of leave, so a lookup does not
    # walk every absence on record, which grows with the clinic's history.
    _leave_index: dict[int, tuple[list, timedelta]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for staff_id, stretches in self.leave.items():
            self._leave_index[staff_id] = ([t.start for t in stretches], max(t.end - t.start for t in stretches))

    def site(self, session: OrmSession, site_id: int) -> dom.Site | None:
        """A site's rules, or None when there is no such site."""
        if site_id not in self.sites:
            try:
                self.sites[site_id] = fresh.site_rules(session, site_id)
            except NotFound:
                return None
        return self.sites[site_id]

    def session_type(self, session: OrmSession, type_id: int) -> dom.SessionType | None:
        """A session type's rules, or None when there is no such type."""
        if type_id not in self.types:
            row = session.get(SessionType, type_id)
            if row is None:
                return None
            self.types[type_id] = fresh.session_type_rules(row)
        return self.types[type_id]

    def site_rooms(self, site_id: int) -> dict[int, dom.Room]:
        """The rooms of a site by id."""
        if site_id not in self._site_rooms:
            self._site_rooms[site_id] = {k: r for k, r in self.rooms.items() if r.site_id == site_id}
        return self._site_rooms[site_id]

    def leave_in(self, staff_id: int, span: Interval) -> tuple[Interval, ...]:
        """A person's leave overlapping span."""
        index = self._leave_index.get(staff_id)
        if index is None:
            return ()
        starts, longest = index
        stretches = self.leave[staff_id]
        begin, end = bisect_left(starts, span.start - longest), bisect_left(starts, span.end)
        return tuple(t for t in stretches[begin:end] if t.end > span.start)


_lock = threading.Lock()
_copies: dict[str, ClinicConfig] = {}


def forget_all() -> None:
    """Drop every kept copy (benchmarks measure cold reads with it)."""
    with _lock:
        _copies.clear()


def config_at(session: OrmSession, version: int | None) -> ClinicConfig:
    """The configuration labelled with this mark, read afresh if the kept copy has another label."""
    key = database_key(session)
    current = _copies.get(key)
    if current is not None and current.version == version:
        return current
    members = {r.id: (r.name, frozenset(r.disciplines or ()), r.active)
               for r in session.execute(select(Staff.id, Staff.name, Staff.disciplines, Staff.active))}
    credentials: dict[int, list[Cred]] = defaultdict(list)
    for c in session.execute(select(Credential.staff_id, Credential.kind, Credential.issued_on,
                                    Credential.expires_on).order_by(Credential.id)):
        credentials[c.staff_id].append(Cred(c.kind, c.issued_on, c.expires_on))
    leave: dict[int, list[Interval]] = defaultdict(list)
    for t in session.execute(select(TimeOff.staff_id, TimeOff.starts_at, TimeOff.ends_at)
                             .order_by(TimeOff.starts_at, TimeOff.id)):
        leave[t.staff_id].append(Interval(t.starts_at, t.ends_at))
    rooms = {r.id: dom.Room(r.id, r.site_id, r.name, r.kind, frozenset(r.capabilities or ()), r.active)
             for r in session.scalars(select(Room).order_by(Room.id))}
    loaded = ClinicConfig(version, members, {k: tuple(v) for k, v in credentials.items()},
                           {k: tuple(v) for k, v in leave.items()}, rooms)
    with _lock:
        _copies[key] = loaded
    return loaded


def current_config(session: OrmSession) -> ClinicConfig:
    """The configuration for this transaction: its mark is read once per transaction."""
    session = _own(session)
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    return _remember(session, config_mark(session))


def config_and_patient(session: OrmSession, patient_id: int) -> tuple[ClinicConfig, dom.Patient | None]:
    """This transaction's configuration and a patient's rules (None: no such patient), in one round trip."""
    # A booking needs both before anything else; asking for them together saves it a round trip.
    session = _own(session)
    found = fetch(session, "SELECT m.version, p.id, p.mrn, p.name, p.rems_enrolled_on FROM (SELECT 1 AS one) AS o "
                           "LEFT JOIN config_marks m ON m.id = 1 LEFT JOIN patients p ON p.id = ?", [patient_id])
    version, found_id, mrn, name, enrolled = found[0]
    memo = session.info.get(_MEMO)
    config = memo[1] if memo is not None and memo[0] is session.get_transaction() else _remember(session, version)
    if found_id is None:
        return config, None
    enrolled = date.fromisoformat(enrolled) if isinstance(enrolled, str) else enrolled
    return config, dom.Patient(found_id, mrn, name, enrolled)


def _own(session: OrmSession) -> OrmSession:
    # The thread's own session, which knows its transaction.
    return session() if isinstance(session, scoped_session) else session


def _remember(session: OrmSession, version: int | None) -> ClinicConfig:
    config = config_at(session, version)
    session.info[_MEMO] = (session.get_transaction(), config)
    return config
