"""Moving and cancelling a course's session from its page: the change is shown before it is made; the course rules hold."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from planner.db.models import PatientRequest, Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests.factories import booking_order, ready_patient
from tests.web.conftest import csrf_from
from tests.web.test_session_page import offer_forms


@pytest.fixture
def course(course_clinic, clinic_clock):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    return book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)


@pytest.fixture
def desk(signed_in, course):
    return signed_in("reception")


def dose(course_id: int, number: int) -> Session:
    db.session.rollback()
    return db.session.scalar(select(Session).where(Session.course_id == course_id, Session.purpose == "dose",
                                                   Session.dose_number == number))


def test_the_course_page_links_each_session_to_its_page(desk, course):
    third = dose(course, 3)
    assert f'href="/sessions/{third.id}"' in desk.get(f"/courses/{course}").get_data(as_text=True)


def test_a_course_session_is_named_as_the_course_names_it(desk, course):
    db.session.rollback()
    after_second = db.session.scalar(select(Session).where(Session.course_id == course,
                                                           Session.purpose == "integration", Session.dose_number == 2))
    page = desk.get(f"/sessions/{after_second.id}").get_data(as_text=True)
    # "integration 2" read like the second integration; the course's own words say what it follows.
    assert "Integration after dose 2" in page and "integration 2" not in page
    assert "· Dose 3" in desk.get(f"/sessions/{dose(course, 3).id}").get_data(as_text=True)


def test_a_course_session_is_offered_only_times_that_keep_the_protocol_and_says_what_was_left_out(desk, course):
    third = dose(course, 3)
    day = third.starts_at.date()
    page = desk.get(f"/sessions/{third.id}", query_string={"day": day.isoformat(), "span": "week"}) \
        .get_data(as_text=True)
    forms = offer_forms(page, f"/sessions/{third.id}/move")
    assert "re-plan the course" in page and f"/courses/{course}/replan" in page
    assert forms, "some time that week keeps the protocol"
    assert "would break the course" in page  # doses 2 and 4 fence it in: other days that week break a gap


def test_moving_a_course_session_shows_the_change_first_and_moves_only_when_confirmed(desk, course):
    third = dose(course, 3)
    day = third.starts_at.date().isoformat()
    forms = offer_forms(desk.get(f"/sessions/{third.id}", query_string={"day": day}).get_data(as_text=True),
                        f"/sessions/{third.id}/move")
    first = forms[0]
    shown = desk.post(f"/sessions/{third.id}/move", data=first)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "What changes in course" in page and "Nothing else moves" in page
    assert "The course around it, after the move" in page and "moved here" in page and "Dose 2" in page
    assert dose(course, 3).version == third.version  # nothing moved yet
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    confirm["staff"] = re.findall(r'<input type="hidden" name="staff" value="([^"]*)"', page)
    moved = desk.post(f"/sessions/{third.id}/move", data=confirm)
    assert moved.status_code == 303
    assert dose(course, 3).starts_at == datetime.fromisoformat(first["start"])


def test_cancelling_a_course_session_leads_to_the_re_plan_preview(desk, course):
    third = dose(course, 3)
    token = csrf_from(desk.get(f"/sessions/{third.id}/cancel").get_data(as_text=True))
    page = desk.get(f"/sessions/{third.id}/cancel").get_data(as_text=True)
    assert "needs a new time" not in page  # a course's session gets its new time from the re-plan
    response = desk.post(f"/sessions/{third.id}/cancel", data={"reason": "Patient unwell", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/courses/{course}/replan")
    assert dose(course, 3).status == "cancelled"
    preview = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cancelled. Here is what re-planning" in preview


def test_a_course_session_cancelled_for_a_re_plan_later_waits_on_the_requests_list(desk, course):
    third = dose(course, 3)
    token = csrf_from(desk.get(f"/sessions/{third.id}/cancel").get_data(as_text=True))
    desk.post(f"/sessions/{third.id}/cancel", data={"reason": "Chair broken", "new_time": "yes", "csrf_token": token})
    ask = db.session.scalar(select(PatientRequest))
    assert (ask.kind, ask.state, ask.session_id) == ("replan", "open", third.id)
    listed = desk.get("/requests").get_data(as_text=True)
    assert "re-plan the course" in listed and f'href="/courses/{course}/replan"' in listed
