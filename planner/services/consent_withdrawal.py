"""A patient withdraws consent for treatment: a record of its own, and the doses still booked named, not cancelled.

The withdrawal supersedes the signed consent it withdraws (the treatment consent's chain), sets the
consent status to withdrawn under the patient's booking lock, so no dose can be booked from then
on, and is audited. A new signed consent supersedes the withdrawal and restores the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from planner.db.models import ConsentRecord
from planner.db.uow import unit_of_work
from planner.domain import screening as rules
from planner.domain.errors import InvalidData
from planner.services import Actor
from planner.services.audit import record
from planner.services.setup_changes import plain
from planner.services.consent_doses import DoseWithoutConsent, doses_without_consent
from planner.services.inputs import FIRST_ZONE
from planner.services.screening_inputs import WithdrawalIn
from planner.services.screening_records import Recorded, commit_recorded, latest_in_chain, locked_patient


@dataclass(frozen=True)
class Withdrawn(Recorded):
    """The withdrawal written, the patient's statuses after it, and the doses still booked it leaves uncovered."""

    doses: list[DoseWithoutConsent]


def withdraw_consent(patient_id: int, given: WithdrawalIn, actor: Actor, now: datetime) -> Withdrawn:
    """Record the withdrawal of treatment consent; InvalidData names the field, nothing written."""
    with unit_of_work() as session:
        patient = locked_patient(session, patient_id)  # a booking decides before the withdrawal or after it
        latest = latest_in_chain(session, patient_id)
        held = rules.ConsentRecord(latest.kind, latest.signed_on, latest.expires_on) if latest else None
        problems = rules.withdrawal_problems(given.withdrawn_on, given.reason, now.astimezone(FIRST_ZONE).date(), held)
        if problems:
            raise InvalidData(problems)
        record_id = session.execute(insert(ConsentRecord).returning(ConsentRecord.id).values(
            patient_id=patient_id, kind=rules.WITHDRAWAL, signed_on=given.withdrawn_on, expires_on=None,
            note=given.reason, recorded_by=actor.label, recorded_by_id=actor.user_id, recorded_at=now,
            supersedes_id=latest.id)).scalar_one()
        before = {"consent_status": patient.consent_status, "consent_expires_on": plain(patient.consent_expires_on)}
        patient.consent_status, patient.consent_expires_on = "withdrawn", None
        session.flush()
        doses = doses_without_consent(session, patient_id, now)
        record(session, actor, "consent.withdrawn", "consent_record", record_id, now, patient_id=patient_id,
               supersedes=latest.id, withdrawn_on=given.withdrawn_on.isoformat(), reason=given.reason, before=before,
               after={"consent_status": "withdrawn", "consent_expires_on": None},
               doses_still_booked=[dose.id for dose in doses])
        return commit_recorded(session, Withdrawn(record_id, patient.screening_status, patient.consent_status, doses))


