"""The coverage view: a site's day of dosing load against the people who can carry it, and credentials lapsing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.db import reads
from planner.domain import clinic as dom
from planner.domain.calendar import day_start, local
from planner.domain.coverage import (
    Quarter, Stretch, coverage_curve, needs_credential, stretches, uncovered_reasons,
)
from planner.domain.errors import NotFound
from planner.domain.intervals import Interval
from planner.domain.lifecycle import RELEASED
from planner.domain.planning.horizon import LONGEST_HORIZON

LAPSING_DAYS = 60  # domain.md, "Credential expiry warnings": the first warning comes 60 days ahead


@dataclass(frozen=True)
class DosingSession:
    """A dosing session of the day, as the table under the chart lists it."""

    id: int
    type_name: str
    window: Interval
    status: str
    lost_cover: tuple[str, ...] = ()  # why its own team no longer covers it (leave, off shift, ...), if so
    route: str | None = None  # its drug route, whose own ratio may apply (the site's staffing policy)


@dataclass(frozen=True)
class DependentSession:
    """A booked session that needs a lapsing credential: its holder fills a role in it that asks for it."""

    id: int
    start: datetime
    role: str
    after_expiry: bool  # on a local day after the credential lapses: it loses cover unless renewed


@dataclass(frozen=True)
class CredentialAtRisk:
    """A credential lapsing within 60 days, and the site's sessions that depend on it."""

    credential: reads.Lapsing
    days_left: int
    sessions: list[DependentSession]


@dataclass(frozen=True)
class CoverageDay:
    """What the coverage page shows for a site's local day."""

    site: dom.Site
    day: date
    quarters: list[Quarter]
    marked: list[Stretch]
    dosing: list[DosingSession]
    credentials: list[CredentialAtRisk]


@dataclass
class SiteDay:
    """One local day of a site as the rules see it: the site, the day, its real span and the snapshot over it."""

    site: dom.Site
    day: date
    span: Interval
    cover: object  # reads.site_cover's snapshot: the sessions (given ones too) and the clinic around them


def site_day(session, site_id: int, day: date | None, now: datetime) -> SiteDay:
    """Inside a read: a site's local day (today there when day is None), NotFound for no such site."""
    site = reads.site(session, site_id)
    if site is None:
        raise NotFound("site", site_id)
    zone = site.calendar.zone
    day = local(now, zone).date() if day is None else day
    span = Interval(day_start(day, zone), day_start(day + timedelta(days=1), zone))
    cover = reads.site_cover(session, site_id, span, include_given=True)
    assert cover is not None  # the site was just found in the same transaction
    return SiteDay(site, day, span, cover)


def coverage_day(site_id: int, day: date | None, now: datetime) -> CoverageDay:
    """A site's coverage over one of its local days, today there when day is None (NotFound for no such site)."""
    with reads.reading() as session:
        found = site_day(session, site_id, day, now)
        site, day, cover, zone = found.site, found.day, found.cover, found.site.calendar.zone
        # Load counts every dose that holds its place: given ones too, on a day already past.
        dosing = [DosingSession(b.id, b.request.session_type.name, b.window, b.status,
                                tuple(dict.fromkeys(r.message for r in uncovered_reasons(b.request, cover.state, b.id))),
                                b.request.session_type.route)
                  for b in cover.sessions if b.request.session_type.is_dosing and b.status not in RELEASED]
        quarters = coverage_curve(site, day, [d.window for d in dosing], cover.state.roster.staff.values(),
                                  [d.route for d in dosing])
        today = local(now, zone).date()
        lapsing = reads.lapsing_credentials(session, today, today + timedelta(days=LAPSING_DAYS))
        teams = reads.teams_of(session, site_id, {c.staff_id for c in lapsing}, now,
                               now + timedelta(days=LONGEST_HORIZON))
        types = {t.id: t for t in reads.session_types(session).values()}
        at_risk = []
        for credential in lapsing:
            sessions = [DependentSession(session_id, start, role, local(start, zone).date() > credential.expires_on)
                        for session_id, staff_id, role, start, type_id in teams
                        if staff_id == credential.staff_id and type_id in types
                        and needs_credential(types[type_id], role, credential.kind)]
            # Someone else's credential matters here only when they work here: a session, or this day's roster.
            if sessions or credential.staff_id in cover.state.roster.staff:
                at_risk.append(CredentialAtRisk(credential, (credential.expires_on - today).days, sessions))
        return CoverageDay(site, day, quarters, stretches(quarters), dosing, at_risk)
