"""Fixtures shared by the outbox tests: a clinic everyone can be written to, and a real SMTP server."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from planner.db.models import Patient, Staff
from planner.extensions import db
from tests.smtp_server import SmtpServer


@pytest.fixture
def reachable(clinic):
    """Every patient takes email and SMS; the prescriber and the nurses have an email."""
    db.session.execute(update(Patient).values(consented_channels=["email", "sms"], phone="+12125550142"))
    for staff_id in [clinic.prescriber, *clinic.nurses]:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.commit()
    return clinic


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    with SmtpServer() as server:
        yield server
