"""The booked doses a patient's consent does not cover: after a withdrawal, or past the consent's expiry.

Nothing here cancels them: a withdrawal or an expiry names them (on the patient's page, in the API's
answer and the audit) so that reception stops the course or cancels each one, knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import Patient, Session, SessionType, Site
from planner.db.uow import unit_of_work
from planner.domain.calendar import local
from planner.domain.clinic import CONSENT_SIGNED, DOSING_KINDS
from planner.domain.lifecycle import FINAL
from planner.domain.screening import consent_holds_on


@dataclass(frozen=True)
class DoseWithoutConsent:
    """A dose still booked that the patient's consent does not cover, with what its page and links need."""

    id: int
    starts_at: datetime
    zone: str
    session_type: str
    site: str
    course_id: int | None

    @property
    def day(self) -> date:
        """The dose's day in its site's zone (the day its consent is judged by)."""
        return local(self.starts_at, self.zone).date()

    def as_dict(self) -> dict:
        """The dose as the API names it, with where to cancel it and where to stop its course."""
        return {"session_id": self.id, "starts_at": self.starts_at.isoformat().replace("+00:00", "Z"),
                "day": self.day.isoformat(), "session_type": self.session_type, "site": self.site,
                "course_id": self.course_id, "cancel": f"/api/sessions/{self.id}/cancel",
                "stop_course": f"/api/courses/{self.course_id}/stop" if self.course_id else None}


def doses_without_consent(session: OrmSession, patient_id: int, now: datetime) -> list[DoseWithoutConsent]:
    """The patient's doses ahead, still booked, that their consent does not cover on the dose's day; earliest first."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        return []
    doses = [DoseWithoutConsent(*row) for row in session.execute(_doses_ahead(now).where(Session.patient_id == patient_id))]
    if patient.consent_status != CONSENT_SIGNED:
        return doses
    return [dose for dose in doses if not consent_holds_on(patient.consent_expires_on, dose.day)]


@dataclass(frozen=True)
class DoseToSettle:
    """A dose on the desk's worklist: booked ahead, its patient's consent not covering it, and why."""

    dose: DoseWithoutConsent
    patient_id: int
    patient: str
    mrn: str
    why: str


def doses_to_settle(now: datetime) -> list[DoseToSettle]:
    """Every dose ahead, still booked, that its patient's consent does not cover (withdrawn, expired, unsigned)."""
    with unit_of_work(write=False) as session:
        query = (_doses_ahead(now)
                 .add_columns(Patient.id, Patient.name, Patient.mrn, Patient.consent_status, Patient.consent_expires_on)
                 .join(Patient, Patient.id == Session.patient_id)
                 .where(or_(Patient.consent_status != CONSENT_SIGNED, Patient.consent_expires_on.is_not(None))))
        found = []
        for *dose_columns, patient_id, name, mrn, status, expires in session.execute(query):
            dose = DoseWithoutConsent(*dose_columns)
            if status == CONSENT_SIGNED and consent_holds_on(expires, dose.day):
                continue
            why = ("consent withdrawn" if status == "withdrawn"
                   else f"consent expires {expires:%m/%d/%Y}" if status == CONSENT_SIGNED
                   else f"consent expired {expires:%m/%d/%Y}" if expires is not None else "consent not signed")
            found.append(DoseToSettle(dose, patient_id, name, mrn, why))
        return found


def _doses_ahead(now: datetime):
    # Dosing sessions not yet over, still booked, with what names them (the columns of DoseWithoutConsent).
    return (select(Session.id, Session.starts_at, Site.timezone, SessionType.name, Site.name, Session.course_id)
            .join(SessionType, SessionType.id == Session.session_type_id).join(Site, Site.id == Session.site_id)
            .where(Session.ends_at >= now, Session.status.not_in(FINAL), SessionType.kind.in_(DOSING_KINDS))
            .order_by(Session.starts_at, Session.id))
