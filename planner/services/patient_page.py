"""The patient's page behind a signed link: what it shows (a GET never changes anything).

The sender puts `/p/<token>` in every message to a patient, signed for the session's version at
send time and expiring at `link_expiry(start)`. The page shows the session and its preparation,
the patient's other upcoming sessions, and the site's phone; what the patient may do from it is
in planner/services/patient_actions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import LinkUse, PatientRequest, Session, SessionType, Site
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.calendar import local
from planner.domain.clinic import DOSING_KINDS
from planner.domain.links import BROKEN, read_link
from planner.domain.patient_page import OK, REPLAN_REQUEST, USED, link_verdict
from planner.domain.preparation import preparation_for
from planner.services.notices import telling

UPCOMING_SHOWN = 20  # a course is at most a dozen or so sessions; more would be a list to phone about


def link_expiry(starts_at: datetime) -> datetime:
    """When a link to a session starting at `starts_at` stops working: at the start itself.

    Everything a link does (confirm, cancel, ask for another time) only makes sense before the
    session; once it has begun, lateness and no-shows are for a phone call with reception. Ending
    there also keeps a forwarded or leaked link short-lived. A session that moves gets a new
    version, so its old links are outdated anyway and the new messages carry new links.
    """
    return starts_at


@dataclass(frozen=True)
class Visit:
    """One session as a patient sees it: when (in the site's own time zone) and where."""

    starts_at: datetime  # aware, in `zone`
    ends_at: datetime
    zone: str
    site_name: str
    site_phone: str | None


@dataclass(frozen=True)
class LinkedSession:
    """The session a link is about, as it now stands."""

    visit: Visit
    confirmed: bool
    cancelled: bool
    can_act: bool                   # the link is good and the session still takes an answer
    preparation: tuple[str, ...]    # before a dose: fasting, a driver, no alcohol (drug-free wording)


@dataclass(frozen=True)
class PatientPage:
    """What the page shows for a link: its verdict, whom to call, and the session when the link is good."""

    verdict: str                    # ok, used, outdated, expired, broken
    clinic_name: str
    site_name: str | None = None    # None only for a broken link: it names no session, so no site
    phone: str | None = None        # the site's phone; no clinic-wide number is stored
    session: LinkedSession | None = None   # when ok, or used (to say what was done to what)
    upcoming: tuple[Visit, ...] = ()
    done: str | None = None         # when used: confirm, cancel or another_time
    done_at: datetime | None = None  # when used, in the site's zone
    replan_pending: bool = False    # a cancelled course session reception must re-plan by hand


def patient_page(token: str, secret: str, now: datetime) -> PatientPage:
    """The page a link shows now; a broken link shows nothing of any session."""
    claim = read_link(token, secret, now)
    with unit_of_work(write=False) as session:
        clinic_name = telling(session).clinic_name
        if claim.verdict == BROKEN:
            return PatientPage(BROKEN, clinic_name)
        found = session.execute(select(Session, Site, SessionType).join(Site, Site.id == Session.site_id)
                                .join(SessionType, SessionType.id == Session.session_type_id)
                                .where(Session.id == claim.session_id)).first()
        use = session.scalar(select(LinkUse).where(LinkUse.session_id == claim.session_id,
                                                   LinkUse.version == claim.version))
        verdict = link_verdict(claim, found[0].version if found else None, use is not None)
        if verdict == BROKEN:
            return PatientPage(BROKEN, clinic_name)
        row, site, stype = found
        if verdict not in (OK, USED):
            return PatientPage(verdict, clinic_name, site.name, site.phone)
        movable = row.status in lifecycle.MOVABLE
        cancelled = row.status == lifecycle.CANCELLED
        linked = LinkedSession(visit(row, site), row.confirmed_at is not None, cancelled,
                               verdict == OK and movable,
                               preparation_for(stype.route) if stype.kind in DOSING_KINDS and not cancelled else ())
        return PatientPage(verdict, clinic_name, site.name, site.phone, linked, upcoming(session, row, now),
                           use.action if use else None, local(use.at, site.timezone) if use else None,
                           _replan_pending(session, row.id))


def visit(row: Session, site: Site) -> Visit:
    """A session's time and place in its site's wall time."""
    return Visit(local(row.starts_at, site.timezone), local(row.ends_at, site.timezone), site.timezone, site.name,
                 site.phone)


def upcoming(session: OrmSession, row: Session, now: datetime) -> tuple[Visit, ...]:
    """The patient's other sessions still to come, soonest first (date, time and place only)."""
    rows = session.execute(select(Session, Site).join(Site, Site.id == Session.site_id)
                           .where(Session.patient_id == row.patient_id, Session.id != row.id,
                                  Session.starts_at > now, Session.status.in_(lifecycle.MOVABLE))
                           .order_by(Session.starts_at).limit(UPCOMING_SHOWN)).all()
    return tuple(visit(other, site) for other, site in rows)


def _replan_pending(session: OrmSession, session_id: int) -> bool:
    return bool(session.scalar(select(exists().where(PatientRequest.session_id == session_id,
                                                     PatientRequest.kind == REPLAN_REQUEST,
                                                     PatientRequest.state == "open"))))
