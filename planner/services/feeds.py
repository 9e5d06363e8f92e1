"""Calendar feeds: a revocable token per clinician or patient, and the feed it opens.

A token is shown once and stored as its SHA-256, like API tokens. A feed holds the owner's
sessions from a month back to some thirteen months ahead, with the UID and SEQUENCE their
emailed invites carry, so a session that is in both never shows twice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db import reads
from planner.db.models import FeedToken, Patient, Session, Staff
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.errors import NotFound
from planner.domain.messages import PATIENT, STAFF
from planner.services import Actor
from planner.services.audit import record
from planner.services.feed_events import forget_all as forget_events, write_feed
from planner.services.notices import Telling, telling

PAST, AHEAD = timedelta(days=31), timedelta(days=400)
# Feeds built, by owner and what they depend on, newest last: a poll that finds nothing changed is
# answered from here (per process; a change anywhere in the clinic's marks makes a new key).
_built: OrderedDict[tuple, Feed] = OrderedDict()
_KEEP = 64
_lock = threading.Lock()
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


def calendar_feed(owner: FeedOwner, now: datetime, clinic_address: str, uid_domain: str) -> Feed:
    """The owner's sessions as a subscription calendar, with its ETag; rebuilt once per change and worker.

    A poll that finds the clinic's marks as they were is answered from the feed kept for them. After
    a change the feed is rebuilt from the owner's sessions, writing only the events that changed
    (feed_events.py); its ETag is a digest of what it shows, so a change elsewhere in the clinic
    leaves it as it was and a calendar app's conditional GET still gets a 304.
    """
    # reading(): the collector is paused while the rows and events are made (none hold cycles), so
    # its full passes over what the process keeps do not land in the middle of a poll.
    with reads.reading() as session:
        settings = telling(session)
        fingerprint = _fingerprint(session, now, settings)
        key = (owner, clinic_address, uid_domain, fingerprint)
        with _lock:
            kept = _built.get(key)
            if kept is not None:
                _built.move_to_end(key)
        if kept is not None:
            return kept
        first, end = _window(now)
        ids = {"staff_id": owner.id} if owner.kind == STAFF else {"patient_id": owner.id}
        sessions = reads.feed_sessions(session, first=first, end=end, statuses=_SHOWN, **ids)
        places = reads.calendar_places(session, sessions)
        staff = owner.kind == STAFF
        name = f"{settings.clinic_name}: my sessions" if staff else settings.clinic_name
        written = write_feed(sessions, places, staff=staff, settings=settings, name=name,
                             organizer=(settings.clinic_name, clinic_address), uid_domain=uid_domain)
    # Weak: workers agree on what the feed shows, not always on each DTSTAMP (a session's last change
    # can move without a mark, as when a patient confirms it, and a kept feed still has the earlier one).
    feed = Feed(written.body, f'W/"{written.digest}"')
    with _lock:
        _built[key] = feed
        while len(_built) > _KEEP:
            _built.popitem(last=False)
    return feed


def forget_kept_feeds() -> None:
    """Drop every feed, event and owner's sessions this process kept (benchmarks and tests start afresh with it)."""
    with _lock:
        _built.clear()
    forget_events()
    reads.forget_kept()


def _window(now: datetime) -> tuple[datetime, datetime]:
    # Whole UTC days, so the feed's content is a function of the dates and the data, and the
    # change marks of those dates vouch for it.
    first = datetime.combine((now - PAST).date(), time(0), tzinfo=timezone.utc)
    return first, datetime.combine((now + AHEAD).date(), time(0), tzinfo=timezone.utc)


def _fingerprint(session: OrmSession, now: datetime, settings: Telling) -> tuple:
    """What the feed's content depends on: its dates, the clinic's change marks over them, the message settings."""
    first, end = _window(now)
    return first, end, reads.change_mark(session, first.date(), end.date()), settings.clinic_name, \
        settings.staff_detailed


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
