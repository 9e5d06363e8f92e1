"""A course's page: sessions in site time, the re-plan previewed before it is applied, a stale preview refused, stop."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from planner.db.models import Course, CourseEvent, Session
from planner.domain.calendar import local
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import cancel_session
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests.factories import booking_order, ready_patient
from tests.web.conftest import csrf_from


@pytest.fixture
def course(course_clinic, clinic_clock):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    return book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)


@pytest.fixture
def reception(signed_in, course):
    return signed_in("reception")


def third_dose(course_id: int) -> Session:
    db.session.rollback()
    return db.session.scalar(select(Session).where(Session.course_id == course_id, Session.purpose == "dose",
                                                   Session.dose_number == 3))


def live_versions(course_id: int) -> dict[int, tuple[int, str]]:
    db.session.rollback()
    return {s.id: (s.version, s.status) for s in db.session.scalars(select(Session).where(Session.course_id == course_id))}


def test_the_course_page_shows_protocol_status_sessions_in_site_time_and_history(reception, course):
    page = reception.get(f"/courses/{course}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "IV ketamine, depression induction" in text and "America/New_York" in text
    assert text.count('class="row-booked"') == 13 and 'class="tl-grid"' in text
    first = db.session.scalar(select(Session.starts_at).where(Session.course_id == course)
                              .order_by(Session.starts_at).limit(1))
    assert f'<td class="time">{local(first, "America/New_York"):%a %d %b %Y, %H:%M}</td>' in text
    assert "13 sessions booked" in text and "Re-plan the rest" in text
    # Every session on the strip opens its own page: a click on the picture, not a hunt in the list.
    ids = db.session.scalars(select(Session.id).where(Session.course_id == course)).all()
    marks = re.findall(r'<a class="tl-mark[^"]*" href="/sessions/(\d+)"', text)
    assert sorted(int(m) for m in marks) == sorted(ids)


def test_a_clinician_reads_the_course_page_and_the_preview_but_may_not_apply(signed_in, course):
    clinician = signed_in("clinician")
    assert clinician.get(f"/courses/{course}").status_code == 200
    assert clinician.get(f"/courses/{course}/replan").status_code == 200
    assert clinician.post(f"/courses/{course}/replan", data={"fingerprint": "x"}).status_code in (400, 403)


def test_a_cancelled_dose_shows_the_replan_before_anything_changes_then_apply_makes_it(reception, course, clinic_clock):
    cancel_session(third_dose(course).id, SYSTEM, clinic_clock, "patient unwell")
    before = live_versions(course)
    preview = reception.get(f"/courses/{course}/replan")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview: nothing is changed until you apply" in text
    assert 'class="badge change-add">added' in text and "Apply this re-plan" in text
    assert live_versions(course) == before  # looking changes nothing
    applied = reception.post(f"/courses/{course}/replan", data={
        "csrf_token": csrf_from(preview.data),
        "fingerprint": re.search(r'name="fingerprint" value="([^"]+)"', text).group(1)})
    assert applied.status_code == 303
    shown = reception.get(f"/courses/{course}").get_data(as_text=True)
    assert "Re-planned:" in shown and "replanned" in shown
    assert [e.kind for e in db.session.scalars(select(CourseEvent).where(CourseEvent.course_id == course))] == [
        "booked", "replanned"]


def test_a_preview_that_went_stale_is_refused_and_the_current_one_shown(reception, course, clinic_clock):
    cancel_session(third_dose(course).id, SYSTEM, clinic_clock, "patient unwell")
    preview = reception.get(f"/courses/{course}/replan")
    before = live_versions(course)
    refused = reception.post(f"/courses/{course}/replan", data={"csrf_token": csrf_from(preview.data),
                                                                "fingerprint": "0000000000000000"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Nothing was changed." in text and "changed since it was shown" in text and "Apply this re-plan" in text
    assert live_versions(course) == before


def test_a_course_that_still_fits_offers_nothing_to_apply(reception, course):
    text = reception.get(f"/courses/{course}/replan").get_data(as_text=True)
    assert "nothing needs to move" in text and "Apply this re-plan" not in text


def test_stopping_asks_why_first_then_cancels_what_is_to_come(reception, course):
    confirm = reception.get(f"/courses/{course}/stop")
    assert confirm.status_code == 200 and "13 sessions" in confirm.get_data(as_text=True)
    token = csrf_from(confirm.data)
    empty = reception.post(f"/courses/{course}/stop", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert db.session.get(Course, course).status == "planned"
    db.session.rollback()
    stopped = reception.post(f"/courses/{course}/stop", data={"csrf_token": token, "reason": "Patient moved away"})
    assert stopped.status_code == 303
    text = reception.get(f"/courses/{course}").get_data(as_text=True)
    assert "Reason: Patient moved away" in text and text.count('class="row-cancelled"') == 13
    again = reception.post(f"/courses/{course}/stop", data={"csrf_token": token, "reason": "twice"})
    assert again.status_code == 409


@pytest.mark.parametrize("path, status", [("/courses/999999", 404), ("/courses/abc", 404),
                                          ("/courses/99999999999999999999", 404), ("/courses/999999/replan", 404),
                                          ("/courses/999999/stop", 404)])
def test_unknown_courses_are_404_pages(reception, path, status):
    assert reception.get(path).status_code == status
