"""A scenario's statuses become records (the statuses follow only from records), noted as coming from the import."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from planner.db.models import ConsentRecord, Patient, ScreeningRecord
from planner.extensions import db
from planner.services.scenario import SCENARIO_NOTE, load_scenario
from tests.integration.test_scenario_load import ADMIN, NOW, small_scenario


def test_a_scenarios_statuses_are_written_as_records_noting_the_import_and_pending_writes_none(app):
    data = small_scenario()
    data["patients"][0]["rems_enrolled_on"] = "2026-01-05"
    data["patients"][2].update(screening_status="excluded", consent_status="pending")
    load_scenario(data, ADMIN, NOW)
    by_mrn = {p.mrn: p for p in db.session.scalars(select(Patient))}
    first, third = by_mrn["MRN-1"], by_mrn["MRN-3"]
    assert (first.screening_status, first.consent_status, first.rems_enrolled_on) == (
        "cleared", "signed", date(2026, 1, 5))
    (screening,) = db.session.scalars(select(ScreeningRecord).where(ScreeningRecord.patient_id == first.id))
    assert (screening.outcome, screening.answers, screening.note, screening.recorded_by) == (
        "cleared", {}, SCENARIO_NOTE, "admin@example.org")  # the answers were never given: none are claimed
    consents = {c.kind: c for c in db.session.scalars(select(ConsentRecord).where(ConsentRecord.patient_id == first.id))}
    assert set(consents) == {"treatment", "rems_enrolment"} and consents["rems_enrolment"].signed_on == date(2026, 1, 5)
    assert consents["treatment"].signed_on == date(2026, 11, 20)  # the import's day: its first session is after
    assert (third.screening_status, third.consent_status) == ("excluded", "pending")
    assert db.session.scalar(select(ConsentRecord.id).where(ConsentRecord.patient_id == third.id)) is None
