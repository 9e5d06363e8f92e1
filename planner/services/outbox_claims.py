"""The outbox's own transactions: claim due messages, drop those whose moment passed, mark results.

A sender claims rows in one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
senders never take the same row; BEGIN IMMEDIATE on SQLite, one writer at a time), sends outside
it, and marks each message in its own short transaction as soon as the server accepted it, so a
crash leaves at most the message in flight in doubt. A claim carries a lease: when a sender dies,
its claims become due again once the lease runs out.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, insert, literal, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import OutboxEvent, OutboxMessage, Patient, Session, Site
from planner.db.uow import kept_connection, unit_of_work, write_on
from planner.domain import lifecycle
from planner.domain.errors import NotFound, Reason, StatusRefused
from planner.domain.messages import CANCEL, PATIENT, SMS, SessionFacts
from planner.domain.reminders import MIN_LEAD, QuietHours, out_of_quiet_hours, sms_limit_reason
from planner.services import Actor
from planner.services.audit import record
from planner.services.notices import telling

MAX_ATTEMPTS = 6
# After the nth failure the next try waits this long: a mail server's bad minute is ridden out,
# a bad hour ends in a visible failed state the admin can retry.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3))
_SMS_LOCK = 4  # advisory-lock namespace: SMS caps are counted by one claimer at a time
OPTED_OUT_AT_CLAIM = "the patient opted out of SMS (STOP)"  # START looks for this reason to put texts back


@dataclass(frozen=True)
class Claimed:
    """A message a sender holds, with the session as it stands now (for the link in it)."""

    id: int
    dedupe_key: str
    recipient_kind: str
    recipient_id: int
    recipient_name: str
    channel: str
    address: str
    kind: str
    facts: SessionFacts
    attempts: int
    session_version: int | None
    patient_id: int | None


@dataclass(frozen=True)
class Claim:
    """What one claim took: messages to send now, and how many it settled without sending (dropped, deferred)."""

    messages: list[Claimed]
    settled: int

    def __bool__(self) -> bool:
        return bool(self.messages) or self.settled > 0


# Columns, not ORM objects: a claim of 100 spent more on mapping rows than on the database.
_CLAIMED_COLUMNS = (OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.session_id, OutboxMessage.recipient_kind,
                    OutboxMessage.recipient_id, OutboxMessage.recipient_name, OutboxMessage.channel,
                    OutboxMessage.address, OutboxMessage.kind, OutboxMessage.sequence, OutboxMessage.facts,
                    OutboxMessage.state, OutboxMessage.attempts)
_LIVE_COLUMNS = (Session.id, Session.status, Session.starts_at, Session.ends_at, Session.sequence, Session.version)


def claim_due(now: datetime, worker: str, limit: int = 100, lease: timedelta = timedelta(minutes=5)) -> Claim:
    """Take up to `limit` due messages (and any whose sender's lease ran out) for this worker."""
    with unit_of_work() as session:
        # Two queries rather than one with OR: each walks the (state, due_at) index in order and
        # stops at `limit`, where an OR made PostgreSQL read and sort every due row for each claim.
        # A dead sender's claims go first: they were due before anything pending now.
        rows = _due(session, (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now), limit)
        if len(rows) < limit:
            rows += _due(session, (OutboxMessage.state == "pending") & (OutboxMessage.due_at <= now), limit - len(rows))
        if not rows:
            return Claim([], 0)
        sessions = {s.id: s for s in session.execute(
            select(*_LIVE_COLUMNS).where(Session.id.in_({r.session_id for r in rows if r.session_id})))}
        settings = telling(session)
        claimed, taken, events = [], [], []
        texts = [r for r in rows if r.channel == SMS]
        sms_sent = _sms_history(session, texts, now)
        texted = _texted_patients(session, texts)
        for row in rows:
            verdict = _verdict(row, sessions.get(row.session_id), now, settings.quiet, sms_sent, texted)
            if verdict is None:
                taken.append(row.id)
                events.append(_event(row.id, now, "sending", (f"retaken by {worker}: the last sender's lease ran out; "
                                                              "it may have been delivered" if row.state == "sending"
                                                              else f"claimed by {worker}")))
                live = sessions.get(row.session_id)
                claimed.append(Claimed(row.id, row.dedupe_key, row.recipient_kind, row.recipient_id, row.recipient_name,
                                       row.channel, row.address, row.kind, SessionFacts.from_json(row.facts),
                                       row.attempts + 1, live.version if live else None,
                                       row.recipient_id if row.recipient_kind == PATIENT else None))
                if row.channel == SMS:
                    sms_sent.setdefault(row.recipient_id, []).append(now)
            else:
                state, detail, later = verdict
                values = {"state": state, "reason": detail[:300], "lease_until": None, "claimed_by": None}
                if later is not None:
                    values["due_at"] = later
                session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
                events.append(_event(row.id, now, state, detail))
        if taken:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(taken)).values(
                state="sending", lease_until=now + lease, claimed_by=worker, attempts=OutboxMessage.attempts + 1))
        session.connection().execute(_EVENTS.insert(), events)  # Core: the ORM's bulk path cost more than the rows
        session.commit()
        return Claim(claimed, len(rows) - len(claimed))


def _due(session: OrmSession, condition, limit: int) -> list:
    query = select(*_CLAIMED_COLUMNS).where(condition).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query))


def _texted_patients(session: OrmSession, texts: list) -> dict[int, tuple]:
    """For each patient a batch texts: (opted out at, home site's zone), in one query."""
    wanted = {r.recipient_id for r in texts}
    if not wanted:
        return {}
    found = session.execute(select(Patient.id, Patient.sms_opted_out_at, Site.timezone)
                            .outerjoin(Site, Site.id == Patient.home_site_id).where(Patient.id.in_(wanted)))
    return {patient_id: (opted_out, zone) for patient_id, opted_out, zone in found}


def _verdict(row, live, now: datetime, quiet: QuietHours, sms_sent: dict,
             texted: dict[int, tuple]) -> tuple[str, str, datetime | None] | None:
    """None to send now; else (state, why, new due time) for a message that must not go now.

    row has the message's _CLAIMED_COLUMNS; live the session's _LIVE_COLUMNS as it stands now, if any.
    """
    if live is not None:
        if row.kind != CANCEL and live.status == lifecycle.CANCELLED:
            return "dropped", "the session was cancelled", None
        if row.kind != CANCEL and live.starts_at <= now:
            return "dropped", "its moment passed: the session had already started", None
        if row.kind == CANCEL and live.ends_at <= now:
            return "dropped", "its moment passed: the session is over", None
        if row.kind != CANCEL and row.sequence < live.sequence:
            return "superseded", "the session changed after it was queued", None
    if row.channel != SMS:
        return None
    opted_out, home_zone = texted.get(row.recipient_id, (True, None))  # a patient no longer on file: send nothing
    if opted_out is not None:
        return "dropped", OPTED_OUT_AT_CLAIM, None
    facts = SessionFacts.from_json(row.facts)
    zone = home_zone or facts.timezone
    allowed = out_of_quiet_hours(now, zone, quiet, facts.start - MIN_LEAD)
    if allowed is None or allowed < now:
        return "dropped", "quiet hours last until the session", None
    if allowed > now:
        return "pending", "quiet hours: deferred to their end", allowed
    limit = sms_limit_reason(sms_sent.get(row.recipient_id, []), now)
    if limit is not None:
        return "dropped", limit.message, None
    return None


def _sms_history(session: OrmSession, rows: list, now: datetime) -> dict[int, list[datetime]]:
    """When each patient in these rows was last texted this week (in-flight texts count as now)."""
    patients = {r.recipient_id for r in rows if r.recipient_kind == PATIENT}
    if not patients:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        # Two claimers counting the same patient's texts at once could both see room for one more.
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": _SMS_LOCK})
    history: dict[int, list[datetime]] = {}
    for patient_id, state, sent_at in session.execute(
            select(OutboxMessage.recipient_id, OutboxMessage.state, OutboxMessage.sent_at)
            .where(OutboxMessage.recipient_kind == PATIENT, OutboxMessage.channel == SMS,
                   OutboxMessage.recipient_id.in_(patients),
                   or_(OutboxMessage.state == "sending",
                       and_(OutboxMessage.state == "sent", OutboxMessage.sent_at > now - timedelta(days=7))))):
        history.setdefault(patient_id, []).append(sent_at if state == "sent" else now)
    return history


# A mark runs once per message sent, between two messages, so it is kept to the bone
# (bench/bench_outbox.py): statements built once, Core rather than the ORM, a connection kept for
# the sender's whole run, and on PostgreSQL one statement (atomic on its own, in autocommit) in one
# round trip instead of BEGIN, two, COMMIT.
_MESSAGES, _EVENTS = OutboxMessage.__table__, OutboxEvent.__table__
_SENT = {"state": "sent", "sent_at": bindparam("m_at"), "provider_id": bindparam("m_provider"), "lease_until": None,
         "reason": ""}
_MARK_SENT = _MESSAGES.update().where(_MESSAGES.c.id == bindparam("m_id")).values(**_SENT)
_NOTE_SENT = _EVENTS.insert().values(message_id=bindparam("m_id"), at=bindparam("m_at"), state="sent",
                                     detail=bindparam("m_detail"))
_MARKED = _MESSAGES.update().where(_MESSAGES.c.id == bindparam("m_id")).values(**_SENT).returning(
    _MESSAGES.c.id).cte("marked")
_MARK_AND_NOTE_SENT = _EVENTS.insert().from_select(
    ["message_id", "at", "state", "detail"],
    select(_MARKED.c.id, bindparam("m_at", type_=_EVENTS.c.at.type), literal("sent"), bindparam("m_detail")))


class SentMarks:
    """Records that messages left, each in its own short transaction right after the server took it.

    Keeps one connection for a sender's run (opened at the first mark, closed by close()), so
    a crash leaves at most the message in flight in doubt and a mark costs about a round trip.
    """

    def __init__(self):
        self._kept = ExitStack()
        self._connection: Connection | None = None

    def __call__(self, message_id: int, worker: str, now: datetime, provider_id: str, detail: str = "") -> None:
        """Mark one message sent and note it in its history; committed when this returns."""
        values = {"m_id": message_id, "m_at": now, "m_provider": provider_id[:120],
                  "m_detail": (detail or f"sent by {worker}")[:300]}
        if self._connection is None:
            self._connection = self._kept.enter_context(kept_connection())
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(_MARK_AND_NOTE_SENT, values)
            return
        with write_on(self._connection) as connection:
            connection.execute(_MARK_SENT, values)
            connection.execute(_NOTE_SENT, values)

    def close(self) -> None:
        """Give the kept connection back."""
        self._connection = None
        self._kept.close()


def release(message_ids: list[int], worker: str, now: datetime, why: str) -> int:
    """Put claimed messages back in line unsent (the sender will not get to them in its lease); how many."""
    if not message_ids:
        return 0
    with unit_of_work() as session:
        released = session.execute(
            select(OutboxMessage.id).where(OutboxMessage.id.in_(message_ids), OutboxMessage.state == "sending",
                                           OutboxMessage.claimed_by == worker)).scalars().all()
        if released:
            # The claim counted an attempt that never happened: give it back, so attempts stay tries made.
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(released)).values(
                state="pending", lease_until=None, claimed_by=None, attempts=OutboxMessage.attempts - 1))
            session.execute(insert(OutboxEvent), [_event(i, now, "pending", f"released by {worker}: {why}")
                                                  for i in released])
        session.commit()
        return len(released)


def mark_failed(message_id: int, attempts: int, now: datetime, detail: str, permanent: bool) -> str:
    """Record a failed try: due again after a backoff, or failed for good; returns the new state."""
    final = permanent or attempts >= MAX_ATTEMPTS
    state = "failed" if final else "pending"
    retry_at = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
    with unit_of_work() as session:
        values = {"state": state, "reason": detail[:300], "lease_until": None, "claimed_by": None}
        if not final:
            values["due_at"] = retry_at
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
        note = detail if final else f"{detail}; next try at {retry_at:%Y-%m-%d %H:%M} UTC"
        session.execute(insert(OutboxEvent), [_event(message_id, now, state, note)])
        session.commit()
    return state


def retry(message_id: int, actor: Actor, now: datetime) -> None:
    """Put a failed message back in line (the admin's retry); anything else is refused."""
    with unit_of_work() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound("message", message_id)
        if row.state != "failed":
            raise StatusRefused([Reason("not_failed", f"Only a failed message can be retried; this one is {row.state}.",
                                        "state")])
        row.state, row.due_at, row.reason = "pending", now, ""
        session.execute(insert(OutboxEvent), [_event(row.id, now, "pending", f"retry asked by {actor.label}")])
        record(session, actor, "message.retried", "message", row.id, now, kind=row.kind, channel=row.channel)
        session.commit()


def _event(message_id: int, at: datetime, state: str, detail: str) -> dict:
    return {"message_id": message_id, "at": at, "state": state, "detail": detail[:300]}
