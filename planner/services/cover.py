"""Keeping booked sessions covered when the people behind them change: time off, shifts, credentials.

A change is made inside the caller's transaction; the sessions it could touch are checked
against the clinic as the change leaves it, and the change is refused (CoverBroken, naming
every session it would break) unless each of them still has valid cover.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import Session, SessionStaff, Shift, Site
from planner.db.uow import lock_for_booking
from planner.domain.booking import cover_reasons
from planner.domain.calendar import local
from planner.domain.clinic import SessionRequest
from planner.domain.errors import CoverBroken, SessionBroken
from planner.domain.intervals import Interval
from planner.domain.lifecycle import FINAL
from planner.domain.presence import PRESENCE_CODES

_COVER = {"staff_on_leave", "staff_off_shift", "credential_not_valid", "staff_at_another_site", "staff_over_capacity",
          "staff_unknown", "staff_wrong_discipline", *PRESENCE_CODES}


def lock_for_staff_change(session: OrmSession, staff_id: int) -> None:
    """Serialise a change to one person's set-up with every booking decision that may rely on them.

    A dose relies on whoever holds ACLS or BLS on site, on its team or not (domain/presence.py), and
    a booking locks its site and its team only; so a change to a person takes every site's lock as
    well as theirs, sites first as lock_for_booking orders them, so neither side waits in a cycle.
    A clinic has a handful of sites, and set-up changes are rare beside bookings.
    """
    lock_for_booking(session, site_ids=session.scalars(select(Site.id)).all(), staff_ids={staff_id})


def change_keeping_cover(session: OrmSession, staff_id: int, span: Interval, now: datetime,
                         change: Callable[[], object]) -> object:
    """Make a change to one person's set-up, refusing it if a session they are booked in within span loses cover."""
    # The sessions and what they are, read before the change: what is kept between requests
    # must never see a change that may still be rolled back.
    booked = _booked(session, staff_id, span, now)
    result = change()
    session.flush()
    broken = []
    states = reads.for_rechecking(session, [request for _, request in booked])  # read after the change
    for (session_id, request), state in zip(booked, states):
        reasons = [r for r in cover_reasons(request, state, staff_id, session_id) if r.code in _COVER]
        if reasons:
            zone = request.site.calendar.zone
            when = f"{local(request.window.start, zone):%a %d %b %Y %H:%M}"
            broken.append(SessionBroken("cover_broken", f"Session {session_id} ({request.session_type.name}, {when} "
                                        f"at {request.site.name}): {' '.join(r.message for r in reasons)}",
                                        "sessions", session_id))
    if broken:
        raise CoverBroken(broken)
    return result


def _booked(session: OrmSession, staff_id: int, span: Interval, now: datetime) -> list[tuple[int, SessionRequest]]:
    """The sessions still to come (or under way) that the person's change may touch within span.

    Those in which they have a role, and every dosing session at a site while they are on shift
    there: they may be the ACLS or second BLS holder on site it relies on (domain.md).
    """
    theirs = (select(SessionStaff.session_id)
              .where(SessionStaff.staff_id == staff_id, SessionStaff.starts_at < span.end,
                     SessionStaff.ends_at > span.start))
    dosing = sorted(t.id for t in reads.session_types(session).values() if t.is_dosing)
    on_site = exists().where(Shift.staff_id == staff_id, Shift.site_id == Session.site_id, Shift.withdrawn_at.is_(None),
                             Shift.starts_at < Session.ends_at, Shift.ends_at > Session.starts_at)
    near = and_(Session.session_type_id.in_(dosing), Session.starts_at < span.end, Session.ends_at > span.start,
                on_site)
    return reads.booked_requests(session, and_(or_(Session.id.in_(theirs), near), Session.ends_at > now,
                                               Session.status.not_in(FINAL)))
