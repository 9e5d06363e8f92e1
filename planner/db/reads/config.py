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

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import scoped_session

from planner.db.models import (
    Closure, Credential, OpeningHours, Room, SessionType, Site, Staff, StaffingLimit, StaffingPolicy, TimeOff,
)
from planner.db.reads.marks import config_mark
from planner.db.reads.sql import database_key, fetch
from planner.domain import clinic as dom
from planner.domain.calendar import OpeningHours as Hours
from planner.domain.calendar import SiteCalendar
from planner.domain.intervals import Interval
from planner.domain.policy import RoutePolicy
from planner.domain.staffing import (
    DEFAULT_LIMITS, MONITORING_CLINICIAN, SUPERVISING_PRESCRIBER, RoleNeed, last_valid_day,
)
from planner.domain.staffing import Credential as Cred

_MEMO = "planner.reads.config"
_MARK = "planner.reads.mark"


@dataclass
class ClinicConfig:
    """Small tables read whole once per configuration version; sites filled in as asked for."""

    version: int | None
    members: dict[int, tuple[str, frozenset[str], bool]]  # id -> (name, disciplines, active)
    credentials: dict[int, tuple[Cred, ...]]
    leave: dict[int, tuple[Interval, ...]]  # per person, by start
    rooms: dict[int, dom.Room]
    types: dict[int, dom.SessionType] = field(default_factory=dict)
    sites: dict[int, dom.Site] = field(default_factory=dict)
    _site_rooms: dict[int, dict[int, dom.Room]] = field(default_factory=dict)
    # Per person: leave starts (for bisect) and the longest stretch of leave, so a lookup does not
    # walk every absence on record, which grows with the clinic's history.
    _leave_index: dict[int, tuple[list, timedelta]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for staff_id, stretches in self.leave.items():
            self._leave_index[staff_id] = ([t.start for t in stretches], max(t.end - t.start for t in stretches))
        self.dosing_types = frozenset(k for k, t in self.types.items() if t.is_dosing)
        # A type's route never changes (session_types), so a duty may carry it from a kept reading.
        self.routes = {k: t.route for k, t in self.types.items()}
        self.types_by_key = {t.key: t for t in self.types.values()}

    def site(self, session: OrmSession, site_id: int) -> dom.Site | None:
        """A site's rules, or None when there is no such site."""
        if site_id not in self.sites:
            found = site_rules(session, site_id)
            if found is None:
                return None
            self.sites[site_id] = found
        return self.sites[site_id]

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


def site_rules(session: OrmSession, site_id: int) -> dom.Site | None:
    """A site with its calendar and staffing policy, read from its rows (None when there is none)."""
    site = session.get(Site, site_id)
    if site is None:
        return None
    hours = session.execute(select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
                            .where(OpeningHours.site_id == site_id)).all()
    closures = session.scalars(select(Closure.day).where(Closure.site_id == site_id)).all()
    limits = dict(DEFAULT_LIMITS)
    policies = {}
    # The ratios and the per-route policy in one statement: a site's rules cost no more round trips for the policy.
    both = union_all(
        select(literal(0).label("kind"), StaffingLimit.role.label("key"), StaffingLimit.max_concurrent.label("a"),
               literal(0).label("b"), literal(False).label("c"), literal(0).label("d"), literal(0).label("e"))
        .where(StaffingLimit.site_id == site_id),
        select(literal(1), StaffingPolicy.route, StaffingPolicy.acls_on_site, StaffingPolicy.bls_on_site,
               StaffingPolicy.distinct_monitor, StaffingPolicy.supervising_prescriber_limit,
               StaffingPolicy.monitoring_clinician_limit).where(StaffingPolicy.site_id == site_id))
    for kind, key, first, second, third, supervise, monitor in session.execute(both):
        if kind == 0:
            limits[key] = first
        else:
            # A route's own ratio where its row sets one; NULL leaves the site's ratio to apply.
            own = {role: n for role, n in ((SUPERVISING_PRESCRIBER, supervise), (MONITORING_CLINICIAN, monitor))
                   if n is not None}
            policies[key] = RoutePolicy(first, second, bool(third), own)
    # A deactivated site keeps no opening hours as the engine sees it: every search, offer and plan
    # that asks when it is open finds it shut, without each of them having to know about deactivation.
    opening = tuple(Hours(*row) for row in hours) if site.active else ()
    calendar = SiteCalendar(site.timezone, opening, frozenset(closures))
    return dom.Site(site.id, site.name, calendar, site.esketamine_certified, limits, site.distinct_roles,
                    site.slot_minutes, site.active, policies)


def session_type_rules(row: SessionType) -> dom.SessionType:
    """The domain form of a session type row."""
    needs = tuple(RoleNeed(n["role"], frozenset(n.get("disciplines", ())), frozenset(n.get("credentials", ())),
                           n.get("part", "whole")) for n in row.role_requirements or ())
    return dom.SessionType(row.id, row.key, row.name, row.kind, row.route, row.active_minutes,
                           row.observation_minutes, row.room_capability, needs)


_lock = threading.Lock()
_copies: dict[str, ClinicConfig] = {}
_listings: dict[str, tuple[int | None, list]] = {}  # per database: (config mark, the sites as listed)


def forget_all() -> None:
    """Drop every kept copy (benchmarks measure cold reads with it)."""
    with _lock:
        _copies.clear()
        _listings.clear()


def kept_listing(session: OrmSession, read) -> list:
    """A listing of sites (what read(session) gives) kept while the config mark stays the same."""
    version = transaction_mark(session)  # read before the rows it labels: a listing can only be newer
    key = database_key(session)
    kept = _listings.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    listing = read(session)
    with _lock:
        _listings[key] = (version, listing)
    return listing


def config_at(session: OrmSession, version: int | None) -> ClinicConfig:
    """The configuration labelled with this mark, read afresh if the kept copy has another label."""
    key = database_key(session)
    current = _copies.get(key)
    if current is not None and current.version == version:
        return current
    loaded = read_config(session, version)
    with _lock:
        _copies[key] = loaded
    return loaded


def read_config(session: OrmSession, version: int | None = None) -> ClinicConfig:
    """The configuration as the database holds it now, read whole."""
    members = {r.id: (r.name, frozenset(r.disciplines or ()), r.active)
               for r in session.execute(select(Staff.id, Staff.name, Staff.disciplines, Staff.active))}
    credentials: dict[int, list[Cred]] = defaultdict(list)
    for c in session.execute(select(Credential.staff_id, Credential.kind, Credential.issued_on,
                                    Credential.expires_on, Credential.revoked_on).order_by(Credential.id)):
        credentials[c.staff_id].append(Cred(c.kind, c.issued_on, last_valid_day(c.expires_on, c.revoked_on)))
    leave: dict[int, list[Interval]] = defaultdict(list)
    for t in session.execute(select(TimeOff.staff_id, TimeOff.starts_at, TimeOff.ends_at)
                             .where(TimeOff.withdrawn_at.is_(None)).order_by(TimeOff.starts_at, TimeOff.id)):
        leave[t.staff_id].append(Interval(t.starts_at, t.ends_at))
    rooms = {r.id: dom.Room(r.id, r.site_id, r.name, r.kind, frozenset(r.capabilities or ()), r.active)
             for r in session.scalars(select(Room).order_by(Room.id))}
    types = {row.id: session_type_rules(row) for row in session.scalars(select(SessionType).order_by(SessionType.id))}
    return ClinicConfig(version, members, {k: tuple(v) for k, v in credentials.items()},
                        {k: tuple(v) for k, v in leave.items()}, rooms, types)


def current_config(session: OrmSession) -> ClinicConfig:
    """The configuration for this transaction: its mark is read once per transaction."""
    session = _own(session)
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    return _remember(session, transaction_mark(session))


def forget_transaction_config(session: OrmSession) -> None:
    """Make this transaction read the configuration mark again at its next read.

    Under PostgreSQL's READ COMMITTED a booking lock may have waited for a set-up change (time
    off, a revoked credential) to commit; what the transaction read of the configuration before
    the lock is then stale, and the rules must judge by the change.
    """
    session = _own(session)
    session.info.pop(_MEMO, None)
    session.info.pop(_MARK, None)


def mark_seen(session: OrmSession, version: int | None) -> None:
    """Remember the config mark a read of this transaction already brought along, so nothing asks again."""
    session = _own(session)
    session.info[_MARK] = (session.get_transaction(), version)


def transaction_mark(session: OrmSession) -> int | None:
    """The config mark as this transaction first saw it (read now if nothing brought it yet)."""
    session = _own(session)
    memo = session.info.get(_MARK)
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    version = config_mark(session)
    session.info[_MARK] = (session.get_transaction(), version)
    return version


def config_and_patient(session: OrmSession, patient_id: int) -> tuple[ClinicConfig, dom.Patient | None]:
    """This transaction's configuration and a patient's rules (None: no such patient), in one round trip."""
    # A booking needs both before anything else; asking for them together saves it a round trip.
    session = _own(session)
    found = fetch(session, "SELECT m.version, p.id, p.mrn, p.name, p.rems_enrolled_on, p.screening_status, "
                           "p.consent_status, p.home_site_id, p.consent_expires_on FROM (SELECT 1 AS one) AS o "
                           "LEFT JOIN config_marks m ON m.id = 1 LEFT JOIN patients p ON p.id = ?", [patient_id])
    version, found_id, mrn, name, enrolled, screening, consent, home, expires = found[0]
    memo = session.info.get(_MEMO)
    config = memo[1] if memo is not None and memo[0] is session.get_transaction() else _remember(session, version)
    if found_id is None:
        return config, None
    return config, patient_from(found_id, mrn, name, enrolled, screening, consent, home, expires)


def patient_from(patient_id: int, mrn: str, name: str, enrolled, screening: str, consent: str,
                 home_site_id: int | None, consent_expires_on=None) -> dom.Patient:
    """A patient's rules from the columns the rules read."""
    enrolled = date.fromisoformat(enrolled) if isinstance(enrolled, str) else enrolled
    expires = date.fromisoformat(consent_expires_on) if isinstance(consent_expires_on, str) else consent_expires_on
    return dom.Patient(patient_id, mrn, name, enrolled, screening, consent, home_site_id, expires)


def _own(session: OrmSession) -> OrmSession:
    # The thread's own session, which knows its transaction.
    return session() if isinstance(session, scoped_session) else session


def _remember(session: OrmSession, version: int | None) -> ClinicConfig:
    config = config_at(session, version)
    session.info[_MEMO] = (session.get_transaction(), config)
    return config
