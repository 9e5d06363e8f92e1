"""Migration 0009 goes down and up again on the database under test (its guard: test_setup_edits_keep_cover.py)."""

from __future__ import annotations

from datetime import time, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from planner.db.models import Shift
from planner.domain.calendar import to_utc
from planner.extensions import db
from tests import factories as f


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_migration_0009_goes_down_dropping_withdrawn_shifts_and_up_again(clinic):
    next_monday = f.MONDAY + timedelta(days=7)
    kept, withdrawn = (f.make_shift(nurse, clinic.site, next_monday) for nurse in clinic.nurses)
    db.session.execute(Shift.__table__.update().where(Shift.id == withdrawn)
                       .values(withdrawn_at=to_utc(f.MONDAY, time(6), "America/New_York")))
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="0008")
        assert "withdrawn_at" not in columns("shifts") and "active" not in columns("sites")
        ids = set(db.session.scalars(select(Shift.__table__.c.id)))
        assert kept in ids and withdrawn not in ids  # a withdrawn shift would otherwise come back to life
        db.session.rollback()
    finally:
        db.session.remove()
        upgrade()
    assert {"withdrawn_at"} <= columns("shifts") and {"active", "deactivated_at"} <= columns("sites")
    assert {"revoked_on"} <= columns("credentials") and {"deactivated_at"} <= columns("staff") & columns("rooms")
