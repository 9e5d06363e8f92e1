"""Reception registers a patient (a mistake first), then finds them by typing a name and a phone, on a desktop and a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 768, "height": 1024},
          "phone": {"width": 375, "height": 740}}


@pytest.fixture(params=list(WIDTHS))
def tab(request, browser, live_server):
    """A fresh tab at a desktop's or a phone's width; its name is the test's parameter."""
    context = browser.new_context(base_url=live_server, viewport=WIDTHS[request.param], locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def sign_in(page, email: str, password: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def no_sideways_scroll(page) -> None:
    """Nothing is wider than the window."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_reception_registers_a_patient_after_a_mistake_then_finds_them_by_name_and_by_phone(
        tab, clinic, staff_login, artifacts):
    f.make_patient("OTHER-1", name="Renée Dubois", phone="+12125550999")
    email, password = staff_login("reception")
    sign_in(tab, email, password, "/patients/new")
    shot = f"patients-%s-{tab.width_name}.png"

    expect(tab.get_by_role("heading", level=1)).to_have_text("Register a patient")
    tab.get_by_label("MRN").fill("NEW-42")
    tab.get_by_label("Date of birth").fill("2099-01-01")  # a slip: a birth date in the future, and no name
    tab.get_by_label("Phone", exact=True).fill("+12125550177")
    tab.get_by_label("SMS").check()
    tab.get_by_role("button", name="Register").click()

    expect(tab.get_by_role("alert")).to_contain_text("Nothing was saved")
    name_error = tab.locator("#name-error")
    expect(name_error).to_have_text("Name is required.")
    expect(tab.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("#date_of_birth-error")).to_contain_text("in the future")
    expect(tab.get_by_label("MRN")).to_have_value("NEW-42")  # what was right is kept
    # The error sits right under its field, not in a list at the top.
    field_box, error_box = tab.get_by_label("Name", exact=True).bounding_box(), name_error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 60
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / (shot % "form-errors")), full_page=True)

    tab.get_by_label("Name", exact=True).fill("Maya Okafor-Núñez")
    tab.get_by_label("Date of birth").fill("1988-03-14")
    tab.get_by_role("button", name="Register").click()
    expect(tab).to_have_url(re.compile(r"/patients/\d+$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Maya Okafor-Núñez")
    patient_url = tab.url

    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    box = tab.get_by_label("Find a patient")
    box.press_sequentially("nune", delay=40)  # part of a last name, without its accent
    results = tab.locator("#patient-results")
    expect(results.get_by_role("link")).to_have_text(["Maya Okafor-Núñez"])
    expect(tab).to_have_url(re.compile(r"/patients\?q=nune$"))
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / (shot % "search-name")), full_page=True)

    box.fill("")
    box.press_sequentially("555 0177", delay=40)  # the phone as said aloud
    expect(results.get_by_role("link")).to_have_text(["Maya Okafor-Núñez"])
    box.fill("")
    box.press_sequentially("555", delay=40)  # too few digits for a phone: no one by name either
    expect(results.get_by_test_id("no-match")).to_be_visible()
    box.fill("")
    box.press_sequentially("(212) 555-0177", delay=20)
    results.get_by_role("link", name="Maya Okafor-Núñez").click()
    expect(tab).to_have_url(patient_url)
    expect(tab.get_by_test_id("consent")).to_contain_text("SMS")
    expect(tab.get_by_test_id("not-ready")).to_contain_text("screening")
    book = tab.locator("main").get_by_role("link", name="Book a session")  # the page's own, not the nav's
    expect(book).to_have_attribute("href", re.compile(r"^/book\?patient=\d+$"))
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / (shot % "page")), full_page=True)


def test_the_search_works_without_javascript(browser, live_server, clinic, staff_login, artifacts):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    email, password = staff_login("clinician")
    sign_in(page, email, password, "/patients")
    page.get_by_label("Find a patient").fill("mrn-3")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/patients\?q=mrn-3$"))
    expect(page.locator("#patient-results").get_by_role("link")).to_have_text(["Patient MRN-3"])
    context.close()


def test_reception_reads_a_patients_sessions_in_site_time_and_opens_a_message_sent_to_them(
        app, tab, clinic, clinic_clock, staff_login, artifacts):
    from planner.services.couriers import OutboxCourier, postmark_from
    from planner.services.delivery import send_due
    from tests.web.clinic_messages import at, book_iv, make_reachable

    make_reachable(clinic)
    book_iv(clinic, clinic_clock, start=at(9))
    book_iv(clinic, clinic_clock, start=at(11, day_offset=2))
    send_due(OutboxCourier(postmark_from(app.config)), lambda: clinic_clock, "test-sender")
    email, password = staff_login("reception")
    sign_in(tab, email, password, f"/patients/{clinic.patients[0]}")

    expect(tab.get_by_role("heading", level=1)).to_have_text("Patient MRN-1")
    ahead = tab.locator("section", has=tab.get_by_role("heading", name=re.compile("^Sessions ahead")))
    expect(ahead.locator("tbody tr")).to_have_count(2)
    expect(ahead.locator("tbody tr").first).to_contain_text("Mon 23 Nov 2026")
    expect(ahead.locator("tbody tr").first).to_contain_text("09:00–10:45 EST")
    messages = tab.locator("table.patient-messages tbody tr")
    expect(messages.first).to_be_visible()
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / f"patients-page-with-sessions-{tab.width_name}.png"), full_page=True)
    ahead.screenshot(path=str(artifacts / f"patients-page-sessions-ahead-{tab.width_name}.png"))
    messages.first.screenshot(path=str(artifacts / f"patients-page-a-message-{tab.width_name}.png"))
    # The invites went first, so they are among the earlier messages, folded away until asked for.
    tab.get_by_text(re.compile(r"^The \d+ earlier messages$")).click()
    messages.filter(has_text="Invite").first.get_by_role("link").click()
    expect(tab).to_have_url(re.compile(r"/outbox/\d+$"))
