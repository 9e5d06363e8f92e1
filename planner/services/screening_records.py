"""Recording screening and consent: each record supersedes the one before, and sets the patient's status with it.

The booking rules read the patient's screening_status, consent_status and rems_enrolled_on
columns; they are written here from the latest records, in the same transaction, so a course or a
dose is allowed exactly when the records say so. Nothing is deleted: a new record supersedes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import ConsentRecord, Patient, ScreeningRecord
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain import screening as rules
from planner.domain.errors import InvalidData, NotFound, Reason, Refusal
from planner.services import Actor
from planner.services.audit import record
from planner.services.setup_changes import plain
from planner.services.inputs import FIRST_ZONE
from planner.services.screening_inputs import ConsentIn, ScreeningIn


class RecordRefused(Refusal):
    """Someone else recorded for this patient meanwhile: read the latest and record again."""


@dataclass(frozen=True)
class Recorded:
    """The record written and the patient's statuses after it."""

    record_id: int
    screening_status: str
    consent_status: str


RecordedT = TypeVar("RecordedT", bound=Recorded)


def record_screening(patient_id: int, given: ScreeningIn, actor: Actor, now: datetime) -> Recorded:
    """Write a screening that supersedes the patient's latest; InvalidData names the item or field."""
    answers = given.answers.model_dump()
    problems = rules.screening_problems(answers, given.outcome, given.note)
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        patient = locked_patient(session, patient_id)
        latest = session.scalar(select(ScreeningRecord).where(ScreeningRecord.patient_id == patient_id)
                                .order_by(ScreeningRecord.id.desc()).limit(1))
        record_id = session.execute(insert(ScreeningRecord).returning(ScreeningRecord.id).values(
            patient_id=patient_id, answers=answers, outcome=given.outcome, note=given.note, recorded_by=actor.label,
            recorded_by_id=actor.user_id, recorded_at=now,
            supersedes_id=latest.id if latest else None)).scalar_one()
        before = {"outcome": latest.outcome, "answers": latest.answers, "note": latest.note} if latest else None
        status_before = patient.screening_status
        patient.screening_status = rules.screening_status(given.outcome)
        record(session, actor, "screening.recorded", "screening_record", record_id, now, patient_id=patient_id,
               supersedes=latest.id if latest else None, before=before,
               after={"outcome": given.outcome, "answers": answers, "note": given.note},
               screening_status={"before": status_before, "after": patient.screening_status})
        return commit_recorded(session, Recorded(record_id, patient.screening_status, patient.consent_status))


def record_consent(patient_id: int, given: ConsentIn, actor: Actor, now: datetime) -> Recorded:
    """Write a signed consent that supersedes the latest of its kind; InvalidData names the field."""
    problems = []
    if given.signed_on > now.astimezone(FIRST_ZONE).date():
        problems.append(Reason("in_future", "The date it was signed cannot be in the future.", "signed_on"))
    if given.expires_on is not None and given.expires_on <= given.signed_on:
        problems.append(Reason("before_signed", "It must expire after the date it was signed.", "expires_on"))
    if problems:
        raise InvalidData(problems)
    with unit_of_work() as session:
        patient = locked_patient(session, patient_id)
        # A signed treatment consent supersedes the latest of its chain, a withdrawal included.
        # A treatment consent supersedes the latest of its chain (a consent or its withdrawal).
        latest = latest_in_chain(session, patient_id, rules.TREATMENT_CHAIN if given.kind == rules.TREATMENT
                                 else (given.kind,))
        record_id = session.execute(insert(ConsentRecord).returning(ConsentRecord.id).values(
            patient_id=patient_id, kind=given.kind, signed_on=given.signed_on, expires_on=given.expires_on,
            recorded_by=actor.label, recorded_by_id=actor.user_id, recorded_at=now,
            supersedes_id=latest.id if latest else None)).scalar_one()
        before = {"consent_status": patient.consent_status, "rems_enrolled_on": plain(patient.rems_enrolled_on)}
        if given.kind == rules.TREATMENT:
            held = rules.ConsentRecord(given.kind, given.signed_on, given.expires_on)
            patient.consent_status = rules.consent_status(held, now.date())
            patient.consent_expires_on = given.expires_on  # each dose is judged by its own day against it
        else:  # the REMS patient enrolment: the date the esketamine rule reads
            patient.rems_enrolled_on = given.signed_on
        record(session, actor, "consent.recorded", "consent_record", record_id, now, patient_id=patient_id,
               kind=given.kind, supersedes=latest.id if latest else None,
               superseded={"signed_on": plain(latest.signed_on), "expires_on": plain(latest.expires_on)} if latest
               else None, before=before,
               after={"consent_status": patient.consent_status, "rems_enrolled_on": plain(patient.rems_enrolled_on),
                      "signed_on": plain(given.signed_on), "expires_on": plain(given.expires_on)})
        return commit_recorded(session, Recorded(record_id, patient.screening_status, patient.consent_status))


def locked_patient(session: OrmSession, patient_id: int) -> Patient:
    """The patient under the booking's lock, for a record that sets their statuses; NotFound when unknown."""
    # The booking's lock on the patient: two records at once cannot leave the status to the older
    # one, and a booking deciding on this patient decides on the status before or after, never between.
    lock_for_booking(session, patient_ids=(patient_id,))
    return _patient(session, patient_id)


def _patient(session: OrmSession, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("patient", patient_id)
    return patient


def latest_in_chain(session: OrmSession, patient_id: int,
                    kinds: tuple[str, ...] = rules.TREATMENT_CHAIN) -> ConsentRecord | None:
    """The patient's latest consent record of these kinds (by default the treatment chain their status follows)."""
    return session.scalar(select(ConsentRecord).where(ConsentRecord.patient_id == patient_id,
                                                      ConsentRecord.kind.in_(kinds))
                          .order_by(ConsentRecord.id.desc()).limit(1))


def commit_recorded(session: OrmSession, done: RecordedT) -> RecordedT:
    """Commit a record's transaction and answer done; RecordRefused when another record won the race for its place."""
    try:
        session.commit()
    except IntegrityError:  # the same record superseded by someone else meanwhile
        session.rollback()
        raise RecordRefused([Reason("recorded_meanwhile", "Someone recorded for this patient meanwhile: "
                                                          "read the latest record and record again.",
                                    "patient_id")]) from None
    return done




@dataclass(frozen=True)
class ScreeningRow:
    """One screening of a patient, newest first; superseded ones are kept."""

    id: int
    answers: dict
    outcome: str
    note: str
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None

    @property
    def yes_to(self) -> list[str]:
        """The wording of each item answered yes, in the checklist's order."""
        return [wording for key, wording in rules.CHECKLIST if self.answers.get(key)]


@dataclass(frozen=True)
class ConsentRow:
    """One signed consent of a patient, newest first; superseded ones are kept."""

    id: int
    kind: str
    signed_on: date
    expires_on: date | None
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None
    note: str | None = None  # a withdrawal's reason, or where the record came from (an import)


def screenings_of(patient_id: int) -> list[ScreeningRow]:
    """A patient's screenings, the latest first (NotFound without such a patient)."""
    with unit_of_work(write=False) as session:
        _patient(session, patient_id)
        return _screenings(session, patient_id)


def consents_of(patient_id: int) -> list[ConsentRow]:
    """A patient's signed consents and withdrawals, the latest first (NotFound without such a patient)."""
    with unit_of_work(write=False) as session:
        _patient(session, patient_id)
        return _consents(session, patient_id)


def _screenings(session: OrmSession, patient_id: int, limit: int | None = None) -> list[ScreeningRow]:
    rows = session.scalars(select(ScreeningRecord).where(ScreeningRecord.patient_id == patient_id)
                           .order_by(ScreeningRecord.id.desc()).limit(limit))
    return [ScreeningRow(r.id, dict(r.answers), r.outcome, r.note, r.recorded_by, r.recorded_at,
                         r.supersedes_id) for r in rows]


def _consents(session: OrmSession, patient_id: int) -> list[ConsentRow]:
    rows = session.scalars(select(ConsentRecord).where(ConsentRecord.patient_id == patient_id)
                           .order_by(ConsentRecord.id.desc()))
    return [ConsentRow(r.id, r.kind, r.signed_on, r.expires_on, r.recorded_by, r.recorded_at, r.supersedes_id,
                       r.note) for r in rows]


@dataclass(frozen=True)
class LatestRecords:
    """What the patient page shows: the latest screening and the latest consent of each kind."""

    screening: ScreeningRow | None
    consents: dict[str, ConsentRow]

    @property
    def treatment(self) -> ConsentRow | None:
        """The latest treatment consent or its withdrawal, whichever came last (the consent status follows it)."""
        chain = [self.consents[kind] for kind in rules.TREATMENT_CHAIN if kind in self.consents]
        return max(chain, key=lambda row: row.id) if chain else None


def latest_records(session: OrmSession, patient_id: int) -> LatestRecords:
    """The patient's latest screening and latest consent per kind, in the caller's transaction."""
    consents: dict[str, ConsentRow] = {}
    for row in _consents(session, patient_id):
        consents.setdefault(row.kind, row)
    screening = _screenings(session, patient_id, limit=1)
    return LatestRecords(screening[0] if screening else None, consents)
