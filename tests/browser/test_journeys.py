"""Staff journeys in a real browser: signing in, reading the day, signing out, being refused."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories as f
from tests.web.conftest import days_from_now, seed_clinic_today


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_receptionist_signs_in_reads_today_in_site_time_and_signs_out(page, staff_login, artifacts):
    clinic = seed_clinic_today()
    for name, days in (("Sam Lee", 12), ("Theo Park", 45)):
        f.make_staff(name, ["RN"], [{"kind": "bls", "number": "BLS-1", "issued_on": f.LONG_AGO,
                                     "expires_on": days_from_now(days, clinic.zone)}])
    email, password = staff_login("reception", "Pat Front")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    sign_in(page, email, password)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Pat Front")
    site = page.locator("section.site")
    expect(site.get_by_role("heading", name="Harbour Clinic")).to_be_visible()
    expect(site).to_contain_text(clinic.zone)
    expect(site).to_contain_text(f"today is {clinic.today:%A %d %B %Y}")
    row = site.locator("table.sessions tbody tr").first
    expect(row.locator("td.time")).to_have_text("13:00–14:45")
    expect(row).to_contain_text("Jordan Avery")
    expect(row).to_contain_text("Dr Ada Kim · supervising prescriber")
    expect(row.locator(".badge")).to_have_text("booked")
    warnings = page.locator("section.warnings tbody tr")
    expect(warnings.nth(0)).to_contain_text("Sam Lee")
    expect(warnings.nth(0).locator(".badge")).to_have_class(re.compile("level-red"))
    expect(warnings.nth(1).locator(".badge")).to_have_class(re.compile("level-amber"))
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_a_wrong_password_shows_the_message_and_keeps_the_email(page, staff_login, artifacts):
    email, _ = staff_login("clinician")
    page.goto("/login")
    sign_in(page, email, "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match an active account.")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value("")
    page.screenshot(path=str(artifacts / "login-failed.png"))


def test_after_signing_in_the_page_asked_for_opens(page, staff_login):
    clinic = seed_clinic_today()
    email, password = staff_login("clinician", "Cleo Nurse")
    page.goto(f"/sessions?site_id={clinic.site}&day={clinic.today.isoformat()}")
    sign_in(page, email, password)
    expect(page).to_have_url(re.compile(rf"/sessions\?site_id={clinic.site}&day={clinic.today.isoformat()}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Harbour Clinic · {clinic.today:%A %d %B %Y}")
    expect(page.locator("table.sessions")).to_contain_text("Jordan Avery")


def test_a_clinician_is_refused_the_admin_audit_log(page, staff_login, artifacts):
    email, password = staff_login("clinician", "Cleo Nurse")
    page.goto("/login")
    sign_in(page, email, password)
    expect(page.get_by_role("link", name="Set-up")).to_have_count(0)
    response = page.goto("/audit")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("403")
    expect(page.locator("main")).to_contain_text("You may not do that.")
    page.screenshot(path=str(artifacts / "refused.png"))


def test_an_admin_finds_the_sign_in_in_the_audit_log(page, staff_login):
    email, password = staff_login("admin", "Ada Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit")).to_contain_text("login.succeeded")
    expect(page.locator("table.audit")).to_contain_text(email)
