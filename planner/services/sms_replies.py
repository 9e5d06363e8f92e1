"""What a patient texts back: STOP ends every SMS at once, START lets them resume (the reminders still ahead too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from planner.adapters.sms import opt_out_word
from planner.db.models import OutboxEvent, OutboxMessage, Patient, Session
from planner.db.uow import unit_of_work
from planner.domain import lifecycle
from planner.domain.messages import PATIENT, SMS
from planner.services import Actor
from planner.services.audit import record
from planner.services.notices import queue_notices
from planner.services.outbox_claims import OPTED_OUT_AT_CLAIM

_GATEWAY = Actor("sms gateway")
_STOPPED = "the patient texted STOP"
_PROVIDER_STOPPED = "the SMS provider reports the number opted out"
# Every reason a text is dropped for an opt-out: here, in provider_reports_opt_out, and at claim time.
_OPTED_OUT = (_STOPPED, _PROVIDER_STOPPED, OPTED_OUT_AT_CLAIM)


def handle_sms_reply(from_number: str, body: str, now: datetime) -> str | None:
    """Apply a STOP or START from this number to every patient who gave it; returns the word, or None."""
    word = opt_out_word(body or "")
    if word is None or not from_number:
        return None
    with unit_of_work() as session:
        patients = session.scalars(select(Patient.id).where(Patient.phone == from_number)).all()
        if word == "stop":
            opt_out(session, patients, now, _STOPPED)
        else:
            opt_in(session, patients, now)
        for patient_id in patients:
            record(session, _GATEWAY, f"patient.sms_{word}", "patient", patient_id, now)
        session.commit()
    return word


def opt_in(session, patient_ids: list[int], now: datetime) -> None:
    """Let the patients' texts resume, in the caller's transaction: reminders still ahead that the
    opt-out dropped go back in line, and sessions booked meanwhile get theirs."""
    if not patient_ids:
        return
    session.execute(update(Patient).where(Patient.id.in_(patient_ids)).values(sms_opted_out_at=None))
    # Texts come back only to a patient who still consents to SMS, at the number on file now (reception
    # may have changed it or withdrawn the consent since STOP); only texts still ahead and still about
    # the session as it stands: one whose moment passed stays dropped.
    phones = {patient_id: phone for patient_id, phone, channels in session.execute(
        select(Patient.id, Patient.phone, Patient.consented_channels).where(Patient.id.in_(patient_ids)))
        if phone and SMS in (channels or [])}
    stopped = session.execute(select(OutboxMessage.id, OutboxMessage.recipient_id)
                              .join(Session, Session.id == OutboxMessage.session_id).where(
        OutboxMessage.recipient_kind == PATIENT, OutboxMessage.recipient_id.in_(list(phones)),
        OutboxMessage.channel == SMS, OutboxMessage.state == "dropped", OutboxMessage.reason.in_(_OPTED_OUT),
        OutboxMessage.due_at > now, OutboxMessage.sequence == Session.sequence,
        Session.status == lifecycle.BOOKED)).all()
    for patient_id, phone in phones.items():
        ids = [message_id for message_id, recipient_id in stopped if recipient_id == patient_id]
        if ids:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(state="pending", reason="", address=phone))
    if stopped:
        session.execute(insert(OutboxEvent), [{"message_id": i, "at": now, "state": "pending",
                                               "detail": "the patient texted START"} for i, _ in stopped])
    # A session booked or moved while the number was stopped was queued without texts; its unique
    # keys make this a no-op for every message that already exists.
    ahead = session.scalars(select(Session.id).where(Session.patient_id.in_(patient_ids),
                                                     Session.status == lifecycle.BOOKED, Session.starts_at > now)).all()
    queue_notices(session, ahead, now)


def opt_out(session, patient_ids: list[int], now: datetime, why: str) -> None:
    """Mark the patients opted out of SMS and drop their pending texts, in the caller's transaction."""
    if not patient_ids:
        return
    session.execute(update(Patient).where(Patient.id.in_(patient_ids), Patient.sms_opted_out_at.is_(None))
                    .values(sms_opted_out_at=now))
    pending = session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.recipient_kind == PATIENT, OutboxMessage.recipient_id.in_(patient_ids),
        OutboxMessage.channel == SMS, OutboxMessage.state == "pending")).all()
    if pending:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(pending))
                        .values(state="dropped", reason=why))
        session.execute(insert(OutboxEvent), [{"message_id": i, "at": now, "state": "dropped", "detail": why}
                                              for i in pending])


def provider_reports_opt_out(patient_id: int, now: datetime) -> None:
    """The SMS provider refused a text because the number opted out: record it as a STOP."""
    with unit_of_work() as session:
        opt_out(session, [patient_id], now, _PROVIDER_STOPPED)
        record(session, _GATEWAY, "patient.sms_stop", "patient", patient_id, now, source="provider")
        session.commit()
