"""A clinician screens a new patient on a phone (one item forgotten, shown beside it), records consent, and may book;
then the patient withdraws consent, and the dose booked meanwhile is named on their page, not cancelled."""

from __future__ import annotations

from datetime import time

from playwright.sync_api import expect

from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests.browser.a11y import DESKTOP, PHONE, check_at_every_width, fits_the_width, shoot
from tests.browser.test_journeys import sign_in
from tests.factories import MONDAY, make_patient

ITEMS = ("Aneurysmal vascular disease or arteriovenous malformation (AVM)", "History of brain haemorrhage",
         "Hypersensitivity to ketamine or esketamine", "Pregnancy", "Uncontrolled heart disease",
         "Active psychosis or mania", "Substance dependence", "Raised intracranial pressure")


def test_a_clinician_screens_a_patient_on_a_phone_records_consent_and_later_its_withdrawal(
        page, clinic, clinic_clock, staff_login, artifacts):
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

    # A dose is booked; then the patient withdraws consent. The dose is named with its links, not cancelled.
    booked = book_session(SessionOrder(patient, clinic.site, clinic.iv, to_utc(MONDAY, time(9), "America/New_York"),
                                       clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                          (clinic.nurses[0], "monitoring_clinician"))), SYSTEM,
                          clinic_clock)
    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.get_by_test_id("doses-without-consent")).to_have_count(0)
    page.get_by_test_id("screening-card").get_by_role("link", name="Consent withdrawn…").click()
    page.get_by_label("Withdrawn on").fill("2026-11-20")
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.locator("#reason-error")).to_be_visible()  # why is asked for, beside its field
    check_at_every_width(page, "consent-withdraw-form")
    page.get_by_label("Why").fill("Moving abroad")
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.locator(".flash-warning")).to_contain_text("1 dose is still booked")
    doses = page.get_by_test_id("doses-without-consent")
    expect(doses).to_contain_text("The patient withdrew consent for treatment")
    expect(doses.get_by_role("link", name="IV ketamine infusion")).to_have_attribute("href", f"/sessions/{booked}")
    expect(page.get_by_test_id("not-ready")).to_contain_text("withdrawn consent")
    expect(page.get_by_test_id("treatment-consent")).to_contain_text("Moving abroad")
    expect(page.get_by_test_id("history")).to_contain_text("withdrew treatment consent on 11/20/2026")
    check_at_every_width(page, "consent-withdrawn")
