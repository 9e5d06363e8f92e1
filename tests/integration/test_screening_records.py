"""Screening and consent records on both databases: they set the statuses the booking rules read, and keep history."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import AuditEvent, Patient
from planner.domain.errors import InvalidData
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import BookingRefused
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.screening_inputs import ConsentIn, ScreeningIn
from planner.services.screening_records import consents_of, record_consent, record_screening, screenings_of
from tests import factories as f

CLINICIAN = Actor("dr.lee@clinic.example", None, "10.0.0.7")
NOW = datetime(2026, 11, 20, 15, tzinfo=timezone.utc)
ALL_NO = {"vascular_disease": False, "brain_haemorrhage": False, "hypersensitivity": False, "pregnancy": False,
          "heart_disease": False, "psychosis_or_mania": False, "substance_dependence": False,
          "intracranial_pressure": False, "liver_disease": False}


def screening(outcome: str, note: str = "", **yes) -> ScreeningIn:
    return ScreeningIn.model_validate({"answers": {**ALL_NO, **yes}, "outcome": outcome, "note": note})


def statuses(patient_id: int) -> tuple[str, str, date | None]:
    db.session.rollback()
    row = db.session.get(Patient, patient_id)
    return row.screening_status, row.consent_status, row.rems_enrolled_on


def test_a_course_is_refused_until_a_cleared_screening_and_a_signed_consent_are_recorded(course_clinic):
    patient = f.make_patient("NEW-1", screening_status="pending", consent_status="pending", rems_enrolled_on=None)
    record_screening(patient, screening("needs_review", pregnancy=True), CLINICIAN, NOW)
    with pytest.raises(BookingRefused) as refused:
        propose_course(patient, "iv-induction", PreferencesIn(), NOW)
    assert {r.code for r in refused.value.reasons} == {"screening_not_cleared", "consent_not_signed"}

    record_screening(patient, screening("cleared", "Test negative on 18 Nov.", pregnancy=True), CLINICIAN, NOW)
    record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 19)), CLINICIAN, NOW)
    assert statuses(patient)[:2] == ("cleared", "signed")
    assert propose_course(patient, "iv-induction", PreferencesIn(), NOW).plans


def test_a_new_screening_supersedes_the_last_and_both_stay_with_the_change_audited(course_clinic):
    patient = f.make_patient("NEW-2", screening_status="pending", consent_status="pending", rems_enrolled_on=None)
    first = record_screening(patient, screening("cleared"), CLINICIAN, NOW)
    second = record_screening(patient, screening("excluded", "Active mania.", psychosis_or_mania=True), CLINICIAN,
                              NOW)
    assert statuses(patient)[0] == "excluded"
    kept = screenings_of(patient)
    assert [(r.id, r.outcome, r.supersedes) for r in kept] == [(second.record_id, "excluded", first.record_id),
                                                               (first.record_id, "cleared", None)]
    assert kept[0].answers["psychosis_or_mania"] is True
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "screening_record")
                               .order_by(AuditEvent.id)).all()
    assert audit[-1].details["before"]["outcome"] == "cleared"
    assert audit[-1].details["after"]["outcome"] == "excluded"
    assert audit[-1].details["screening_status"] == {"before": "cleared", "after": "excluded"}


def test_clearing_after_a_yes_needs_the_reviewers_note_and_nothing_is_written_without_it(course_clinic):
    patient = f.make_patient("NEW-3", screening_status="pending", consent_status="pending", rems_enrolled_on=None)
    with pytest.raises(InvalidData) as bad:
        record_screening(patient, screening("cleared", liver_disease=True), CLINICIAN, NOW)
    assert [(p.code, p.field) for p in bad.value.problems] == [("note_needed", "note")]
    assert "severe liver disease" in bad.value.problems[0].message
    assert screenings_of(patient) == [] and statuses(patient)[0] == "pending"


def test_an_expired_consent_leaves_consent_pending_and_the_rems_enrolment_sets_its_date(course_clinic):
    patient = f.make_patient("NEW-4", screening_status="cleared", consent_status="pending", rems_enrolled_on=None)
    record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2025, 1, 2), expires_on=date(2026, 1, 2)),
                   CLINICIAN, NOW)
    assert statuses(patient)[1] == "pending"
    record_consent(patient, ConsentIn(kind="rems_enrolment", signed_on=date(2026, 11, 18)), CLINICIAN, NOW)
    record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 18)), CLINICIAN, NOW)
    assert statuses(patient) == ("cleared", "signed", date(2026, 11, 18))
    kinds = [(c.kind, c.supersedes is not None) for c in consents_of(patient)]
    assert kinds == [("treatment", True), ("rems_enrolment", False), ("treatment", False)]


def test_a_consent_signed_in_the_future_or_expiring_before_it_was_signed_is_refused(course_clinic):
    patient = f.make_patient("NEW-5", screening_status="cleared", consent_status="pending", rems_enrolled_on=None)
    with pytest.raises(InvalidData) as bad:
        record_consent(patient, ConsentIn(kind="treatment", signed_on=date(2026, 11, 25),
                                          expires_on=date(2026, 11, 1)), CLINICIAN, NOW)
    assert {p.field for p in bad.value.problems} == {"signed_on", "expires_on"}
    assert consents_of(patient) == []
