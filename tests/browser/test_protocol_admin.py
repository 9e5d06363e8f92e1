"""The admin opens a protocol from Set-up, is refused a phase's gap that cannot hold beside its field, changes the
gap, and sees the new version, what changed and that the running course keeps its version; at 1280, 768 and 375 px."""

from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from planner.services import SYSTEM
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn
from planner.services.course_planning import propose_course
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in
from tests.web.rems_clinic import set_clock

FRIDAY = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def test_the_admin_changes_a_phases_gap_and_sees_the_new_version_and_its_history(page, course_clinic, staff_login,
                                                                                 monkeypatch):
    set_clock(monkeypatch, FRIDAY)
    patient = f.ready_patient("RUNNING-1")
    book_course(f.booking_order(propose_course(patient, "iv-induction", PreferencesIn(), FRIDAY, f.MONDAY), patient),
                SYSTEM, FRIDAY)
    email, password = staff_login("admin", "Ada Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Protocols").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Protocols")
    check_at_every_width(page, "protocols")

    page.get_by_role("link", name="IV ketamine, depression induction").click()
    expect(page.get_by_text("6 doses, 1 to 7 days apart, 2 to 3 a week")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 1: 1 course")).to_be_visible()
    check_at_every_width(page, "protocol")

    page.get_by_role("link", name="Change it").click()
    phase = page.locator("#phase-1")
    phase.get_by_label("Days between doses, at least").fill("2")
    phase.get_by_label("Days between doses, at most").fill("1")
    page.get_by_role("button", name="Save version 2").click()
    expect(page.locator("#phases-0-max_gap_days-error")).to_have_text("The minimum gap is above the maximum gap.")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    check_at_every_width(page, "protocol-refused")

    page.locator("#phase-1").get_by_label("Days between doses, at most").fill("7")
    page.get_by_role("button", name="Save version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Saved version 2")
    expect(page.get_by_role("heading", name="Version 2: what new courses get")).to_be_visible()
    expect(page.get_by_text("6 doses, 2 to 7 days apart, 2 to 3 a week")).to_be_visible()
    history = page.locator("ul.history").first
    expect(history).to_contain_text("Phase 1 (induction): 1 to 7 days apart became 2 to 7 days apart.")
    expect(history).to_contain_text("by admin1@clinic.example")
    expect(page.get_by_role("heading", name="Version 1: 1 course")).to_be_visible()  # it keeps its version
    check_at_every_width(page, "protocol-version-2")
