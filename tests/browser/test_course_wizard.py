"""Reception plans and books a whole IV course through the wizard, then sees a re-plan before applying it."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from planner.db.models import Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import cancel_session
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, artifacts, name: str, detail=None) -> None:
    """Screenshots at 1280, 768 and 375 px with the accessibility, width and focus checks at each (and one part
    up close at phone width)."""
    check_at_every_width(page, name)
    if detail is not None:
        page.set_viewport_size(PHONE)
        detail.screenshot(path=str(artifacts / f"{name}-detail-375.png"))
        page.set_viewport_size(DESKTOP)


def test_reception_books_a_whole_iv_course_through_the_wizard_and_sees_a_replan_before_applying_it(
        page, staff_login, artifacts, course_clinic, clinic_clock):
    f.make_patient("MRN-900", name="Casey Morgan")
    email, password = staff_login("reception", "Pat Front")
    page.goto("/login")
    sign_in(page, email, password)

    page.get_by_role("link", name="New course").click()
    page.get_by_label("Patient's name or MRN").fill("casey")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".patients-found")).to_contain_text("MRN-900")
    shoot(page, artifacts, "course-find-patient")
    page.get_by_role("link", name="Casey Morgan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New course for Casey Morgan")
    page.get_by_label("Protocol").select_option(label="IV ketamine, depression induction")
    page.get_by_role("button", name="Plan the course").click()

    plans = page.get_by_test_id("plan")
    expect(plans.first.get_by_role("heading", name="Recommended")).to_be_visible()
    expect(plans.nth(1).get_by_role("heading", name="Alternative 1")).to_be_visible()
    expect(plans.nth(1).locator(".rank")).to_have_text(re.compile(r"^(Ranked lower: .+|Equally good on every goal: .+)$"))
    best = plans.first
    expect(best.locator(".tl-mark.mark-dose")).to_have_count(6)
    expect(best.locator(".tl-mark.mark-preparation")).to_have_count(1)
    expect(best.locator(".tl-mark.mark-integration")).to_have_count(6)
    expect(best.locator(".tl-day.win-gap").first).to_be_visible()
    expect(best).to_contain_text("America/New_York")
    shoot(page, artifacts, "course-wizard-plans", best)

    best.get_by_role("button", name="Book this recommended plan").click()
    expect(page).to_have_url(re.compile(r"/courses/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Course booked: 13 sessions.")
    rows = page.locator("table.course-sessions tbody tr")
    expect(rows).to_have_count(13)
    expect(page.locator("table.course-sessions .badge.status-booked")).to_have_count(13)
    course_id = int(page.url.rsplit("/", 1)[-1])
    shoot(page, artifacts, "course-page", page.locator("section.card").nth(1))

    # The patient cannot come to dose 3: it is cancelled, and the rest of the course must be re-planned.
    db.session.rollback()
    third = db.session.scalar(select(Session.id).where(Session.course_id == course_id, Session.purpose == "dose",
                                                       Session.dose_number == 3))
    db.session.rollback()
    cancel_session(third, SYSTEM, clinic_clock, "patient unwell")
    page.reload()
    expect(page.locator("table.course-sessions .badge.status-cancelled")).to_have_count(1)
    page.get_by_role("link", name="Re-plan the rest").click()
    expect(page.get_by_role("heading", name="Preview: nothing is changed until you apply")).to_be_visible()
    changes = page.locator("ul.replan-changes li")
    expect(changes.filter(has_text="added").filter(has_text="Dose")).to_have_count(1)
    expect(changes.filter(has_text="moves").first).to_contain_text("→")
    expect(page.locator("ul.renumbered")).to_contain_text("Dose 4 becomes dose 3")
    shoot(page, artifacts, "course-replan-preview")

    page.get_by_role("button", name="Apply this re-plan").click()
    expect(page).to_have_url(re.compile(rf"/courses/{course_id}$"))
    expect(page.get_by_role("status")).to_contain_text("Re-planned:")
    expect(page.locator(".course-history")).to_contain_text("replanned")
    expect(page.locator("table.course-sessions .badge.status-booked")).to_have_count(13)


def plan_for(page, name: str) -> None:
    """Open the wizard for a patient by name and plan an IV induction course at any time."""
    page.goto("/courses/new")
    page.get_by_label("Patient's name or MRN").fill(name)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=name).click()
    page.get_by_label("Protocol").select_option(label="IV ketamine, depression induction")
    page.get_by_role("button", name="Plan the course").click()


def test_a_plan_taken_while_reception_looked_gets_a_fresh_offer_that_books(page, staff_login, artifacts,
                                                                           course_clinic, clinic_clock):
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from tests.factories import booking_order

    patient = f.make_patient("MRN-901", name="Robin Hale")
    rival = f.make_patient("MRN-902", name="Ari Stone")
    email, password = staff_login("reception", "Pat Front")
    page.goto("/login")
    sign_in(page, email, password)
    plan_for(page, "Robin Hale")
    expect(page.get_by_test_id("plan").first).to_be_visible()

    # Meanwhile a colleague books the very plan shown for another patient.
    order = booking_order(propose_course(patient, "iv-induction", PreferencesIn(), clinic_clock), patient)
    book_course(order.__class__(rival, order.protocol, order.site_id, order.sessions), SYSTEM, clinic_clock)

    page.get_by_role("button", name="Book this recommended plan").click()
    expect(page.get_by_test_id("stale-note")).to_contain_text("That plan was taken in the meantime, so nothing was "
                                                              "booked.")
    expect(page.get_by_test_id("plan").first).to_be_visible()
    shoot(page, artifacts, "course-wizard-stale", page.get_by_test_id("stale-note"))
    page.get_by_role("button", name="Book this recommended plan").click()
    expect(page).to_have_url(re.compile(r"/courses/\d+$"))
    expect(page.locator("h1")).to_contain_text("Robin Hale")
    expect(page.locator("table.course-sessions .badge.status-booked")).to_have_count(13)


def test_reception_stops_a_course_after_saying_why(page, staff_login, artifacts, course_clinic, clinic_clock):
    f.make_patient("MRN-903", name="Jo Banks")
    email, password = staff_login("reception", "Pat Front")
    page.goto("/login")
    sign_in(page, email, password)
    plan_for(page, "Jo Banks")
    page.get_by_role("button", name="Book this recommended plan").click()
    page.get_by_role("link", name="Stop course").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stop the course?")
    expect(page.locator(".stop-form")).to_contain_text("13 sessions")
    page.get_by_role("button", name="Stop the course").click()
    expect(page.locator("#reason-error")).to_have_text("Say why the course stops.")
    shoot(page, artifacts, "course-stop")
    page.get_by_label("Why the course stops").fill("Patient chose another treatment")
    page.get_by_role("button", name="Stop the course").click()
    expect(page.get_by_role("status")).to_have_text("Course stopped; 13 sessions still to come cancelled.")
    expect(page.locator(".course-head .badge")).to_have_text("stopped")
    expect(page.get_by_role("link", name="Re-plan the rest")).to_have_count(0)
    expect(page.locator(".course-history")).to_contain_text("Reason: Patient chose another treatment")
