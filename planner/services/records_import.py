"""Screening and consent records for a patient whose statuses come from a file (the scenario import, the demo clinic).

A scenario states each patient's statuses, not the checklist's answers nor the forms: what it says
becomes records, each with a note saying where it came from, so the statuses still follow only
from records and the patient's page says plainly that the answers were not recorded.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import ConsentRecord, Patient, ScreeningRecord
from planner.domain import screening as rules
from planner.services import Actor

_OUTCOME_OF_STATUS = {"cleared": rules.CLEARED, "excluded": rules.EXCLUDED}


def import_records(session: OrmSession, patient: Patient, *, screening: str, consent: str, signed_on: date,
                   rems_enrolled_on: date | None, actor: Actor, now: datetime, note: str) -> None:
    """Write the records the given statuses stand for (no commit) and set the patient's statuses from them.

    A pending screening or consent writes nothing: pending is what no record means.
    """
    common = {"patient_id": patient.id, "recorded_by": actor.label, "recorded_by_id": actor.user_id,
              "recorded_at": now}
    if screening in _OUTCOME_OF_STATUS:
        outcome = _OUTCOME_OF_STATUS[screening]
        session.execute(insert(ScreeningRecord).values(answers={}, outcome=outcome, note=note, **common))
        patient.screening_status = rules.screening_status(outcome)
    if consent == "signed":
        session.execute(insert(ConsentRecord).values(kind=rules.TREATMENT, signed_on=signed_on, note=note, **common))
        patient.consent_status = rules.consent_status(rules.ConsentRecord(rules.TREATMENT, signed_on, None), signed_on)
    elif consent == "withdrawn":
        session.execute(insert(ConsentRecord).values(kind=rules.WITHDRAWAL, signed_on=signed_on, note=note, **common))
        patient.consent_status = "withdrawn"
    if rems_enrolled_on is not None:
        session.execute(insert(ConsentRecord).values(kind=rules.REMS_ENROLMENT, signed_on=rems_enrolled_on, note=note,
                                                     **common))
        patient.rems_enrolled_on = rems_enrolled_on
    session.flush()
