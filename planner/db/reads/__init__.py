"""The one way services read the clinic: a snapshot for a booking, windows for a search, a clinic for planning.

Every function returns plain domain objects. How the reads are made fast (configuration kept
per change mark, day pieces, free windows kept per day, the paused garbage collector) stays in
this package: a caller never sees a mark or a cache, and no clinic rule lives here. Services
and the tiers above import this package only (import-linter checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db import queries
from planner.db.models import Course, ProtocolVersion, Session, SessionStaff, SessionType, Site
from planner.db.reads import config as _config, feed as _feed, fresh as _fresh, pieces as _pieces, sql as _sql
from planner.db.reads.feed import FeedSession, Places, SitePlace
from planner.db.reads.feed import owner_sessions as feed_sessions, places as calendar_places
from planner.db.reads import windows as _windows
from planner.db.reads.gc import gc_paused
from planner.db.uow import unit_of_work
from planner.domain import clinic as dom
from planner.domain.calendar import day_start
from planner.domain.courses import BookedCourse, CourseSession
from planner.domain.intervals import Interval
from planner.domain.protocols import protocol_from_dict
from planner.domain.staffing import StaffMember
from planner.domain.windows import FreeWindow

__all__ = ["reading", "site", "session_type", "session_type_from_row", "session_types", "site_ids", "patient",
           "booking_subjects", "Subjects", "for_booking", "search", "Search", "for_planning", "PlanningClinic",
           "for_offers",
           "course", "booked_requests", "listed_sites", "token_holder", "forget_kept", "change_mark", "feed_sessions",
           "calendar_places", "FeedSession", "Places", "SitePlace"]


@contextmanager
def reading() -> Iterator[OrmSession]:
    """A read-only transaction for a search, a proposal or a re-plan preview."""
    # A planning snapshot is tens of thousands of small tuples without cycles: the cyclic
    # collector would scan them again and again while they are made (a third of a long plan).
    with unit_of_work(write=False) as session, gc_paused():
        yield session


def site(session: OrmSession, site_id: int) -> dom.Site | None:
    """A site's rules (calendar, ratios, REMS certification), or None when there is no such site."""
    return _config.current_config(session).site(session, site_id)


def session_type(session: OrmSession, type_id: int) -> dom.SessionType | None:
    """A session type's rules by id, or None."""
    return _config.current_config(session).types.get(type_id)


def session_type_from_row(row: SessionType) -> dom.SessionType:
    """A session type's rules from its row as this transaction holds it (changed, perhaps not yet committed)."""
    return _config.session_type_rules(row)


def session_types(session: OrmSession) -> dict[str, dom.SessionType]:
    """Every session type by key."""
    return _config.current_config(session).types_by_key


def token_holder(session: OrmSession, digest: str) -> tuple | None:
    """(user id, email, name, role, token id, last used) for an unrevoked token of an active user, or None.

    Asked first on every API call, through the driver's own cursor (the ORM's per-statement work
    cost more than the lookup). It brings the clinic's config mark along, so a kept read later in
    the same request needs no round trip of its own to learn whether the set-up changed.
    """
    found = _sql.fetch(session, "SELECT u.id, u.email, u.name, u.role, t.id, t.last_used_at, "
                                "(SELECT version FROM config_marks WHERE id = 1) FROM api_tokens t "
                                "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL "
                                "AND u.active = ?", [digest, True])
    if not found:
        return None
    user_id, email, name, role, token_id, last_used, mark = found[0]
    _config.mark_seen(session, mark)
    return user_id, email, name, role, token_id, None if last_used is None else _sql.instant(last_used)


def listed_sites(session: OrmSession) -> list:
    """Every site with its hours, closures and limits as the API lists them (queries.SiteInFull), kept per config mark."""
    return _config.kept_listing(session, queries.sites_in_full)


def site_ids(session: OrmSession, esketamine_only: bool = False) -> list[int]:
    """The ids of every site in service (only REMS-certified ones if asked), in order."""
    query = select(Site.id).where(Site.active.is_(True)).order_by(Site.id)
    if esketamine_only:
        query = query.where(Site.esketamine_certified.is_(True))
    return list(session.scalars(query))


def patient(session: OrmSession, patient_id: int) -> dom.Patient | None:
    """A patient as the rules see them (screening, consent, REMS, home site), read afresh; None when unknown."""
    return _config.config_and_patient(session, patient_id)[1]


@dataclass(frozen=True)
class Subjects:
    """What a booking order names, as the rules see it: None for each id that names nothing."""

    patient: dom.Patient | None
    site: dom.Site | None
    session_type: dom.SessionType | None
    rooms: dict[int, dom.Room]
    staff_ids: Container[int]


def booking_subjects(session: OrmSession, patient_id: int, site_id: int, type_id: int) -> Subjects:
    """The patient (afresh), site, type, rooms and staff an order names, in one round trip when the copy is current."""
    config, found = _config.config_and_patient(session, patient_id)
    return Subjects(found, config.site(session, site_id), config.types.get(type_id), config.rooms,
                    config.members.keys())


def for_booking(session: OrmSession, request: dom.SessionRequest, own_changes: bool = False) -> dom.ClinicState:
    """The clinic near a request, read afresh under the booking lock: its site, people, and the patient's whole day.

    own_changes: this transaction changed the clinic's set-up (a shift, leave, a credential) and
    the snapshot must show it; nothing kept is used or kept then, as the change may yet roll back.
    """
    staff, whole_day = {p.staff_id for p in request.placements}, _patient_day(request)
    if own_changes:
        return _fresh.reference(session, request.site, request.window, staff, {request.patient.id}, whole_day)
    return _fresh.for_booking(session, request.site, request.window, staff, {request.patient.id}, whole_day)


def _patient_day(request: dom.SessionRequest) -> Interval:
    """The patient's sessions over the whole local day: one dosing session a day, at any site."""
    zone = request.site.calendar.zone
    day = request.site.calendar.local_day(request.start)
    return Interval(min(request.window.start, day_start(day, zone)),
                    max(request.window.end, day_start(day + timedelta(days=1), zone)))


@dataclass(frozen=True)
class Search:
    """Free windows of a session type at a site (site or type None: no such record; then no windows)."""

    site: dom.Site | None
    session_type: dom.SessionType | None
    windows: list[FreeWindow]


def search(session: OrmSession, site_id: int, type_id: int, first: date, last: date, now: datetime,
           patient_id: int | None = None) -> Search:
    """What the domain's free_windows gives between two site-local dates, kept per day where still valid."""
    marks = _windows.marks_for_search(session, first, last)  # before anything they vouch for
    config = _config.config_at(session, marks.config)
    found_site, stype = config.site(session, site_id), config.types.get(type_id)
    if found_site is None or stype is None:
        return Search(found_site, stype, [])
    return Search(found_site, stype, _windows.cached_free_windows(session, found_site, stype, first, last, now,
                                                                   patient_id, marks))


@dataclass
class PlanningClinic:
    """The clinic over a planning horizon, and the free windows the planner may use instead of searching itself."""

    state: dom.ClinicState
    windows: Callable[[dom.SessionType, date, date, int], list[FreeWindow]] | None


def for_planning(session: OrmSession, site: dom.Site, first: date, days: int, patient_id: int, now: datetime,
                 without: Iterable[int] = ()) -> PlanningClinic:
    """The clinic from first for days (plus one) at a site, as if the sessions `without` were not there."""
    zone = site.calendar.zone
    span = Interval(day_start(first, zone), day_start(first + timedelta(days=days + 1), zone))
    state = _pieces.snapshot(session, site.id, span, {patient_id})
    leaving = set(without)
    if leaving:
        # Sessions being re-planned: the kept windows count them, so the planner searches itself.
        return PlanningClinic(state.without(leaving), None)

    def windows(stype: dom.SessionType, first_day: date, last_day: date, patient: int) -> list[FreeWindow]:
        return _windows.cached_free_windows(session, site, stype, first_day, last_day, now, patient)

    return PlanningClinic(state, windows)


def for_offers(session: OrmSession, site: dom.Site, first: date, last: date,
               patient_id: int | None = None) -> dom.ClinicState:
    """The clinic at a site over whole local days first to last (and the patient's sessions anywhere then), kept pieces.

    Like a search, this serves offers (proposals), never a booking decision: booking reads afresh under its lock.
    """
    zone = site.calendar.zone
    span = Interval(day_start(first, zone), day_start(last + timedelta(days=1), zone))
    return _pieces.snapshot(session, site.id, span, {patient_id} if patient_id is not None else frozenset())


def course(session: OrmSession, course_id: int, lock: bool = False) -> BookedCourse | None:
    """A booked course with its protocol version and every session it ever had (None when unknown)."""
    query = select(Course).where(Course.id == course_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        return None
    definition, version = session.execute(select(ProtocolVersion.definition, ProtocolVersion.version)
                                          .where(ProtocolVersion.id == row.protocol_id)).one()
    found = session.execute(select(Session.id, SessionType.key, Session.purpose, Session.dose_number, Session.status,
                                   Session.starts_at, Session.ends_at, Session.room_id)
                            .join(SessionType, SessionType.id == Session.session_type_id)
                            .where(Session.course_id == course_id).order_by(Session.starts_at, Session.id)).all()
    placed: dict[int, list[dom.Placement]] = {}
    for session_id, staff_id, role in session.execute(
            select(SessionStaff.session_id, SessionStaff.staff_id, SessionStaff.role)
            .join(Session, Session.id == SessionStaff.session_id).where(Session.course_id == course_id)):
        placed.setdefault(session_id, []).append(dom.Placement(staff_id, role))
    sessions = tuple(CourseSession(r.id, r.key, r.purpose or "", r.dose_number, r.status, r.starts_at, r.ends_at,
                                   r.room_id, tuple(placed.get(r.id, ()))) for r in found)
    return BookedCourse(row.id, row.patient_id, row.site_id, protocol_from_dict(definition, version), row.first_day,
                        row.status, dict(row.preferences or {}), sessions)


def booked_requests(session: OrmSession, condition) -> list[tuple[int, dom.SessionRequest]]:
    """The sessions a condition on the sessions table selects, in time order, each as the request that booked it.

    For re-checking sessions already booked when something under them changes; people, patient
    and type are read as the rules see them, the placements in one more query for them all.
    """
    found = session.execute(select(Session.id, Session.patient_id, Session.site_id, Session.session_type_id,
                                   Session.starts_at, Session.room_id)
                            .where(condition).order_by(Session.starts_at, Session.id)).all()
    placed: dict[int, list[dom.Placement]] = {}
    ids = [row.id for row in found]
    for chunk in range(0, len(ids), 900):
        for session_id, staff_id, role in session.execute(
                select(SessionStaff.session_id, SessionStaff.staff_id, SessionStaff.role)
                .where(SessionStaff.session_id.in_(ids[chunk:chunk + 900]))):
            placed.setdefault(session_id, []).append(dom.Placement(staff_id, role))
    return [(r.id, dom.SessionRequest(patient(session, r.patient_id), site(session, r.site_id),
                                      session_type(session, r.session_type_id), r.starts_at, r.room_id,
                                      tuple(placed.get(r.id, ()))))
            for r in found]


def change_mark(session: OrmSession, first: date, last: date) -> tuple:
    """Versions that rise with any change to the clinic's set-up or to a session or duty on these UTC dates.

    The database's triggers raise them (see planner/db/models/marks.py), so equal marks mean
    nothing a calendar shows of those dates has changed, whoever changed it. Every date's own
    version, not their maximum: on PostgreSQL two transactions may commit in the other order than
    they raised their marks, and the maximum would then not move when the second one commits.
    """
    marks = _feed.window_marks(session, first, last)
    _config.mark_seen(session, marks.config)  # a kept read later in the request needs no round trip for it
    return marks.config, frozenset(marks.days.items())


def forget_kept() -> None:
    """Drop every kept copy, piece and window in this process (benchmarks measure cold reads with it)."""
    _pieces.forget_all()
    _windows.forget_all()
    _feed.forget_all()


def site_as_changed(session: OrmSession, site_id: int) -> dom.Site | None:
    """A site's rules read from its rows in this transaction, its own uncommitted changes too; nothing kept."""
    return _config.site_rules(session, site_id)


def for_rechecking(session: OrmSession, requests: list[dom.SessionRequest]) -> list[dom.ClinicState]:
    """for_booking(own_changes=True) for each of many booked sessions after one change, in their order.

    The set-up is read once, and the sessions of one site's local day share one snapshot of that
    day holding all their people and patients: a snapshot holding more than one request needs
    answers the rules the same (they look only at what overlaps the request), in a round trip a day.
    """
    config = _config.read_config(session)
    days: dict[tuple[int, date], list[dom.SessionRequest]] = {}
    for request in requests:
        days.setdefault((request.site.id, request.site.calendar.local_day(request.start)), []).append(request)
    states = {}
    for key, group in days.items():
        span = Interval(min(r.window.start for r in group), max(r.window.end for r in group))
        patient_days = [_patient_day(r) for r in group]
        states[key] = _fresh.reference(session, group[0].site, span, {p.staff_id for r in group for p in r.placements},
                                       {r.patient.id for r in group},
                                       Interval(min(d.start for d in patient_days), max(d.end for d in patient_days)),
                                       config)
    return [states[(r.site.id, r.site.calendar.local_day(r.start))] for r in requests]
# The coverage view and the daily coverage check (issue 12, parts 4 and 6).
from planner.db.reads.coverage import (  # noqa: E402
    BookedCover, Lapsing, OpenAlert, SiteCover, lapsing_credentials, open_alerts, site_cover, teams_of,
)

__all__ += ["BookedCover", "Lapsing", "OpenAlert", "SiteCover", "lapsing_credentials", "open_alerts", "site_cover",
            "teams_of"]


def for_callout(session: OrmSession, site: dom.Site, span: Interval, patient_ids: Iterable[int]) -> dom.ClinicState:
    """The clinic at a site over span with everyone on shift there and these patients' sessions anywhere, read afresh.

    A call-out's repair is decided on it, in preview and again under the lock when applied.
    """
    return _fresh.reference(session, site, span, None, set(patient_ids), span)


__all__ += ["for_callout"]


def staff_member(session: OrmSession, staff_id: int) -> StaffMember | None:
    """A staff member's disciplines and credentials as a booking judges them (no shifts or leave), or None.

    Read from the clinic's configuration, so a revoked credential ends where it does for a booking.
    """
    config = _config.current_config(session)
    found = config.members.get(staff_id)
    if found is None:
        return None
    name, disciplines, active = found
    return StaffMember(staff_id, name, disciplines, config.credentials.get(staff_id, ()), active=active)


__all__ += ["staff_member"]
