"""The admin opens the staffing policy, is refused below the floor with the error beside the field, raises a rule
that would break a booked dose and is refused with it named, then raises one that fits; at 1280, 768 and 375 px."""

from __future__ import annotations

from datetime import datetime, time, timezone

from playwright.sync_api import expect

from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in
from tests.web.rems_clinic import set_clock

FRIDAY = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def test_the_admin_raises_the_staffing_policy_within_the_floor_and_around_booked_doses(page, staff_login,
                                                                                       monkeypatch):
    clinic = f.small_clinic()
    set_clock(monkeypatch, FRIDAY)
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv,
                                       to_utc(f.MONDAY, time(9), "America/New_York"), clinic.chairs[0],
                                       ((clinic.prescriber, "supervising_prescriber"),
                                        (clinic.nurses[0], "monitoring_clinician"))), SYSTEM, FRIDAY)
    email, password = staff_login("admin", "Ada Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Staffing policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staffing policy")
    check_at_every_width(page, "policy")

    page.get_by_label("BLS holders on site during every dose (the ACLS holder counted), IV infusion").fill("1")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.locator("#routes-IV-bls_on_site-error")).to_contain_text("At least 2 BLS holders")
    check_at_every_width(page, "policy-below-floor")

    page.get_by_label("BLS holders on site during every dose (the ACLS holder counted), IV infusion").fill("2")
    page.get_by_label("ACLS holders on site during every dose, IV infusion").fill("2")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Session {booked} (IV ketamine infusion, Mon 23 Nov 2026 09:00")
    check_at_every_width(page, "policy-breaks-a-dose")

    page.get_by_label("ACLS holders on site during every dose, IV infusion").fill("1")
    page.get_by_label("ACLS holders on site during every dose, Esketamine (intranasal)").fill("2")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_label("ACLS holders on site during every dose, Esketamine (intranasal)")).to_have_value("2")
