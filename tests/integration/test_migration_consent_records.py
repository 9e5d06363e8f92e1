"""Migration 0019 goes down and up on the database under test: an enrolment date set on a patient becomes its record."""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from planner.extensions import db


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_migration_0019_turns_an_enrolment_date_without_a_record_into_one_and_keeps_the_consent_expiry(clinic):
    recorded, bare = clinic.patients[0], clinic.patients[1]
    db.session.execute(text("UPDATE consent_records SET expires_on = :on WHERE patient_id = :id AND kind = 'treatment'"),
                       {"on": date(2027, 1, 31), "id": recorded})
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="0018")
        assert "consent_expires_on" not in columns("patients") and "note" not in columns("consent_records")
        # Before records, the form set the enrolment date on the patient: no record stands for it.
        db.session.execute(text("DELETE FROM consent_records WHERE patient_id = :id AND kind = 'rems_enrolment'"),
                           {"id": bare})
        db.session.execute(text("UPDATE patients SET rems_enrolled_on = :on WHERE id = :id"),
                           {"on": date(2025, 6, 2), "id": bare})
        db.session.commit()
    finally:
        db.session.remove()
        upgrade()
    rems = db.session.execute(text("SELECT patient_id, signed_on, recorded_by FROM consent_records "
                                   "WHERE kind = 'rems_enrolment' AND patient_id IN (:a, :b) ORDER BY patient_id"),
                              {"a": recorded, "b": bare}).all()
    assert [(p, str(on), by) for p, on, by in rems] == [
        (recorded, "2020-01-01", "tests"), (bare, "2025-06-02", "planner (migration 0019)")]  # one record each
    expires = db.session.execute(text("SELECT consent_expires_on FROM patients WHERE id = :id"),
                                 {"id": recorded}).scalar_one()
    assert str(expires) == "2027-01-31"
    db.session.rollback()
