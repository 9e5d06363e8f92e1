"""A clinician screens a new patient on a phone (one item forgotten, shown beside it), records consent, and may book."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import PHONE, check_at_every_width, fits_the_width, shoot
from tests.browser.test_journeys import sign_in
from tests.factories import make_patient

ITEMS = ("Aneurysmal vascular disease or arteriovenous malformation (AVM)", "History of brain haemorrhage",
         "Hypersensitivity to ketamine or esketamine", "Pregnancy", "Uncontrolled heart disease",
         "Active psychosis or mania", "Substance dependence", "Raised intracranial pressure")


def test_a_clinician_screens_a_patient_on_a_phone_and_records_consent(page, clinic, clinic_clock, staff_login,
                                                                      artifacts):
    patient = make_patient("NEW-8", screening_status="pending", consent_status="pending")
    email, password = staff_login("clinician", "Dr Ada Kim")
    page.set_viewport_size(PHONE)
    page.goto("/login")
    sign_in(page, email, password)
    page.goto(f"/patients/{patient}")
    expect(page.get_by_test_id("not-ready")).to_be_visible()
    page.get_by_role("link", name="Record a screening").click()
    for n, _ in enumerate(ITEMS, start=1):  # the ninth, severe liver disease, is forgotten
        page.locator(".question").nth(n - 1).get_by_text("No", exact=True).click()
    page.locator("#item-outcome").get_by_text("Cleared", exact=True).click()
    page.get_by_role("button", name="Record the screening").click()
    expect(page.locator("#liver_disease-error")).to_have_text("This is required.")
    fits_the_width(page)
    shoot(page, "screening-missing-item")
    page.locator("#item-liver_disease").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Record the screening").click()

    card = page.get_by_test_id("screening-card")
    expect(card).to_contain_text("No to every item")
    card.get_by_role("link", name="Record a signed consent").click()
    page.get_by_label("Signed on").fill("2026-11-19")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_test_id("screening-card")).to_contain_text("signed 11/19/2026")
    expect(page.get_by_test_id("not-ready")).to_have_count(0)
    check_at_every_width(page, "screening-card")
