"""The check-in gate in a real browser: a nurse checks a patient in with high blood pressure; the dose is held, and
the prescriber (not the nurse) holds it off."""

from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from planner.services import accounts
from tests.browser.a11y import check_at_every_width, shoot
from tests.browser.conftest import PASSWORD
from tests.browser.test_journeys import sign_in
from tests.web.board_clinic import seed_board_clinic

MADE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_a_nurse_checks_a_patient_in_with_high_blood_pressure_and_the_held_dose_waits_for_a_new_time(
        page, artifacts):
    board = seed_board_clinic()
    # Each signs in with an account linked to their staff record: the nurse's may not review a hold.
    accounts.create_user("rosa@clinic.example", "Rosa Diaz", "clinician", PASSWORD, board.nurse, now=MADE)
    accounts.create_user("ada@clinic.example", "Ada Kim", "clinician", PASSWORD, board.prescriber, now=MADE)
    page.goto("/login")
    sign_in(page, "rosa@clinic.example", PASSWORD)
    page.get_by_role("link", name="Today board").click()
    page.get_by_role("link", name="Harbour Clinic").click()
    jordan = page.locator("li.visit", has_text="Jordan Avery")
    jordan.get_by_label("Escort confirmed").check()
    jordan.get_by_role("button", name="Check in: Jordan Avery").click()
    expect(jordan.locator(".visit-status .badge")).to_have_text("arrived")
    jordan.locator(".visit-time a").click()

    # A typing error is shown beside its field; nothing is recorded.
    page.get_by_label("Systolic (mmHg)").fill("20")
    page.get_by_label("Diastolic (mmHg)").fill("10")
    page.get_by_label("Heart rate (a minute)").fill("78")
    page.get_by_role("button", name="Record vitals").click()
    expect(page.locator("#systolic-error")).to_have_text("Systolic pressure must be between 50 and 300 mmHg.")
    expect(page.get_by_test_id("session-status")).to_have_text("arrived")

    page.get_by_label("Systolic (mmHg)").fill("152")
    page.get_by_label("Diastolic (mmHg)").fill("94")
    page.get_by_role("button", name="Record vitals").click()
    expect(page.get_by_test_id("held-because")).to_contain_text("pre-dose blood pressure above the threshold 140/90")
    expect(page.get_by_test_id("session-status")).to_have_text("held")
    # The nurse is told who reviews it, and why not she; no review form is offered to her.
    expect(page.get_by_test_id("review-who")).to_contain_text("Awaiting review by a prescriber")
    expect(page.get_by_test_id("review-refused")).to_contain_text("Rosa Diaz (RN) is not one")
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    check_at_every_width(page, "checkin-held")  # axe, width and focus at 1280, 768 and 375 px

    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    sign_in(page, "ada@clinic.example", PASSWORD)
    # The board offers no "Start" for the held dose: it leads to the prescriber's review.
    page.get_by_role("link", name="Today board").click()
    page.get_by_role("link", name="Harbour Clinic").click()
    jordan = page.locator("li.visit", has_text="Jordan Avery")
    expect(jordan.get_by_role("button", name="Start: Jordan Avery")).to_have_count(0)
    shoot(page, "checkin-held-board")
    jordan.get_by_role("link", name="Awaiting review by a prescriber").click()
    expect(page.get_by_test_id("review-refused")).to_have_count(0)
    check_at_every_width(page, "checkin-held-prescriber")

    page.get_by_label("Hold off for today: cancel it; it waits for a new time").check()
    page.get_by_label("Note").fill("still 150/95 after 15 minutes' rest")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("session-status")).to_have_text("cancelled")
    expect(page.locator("main")).to_contain_text("held off today: still 150/95 after 15 minutes' rest")
    expect(page.locator("main")).to_contain_text("needs a new time")
    page.screenshot(path=str(artifacts / "checkin-held-off.png"), full_page=True)
