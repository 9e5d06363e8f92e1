"""Outcome measures on the pages: staff enter a questionnaire item by item, the course's trend, the patient's link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from planner.db.models import OutcomeEntry, Session
from planner.domain.discretion import clinical_words_in
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.patient_page import link_expiry
from tests.factories import booking_order, ready_patient
from tests.web.api_client import count
from tests.web.conftest import csrf_from

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


@pytest.fixture
def course(course_clinic, clinic_clock):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    return book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def post_form(client, course_id: int, answers: dict, measure: str = "phq9", **extra):
    form = client.get(f"/courses/{course_id}/outcomes/new?measure={measure}")
    data = {"csrf_token": csrf_from(form.data), "measure": measure, **answers, **extra}
    return client.post(f"/courses/{course_id}/outcomes/new", data=data)


def test_a_clinician_enters_a_phq9_item_by_item_and_reads_the_trend_with_its_thresholds(signed_in, course):
    clinician = signed_in("clinician")
    form = clinician.get(f"/courses/{course}/outcomes/new?measure=phq9")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Little interest or pleasure in doing things" in page and page.count('type="radio"') == 36
    missing = post_form(clinician, course, {f"item_{k}": "2" for k in range(1, 9)})
    assert missing.status_code == 422
    assert 'id="q9-error"' in missing.get_data(as_text=True) and "PHQ-9 item 9" in text_of(missing)
    assert 'value="2" checked' in missing.get_data(as_text=True)  # what was chosen stays chosen
    saved = post_form(clinician, course, {f"item_{k}": "2" for k in range(1, 10)})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/courses/{course}#outcomes")
    post_form(clinician, course, {f"item_{k}": "1" for k in range(1, 9)} | {"item_9": "0"})
    shown = clinician.get(f"/courses/{course}")
    words = text_of(shown)
    assert "PHQ-9 down 56% from baseline 18: response; not yet remission" in words
    assert "item 9 (thoughts of self-harm) answered 2" in words
    html = shown.get_data(as_text=True)
    assert 'class="trend-chart"' in html and "rule-response" in html and "rule-remission" in html
    assert html.count('class="dose-line"') == 6 and "The PHQ-9 chart as a table" in html
    assert count(OutcomeEntry) == 2


def test_reception_enters_a_questionnaire_but_sees_no_score_anywhere(signed_in, course):
    reception = signed_in("reception")
    saved = post_form(reception, course, {"item_1": "7"}, measure="pain")
    assert saved.status_code == 303
    shown = reception.get(saved.headers["Location"])
    words = text_of(shown)
    assert "Pain (0–10) answers saved." in words and "Scores and trends are shown to clinicians." in words
    assert "trend-chart" not in shown.get_data(as_text=True) and "total" not in words.lower()
    urgent = post_form(reception, course, {f"item_{k}": "0" for k in range(1, 9)} | {"item_9": "1"})
    words = text_of(reception.get(urgent.headers["Location"]))
    assert "tell them now" in words and "item 9" not in words.lower()  # the flag, never the answer
    entry = db.session.scalar(select(OutcomeEntry.id).order_by(OutcomeEntry.id).limit(1))
    assert reception.get(f"/courses/{course}/outcomes/new?measure=pain&corrects={entry}").status_code == 403


def test_a_dose_s_page_opens_the_questionnaire_for_that_dose(signed_in, course):
    reception = signed_in("reception")
    dose = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.purpose == "dose")
                             .order_by(Session.starts_at.desc()).limit(1))
    assert f"/courses/{course}/outcomes/new?session_id={dose}" in reception.get(f"/sessions/{dose}").get_data(
        as_text=True)
    assert f'<option value="{dose}" selected>' in reception.get(
        f"/courses/{course}/outcomes/new?measure=phq9&session_id={dose}").get_data(as_text=True)


def test_a_clinician_corrects_an_entry_and_the_course_keeps_both(signed_in, course):
    clinician = signed_in("clinician")
    post_form(clinician, course, {"item_1": "9"}, measure="pain")
    wrong = db.session.scalar(select(OutcomeEntry.id))
    form = clinician.get(f"/courses/{course}/outcomes/new?measure=pain&corrects={wrong}")
    assert 'value="9" checked' in form.get_data(as_text=True)
    assert post_form(clinician, course, {"item_1": "6"}, measure="pain", corrects=str(wrong)).status_code == 303
    words = text_of(clinician.get(f"/courses/{course}"))
    assert f"corrected by entry {wrong + 1}" in words and f"corrects entry {wrong}" in words


@pytest.fixture
def link(app, course):
    db.session.rollback()
    first = db.session.scalar(select(Session).where(Session.course_id == course, Session.purpose == "dose")
                              .order_by(Session.starts_at).limit(1))
    return sign_link(first.id, first.version, link_expiry(first.starts_at), app.config["SECRET_KEY"])


def test_the_patient_answers_from_their_link_discreetly_item_by_item_and_once(client, link):
    offer = client.get(f"/p/{link}")
    assert f'href="/p/{link}/questions/phq9"' in offer.get_data(as_text=True)
    page = client.get(f"/p/{link}/questions/phq9")
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.get_data(as_text=True), re.S).group(1)
    assert title.startswith("A few questions") and not clinical_words_in(title)
    for name, value in PRIVATE.items():
        assert page.headers[name] == value
    missing = client.post(f"/p/{link}/questions/phq9", data={f"item_{k}": "0" for k in range(2, 10)})
    assert missing.status_code == 422 and 'id="q1-error"' in missing.get_data(as_text=True)
    assert not clinical_words_in(re.search(r'role="alert">(.*?)<', missing.get_data(as_text=True)).group(1))
    sent = client.post(f"/p/{link}/questions/phq9", data={f"item_{k}": "1" for k in range(1, 10)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("done?check=1")
    thanks = client.get(sent.headers["Location"])
    assert "Thank you: we have your answers" in text_of(thanks) and "emergency number" in text_of(thanks)
    assert not clinical_words_in(re.search(r"<title>(.*?)</title>", thanks.get_data(as_text=True), re.S).group(1))
    assert f"/p/{link}/questions/phq9" not in client.get(f"/p/{link}").get_data(as_text=True)  # answered
    assert client.post(f"/p/{link}/questions/phq9", data={f"item_{k}": "0" for k in range(1, 10)}).status_code == 409
    entry = db.session.scalars(select(OutcomeEntry)).one()
    assert (entry.total, entry.entered_by) == (9, "patient via link")


def test_a_broken_link_or_a_measure_not_asked_shows_nothing_and_writes_nothing(client, link):
    assert client.get("/p/not-a-token/questions/phq9").status_code == 404
    assert client.post("/p/not-a-token/questions/phq9", data={"item_1": "1"}).status_code == 404
    assert client.get(f"/p/{link}/questions/pcl5").status_code == 404
    assert client.post(f"/p/{link}/questions/bdi", data={}).status_code == 404
    assert client.post(f"/p/{link}/questions/pain", data={"item_1": "3"}).status_code == 404
    assert count(OutcomeEntry) == 0
