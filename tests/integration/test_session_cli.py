"""Booking, moving and cancelling from the terminal, with clear answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.db.models import Session, Staff
from planner.extensions import db


@pytest.fixture
def cli(app, clinic, clinic_clock):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["planner", *args])


def emails(clinic):
    rows = dict(db.session.execute(select(Staff.id, Staff.email)).all())
    return rows[clinic.prescriber], rows[clinic.nurses[0]]


def book_args(clinic, start="2026-11-23T09:00", mrn="MRN-1", room="Chair 1"):
    prescriber, nurse = emails(clinic)
    return ["book", "--patient", mrn, "--site", "Midtown", "--type", "iv-dose", "--start", start, "--room", room,
            "--staff", f"supervising_prescriber={prescriber}", "--staff", f"monitoring_clinician={nurse}"]


@pytest.fixture(autouse=True)
def staff_emails(app, clinic):
    for staff_id in (clinic.prescriber, *clinic.nurses, clinic.therapist):
        db.session.get(Staff, staff_id).email = f"staff{staff_id}@example.org"
    db.session.commit()


def test_booking_from_the_terminal_uses_the_sites_wall_time(cli, clinic):
    result = cli(*book_args(clinic))
    assert result.exit_code == 0, result.output
    assert "Booked session" in result.output and "Mon 23 Nov 2026 09:00 (America/New_York)" in result.output
    row = db.session.scalars(select(Session)).one()
    assert row.starts_at.isoformat() == "2026-11-23T14:00:00+00:00"


def test_a_refused_booking_lists_every_reason_and_exits_1(cli, clinic):
    cli(*book_args(clinic))
    result = cli(*book_args(clinic, start="2026-11-23T09:30", mrn="MRN-2"))
    assert result.exit_code == 1
    assert "Refused:" in result.output and "Chair 1 is taken" in result.output
    assert "Traceback" not in result.output


def test_unknown_names_are_named_back(cli, clinic):
    result = cli("book", "--patient", "NOPE", "--site", "Atlantis", "--type", "iv-dose", "--start", "2026-11-23T09:00")
    assert result.exit_code == 1
    assert "patient: No patient with MRN NOPE." in result.output and "site: No site called 'Atlantis'." in result.output


def test_a_start_inside_the_spring_forward_gap_is_refused(cli, clinic):
    result = cli(*book_args(clinic, start="2027-03-14T02:30"))
    assert result.exit_code == 1 and "does not exist in America/New_York" in result.output


def test_moving_and_cancelling_from_the_terminal(cli, clinic):
    cli(*book_args(clinic))
    session_id = db.session.scalar(select(Session.id))
    moved = cli("reschedule", str(session_id), "--start", "2026-11-24T13:00")
    assert moved.exit_code == 0 and "version 2" in moved.output
    assert cli("reschedule", "999", "--start", "2026-11-24T13:00").output.strip().endswith("No session with id 999.")
    cancelled = cli("cancel", str(session_id), "--reason", "flu")
    assert cancelled.exit_code == 0 and "version 3" in cancelled.output
    again = cli("cancel", str(session_id))
    assert again.exit_code == 1 and "cannot become cancelled" in again.output


def test_availability_prints_local_windows(cli, clinic):
    result = cli("availability", "--site", "Midtown", "--type", "iv-dose", "--from", "2026-11-23", "--to", "2026-11-23")
    assert result.exit_code == 0
    assert result.output.strip() == "Mon 23 Nov 08:00 – 16:15 (last start), ends by 18:00"
