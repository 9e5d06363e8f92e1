"""A patient's edited contact details reach the outbox, in the edit's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Patient, Session
from planner.domain import lifecycle
from planner.domain.messages import CHANNELS, EMAIL, PATIENT, SMS
from planner.services.notices import queue_notices
from planner.services.outbox_contacts import REMOVED, WITHDRAWN, Reach, follow_contacts

CONTACT_FIELDS = ("email", "phone", "consented_channels")


def follow_patient_edit(session: OrmSession, patient: Patient, changes: dict[str, tuple], now: datetime) -> dict:
    """Bring the patient's messages in line with an edit ({field: (before, after)}); what it did, for the audit."""
    if not any(field in changes for field in CONTACT_FIELDS):
        return {}  # nothing about how to reach them changed: no message is touched
    before = {field: changes[field][0] if field in changes else getattr(patient, field) for field in CONTACT_FIELDS}
    now_values = {field: getattr(patient, field) for field in CONTACT_FIELDS}
    was, is_ = _reach(before, patient), _reach(now_values, patient)
    changed = {channel: is_[channel] for channel in CHANNELS
               if (was[channel].address, was[channel].why_not) != (is_[channel].address, is_[channel].why_not)}
    if not changed:
        return {}  # the same channels in another order, say: every message stays as it is
    followed = follow_contacts(session, PATIENT, patient.id, changed, now)
    queued = 0
    if any(was[channel].address is None and is_[channel].address for channel in changed):
        # A channel newly open: the sessions booked ahead get what they would have had (the unique
        # keys make this a no-op for every message that exists); past and cancelled ones get nothing.
        ahead = session.scalars(select(Session.id).where(Session.patient_id == patient.id,
                                                         Session.status == lifecycle.BOOKED,
                                                         Session.starts_at > now)).all()
        queued = queue_notices(session, ahead, now)
    done = {"readdressed": followed.readdressed, "superseded": followed.superseded,
            "queued": queued + followed.reopened}
    return {key: count for key, count in done.items() if count}


def _reach(values: dict, patient: Patient) -> dict[str, Reach]:
    """Where the patient may be reached by each channel, given their email, phone and consented channels."""
    consented = values["consented_channels"] or []
    reach = {}
    for channel, address in ((EMAIL, values["email"]), (SMS, values["phone"])):
        if channel not in consented:
            reach[channel] = Reach(None, WITHDRAWN)
        elif not address:
            reach[channel] = Reach(None, REMOVED)
        else:
            # STOP holds whatever reception edits: texts taken back earlier stay back until START.
            reach[channel] = Reach(address, reopen=channel != SMS or patient.sms_opted_out_at is None)
    return reach
