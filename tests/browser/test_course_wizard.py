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
from tests.browser.test_journeys import sign_in

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, artifacts, name: str, detail=None) -> None:
    """Screenshots at desktop and phone width (and of one part up close), and nothing wider than the phone."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} overflows a phone"
    page.screenshot(path=str(artifacts / f"{name}-375.png"), full_page=True)
    if detail is not None:
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
