"""Reception changes a patient's email and withdraws their SMS consent; the page shows where each message now goes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.test_patients import no_sideways_scroll, sign_in

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture(params=list(WIDTHS))
def tab(request, browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=WIDTHS[request.param], locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def test_reception_changes_the_email_and_withdraws_sms_and_the_page_shows_the_messages_follow(
        tab, clinic, clinic_clock, staff_login, artifacts):
    from tests.web.clinic_messages import at, book_iv, make_reachable

    make_reachable(clinic)
    book_iv(clinic, clinic_clock, start=at(9))
    patient = clinic.patients[0]
    email, password = staff_login("reception")
    sign_in(tab, email, password, f"/patients/{patient}/edit")

    tab.get_by_role("textbox", name="Email").fill("maya.new@example.net")
    tab.get_by_role("checkbox", name="SMS").uncheck()
    tab.get_by_label("Preferred channel").select_option("email")
    tab.get_by_role("button", name=re.compile("Save")).click()
    expect(tab).to_have_url(re.compile(rf"/patients/{patient}$"))

    messages = tab.locator("table.patient-messages")
    readdressed = messages.locator("tr", has_text="re-addressed")
    expect(readdressed).to_have_count(4)  # the invite and the three email reminders, none sent yet
    expect(readdressed.first).to_contain_text("maya.new@example.net")
    expect(messages.locator("tr", has_text="no longer consents to SMS")).to_have_count(3)
    expect(tab.get_by_test_id("history")).to_contain_text("Messages waiting: 4 re-addressed, 3 superseded.")
    no_sideways_scroll(tab)
    assert_accessible(tab)
    tab.screenshot(path=str(artifacts / f"patient-contacts-{tab.width_name}.png"), full_page=True)
