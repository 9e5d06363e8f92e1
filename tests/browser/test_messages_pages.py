"""Reception reading the outbox and a clinician making a calendar address, on a desktop and on a phone."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from planner.services import accounts
from planner.services.couriers import OutboxCourier, postmark_from
from planner.services.delivery import send_due
from planner.services.outbox_view import message_view
from tests.web.clinic_messages import book_iv, make_reachable, outbox_rows

PASSWORD = "correct horse battery"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture(params=list(WIDTHS))
def tab(request, browser, live_server):
    """A fresh tab at a desktop's or a phone's width; its name is the test's parameter."""
    context = browser.new_context(base_url=live_server, viewport=WIDTHS[request.param], locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


@pytest.fixture
def week(app, clinic, clinic_clock):
    """The small clinic reachable by mail and SMS, one IV session booked on Monday, its invites sent in the app."""
    make_reachable(clinic)
    book_iv(clinic, clinic_clock)
    send_due(OutboxCourier(postmark_from(app.config)), lambda: clinic_clock, "test-sender")
    return clinic


def account(role: str, name: str, staff_id: int | None = None) -> str:
    email = f"{role}-{name.split()[-1].lower()}@clinic.example"
    accounts.create_user(email, name, role, PASSWORD, staff_id, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    return email


def sign_in(page, email: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def no_sideways_scroll(page) -> None:
    """The page body is no wider than the window: wide tables scroll inside their .table-scroll box."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width


def test_reception_opens_the_outbox_then_the_patients_invite_and_reads_its_subject(app, tab, week, clinic_clock,
                                                                                    artifacts):
    (invite,) = outbox_rows(kind="invite", recipient_kind="patient")
    subject = str(message_view(invite.id, postmark_from(app.config), clinic_clock).rendered.email["Subject"])
    sign_in(tab, account("reception", "Pat Front"), "/outbox")

    expect(tab.get_by_role("heading", level=1)).to_have_text("Outbox")
    table = tab.locator(".table-scroll table.outbox")
    expect(table.locator("tbody tr")).to_have_count(9)
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / f"outbox-{tab.width_name}.png"), full_page=True)

    row = table.locator("tbody tr").filter(has_text="Patient MRN-1").filter(has_text="invite")
    expect(row.get_by_test_id("state")).to_have_text("sent")
    row.get_by_role("link").click()
    expect(tab).to_have_url(re.compile(rf"/outbox/{invite.id}$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Invite to Patient MRN-1")
    expect(tab.get_by_test_id("subject")).to_have_text(subject)
    expect(tab.get_by_test_id("email-body")).to_contain_text("Monday 23 November 2026")
    tab.get_by_text("Calendar invite (invite.ics)").click()
    expect(tab.locator("pre.ics")).to_contain_text("METHOD:REQUEST")
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / f"outbox-invite-{tab.width_name}.png"), full_page=True)


def test_a_clinician_makes_their_calendar_address_sees_it_and_the_address_opens_their_feed(tab, week, artifacts):
    sign_in(tab, account("clinician", "Ada Kim", staff_id=week.prescriber), "/me/calendar")
    expect(tab.get_by_test_id("feed-state")).to_have_text("You have no calendar address yet.")
    no_sideways_scroll(tab)

    tab.get_by_role("button", name="Make my calendar address").click()
    address = tab.get_by_test_id("feed-url")
    expect(address).to_be_visible()
    expect(address).to_have_value(re.compile(r"^http://127\.0\.0\.1:5000/feeds/[A-Za-z0-9_-]{43}\.ics$"))
    url = address.input_value()
    expect(tab.get_by_role("link", name="Open in my calendar app")).to_have_attribute(
        "href", "webcal://" + url.split("://", 1)[1])
    expect(tab.get_by_test_id("feed-state")).to_contain_text("You have a calendar address, made")
    no_sideways_scroll(tab)
    tab.screenshot(path=str(artifacts / f"my-calendar-{tab.width_name}.png"), full_page=True)

    feed = tab.request.get(url.split("127.0.0.1:5000", 1)[1])  # the live server, not PUBLIC_URL's port
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert f"UID:session-{outbox_rows()[0].session_id}@" in feed.text()
