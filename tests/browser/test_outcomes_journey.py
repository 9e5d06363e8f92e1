"""A patient answers a PHQ-9 from their link on a phone; then a prescriber reads the course's PHQ-9 trend."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from planner.db.models import Session
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from planner.services.outcome_entries import enter_outcome
from planner.services.outcome_inputs import OutcomeIn
from planner.services.patient_page import link_expiry
from tests.browser.a11y import PHONE, assert_accessible, check_at_every_width, fits_the_width, shoot
from tests.browser.test_journeys import sign_in
from tests.factories import booking_order, ready_patient

NURSE = Actor("nurse@clinic.example")


def test_a_patient_answers_a_phq9_on_a_phone_and_the_prescriber_reads_the_trend(app, browser, live_server, page,
                                                                                   course_clinic, clinic_clock,
                                                                                   staff_login, artifacts):
    patient = ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course = book_course(booking_order(proposal, patient), SYSTEM, clinic_clock)
    doses = list(db.session.scalars(select(Session).where(Session.course_id == course, Session.purpose == "dose")
                                    .order_by(Session.starts_at)))
    first = doses[0]
    token = sign_link(first.id, first.version, link_expiry(first.starts_at), app.config["SECRET_KEY"])
    db.session.rollback()

    # The patient, on a phone, the Friday before dose 1.
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", has_touch=True,
                                  is_mobile=True)
    phone = context.new_page()
    phone.goto(f"/p/{token}")
    phone.get_by_role("link", name="Answer the questions").click()
    expect(phone).to_have_title("A few questions · The clinic")
    answers = [3, 2, 2, 2, 2, 2, 2, 2, 0]  # 17: moderately severe
    for n, value in enumerate(answers[:-1], start=1):
        phone.locator(f"#q{n}").get_by_text(("Not at all", "Several days", "More than half the days",
                                             "Nearly every day")[value], exact=True).click()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#q9 .error")).to_have_text("Please choose an answer.")  # the one left out, beside it
    fits_the_width(phone)
    assert_accessible(phone)
    shoot(phone, "outcomes-patient-missing-item")
    phone.locator("#q9").get_by_text("Not at all", exact=True).click()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you: we have your answers")
    fits_the_width(phone)
    assert_accessible(phone)
    shoot(phone, "outcomes-patient-thanks")
    context.close()

    # Reception enters the paper PHQ-9s of doses 2 and 4 later in the course.
    later = doses[3].starts_at + timedelta(hours=2)
    enter_outcome(patient, OutcomeIn(measure="phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 0], taken_at=doses[1].starts_at,
                                     session_id=doses[1].id), NURSE, later)
    enter_outcome(patient, OutcomeIn(measure="phq9", items=[1, 1, 1, 1, 1, 1, 1, 0, 0], taken_at=doses[3].starts_at,
                                     session_id=doses[3].id), NURSE, later)

    email, password = staff_login("clinician", "Dr Ada Kim")
    page.goto("/login")
    sign_in(page, email, password)
    page.goto(f"/courses/{course}")
    section = page.locator("#outcomes")
    expect(section.get_by_test_id("status-phq9")).to_have_text(
        "PHQ-9 down 59% from baseline 17: response; not yet remission")
    expect(section.locator("svg.trend-chart circle")).to_have_count(3)
    expect(section.locator("svg.trend-chart .dose-line")).to_have_count(6)
    section.get_by_text("The PHQ-9 chart as a table").click()
    expect(section.locator("details.chart-table tbody tr")).to_have_count(3)
    section.locator("#outcomes-title").scroll_into_view_if_needed()
    check_at_every_width(page, "outcomes-course-trend")

    # The form a clinician fills in from the paper (radio buttons item by item), at every width.
    section.get_by_role("link", name="GAD-7").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GAD-7")
    expect(page.locator("fieldset.question")).to_have_count(7)
    check_at_every_width(page, "outcomes-enter-gad7")
