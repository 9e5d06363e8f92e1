"""The course wizard's pages: plans on a timeline, one-click booking, stale and tampered plans, bad input."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from planner.db.models import Course, Session
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests.factories import booking_order, ready_patient
from tests.web.api_client import count
from tests.web.conftest import csrf_from


@pytest.fixture
def reception(signed_in, course_clinic, clinic_clock):
    return signed_in("reception")


def plan_step(client, patient: int, **fields):
    """GET the wizard for a patient, then POST its form with these fields."""
    page = client.get(f"/courses/new?patient={patient}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.data), "protocol": "iv-induction", "time_of_day": "any", **fields}
    return client.post(f"/courses/new?patient={patient}", data=data)


def tokens(page) -> list[str]:
    return re.findall(r'name="plan" value="([^"]+)"', page.get_data(as_text=True))


def book(client, page, which: int = 0):
    return client.post("/courses/book", data={"csrf_token": csrf_from(page.data), "plan": tokens(page)[which]})


def test_reception_sees_the_plan_on_a_timeline_with_an_alternative_and_books_it_in_one_click(reception):
    patient = ready_patient()
    offer = plan_step(reception, patient)
    text = offer.get_data(as_text=True)
    assert offer.status_code == 200
    assert "Recommended" in text and "Alternative 1" in text and len(tokens(offer)) >= 2
    assert 'class="tl-grid"' in text and "win-gap" in text and "America/New_York" in text
    assert "Ends " in text and "after the first day it could start" in text
    booked = book(reception, offer)
    assert booked.status_code == 303
    course_id = int(booked.headers["Location"].rsplit("/", 1)[-1])
    shown = reception.get(f"/courses/{course_id}").get_data(as_text=True)
    assert "IV ketamine, depression induction" in shown and shown.count('class="row-booked"') == 13
    assert count(Course) == 1 and count(Session) == 13


def test_a_tampered_plan_is_refused_and_nothing_is_booked(reception):
    offer = plan_step(reception, ready_patient())
    token = tokens(offer)[0]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    answer = reception.post("/courses/book", data={"csrf_token": csrf_from(offer.data), "plan": forged})
    assert answer.status_code == 422 and "could not be read" in answer.get_data(as_text=True)
    assert count(Course) == 0 and count(Session) == 0


def test_a_plan_taken_meanwhile_gets_a_fresh_proposal_with_a_kind_note_and_no_partial_course(reception, clinic_clock):
    first, rival = ready_patient("P-1"), ready_patient("P-2")
    offer = plan_step(reception, first, time_of_day="morning")
    # Someone else books the very same chairs and people first.
    taken = propose_course(first, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    order = booking_order(taken, first)
    book_course(order.__class__(rival, *[getattr(order, f) for f in ("protocol", "site_id", "sessions")]),
                SYSTEM, clinic_clock)
    stale = book(reception, offer)
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "That plan was taken in the meantime, so nothing was booked." in text and tokens(stale)
    assert count(Course) == 1 and count(Session) == 13  # the rival's course, and nothing of ours


def test_missing_security_token_books_nothing(reception):
    offer = plan_step(reception, ready_patient())
    assert reception.post("/courses/book", data={"plan": tokens(offer)[0]}).status_code == 400
    assert count(Course) == 0


@pytest.mark.parametrize("query, status", [("999", 404), ("abc", 422), ("99999999999", 422), ("-1", 422), ("0", 422)])
def test_an_unknown_or_malformed_patient_is_a_clear_refusal_not_a_crash(reception, query, status):
    assert reception.get(f"/courses/new?patient={query}").status_code == status


@pytest.mark.parametrize("fields, message", [
    ({"protocol": "no-such"}, "No active protocol with that name"),
    ({"protocol": ""}, "Choose a protocol."),
    ({"earliest": "2026-02-30"}, "The earliest start is not a date like 2026-12-24."),
    ({"earliest": "3026-01-01"}, "outside 1900 to 2100"),
    ({"blocked_days": "2026-12-01, tomorrow"}, "“tomorrow” is not a date like 2026-12-24."),
    ({"weekdays": "9"}, "Days are Monday to Sunday"),
    ({"time_of_day": "midnight"}, "Choose any time, mornings or afternoons."),
    ({"site_id": "999"}, "No such site"),
    ({"therapist_id": "x"}, "No such therapist"),
])
def test_bad_preferences_are_shown_beside_their_field_and_nothing_is_planned_or_written(reception, fields, message):
    answer = plan_step(reception, ready_patient(), **fields)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'class="field-error" id="[a-z_]+-error">[^<]*' + re.escape(message), text)
    assert tokens(answer) == [] and count(Course) == 0


def test_when_no_plan_exists_the_page_names_what_stands_in_the_way(reception):
    answer = plan_step(reception, ready_patient(), weekdays=["5", "6"])  # the site is closed at weekends
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "No safe plan fits" in text and tokens(answer) == []
    reasons = re.search(r'data-testid="no-plan">(.*?)</div>', text, re.S).group(1)
    assert reasons.count("<li>") >= 1


def test_a_patient_not_ready_for_a_course_is_told_why(reception):
    patient = ready_patient("NOT-READY")
    from planner.db.models import Patient
    from planner.extensions import db

    db.session.get(Patient, patient).screening_status = "pending"
    db.session.commit()
    answer = plan_step(reception, patient)
    assert answer.status_code == 409 and "No course can be planned" in answer.get_data(as_text=True)
    assert count(Course) == 0


def test_a_clinician_may_not_open_the_wizard_or_book(signed_in, course_clinic, clinic_clock):
    clinician = signed_in("clinician")
    assert clinician.get("/courses/new").status_code == 403
    assert clinician.post("/courses/book", data={"plan": "x"}).status_code in (400, 403)


def test_the_patient_search_finds_by_name_or_mrn_and_links_to_the_wizard(reception):
    patient = ready_patient("MRN-SEARCH")
    page = reception.get("/courses/new?q=search").get_data(as_text=True)
    assert f"/courses/new?patient={patient}" in page
    assert "No patient" in reception.get("/courses/new?q=%25_nobody").get_data(as_text=True)


def test_a_weekday_sent_many_times_counts_once(reception):
    answer = plan_step(reception, ready_patient(), weekdays=["0", "1", "2", "3"] * 30)
    assert answer.status_code == 200 and tokens(answer)


def test_booking_the_same_plan_twice_makes_one_course(reception):
    offer = plan_step(reception, ready_patient())
    assert book(reception, offer).status_code == 303
    again = book(reception, offer)
    assert again.status_code == 409 and "nothing was booked" in again.get_data(as_text=True)
    assert count(Course) == 1 and count(Session) == 13


def test_in_the_demo_clinic_reception_plans_and_books_a_course_for_a_ready_patient(app, client, monkeypatch):
    from planner import clock
    from planner.db.models import Patient
    from planner.extensions import db
    from tests.web.conftest import sign_in

    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 3, 10, 15, tzinfo=timezone.utc))
    assert app.test_cli_runner().invoke(args=["planner", "seed-demo"]).exit_code == 0
    assert sign_in(client, "reception@demo.clinic", "demo-password-1").status_code == 302
    patient = db.session.scalar(select(Patient.id).where(Patient.mrn == "BH-1014"))
    db.session.rollback()
    found = client.get("/courses/new?q=BH-1014").get_data(as_text=True)
    assert f"/courses/new?patient={patient}" in found
    offer = plan_step(client, patient)
    assert offer.status_code == 200 and tokens(offer), offer.get_data(as_text=True)[-3000:]
    assert "New York" in offer.get_data(as_text=True)
    booked = book(client, offer)
    assert booked.status_code == 303
    assert client.get(booked.headers["Location"]).status_code == 200
