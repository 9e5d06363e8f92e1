"""Every staff and patient page, with real data, at desktop, tablet and phone width: no serious or critical
axe-core violation (WCAG 2.1 A and AA), nothing wider than the window, and a screenshot of each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

import planner.clock
from planner.db.models import PatientRequest, Session
from planner.domain.calendar import to_utc
from planner.domain.links import sign_link
from planner.extensions import db
from planner.services import accounts
from planner.services.booking import cancel_session, change_status
from planner.services.couriers import OutboxCourier, postmark_from
from planner.services.delivery import send_due
from planner.services.patient_actions import ask_another_time
from planner.services.patient_page import link_expiry
from tests import factories as f
from tests.browser.a11y import (DESKTOP, PHONE, assert_accessible, assert_focus_visible, check_at_every_width,
                                fits_the_width, shoot)
from tests.browser.conftest import PASSWORD
from tests.web.clinic_messages import DESK, book_iv, book_therapy, make_reachable, outbox_rows

ZONE = "America/New_York"
MONDAY = f.MONDAY


def wall(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    """A wall-clock time at the clinic (New York), as UTC."""
    return to_utc(day, time(hour, minute), ZONE)


NOW = wall(15)  # Monday 15:00 in New York: some of the day done, some still to come


@dataclass
class FrontDesk:
    site: int
    link: str  # the patient's link to Wednesday's session (still to come)
    used_link: str  # the link they asked for another time with (now used)
    message: int  # an invite in the outbox


@pytest.fixture
def front_desk(app, clinic, monkeypatch) -> FrontDesk:
    """The small clinic on Monday afternoon: sessions in every status, messages sent, a patient's request,
    credentials about to lapse, and an account per role (email ROLE@clinic.example)."""
    make_reachable(clinic)
    friday = NOW - timedelta(days=3)
    done = book_iv(clinic, friday, patient=0, chair=0, nurse=0, start=wall(8))
    missed = book_iv(clinic, friday, patient=1, chair=1, nurse=1, start=wall(8, 30))
    held = book_iv(clinic, friday, patient=2, chair=0, nurse=0, start=wall(11))
    talking = book_therapy(clinic, friday, patient=3, start=wall(14))
    later = book_iv(clinic, friday, patient=4, chair=2, nurse=1, start=wall(15, 30))
    dropped = book_iv(clinic, friday, patient=5, chair=1, nurse=0, start=wall(16))
    wednesday = book_iv(clinic, friday, patient=4, chair=0, nurse=0, start=wall(9, day=MONDAY + timedelta(days=2)))
    for session_id, steps in ((done, ("arrived", "in_progress", "fulfilled")), (missed, ("no_show",)),
                              (held, ("arrived", "held")), (talking, ("arrived", "in_progress"))):
        for step in steps:
            reason = "BP 150/95, for the prescriber" if step == "held" else ""
            change_status(session_id, step, DESK, NOW, reason, escort_confirmed=True)
    cancel_session(dropped, DESK, NOW, "Patient unwell")
    courier = OutboxCourier(postmark_from(app.config))
    send_due(courier, lambda: friday, "test-sender")  # the invites went out when booked
    send_due(courier, lambda: NOW, "test-sender")  # reminders: some sent, some too late
    f.make_staff("Kai Moss", ["RN"], f.credentials("bls", expires_on=MONDAY + timedelta(days=5)))
    f.make_staff("Lee Young", ["RN"], f.credentials("licence", expires_on=MONDAY + timedelta(days=40)))

    secret = app.config["SECRET_KEY"]
    link, used = (_link(session_id, secret) for session_id in (wednesday, later))
    ask_another_time(used, secret, NOW, "Could we do Thursday afternoon instead? Mornings are hard with school.")
    assert db.session.query(PatientRequest).count() == 1
    for role in ("reception", "admin"):
        accounts.create_user(f"{role}@clinic.example", f"Pat {role.title()}", role, PASSWORD, now=friday)
    accounts.create_user("clinician@clinic.example", "Dr Ada Kim", "clinician", PASSWORD, clinic.prescriber,
                         now=friday)
    monkeypatch.setattr(planner.clock, "now", lambda: NOW)
    (invite, *_) = outbox_rows(kind="invite", recipient_kind="patient")
    return FrontDesk(clinic.site, link, used, invite.id)


def _link(session_id: int, secret: str) -> str:
    row = db.session.get(Session, session_id)
    token = sign_link(row.id, row.version, link_expiry(row.starts_at), secret)
    db.session.rollback()
    return token


def sign_in(page, role: str) -> None:
    """Sign in through the form as the fixture's account for this role."""
    page.goto("/login")
    page.get_by_label("Email").fill(f"{role}@clinic.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_the_sign_in_page_and_its_refusal_are_accessible_at_every_width(page, front_desk):
    page.goto("/login")
    check_at_every_width(page, "a11y-login")
    page.get_by_label("Email").fill("reception@clinic.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_at_every_width(page, "a11y-login-refused")


def test_the_overview_with_sessions_shifts_and_lapsing_credentials_is_accessible(page, front_desk):
    sign_in(page, "reception")
    expect(page.locator("section.site table.sessions tbody tr")).to_have_count(6)
    expect(page.locator("section.warnings tbody tr")).to_have_count(2)
    check_at_every_width(page, "a11y-overview")


def test_a_sites_day_with_every_status_is_accessible(page, front_desk):
    sign_in(page, "clinician")
    page.goto(f"/sessions?site_id={front_desk.site}&day={MONDAY.isoformat()}")
    for status in ("fulfilled", "no show", "held", "in progress", "booked", "cancelled"):
        expect(page.locator(".badge").filter(has_text=re.compile(f"^{status}$"))).to_have_count(1)
    check_at_every_width(page, "a11y-day")


def test_the_first_tab_offers_to_skip_the_top_bar_and_enter_lands_in_the_page(page, front_desk):
    sign_in(page, "reception")
    page.get_by_role("link", name="Requests").click()
    # The skip link is on every page: wait until the requests page has loaded, or the
    # Tab below can land on the page being left.
    expect(page).to_have_url(re.compile(r"/requests$"))
    page.wait_for_load_state("load")
    expect(page.locator("table.requests")).to_be_visible()
    skip = page.get_by_role("link", name="Skip to the page")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    shoot(page, "a11y-skip-link", widths=(DESKTOP,))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("table.requests .table-scroll, .table-scroll:has(table.requests)")).to_be_focused()


def test_the_audit_log_is_accessible(page, front_desk):
    sign_in(page, "admin")
    page.get_by_role("link", name="Set-up").click()
    check_at_every_width(page, "a11y-setup")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit")).to_contain_text("session.booked")
    check_at_every_width(page, "a11y-audit")


def test_the_outbox_and_a_message_with_its_calendar_file_open_are_accessible(page, front_desk):
    sign_in(page, "reception")
    page.get_by_role("link", name="Outbox").click()
    expect(page.locator("table.outbox tbody tr").first).to_be_visible()
    check_at_every_width(page, "a11y-outbox")
    page.goto(f"/outbox/{front_desk.message}")
    page.get_by_text("Calendar invite (invite.ics)").click()
    expect(page.locator("pre.ics")).to_be_visible()
    check_at_every_width(page, "a11y-outbox-message")


def test_the_requests_list_is_accessible(page, front_desk):
    sign_in(page, "reception")
    page.get_by_role("link", name="Requests").click()
    expect(page.locator("table.requests")).to_contain_text("Thursday afternoon")
    check_at_every_width(page, "a11y-requests")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("marked done")
    check_at_every_width(page, "a11y-requests-empty")


def test_the_message_settings_and_their_field_errors_are_accessible(page, front_desk):
    sign_in(page, "admin")
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="Messages settings").click()
    check_at_every_width(page, "a11y-settings")
    page.get_by_label("Clinic name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    check_at_every_width(page, "a11y-settings-errors")


def test_my_calendar_before_and_after_making_an_address_is_accessible(page, front_desk):
    sign_in(page, "clinician")
    page.get_by_role("link", name="My calendar").click()
    check_at_every_width(page, "a11y-my-calendar")
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.get_by_test_id("feed-url")).to_be_visible()
    check_at_every_width(page, "a11y-my-calendar-made")


def test_the_patients_link_pages_are_accessible(page, front_desk):
    page.goto(f"/p/{front_desk.link}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    check_at_every_width(page, "a11y-patient-link")
    page.get_by_text("Cancel this appointment").click()
    expect(page.get_by_label("Anything we should know?")).to_be_visible()
    check_at_every_width(page, "a11y-patient-link-cancel-open")
    page.goto(f"/p/{front_desk.used_link}")
    check_at_every_width(page, "a11y-patient-link-used")
    assert page.goto(f"/p/{front_desk.link[:-4]}").status == 404
    check_at_every_width(page, "a11y-patient-link-broken")


def test_the_error_pages_are_accessible_signed_out_and_signed_in(page, front_desk):
    assert page.goto("/no/such/page").status == 404
    check_at_every_width(page, "a11y-404-signed-out")
    sign_in(page, "clinician")
    assert page.goto("/no/such/page").status == 404
    check_at_every_width(page, "a11y-404")
    assert page.goto("/audit").status == 403
    check_at_every_width(page, "a11y-403")
    assert page.goto("/sessions?site_id=1&day=someday").status == 422
    check_at_every_width(page, "a11y-422")


def test_a_clinic_with_nothing_yet_shows_its_empty_pages_accessibly(page, staff_login):
    email, password = staff_login("admin", "Ada Admin")
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    for path, name in (("/", "a11y-empty-overview"), ("/sessions", "a11y-empty-day"),
                       ("/requests", "a11y-empty-requests"), ("/outbox", "a11y-empty-outbox")):
        page.goto(path)
        check_at_every_width(page, name)


def test_the_checks_fail_on_a_page_that_breaks_the_rules(page, live_server):
    # The checks are real: a page with an unlabelled field, an image without alt text, grey on grey, a row
    # wider than the phone and a faint focus ring fails each in words that name the rule and the element.
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.evaluate("""() => {
      document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input id="bare"><img id="pic" src="/static/none.png"><p id="faint" style="color:#ccc;background:#ddd">faint</p>'
        + '<div id="wide" style="width:900px">wide</div>');
    }""")
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    message = str(failed.value)
    for rule, element in (("label", "#bare"), ("image-alt", "#pic"), ("color-contrast", "#faint")):
        assert re.search(rf"- {rule} \((serious|critical)\)", message), message
        assert element in message, message
    with pytest.raises(AssertionError, match=r"div \(right edge \d+ px\)"):
        fits_the_width(page)
    page.set_viewport_size(DESKTOP)
    page.goto("/login")
    # The skip link, the brand's link, email, password and the button: each ring shows.
    assert assert_focus_visible(page) == 5
    page.add_style_tag(content="#password:focus { outline: 1px dotted #ddd; }")
    with pytest.raises(AssertionError, match=r"input#password '': outline dotted 1 px, contrast 1\.\d+:1"):
        assert_focus_visible(page)
