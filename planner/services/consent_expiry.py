"""The daily consent check: a signed treatment consent whose expiry has passed no longer holds.

Each patient whose consent expired (by their home site's day) goes back to pending under their
booking lock, audited as consent.expired with the doses still booked after the expiry named; the
patient's page names those doses too. A run missed or repeated is harmless: the rows are the truth,
and a patient already back to pending is not touched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from planner.db.models import Patient, Site
from planner.db.uow import lock_for_booking, unit_of_work
from planner.domain.calendar import local
from planner.domain.clinic import CONSENT_SIGNED
from planner.domain.screening import consent_holds_on
from planner.services import SYSTEM, Actor
from planner.services.audit import record
from planner.services.setup_changes import plain
from planner.services.consent_doses import doses_without_consent


@dataclass(frozen=True)
class ExpiryReport:
    """What one run did: the patients whose consent it found expired, and their doses still booked after it."""

    patients: list[int]
    doses: int

    def __str__(self) -> str:
        return f"{len(self.patients)} consents expired, {self.doses} doses booked after expiry"


def expire_consents(now: datetime, actor: Actor = SYSTEM) -> ExpiryReport:
    """Set every signed consent whose expiry has passed back to pending, audited, naming the doses it leaves."""
    # Any zone's day is at most a day ahead of UTC's: read those that may have expired, judge each by its site's day.
    with unit_of_work() as session:
        candidates = list(session.execute(
            select(Patient.id, Patient.consent_expires_on, Site.timezone)
            .outerjoin(Site, Site.id == Patient.home_site_id)
            .where(Patient.consent_status == CONSENT_SIGNED, Patient.consent_expires_on.is_not(None),
                   Patient.consent_expires_on < (now + timedelta(days=1)).date())
            .order_by(Patient.id)))
        expired = [pid for pid, expires, zone in candidates
                   if not consent_holds_on(expires, local(now, zone or "UTC").date())]
        if not expired:
            return ExpiryReport([], 0)
        lock_for_booking(session, patient_ids=expired)
        done, named = [], 0
        for patient_id in expired:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.consent_status != CONSENT_SIGNED:  # a record was made meanwhile
                continue
            patient.consent_status = "pending"
            session.flush()
            doses = doses_without_consent(session, patient_id, now)
            record(session, actor, "consent.expired", "patient", patient_id, now,
                   expired_on=plain(patient.consent_expires_on),
                   before={"consent_status": CONSENT_SIGNED}, after={"consent_status": "pending"},
                   doses_still_booked=[dose.id for dose in doses])
            done.append(patient_id)
            named += len(doses)
        session.commit()
        return ExpiryReport(done, named)
