"""Bring the outbox in line with sessions as they now stand, inside the transaction that changed them.

Every path that books, moves, re-staffs or cancels a session calls `queue_notices` before it
commits, so a message exists exactly when the change does (architecture.md, "Reminders lost or
doubled"). The function compares each person's standing in the session with what they were last
sent: a new or changed session gets an invite at its current SEQUENCE, a cancelled session or a
removed staff member gets a CANCEL, and reminders that no longer fit are superseded and queued
anew. Every row has a unique key, so calling it twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import (
    ClinicSettings, OutboxEvent, OutboxMessage, Patient, Room, Session, SessionStaff, SessionType, Site, Staff,
)
from planner.domain import lifecycle
from planner.domain.clinic import DOSING_KINDS
from planner.domain.messages import (
    CANCEL, EMAIL, INVITE, PATIENT, REMINDER, SMS, STAFF, Recipient, SessionFacts, hours_of, reminder_kind,
)
from planner.domain.preparation import preparation_for
from planner.domain.reminders import DEFAULT_HOURS, QuietHours, reminder_moments

# A calendar keeps a session while the clinic still expects the patient (or has them in).
_IN_CALENDAR = frozenset({lifecycle.BOOKED, lifecycle.ARRIVED, lifecycle.IN_PROGRESS, lifecycle.HELD})
_GONE = frozenset({"superseded", "dropped", "failed"})  # messages that never reached anyone


@dataclass(frozen=True)
class Telling:
    """The clinic's settings for messages, read once per transaction."""

    clinic_name: str
    staff_detailed: bool
    quiet: QuietHours


def telling(session: OrmSession) -> Telling:
    """The clinic's message settings (defaults when the row is missing)."""
    row = session.get(ClinicSettings, 1)
    if row is None:
        return Telling("The clinic", False, QuietHours())
    return Telling(row.clinic_name, row.staff_invites_detailed, QuietHours(row.quiet_from, row.quiet_until))


def session_facts(row: Session, site: Site, settings: Telling,
                  staff: tuple[str | None, str] | None = None) -> SessionFacts:
    """What a patient may be told of a session: no room (rooms are named for what happens in them).

    With staff=(room name, type name), the facts as staff see them in one go (see for_staff);
    a feed builds 1,500 of them per request. `row` is a Session or any row with its columns' names.
    """
    room = detail = None
    if staff is not None:
        room, detail = staff[0], staff[1] if settings.staff_detailed else None
    return SessionFacts(row.id, row.sequence, row.starts_at, row.ends_at, site.timezone, settings.clinic_name,
                        site.name, site.phone, room, row.status == lifecycle.CANCELLED, detail=detail)


def for_staff(facts: SessionFacts, room_name: str | None, type_name: str, settings: Telling) -> SessionFacts:
    """The facts as staff see them: with the room, and the type's name when the clinic widened staff invites."""
    return replace(facts, room_name=room_name, detail=type_name if settings.staff_detailed else None)


def queue_notices(session: OrmSession, session_ids: Iterable[int], now: datetime) -> int:
    """Queue the invites, cancellations and reminders these sessions now need; returns how many."""
    ids = sorted(set(session_ids))
    if not ids:
        return 0
    session.flush()
    settings = telling(session)
    rows = session.execute(
        select(Session, Site, SessionType, Patient, Room.name)
        .join(Site, Site.id == Session.site_id).join(SessionType, SessionType.id == Session.session_type_id)
        .join(Patient, Patient.id == Session.patient_id).outerjoin(Room, Room.id == Session.room_id)
        .where(Session.id.in_(ids))).all()
    team = defaultdict(dict)
    for session_id, staff_id, name, email in session.execute(
            select(SessionStaff.session_id, Staff.id, Staff.name, Staff.email)
            .join(Staff, Staff.id == SessionStaff.staff_id).where(SessionStaff.session_id.in_(ids))):
        team[session_id][staff_id] = (name, email)
    earlier = defaultdict(list)
    for message in session.execute(select(OutboxMessage).where(OutboxMessage.session_id.in_(ids))).scalars():
        earlier[message.session_id].append(message)
    home_zones = {site.id: site.timezone for _, site, _, _, _ in rows}
    missing = {patient.home_site_id for _, _, _, patient, _ in rows} - set(home_zones) - {None}
    if missing:  # a patient whose home is another site than the session's
        home_zones.update(session.execute(select(Site.id, Site.timezone).where(Site.id.in_(missing))).all())

    # Every message of these sessions is in hand: their keys are what the plan must not write again.
    plan = _Plan(now, {m.dedupe_key: m for messages in earlier.values() for m in messages})
    for row, site, stype, patient, room_name in rows:
        facts = session_facts(row, site, settings)
        _invites(plan, row, facts, patient, stype, room_name, team[row.id], earlier[row.id], settings)
        zone = home_zones.get(patient.home_site_id, site.timezone)
        _reminders(plan, row, facts, patient, stype, zone, earlier[row.id], settings)
    return plan.write(session)


def _invites(plan, row, facts, patient, stype, room_name, team, earlier, settings) -> None:
    members = {}
    if patient.email and EMAIL in (patient.consented_channels or []):
        members[(PATIENT, patient.id)] = (Recipient(PATIENT, patient.id, patient.name, EMAIL, patient.email), facts)
    staff_facts = for_staff(facts, room_name, stype.name, settings)
    for staff_id, (name, email) in team.items():
        if email:
            members[(STAFF, staff_id)] = (Recipient(STAFF, staff_id, name, EMAIL, email), staff_facts)
    in_calendar = row.status in _IN_CALENDAR
    by_person = defaultdict(list)
    for message in earlier:
        if message.kind in (INVITE, CANCEL):
            by_person[(message.recipient_kind, message.recipient_id)].append(message)
    for person in set(members) | set(by_person):
        past = by_person.get(person, [])
        if person in members and in_calendar:
            if row.starts_at > plan.now and not any(m.kind == INVITE and m.sequence == row.sequence
                                                    and m.state not in _GONE for m in past):
                recipient, person_facts = members[person]
                plan.supersede([m for m in past if m.state == "pending"], "a later change replaced it")
                plan.add(recipient, INVITE, person_facts, plan.now)
            continue
        removed = person not in members and person[0] == STAFF
        if not (row.status == lifecycle.CANCELLED or removed) or row.ends_at <= plan.now:
            continue  # a past session, a no-show, or a patient who withdrew email consent: nothing to take back
        plan.supersede([m for m in past if m.state == "pending" and m.kind == INVITE], "cancelled before it was sent")
        delivered = [m for m in past if m.kind == INVITE and m.state in ("sent", "sending")]
        cancelled = any(m.kind == CANCEL and m.state not in _GONE and m.sequence >= row.sequence for m in past)
        if delivered and not cancelled:
            last = max(delivered, key=lambda m: m.sequence)
            recipient = Recipient(last.recipient_kind, last.recipient_id, last.recipient_name, EMAIL, last.address)
            if person[0] == PATIENT:
                if person not in members:
                    continue  # they withdrew consent to email: the clinic writes to them no more (domain.md)
                recipient = members[person][0]  # where they read email now, which an edit may have changed
            # Taken off a session that goes on: a CANCEL for them, but the session itself is not cancelled.
            gone_facts = SessionFacts.from_json({**last.facts, "sequence": row.sequence,
                                                 "cancelled": row.status == lifecycle.CANCELLED})
            plan.add(recipient, CANCEL, gone_facts, plan.now)


def _reminders(plan, row, facts, patient, stype, zone, earlier, settings) -> None:
    wanted = row.status == lifecycle.BOOKED and row.starts_at > plan.now
    hours = tuple(stype.reminder_hours) if stype.reminder_hours is not None else DEFAULT_HOURS
    pending = [m for m in earlier if m.kind.startswith(REMINDER) and m.state == "pending"]
    plan.supersede([m for m in pending if not wanted or m.sequence != row.sequence],
                   "the session was cancelled" if row.status == lifecycle.CANCELLED else "the session changed")
    plan.supersede([m for m in pending if hours_of(m.kind) not in hours], "the reminder policy changed")
    if not wanted:
        return
    channels = []
    consented = patient.consented_channels or []
    if patient.email and EMAIL in consented:
        channels.append((EMAIL, patient.email))
    if patient.phone and SMS in consented and patient.sms_opted_out_at is None:
        channels.append((SMS, patient.phone))
    preparation = preparation_for(stype.route) if stype.kind in DOSING_KINDS else ()
    for moment in reminder_moments(row.starts_at, hours, zone, settings.quiet, plan.now):
        moment_facts = replace(facts, preparation=preparation if moment.preparation else ())
        for channel, address in channels:
            plan.add(Recipient(PATIENT, patient.id, patient.name, channel, address), reminder_kind(moment.hours),
                     moment_facts, moment.due)


class _Plan:
    """The rows one call will write, de-duplicated by key against the outbox and each other."""

    def __init__(self, now: datetime, known: dict[str, OutboxMessage]):
        self.now, self.known = now, known
        self.new: dict[str, dict] = {}
        self.superseded: dict[int, str] = {}

    def add(self, recipient: Recipient, kind: str, facts: SessionFacts, due: datetime) -> None:
        key = dedupe_key(facts.session_id, recipient, kind, facts.sequence)
        self.new.setdefault(key, {
            "dedupe_key": key, "session_id": facts.session_id, "recipient_kind": recipient.kind,
            "recipient_id": recipient.id, "recipient_name": recipient.name[:120], "channel": recipient.channel,
            "address": recipient.address, "kind": kind, "sequence": facts.sequence, "facts": facts.to_json(),
            "state": "pending", "due_at": due, "created_at": self.now, "attempts": 0, "reason": ""})

    def supersede(self, messages: list[OutboxMessage], why: str) -> None:
        for message in messages:
            self.superseded.setdefault(message.id, why)

    def write(self, session: OrmSession) -> int:
        by_reason: dict[str, list[int]] = defaultdict(list)
        for message_id, why in self.superseded.items():
            by_reason[why].append(message_id)
        for why, message_ids in by_reason.items():  # one statement per reason, not one per message
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(message_ids),
                                                        OutboxMessage.state == "pending")
                            .values(state="superseded", reason=why))
        events = [{"message_id": i, "at": self.now, "state": "superseded", "detail": why}
                  for i, why in self.superseded.items()]
        fresh = [values for key, values in self.new.items() if key not in self.known]
        # Wanted again under the same key after it was superseded (reminder hours changed and changed
        # back, a channel closed and opened again): the same message is queued again, not lost to its key.
        again = [(self.known[key], values) for key, values in self.new.items() if key in self.known
                 and self.known[key].state == "superseded" and self.known[key].id not in self.superseded]
        for message, values in again:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                        OutboxMessage.state == "superseded")
                            .values(state="pending", reason="", due_at=values["due_at"], address=values["address"],
                                    recipient_name=values["recipient_name"], facts=values["facts"], attempts=0))
            events.append({"message_id": message.id, "at": self.now, "state": "pending", "detail": "queued again"})
        if fresh:
            # Plain executemany, then the ids by key: cheaper than the ORM's INSERT ... RETURNING per batch.
            session.execute(insert(OutboxMessage.__table__), fresh)
            ids = session.execute(select(OutboxMessage.id).where(
                OutboxMessage.dedupe_key.in_([values["dedupe_key"] for values in fresh]))).scalars().all()
            events += [{"message_id": i, "at": self.now, "state": "pending", "detail": "queued"} for i in ids]
        if events:
            session.execute(insert(OutboxEvent.__table__), events)
        return len(fresh) + len(again)


def dedupe_key(session_id: int, recipient: Recipient, kind: str, sequence: int) -> str:
    """The message's unique key: one per session, person, channel, kind and SEQUENCE."""
    return f"s{session_id}:{recipient.kind}{recipient.id}:{recipient.channel}:{kind}:q{sequence}"
