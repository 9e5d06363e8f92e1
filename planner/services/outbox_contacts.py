"""A person's messages still waiting follow their contact details, in the transaction that changed them.

A message is a row written with the address of its moment (notices.py). When a person's email or
phone changes, the rows still pending go to the new address; "sending" rows are left alone (a
sender holds them and may already have handed them over). On a channel the person may no longer
be reached by, pending rows are superseded with the reason; when the channel opens again, the rows
superseded so and still about the session as it stands come back (their unique keys would stop
queue_notices from writing them anew).

What already left stays where it went. An invite's key holds its SEQUENCE, so the new address gets
no copy of an invite the old one was sent; the next change to the session (a higher SEQUENCE)
reaches the new address, and so do the reminders still ahead.

Works by (recipient kind, recipient id), so a staff member's email change can use it too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import OutboxEvent, OutboxMessage, Session
from planner.domain import lifecycle
from planner.domain.messages import EMAIL, PATIENT, REMINDER, masked

WITHDRAWN = "withdrawn"  # the person no longer consents to the channel
REMOVED = "removed"      # the person has no address for the channel any more
READDRESSED = "re-addressed"  # how a re-addressing event's detail begins (the patient page looks for it)


@dataclass(frozen=True)
class Reach:
    """How one person may be reached by one channel now: at an address, or not (and why not)."""

    address: str | None
    why_not: str = REMOVED
    reopen: bool = True  # False while something else keeps the channel shut (an SMS opt-out)


@dataclass(frozen=True)
class Followed:
    """What following a change did to the person's messages."""

    readdressed: int = 0
    superseded: int = 0
    reopened: int = 0


def follow_contacts(session: OrmSession, recipient_kind: str, recipient_id: int, reach: Mapping[str, Reach],
                    now: datetime) -> Followed:
    """Re-address, supersede or bring back the person's messages on each channel in `reach` (no commit)."""
    events: list[dict] = []
    counts = {"readdressed": 0, "superseded": 0, "reopened": 0}
    pending = session.execute(select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.address).where(
        OutboxMessage.recipient_kind == recipient_kind, OutboxMessage.recipient_id == recipient_id,
        OutboxMessage.channel.in_(list(reach)), OutboxMessage.state == "pending")
        # Locked on PostgreSQL, so a sender's claim (SKIP LOCKED) passes them by until this commits;
        # SQLite has one writer at a time already.
        .with_for_update()).all()
    by_channel: dict[str, list] = defaultdict(list)
    for row in pending:
        by_channel[row.channel].append(row)
    for channel, where in reach.items():
        rows = by_channel.get(channel, [])
        if where.address is None:
            why = shut_reason(recipient_kind, channel, where.why_not)
            counts["superseded"] += _set(session, [r.id for r in rows], {"state": "superseded", "reason": why})
            events += [_event(r.id, now, "superseded", why) for r in rows]
            continue
        moved = [r for r in rows if r.address != where.address]
        counts["readdressed"] += _set(session, [r.id for r in moved], {"address": where.address})
        # The old address is shown masked: the log says the message moved, not where the person no longer is.
        events += [_event(r.id, now, "pending", f"{READDRESSED}: the {_who(recipient_kind)}'s {_address_word(channel)} "
                          f"changed (was {masked(channel, r.address)})") for r in moved]
        if where.reopen:
            reopened = _reopen(session, recipient_kind, recipient_id, channel, where.address, now)
            counts["reopened"] += len(reopened)
            events += [_event(i, now, "pending", f"queued again: the {_who(recipient_kind)} may be reached by "
                              f"{_channel_word(channel)} again") for i in reopened]
    if events:
        session.execute(insert(OutboxEvent.__table__), events)
    return Followed(**counts)


def shut_reason(recipient_kind: str, channel: str, why_not: str) -> str:
    """The plain reason a message is superseded when its channel shuts: "the patient no longer consents to SMS"."""
    if why_not == WITHDRAWN:
        return f"the {_who(recipient_kind)} no longer consents to {_channel_word(channel)}"
    return f"the {_who(recipient_kind)}'s {_address_word(channel)} was removed"


def _reopen(session: OrmSession, recipient_kind: str, recipient_id: int, channel: str, address: str,
            now: datetime) -> list[int]:
    """Bring back the messages a shut channel superseded that still fit their session; their ids."""
    reasons = [shut_reason(recipient_kind, channel, why) for why in (WITHDRAWN, REMOVED)]
    # Still about the session as it stands (booked, ahead, same SEQUENCE); a reminder whose moment
    # passed meanwhile stays superseded, as a booking made that late would not queue it either.
    ids = session.scalars(select(OutboxMessage.id).join(Session, Session.id == OutboxMessage.session_id).where(
        OutboxMessage.recipient_kind == recipient_kind, OutboxMessage.recipient_id == recipient_id,
        OutboxMessage.channel == channel, OutboxMessage.state == "superseded", OutboxMessage.reason.in_(reasons),
        Session.status == lifecycle.BOOKED, Session.starts_at > now, OutboxMessage.sequence == Session.sequence,
        or_(OutboxMessage.kind.not_like(f"{REMINDER}%"), OutboxMessage.due_at > now))).all()
    _set(session, list(ids), {"state": "pending", "reason": "", "address": address}, state="superseded")
    return list(ids)


def _set(session: OrmSession, ids: list[int], values: dict, state: str = "pending") -> int:
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state == state)
                        .values(**values))
    return len(ids)


def _event(message_id: int, at: datetime, state: str, detail: str) -> dict:
    return {"message_id": message_id, "at": at, "state": state, "detail": detail[:300]}


def _who(recipient_kind: str) -> str:
    return "patient" if recipient_kind == PATIENT else "staff member"


def _channel_word(channel: str) -> str:
    return "email" if channel == EMAIL else "SMS"


def _address_word(channel: str) -> str:
    return "email address" if channel == EMAIL else "phone number"
