"""The outbox as staff read it: the list of messages, and one message as its recipient sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from planner.db.models import OutboxEvent, OutboxMessage, Session
from planner.db.uow import unit_of_work
from planner.domain.calendar import local
from planner.domain.errors import NotFound
from planner.domain.messages import SessionFacts
from planner.services.outbox_contacts import READDRESSED
from planner.services.rendering import Postmark, Rendered, render

PAGE = 50


@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox, newest first, with the count per state."""

    messages: list[OutboxMessage]
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class MessageView:
    """One message: its row, its history, and what it says (rendered as it was or will be sent)."""

    message: OutboxMessage
    events: list[OutboxEvent]
    rendered: Rendered | None
    problem: str | None


def outbox_page(state: str | None, channel: str | None, page: int) -> OutboxPage:
    """Messages filtered by state and channel, PAGE at a time, newest first."""
    with unit_of_work(write=False) as session:
        query = select(OutboxMessage)
        if state:
            query = query.where(OutboxMessage.state == state)
        if channel:
            query = query.where(OutboxMessage.channel == channel)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(OutboxMessage.id.desc()).limit(PAGE).offset(PAGE * page)).all()
        counts = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        _detach(session, rows)
        return OutboxPage(list(rows), counts, total)


def message_view(message_id: int, postmark: Postmark, now: datetime) -> MessageView:
    """A message with its history and its words; the link in it is made for the session's current version."""
    with unit_of_work(write=False) as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound("message", message_id)
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.message_id == message_id)
                                 .order_by(OutboxEvent.id)).all()
        version = session.scalar(select(Session.version).where(Session.id == row.session_id))
        _detach(session, [row, *events])
    try:
        rendered = render(postmark, recipient_kind=row.recipient_kind, name=row.recipient_name, channel=row.channel,
                          address=row.address, kind=row.kind, facts=SessionFacts.from_json(row.facts),
                          message_key=row.dedupe_key, version=version, now=row.sent_at or now)
        problem = None
    except ValueError as error:  # a message the renderer refuses is shown with the reason, not a 500
        rendered, problem = None, str(error)
    return MessageView(row, list(events), rendered, problem)


def _detach(session, rows) -> None:
    # Only these rows: they outlive the transaction as they were read. Other objects of the
    # request's session (the signed-in user) stay attached.
    for row in rows:
        session.expunge(row)


@dataclass(frozen=True)
class SentToPatient:
    """One message to a patient as their page lists it."""

    id: int
    kind: str
    channel: str
    address: str          # where it went, or where it will go (a re-addressed message: the new address)
    state: str
    due_at: datetime
    sent_at: datetime | None
    session_start: datetime | None  # as queued, in the site's wall time (its zone named by tzname())
    reason: str = ""      # why it was superseded, dropped or failed
    readdressed: bool = False  # moved to a new address after it was queued (outbox_contacts.py)


def messages_to_patient(session, patient_id: int, limit: int = 50) -> list[SentToPatient]:
    """The latest messages to a patient (any state), newest first, read in the caller's transaction."""
    moved = (select(OutboxEvent.id).where(OutboxEvent.message_id == OutboxMessage.id,
                                          OutboxEvent.detail.like(f"{READDRESSED}%")).exists())
    query = (select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.address,
                    OutboxMessage.state, OutboxMessage.due_at, OutboxMessage.sent_at, OutboxMessage.facts,
                    OutboxMessage.reason, moved.label("readdressed"))
             .where(OutboxMessage.recipient_kind == "patient", OutboxMessage.recipient_id == patient_id)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    found = []
    for row in session.connection().execute(query):
        facts = row.facts or {}
        start = None
        if facts.get("start") and facts.get("timezone"):
            start = local(datetime.fromisoformat(facts["start"]), facts["timezone"])
        found.append(SentToPatient(row.id, row.kind, row.channel, row.address, row.state, row.due_at, row.sent_at,
                                   start, row.reason or "", bool(row.readdressed)))
    return found
