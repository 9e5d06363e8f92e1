"""Snapshots read afresh: the one a booking decision reads under its lock, and the reference read.

A booking reads sessions, placements and shifts near its window in one round trip under the
booking lock (they are what the lock protects); people, credentials, leave and rooms come from
the configuration kept under its mark (config.py). The reference read takes everything from the
tables, with no kept copy at all: tests hold every cached read to it.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Patient, SessionType, Shift
from planner.db.reads import assemble
from planner.db.reads.assemble import LIVE, LONGEST, SESSION_COLUMNS
from planner.db.reads.config import current_config, patient_from, read_config, session_type_rules
from planner.db.reads.config import site_rules as config_site_rules
from planner.db.reads.sql import NO_ROLE, fetch, marks
from planner.domain import clinic as dom
from planner.domain.errors import NotFound
from planner.domain.intervals import Interval


def for_booking(session: OrmSession, site: dom.Site, span: Interval, staff_ids: set[int], patient_ids: set[int],
                patient_span: Interval | None = None) -> dom.ClinicState:
    """The clinic near span for these people and patients, in one or two round trips.

    patient_span: how far the patients' own sessions are read (their whole local day, for the
    one-dose-a-day rule); span when not given.
    """
    return _read(session, current_config(session), site, span, staff_ids, patient_ids, patient_span or span)


def reference(session: OrmSession, site: dom.Site, span: Interval, staff_ids: set[int] | None = None,
              patient_ids: set[int] = frozenset(), patient_span: Interval | None = None,
              config=None) -> dom.ClinicState:
    """The same snapshot with nothing kept: every row read now (staff_ids None: everyone on shift at the site).

    config: the configuration this transaction read already (read_config), when many snapshots follow one change.
    """
    if staff_ids is None:
        staff_ids = set(session.scalars(select(Shift.staff_id).where(
            Shift.site_id == site.id, Shift.starts_at < span.end, Shift.ends_at > span.start,
            Shift.starts_at >= span.start - LONGEST, Shift.withdrawn_at.is_(None)).distinct()))
    return _read(session, config or read_config(session), site, span, staff_ids, patient_ids, patient_span or span)


def _read(session: OrmSession, config, site: dom.Site, span: Interval, staff_ids: set[int], patient_ids: set[int],
          patient_span: Interval) -> dom.ClinicState:
    staff = sorted(s for s in staff_ids if s in config.members)
    patients = sorted(patient_ids)
    near = [span.start - LONGEST, span.end, span.start]
    wide = [span.start - 2 * LONGEST, span.end + LONGEST, span.start - LONGEST]
    booked = (f"SELECT 0, {SESSION_COLUMNS}, {NO_ROLE} FROM sessions "
              f"WHERE {LIVE} AND starts_at >= ? AND starts_at < ? AND ends_at > ? AND ")
    parts = [booked + "site_id = ?"]
    params = near + [site.id]
    if patients:
        parts.append(booked + f"patient_id IN ({marks(len(patients))})")
        params += [patient_span.start - LONGEST, patient_span.end, patient_span.start] + patients
    if staff:
        parts.append("SELECT 1, staff_id, session_id, 0, 0, starts_at, ends_at, 0, role FROM session_staff "
                     f"WHERE staff_id IN ({marks(len(staff))}) AND starts_at >= ? AND starts_at < ? AND ends_at > ?")
        params += staff + near
        # Shifts a little beyond the span, so shifts that adjoin at its edges still join up.
        parts.append(f"SELECT 2, staff_id, site_id, 0, 0, starts_at, ends_at, 0, {NO_ROLE} FROM shifts "
                     f"WHERE staff_id IN ({marks(len(staff))}) AND starts_at >= ? AND starts_at < ? AND ends_at > ? "
                     "AND withdrawn_at IS NULL")  # a withdrawn shift is history, not time at work
        params += staff + wide
    # Everyone on shift at the site near the span, in the same round trip: who counts as on site
    # for the ACLS/BLS presence rule, whether or not the request places them.
    parts.append(f"SELECT 3, staff_id, site_id, 0, 0, starts_at, ends_at, 0, {NO_ROLE} FROM shifts "
                 "WHERE site_id = ? AND starts_at >= ? AND starts_at < ? AND ends_at > ? AND withdrawn_at IS NULL")
    params += [site.id] + wide
    sessions: dict[int, dom.BookedSession] = {}
    types: dict[int, int] = {}  # session id -> its type, whose route weighs its placements (a route's own ratio)
    found_duties, shifts, on_site = [], defaultdict(list), defaultdict(list)
    for kind, *row in fetch(session, " UNION ALL ".join(parts), params):
        if kind == 0:
            sessions[row[0]] = assemble.booked(tuple(row[:7]), config.dosing_types)
            types[row[0]] = row[6]
        elif kind == 1:
            found_duties.append(row)
        elif kind == 2:
            shifts[row[0]].append(assemble.shift(row[1], row[4], row[5]))
        else:
            on_site[row[0]].append(assemble.shift(row[1], row[4], row[5]))
    # A placement counts while its session holds its place; sessions not read above are asked for.
    unknown = sorted({row[1] for row in found_duties} - set(sessions))
    for chunk in range(0, len(unknown), 900):
        part = unknown[chunk:chunk + 900]
        types.update(fetch(session, f"SELECT id, session_type_id FROM sessions WHERE id IN ({marks(len(part))}) "
                                    f"AND {LIVE}", part))
    duties = defaultdict(list)
    for staff_id, session_id, _, _, starts, ends, _, role in found_duties:
        if session_id in types:
            route = config.routes.get(types[session_id])
            duties[staff_id].append(assemble.duty(starts, ends, role, session_id, route))
    return assemble.snapshot(config, site, span, sessions.values(), staff, duties, shifts, on_site)


def site_rules(session: OrmSession, site_id: int) -> dom.Site:
    """A site's rules read from its rows now (the reference read), or NotFound."""
    found = config_site_rules(session, site_id)
    if found is None:
        raise NotFound("site", site_id)
    return found


def load_session_type(session: OrmSession, type_id: int) -> dom.SessionType:
    """A session type's rules read from its row now (the reference read), or NotFound."""
    row = session.get(SessionType, type_id)
    if row is None:
        raise NotFound("session type", type_id)
    return session_type_rules(row)


def patient_rules(row: Patient) -> dom.Patient:
    """The domain form of a patient row."""
    return patient_from(row.id, row.mrn, row.name, row.rems_enrolled_on, row.screening_status, row.consent_status,
                        row.home_site_id, row.consent_expires_on)
