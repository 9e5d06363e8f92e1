"""Planning, booking and re-planning courses from the terminal."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from planner.db.models import Course, Patient, Session
from planner.extensions import db
from tests.factories import ready_patient


@pytest.fixture
def cli(app, course_clinic, clinic_clock):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["planner", *args])


def test_plan_course_prints_the_plan_in_site_wall_time(cli):
    ready_patient("CLI-1")
    result = cli("plan-course", "--patient", "CLI-1", "--protocol", "iv-induction", "--start", "2026-11-23",
                 "--time", "morning")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Planned at the patient's home site, Midtown.\nPlan 1: Midtown: doses")
    assert result.output.count(" dose ") >= 6 and "2026-11-2" in result.output
    assert db.session.scalars(select(Session)).all() == []  # planning books nothing


def test_plan_course_json_is_the_same_plan_the_api_books(cli):
    ready_patient("CLI-1")
    result = cli("plan-course", "--patient", "CLI-1", "--protocol", "iv-induction", "--start", "2026-11-23", "--json")
    data = json.loads(result.output)
    assert len(data["plans"][0]["sessions"]) == 13 and data["plans"][0]["book"]["protocol"] == "iv-induction"


def test_book_show_and_replan_a_course(cli):
    ready_patient("CLI-1")
    booked = cli("book-course", "--patient", "CLI-1", "--protocol", "iv-induction", "--start", "2026-11-23")
    assert booked.exit_code == 0 and booked.output.startswith("Booked course")
    course = db.session.scalars(select(Course)).one()
    shown = json.loads(cli("show-course", str(course.id)).output)
    assert len(shown["sessions"]) == 13
    third = next(s for s in shown["sessions"] if s["purpose"] == "dose" and s["dose_number"] == 3)
    assert cli("cancel", str(third["id"])).exit_code == 0
    preview = cli("replan-course", str(course.id))
    assert "add" in preview.output and "--apply" in preview.output
    applied = cli("replan-course", str(course.id), "--apply")
    assert applied.exit_code == 0 and "Applied." in applied.output
    db.session.rollback()
    doses = db.session.scalars(select(Session).where(Session.purpose == "dose", Session.status == "booked")).all()
    assert len(doses) == 6


def test_clear_errors_and_no_traceback(cli):
    unknown = cli("plan-course", "--patient", "NOPE", "--protocol", "iv-induction")
    assert unknown.exit_code == 1 and "No patient with MRN NOPE." in unknown.output
    db.session.add(Patient(mrn="RAW", name="Not Ready", date_of_birth=date(1990, 1, 1)))
    db.session.commit()
    not_ready = cli("plan-course", "--patient", "RAW", "--protocol", "iv-induction")
    assert not_ready.exit_code == 1 and "screening has not been cleared" in not_ready.output
    bad_protocol = cli("plan-course", "--patient", "RAW", "--protocol", "nope")
    assert bad_protocol.exit_code == 1 and "Traceback" not in bad_protocol.output
    assert cli("show-course", "999").output.strip().endswith("No course with id 999.")
