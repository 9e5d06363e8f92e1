"""Calendar feeds: a revocable token per clinician or patient, and the feed it opens.

A token is shown once and stored as its SHA-256, like API tokens. A feed holds the owner's
sessions from a month back to some thirteen months ahead, with the UID and SEQUENCE their
emailed invites carry, so a session that is in both never shows twice.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from planner.adapters import ical
from planner.db import reads
from planner.db.models import FeedToken, Patient, Room, Session, SessionStaff, SessionType, Site, Staff
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.errors import NotFound
from planner.domain.messages import PATIENT, STAFF
from planner.domain.wording import calendar_description, calendar_title
from planner.services import Actor
from planner.services.audit import record
from planner.services.notices import session_facts, telling
from planner.services.rendering import location

PAST, AHEAD = timedelta(days=31), timedelta(days=400)
# Feeds built, by owner and what they depend on, newest last: a poll that finds nothing changed is
# answered from here (per process; a change anywhere in the clinic's marks makes a new key).
_built: OrderedDict[tuple, Feed] = OrderedDict()
_KEEP = 64
# Calendar apps poll every 15 minutes or so; writing each poll's time would be a write per poll.
_USE_NOTED_EVERY = timedelta(hours=1)
_SHOWN = (lifecycle.BOOKED, lifecycle.ARRIVED, lifecycle.IN_PROGRESS, lifecycle.HELD, lifecycle.FULFILLED)


@dataclass(frozen=True)
class FeedOwner:
    """Whose sessions a feed shows: a staff member or a patient."""

    kind: str  # STAFF or PATIENT
    id: int


@dataclass(frozen=True)
class Feed:
    """A feed's body and its ETag, which calendar apps send back when they poll.

    No Last-Modified: a session leaving a feed (cancelled, or this person taken off it) leaves no
    newer row behind in it, so a date could claim "not modified" for a feed that changed.
    """

    body: bytes
    etag: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(owner: FeedOwner, actor: Actor, now: datetime) -> str:
    """A new feed token for the owner (their earlier one stops working); shown once, stored hashed."""
    with unit_of_work() as session:
        _ensure_owner(session, owner)
        _revoke(session, owner, now)
        token = secrets.token_urlsafe(32)
        column = "staff_id" if owner.kind == STAFF else "patient_id"
        session.add(FeedToken(**{column: owner.id}, token_hash=_hash(token), created_at=now))
        record(session, actor, "feed.issued", owner.kind, owner.id, now)
        session.commit()
        return token


def revoke_feed_tokens(owner: FeedOwner, actor: Actor, now: datetime) -> int:
    """Stop every feed URL of the owner; returns how many were live."""
    with unit_of_work() as session:
        _ensure_owner(session, owner)
        count = _revoke(session, owner, now)
        record(session, actor, "feed.revoked", owner.kind, owner.id, now, tokens=count)
        session.commit()
        return count


def active_feed(owner: FeedOwner) -> datetime | None:
    """When the owner's live feed URL was made, or None when they have none."""
    with unit_of_work(write=False) as session:
        return session.scalar(select(FeedToken.created_at).where(_owned(owner), FeedToken.revoked_at.is_(None)))


def feed_owner(token: str, now: datetime) -> FeedOwner | None:
    """The owner a live token opens the feed of, or None (unknown, revoked or malformed)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    wanted = _hash(token)
    with unit_of_work(write=False) as session:
        row = session.execute(select(FeedToken).where(FeedToken.token_hash == wanted)).scalar_one_or_none()
        # The lookup is by hash already; compare again in constant time so no timing says how close a guess was.
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        owner = FeedOwner(STAFF, row.staff_id) if row.staff_id else FeedOwner(PATIENT, row.patient_id)
        noted = row.last_used_at
        token_id = row.id
    if noted is None or now - noted > _USE_NOTED_EVERY:
        with unit_of_work() as session:
            session.execute(update(FeedToken).where(FeedToken.id == token_id).values(last_used_at=now))
            session.commit()
    return owner


def feed_etag(owner: FeedOwner, now: datetime) -> str:
    """The ETag the owner's feed has now, without building it: a poll that changes nothing costs this."""
    with unit_of_work(write=False) as session:
        return _etag(owner, _fingerprint(session, now))


def calendar_feed(owner: FeedOwner, now: datetime, clinic_address: str, uid_domain: str) -> Feed:
    """The owner's sessions as a subscription calendar, with its ETag; built once per change and worker."""
    with unit_of_work(write=False) as session:
        fingerprint = _fingerprint(session, now)
        key = (owner, clinic_address, uid_domain, fingerprint)
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
        feed = _build(session, owner, now, clinic_address, uid_domain, fingerprint)
    _built[key] = feed
    while len(_built) > _KEEP:
        _built.popitem(last=False)
    return feed


def _window(now: datetime) -> tuple[datetime, datetime]:
    # Whole UTC days, so the feed's content is a function of the dates and the data, and the
    # change marks of those dates vouch for it.
    first = datetime.combine((now - PAST).date(), time(0), tzinfo=timezone.utc)
    return first, datetime.combine((now + AHEAD).date(), time(0), tzinfo=timezone.utc)


def _fingerprint(session: OrmSession, now: datetime) -> tuple:
    """What the feed's content depends on: its dates, the clinic's change marks over them, the message settings."""
    first, end = _window(now)
    settings = telling(session)
    return (first, end, reads.change_mark(session, first.date(), end.date()), settings.clinic_name,
            settings.staff_detailed)


def _etag(owner: FeedOwner, fingerprint: tuple) -> str:
    # Weak: two workers building the same feed agree on everything but each event's DTSTAMP.
    digest = hashlib.sha256(repr((owner, fingerprint)).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _build(session: OrmSession, owner: FeedOwner, now: datetime, clinic_address: str, uid_domain: str,
           fingerprint: tuple) -> Feed:
    settings = telling(session)
    organizer = (settings.clinic_name, clinic_address)
    first, end = _window(now)
    sites = {site.id: site for site in session.scalars(select(Site))}
    # Columns, not Session objects: a year's feed is 1,500 rows, and mapping each to an ORM
    # object cost more than building its event (bench/bench_feed.py).
    query = (select(Session.id, Session.sequence, Session.starts_at, Session.ends_at, Session.status,
                    Session.site_id, Session.updated_at, Room.name.label("room_name"),
                    SessionType.name.label("type_name")).outerjoin(Room, Room.id == Session.room_id)
             .join(SessionType, SessionType.id == Session.session_type_id)
             .where(Session.status.in_(_SHOWN), Session.starts_at >= first, Session.starts_at < end)
             .order_by(Session.starts_at))
    if owner.kind == STAFF:
        query = query.where(Session.id.in_(select(SessionStaff.session_id).where(SessionStaff.staff_id == owner.id)))
    else:
        query = query.where(Session.patient_id == owner.id)
    events, latest = [], None
    staff = owner.kind == STAFF
    for row in session.execute(query):
        facts = session_facts(row, sites[row.site_id], settings, (row.room_name, row.type_name) if staff else None)
        events.append(ical.FeedEvent(facts, calendar_title(facts, staff), calendar_description(facts, staff),
                                     location(facts, staff)))
        latest = row.updated_at if latest is None or row.updated_at > latest else latest
    name = f"{settings.clinic_name}: my sessions" if owner.kind == STAFF else settings.clinic_name
    # DTSTAMP is the latest change, not now: the same sessions give the same bytes.
    body = ical.feed(events, name=name, organizer=organizer, stamp=latest or first, uid_domain=uid_domain)
    return Feed(body, _etag(owner, fingerprint))


def _owned(owner: FeedOwner):
    return (FeedToken.staff_id if owner.kind == STAFF else FeedToken.patient_id) == owner.id


def _revoke(session: OrmSession, owner: FeedOwner, now: datetime) -> int:
    return session.execute(update(FeedToken).where(_owned(owner), FeedToken.revoked_at.is_(None))
                           .values(revoked_at=now)).rowcount


def _ensure_owner(session: OrmSession, owner: FeedOwner) -> None:
    model = Staff if owner.kind == STAFF else Patient
    if owner.kind not in (STAFF, PATIENT) or session.get(model, owner.id) is None:
        raise NotFound(owner.kind, owner.id)


def expire_idle_patient_feeds(now: datetime) -> int:
    """Revoke the feed URLs of patients with nothing booked ahead and nothing in the last 60 days."""
    quiet_since = now - timedelta(days=60)
    with unit_of_work() as session:
        busy = select(Session.patient_id).where(Session.starts_at >= quiet_since,
                                                Session.status.not_in(lifecycle.RELEASED))
        count = session.execute(update(FeedToken).where(FeedToken.patient_id.is_not(None),
                                                        FeedToken.revoked_at.is_(None),
                                                        FeedToken.patient_id.not_in(busy))
                                .values(revoked_at=now)).rowcount
        session.commit()
        return count
