"""The admin sets a site's check-in blood pressure threshold: a wrong one is refused beside its fields, a right one
is saved and kept in the history; at 1280, 768 and 375 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in
from tests.web.board_clinic import seed_board_clinic


def test_the_admin_sets_a_site_s_threshold_after_a_wrong_one_is_refused_beside_its_fields(page, staff_login):
    board = seed_board_clinic()
    email, password = staff_login("admin", "Ada Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Check-in blood pressure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in blood pressure")
    site = page.locator(f"#site-{board.site}")
    expect(site.get_by_test_id("threshold-now")).to_contain_text("140/90 · the default (not set for this site)")
    expect(page.get_by_test_id("from-now-on")).to_contain_text("Doses already checked in keep their judgement")

    # Typed the wrong way round: both fields say why, nothing is saved.
    site.get_by_label("Systolic (mmHg)").fill("90")
    site.get_by_label("Diastolic (mmHg)").fill("140")
    site.get_by_role("button", name="Save the threshold of Harbour Clinic").click()
    expect(page.locator(f"#site-{board.site}-systolic-error")).to_contain_text(
        "The systolic threshold must be between 120 and 180 mmHg. The systolic threshold must be above the diastolic")
    expect(page.locator(f"#site-{board.site}-diastolic-error")).to_have_text(
        "The diastolic threshold must be between 80 and 110 mmHg.")
    expect(site.get_by_test_id("threshold-now")).to_contain_text("the default")
    check_at_every_width(page, "vitals-threshold-refused")  # axe, width and focus at 1280, 768 and 375 px

    site.get_by_label("Systolic (mmHg)").fill("150")
    site.get_by_label("Diastolic (mmHg)").fill("95")
    site.get_by_role("button", name="Save the threshold of Harbour Clinic").click()
    expect(page.get_by_role("status")).to_contain_text("a dose checked in from now on is held above 150/95")
    expect(site.get_by_test_id("threshold-now")).to_contain_text("150/95 · this site's own")
    expect(site.get_by_test_id("threshold-history")).to_contain_text("140/90 (default) → 150/95")
    check_at_every_width(page, "vitals-threshold-saved")
