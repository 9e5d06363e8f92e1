"""The today board in a real browser: check one patient in, mark another no-show, see the board follow along."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from planner import clock
from planner.services import SYSTEM
from planner.services.front_desk import act_on_session
from tests.browser.a11y import check_at_every_width, shoot
from tests.browser.test_journeys import sign_in
from tests.web.board_clinic import seed_board_clinic

PHONE, TABLET = {"width": 375, "height": 800}, {"width": 768, "height": 1000}


def visit(page, patient: str):
    return page.locator("li.visit", has_text=patient)


def nothing_spills(page) -> None:
    """Nothing on the page is wider than the window (a table wider than a phone scrolls inside its card)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


def test_reception_checks_one_patient_in_marks_another_no_show_and_the_board_follows(
        app, page, staff_login, artifacts, monkeypatch):
    monkeypatch.setitem(app.config, "BOARD_REFRESH_SECONDS", 1)
    clinic = seed_board_clinic()
    email, password = staff_login("reception", "Pat Front")
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("link", name="Today board").click()
    page.get_by_role("link", name="Harbour Clinic").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Harbour Clinic · {clinic.today:%A %d %B %Y}")
    expect(page.locator("main")).to_contain_text(clinic.zone)
    expect(page.locator("li.visit .visit-patient")).to_have_text(["Noel Early", "Jordan Avery", "Lee Later"])
    expect(visit(page, "Jordan Avery").locator(".visit-time")).to_have_text("13:00–14:45")
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    page.screenshot(path=str(artifacts / "today-board.png"), full_page=True)

    # Without the escort confirmed, a dose is not checked in; the reason is shown.
    visit(page, "Jordan Avery").get_by_role("button", name="Check in: Jordan Avery").click()
    expect(page.get_by_role("alert")).to_contain_text("confirm the escort before checking the patient in")
    expect(visit(page, "Jordan Avery").locator(".visit-status .badge")).to_have_text("booked")

    visit(page, "Jordan Avery").get_by_label("Escort confirmed").check()
    visit(page, "Jordan Avery").get_by_role("button", name="Check in: Jordan Avery").click()
    expect(page.get_by_role("status").filter(has_text="checked in")).to_have_text("Jordan Avery checked in.")
    expect(visit(page, "Jordan Avery").locator(".visit-status .badge")).to_have_text("arrived")
    expect(page.locator('li.chair[data-room="Chair 1"]')).to_contain_text("Jordan Avery")

    visit(page, "Noel Early").get_by_role("button", name="No-show: Noel Early").click()
    expect(visit(page, "Noel Early").locator(".visit-status .badge")).to_have_text("no show")
    expect(visit(page, "Noel Early").get_by_role("button")).to_have_count(0)

    # Someone else checks Lee Later in at another desk: the board shows it on its own.
    act_on_session(clinic.late, "check_in", SYSTEM, clock.now(), escort_confirmed=True)
    expect(visit(page, "Lee Later").locator(".visit-status .badge")).to_have_text("arrived", timeout=8000)
    assert page.evaluate("() => window.sameDocument") is True
    page.screenshot(path=str(artifacts / "today-board-after.png"), full_page=True)

    page.set_viewport_size(TABLET)
    nothing_spills(page)
    page.screenshot(path=str(artifacts / "today-board-tablet.png"), full_page=True)
    page.set_viewport_size(PHONE)
    expect(visit(page, "Lee Later")).to_be_visible()
    nothing_spills(page)
    page.screenshot(path=str(artifacts / "today-board-phone.png"), full_page=True)
    check_at_every_width(page, "today-board-a11y")  # axe, width and focus at 1280, 768 and 375 px


def test_a_holiday_board_says_the_site_is_closed_and_why(page, staff_login, artifacts):
    clinic = seed_board_clinic()
    email, password = staff_login("reception", "Pat Front")
    page.goto(f"/sites/{clinic.site}/board?day={clinic.holiday.isoformat()}")
    sign_in(page, email, password)
    closed = page.get_by_role("heading", name="The site is closed")
    expect(closed).to_be_visible()
    expect(page.get_by_test_id("closed-reason")).to_have_text(
        f"The site is closed on {clinic.holiday:%A %d %B %Y}: Thanksgiving.")
    expect(page.locator("main")).not_to_contain_text(re.compile("nobody is on shift", re.I))
    page.screenshot(path=str(artifacts / "today-board-holiday.png"), full_page=True)
    page.set_viewport_size(PHONE)
    nothing_spills(page)
    page.screenshot(path=str(artifacts / "today-board-holiday-phone.png"), full_page=True)
    check_at_every_width(page, "today-board-holiday-a11y")


def test_the_day_view_fits_a_tablet_and_a_phone(page, staff_login, artifacts):
    clinic = seed_board_clinic()
    email, password = staff_login("reception", "Pat Front")
    page.goto(f"/sessions?site_id={clinic.site}&day={clinic.today.isoformat()}")
    sign_in(page, email, password)
    for width, height in ((768, 1000), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator("main")).to_contain_text("Jordan Avery")
        nothing_spills(page)
        for card in page.locator("section.card").all():
            box, inner = card.bounding_box(), card.evaluate("c => [c.scrollWidth, c.clientWidth]")
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
            assert inner[0] <= inner[1], (width, inner)
        page.screenshot(path=str(artifacts / f"day-view-{width}.png"), full_page=True)


def test_holding_a_dose_asks_why_beside_the_field_and_the_board_shows_the_reason(
        app, page, staff_login, artifacts, monkeypatch):
    monkeypatch.setitem(app.config, "BOARD_REFRESH_SECONDS", 1)
    clinic = seed_board_clinic()
    act_on_session(clinic.midday, "check_in", SYSTEM, clock.now(), escort_confirmed=True)
    email, password = staff_login("clinician", "Dr Kim")
    page.goto(f"/sites/{clinic.site}/board")
    sign_in(page, email, password)
    jordan = visit(page, "Jordan Avery")
    page.evaluate("() => { window.sameDocument = true; }")
    jordan.get_by_role("button", name="Hold dose: Jordan Avery").click()
    field = jordan.get_by_label("Why hold Jordan Avery's dose?")
    expect(jordan.locator(".field-error")).to_have_text("Say why the dose is held.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(jordan.locator(".visit-status .badge")).to_have_text("arrived")
    shoot(page, "board-hold-refused")

    field.fill("Blood pressure 165/100, waiting for the prescriber")
    page.wait_for_timeout(2500)  # two refresh ticks: a typed reason keeps its form
    expect(field).to_have_value("Blood pressure 165/100, waiting for the prescriber")
    field.press("Enter")  # Enter in the reason holds the dose, never the row's first button (Start)
    expect(jordan.locator(".visit-status .badge")).to_have_text("held")
    expect(jordan.get_by_test_id("hold-reason")).to_have_text("Held: Blood pressure 165/100, waiting for the prescriber")
    assert page.evaluate("() => window.sameDocument") is True
    check_at_every_width(page, "board-held")
    shoot(page, "board-held")


def test_holding_a_dose_works_without_javascript(browser, live_server, staff_login, artifacts):
    clinic = seed_board_clinic()
    act_on_session(clinic.midday, "check_in", SYSTEM, clock.now(), escort_confirmed=True)
    email, password = staff_login("reception", "Pat Front")
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"/sites/{clinic.site}/board")
        sign_in(page, email, password)
        jordan = visit(page, "Jordan Avery")
        jordan.get_by_label("Why hold Jordan Avery's dose?").fill("   ")
        jordan.get_by_role("button", name="Hold dose: Jordan Avery").click()
        expect(page.locator("#board-notices")).to_contain_text("The dose is not held: Say why the dose is held.")
        expect(visit(page, "Jordan Avery").locator(".field-error")).to_have_text("Say why the dose is held.")
        visit(page, "Jordan Avery").get_by_label("Why hold Jordan Avery's dose?").fill("Feels faint")
        visit(page, "Jordan Avery").get_by_role("button", name="Hold dose: Jordan Avery").click()
        expect(page.locator(".flash")).to_contain_text("Jordan Avery: dose held for the prescriber.")
        expect(visit(page, "Jordan Avery").get_by_test_id("hold-reason")).to_have_text("Held: Feels faint")
        shoot(page, "board-held-no-js")
    finally:
        context.close()
