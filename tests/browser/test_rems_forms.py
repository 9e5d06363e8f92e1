"""A prescriber opens the REMS forms, sees an overdue one flagged, marks it done; it moves to the done list."""

from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from planner.services import accounts
from tests import factories as f
from tests.browser.a11y import assert_accessible, check_at_every_width, shoot
from tests.browser.conftest import PASSWORD
from tests.browser.test_journeys import sign_in
from tests.web.rems_clinic import AFTER_DUE, rems_clinic, set_clock


def test_a_prescriber_sees_an_overdue_monitoring_form_and_marks_it_done(page, artifacts, monkeypatch):
    owed = rems_clinic(f.small_clinic())
    set_clock(monkeypatch, AFTER_DUE)  # the next Tuesday, 00:01 in New York: both forms are a minute overdue
    accounts.create_user("ada@clinic.example", "Dr Ada Kim", "clinician", PASSWORD, owed.clinic.prescriber,
                         now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    page.goto("/login")
    sign_in(page, "ada@clinic.example", PASSWORD)
    expect(page.get_by_test_id("rems-counts")).to_contain_text("2 overdue")  # the overview counts them
    assert_accessible(page, within=".rems-line")
    shoot(page, "rems-overview")
    page.get_by_role("link", name="REMS forms").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("REMS monitoring forms")
    groups = page.locator("main h2")
    expect(groups.first).to_contain_text("Dr Ada Kim")  # her own first
    expect(groups.first).to_contain_text("yours")
    mine = page.locator("section", has=page.get_by_role("heading", name="Dr Ada Kim"))
    expect(mine.locator("tr.warn-red")).to_have_count(1)
    expect(mine.locator("tr.warn-red")).to_contain_text("Mon 30 Nov 2026")
    expect(mine.locator("tr.warn-red")).to_contain_text("overdue")
    expect(page.get_by_test_id("rems-summary")).to_contain_text("2 overdue")
    check_at_every_width(page, "rems-forms-overdue")

    mine.get_by_role("button", name="Mark done for Patient MRN-1").click()
    expect(page.get_by_role("status")).to_contain_text("is marked done by ada@clinic.example")
    expect(page.get_by_test_id("rems-summary")).to_contain_text("1 overdue")
    expect(page.get_by_role("button", name="Mark done for Patient MRN-1")).to_have_count(0)

    page.get_by_label("Forms", exact=True).select_option("done")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main table")).to_contain_text("Patient MRN-1")
    expect(page.locator("main table")).to_contain_text("by ada@clinic.example")
    check_at_every_width(page, "rems-forms-done")

    page.get_by_role("link", name="History of the form for Patient MRN-1").click()
    expect(page.get_by_test_id("form-state")).to_contain_text("Done Tue 01 Dec 2026 00:01 EST by ada@clinic.example")
    expect(page.locator("ol.history li")).to_have_count(2)  # owed, done
    check_at_every_width(page, "rems-form-history")
