"""Warnings before a credential lapses: once at 60 days, once at 30, never twice."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from planner.db.models import AuditEvent
from planner.extensions import db
from planner.jobs import run_job
from planner.services.credentials import warn_expiring_credentials
from tests import factories as f


def actions() -> list[tuple[str, str]]:
    db.session.rollback()
    return sorted(db.session.execute(select(AuditEvent.entity_id, AuditEvent.action)
                                     .where(AuditEvent.entity == "credential")).all())


def test_a_credential_is_warned_about_at_60_and_again_at_30_days_but_not_twice(app):
    staff = f.make_staff(creds=[])
    acls = f.make_credential(staff, "acls", date(2025, 1, 1), date(2027, 1, 31))
    f.make_credential(staff, "licence", date(2025, 1, 1), date(2028, 1, 1))
    assert warn_expiring_credentials(datetime(2026, 11, 20, tzinfo=timezone.utc)) == 0
    assert warn_expiring_credentials(datetime(2026, 12, 2, tzinfo=timezone.utc)) == 1
    assert warn_expiring_credentials(datetime(2026, 12, 3, tzinfo=timezone.utc)) == 0
    assert warn_expiring_credentials(datetime(2027, 1, 1, tzinfo=timezone.utc)) == 1
    assert [row for row in actions() if "expiring" in row[1]] == [(str(acls), "credential.expiring_30d"),
                                                                 (str(acls), "credential.expiring_60d")]


def test_a_run_that_was_missed_catches_up_with_the_tightest_warning(app):
    staff = f.make_staff(creds=[])
    f.make_credential(staff, "bls", date(2025, 1, 1), date(2027, 1, 10))
    assert warn_expiring_credentials(datetime(2026, 12, 20, tzinfo=timezone.utc)) == 1
    assert [a for _, a in actions() if "expiring" in a] == ["credential.expiring_30d"]


def test_the_job_wrapper_runs_the_service_and_survives_a_failure(app, caplog):
    caplog.set_level("INFO", logger="planner.jobs")
    def broken(now):
        raise RuntimeError("database away")

    run_job(app, "broken", broken)
    assert "job broken failed" in caplog.text
    run_job(app, "watch", warn_expiring_credentials)
    assert "job watch done: 0" in caplog.text
