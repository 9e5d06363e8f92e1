"""A patient on a phone-sized window: opening their link, confirming one session, cancelling another."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from planner.db.models import Session, Site
from planner.domain.calendar import to_utc
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.patient_page import link_expiry
from tests.factories import MONDAY

PHONE_SIZE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    """A fresh tab the size of a small phone."""
    context = browser.new_context(base_url=live_server, viewport=PHONE_SIZE, locale="en-GB", has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def links(app, clinic, clinic_clock):
    """Two IV sessions for one patient (Monday and Wednesday, 09:00 in New York) and the links a message would carry."""
    db.session.execute(update(Site).values(phone="+1 212 555 0100"))
    db.session.commit()
    staff = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    tokens = []
    for day in (0, 2):
        start = to_utc(MONDAY + timedelta(days=day), time(9), "America/New_York")
        session_id = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, start, clinic.chairs[0],
                                               staff), SYSTEM, clinic_clock)
        row = db.session.get(Session, session_id)
        tokens.append(sign_link(row.id, row.version, link_expiry(row.starts_at), app.config["SECRET_KEY"]))
    db.session.rollback()
    return tokens


def fits_the_screen(tab) -> None:
    """No sideways scrolling, and every button at least 44 px high (WCAG 2.5.5 target size)."""
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE_SIZE["width"]
    for box in [b.bounding_box() for b in tab.locator("button:visible, summary:visible").all()]:
        assert box["height"] >= 44, box


def test_a_patient_confirms_one_session_and_cancels_another_from_their_links(phone, links, artifacts):
    monday, wednesday = links

    phone.goto(f"/p/{monday}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your appointment")
    expect(phone.locator(".appointment")).to_contain_text("Monday 23 November 2026")
    expect(phone.locator(".appointment")).to_contain_text("09:00 to 10:45")
    expect(phone.locator(".appointment")).to_contain_text("New York time (EST)")
    expect(phone.get_by_role("heading", name="Before you come")).to_be_visible()
    expect(phone.locator(".preparation")).to_contain_text("alcohol for 24 hours")
    expect(phone.get_by_role("heading", name="Your other appointments")).to_be_visible()
    expect(phone.locator(".visits")).to_contain_text("Wed 25 Nov")
    fits_the_screen(phone)
    phone.screenshot(path=str(artifacts / "patient-link.png"), full_page=True)

    phone.get_by_role("button", name="Yes, I will be there").click()
    expect(phone).to_have_url(re.compile(rf"/p/{re.escape(monday)}$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you: see you then")
    expect(phone.locator(".lead")).to_have_text("Your appointment is confirmed.")
    phone.screenshot(path=str(artifacts / "patient-confirmed.png"), full_page=True)

    phone.goto(f"/p/{wednesday}")
    expect(phone.locator(".appointment")).to_contain_text("Wednesday 25 November 2026")
    phone.get_by_text("Cancel this appointment").click()
    phone.get_by_label("Anything we should know?").fill("A family matter")
    fits_the_screen(phone)
    phone.screenshot(path=str(artifacts / "patient-cancel-form.png"), full_page=True)
    phone.get_by_role("button", name="Cancel my appointment").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your appointment is cancelled")
    expect(phone.get_by_role("link", name="+1 212 555 0100").first).to_have_attribute("href", "tel:+12125550100")
    phone.screenshot(path=str(artifacts / "patient-cancelled.png"), full_page=True)

    db.session.rollback()
    statuses = [s.status for s in db.session.query(Session).order_by(Session.starts_at)]
    assert statuses == ["booked", "cancelled"]


def test_a_link_that_is_not_whole_says_so_kindly_on_a_phone(phone, links, artifacts):
    response = phone.goto(f"/p/{links[0][:-4]}")
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(phone.locator("main")).to_contain_text("call the clinic")
    fits_the_screen(phone)
    phone.screenshot(path=str(artifacts / "patient-broken-link.png"), full_page=True)
