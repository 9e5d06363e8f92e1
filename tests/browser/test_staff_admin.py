"""The admin's staff pages in a real browser: a shift edit refused with the sessions named, a weekly pattern added."""

from __future__ import annotations

from datetime import time, timedelta

from playwright.sync_api import expect

from planner import clock
from planner.db.models import Shift
from planner.domain.calendar import local, to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in

ZONE = "America/New_York"


def next_monday():
    today = local(clock.now(), ZONE).date()
    return today + timedelta(days=7 - today.weekday())


def booked_monday(clinic, day):
    """The first nurse on shift next Monday 07:00–19:00 and booked in two doses, at 09:00 and 11:00."""
    for person in (clinic.prescriber, *clinic.nurses):
        f.make_shift(person, clinic.site, day, "07:00", "19:00")
    return [book_session(SessionOrder(clinic.patients[i], clinic.site, clinic.iv, to_utc(day, time(hour), ZONE),
                                      clinic.chairs[i], ((clinic.prescriber, "supervising_prescriber"),
                                                         (clinic.nurses[0], "monitoring_clinician"))),
                         SYSTEM, clock.now()) for i, hour in ((0, 9), (1, 11))]


def test_an_admin_edits_a_shift_and_is_refused_with_the_sessions_named(app, page, staff_login, artifacts):
    clinic = f.small_clinic()
    day = next_monday()
    first, second = booked_monday(clinic, day)
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_test_id("staff-list")).to_contain_text("Rosa Diaz")
    check_at_every_width(page, "staff-list")
    page.get_by_role("link", name="Rosa Diaz").click()
    expect(page.get_by_test_id("booked")).to_contain_text(f"Session {first}")
    check_at_every_width(page, "staff-person")
    page.get_by_role("link", name=f"Edit the shift of {day:%a %d %b %Y}").click()
    expect(page.get_by_label("Starts")).to_have_value("07:00")
    page.get_by_label("Starts").fill("12:00")
    page.get_by_role("button", name="Save").click()

    refusal = page.get_by_test_id("cover-broken")
    expect(refusal).to_contain_text("Nothing was written.")
    expect(refusal).to_contain_text(f"Session {first} (IV ketamine infusion, {day:%a %d %b %Y} 09:00 at Midtown)")
    expect(refusal).to_contain_text(f"Session {second} (IV ketamine infusion, {day:%a %d %b %Y} 11:00 at Midtown)")
    expect(refusal.get_by_role("link", name="handle it as a call-out")).to_be_visible()
    check_at_every_width(page, "staff-shift-refused")
    db.session.rollback()
    shift = db.session.query(Shift).filter_by(staff_id=clinic.nurses[0]).order_by(Shift.starts_at.desc()).first()
    assert local(shift.starts_at, ZONE).time() == time(7)  # nothing written
    refusal.get_by_role("link", name=f"Open session {first}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IV ketamine infusion")


def test_an_admin_adds_a_weekly_pattern_and_sees_the_shifts(app, page, staff_login, artifacts):
    clinic = f.small_clinic()
    first = next_monday()
    last = first + timedelta(days=11)
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.goto(f"/staff/{clinic.nurses[1]}")
    page.get_by_role("link", name="Add a weekly pattern").click()
    page.get_by_label("Starts").fill("15:30")
    page.get_by_label("Ends").fill("07:30")
    page.get_by_role("button", name="Preview the shifts").click()
    expect(page.locator("#weekdays-error")).to_have_text("Pick at least one weekday.")
    expect(page.locator("#site_id-error")).to_have_text("Choose a site.")
    expect(page.locator("#first_day-error")).to_have_text("Give a date.")
    expect(page.get_by_test_id("preview")).to_have_count(0)
    check_at_every_width(page, "staff-pattern-errors")
    page.get_by_label("Site").select_option(label="Midtown (America/New_York)")
    for weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(weekday).check()
    page.get_by_label("Starts").fill("07:30")
    page.get_by_label("Ends").fill("15:30")
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill(last.isoformat())
    page.get_by_role("button", name="Preview the shifts").click()

    preview = page.get_by_test_id("preview")
    expect(preview.get_by_role("heading")).to_have_text("10 shifts at Midtown (America/New_York)")
    expect(preview).to_contain_text(f"{first:%a %d %b %Y} 07:30–15:30")
    check_at_every_width(page, "staff-pattern-preview")
    page.get_by_label(f"{first + timedelta(days=2):%a %d %b %Y}").uncheck()  # the Wednesday left out
    page.get_by_role("button", name="Create the ticked shifts").click()

    expect(page.get_by_role("status")).to_have_text("9 shifts created.")
    shifts = page.get_by_test_id("shifts")
    expect(shifts).to_have_count(2)  # two weeks
    expect(shifts.first).to_contain_text(f"{first:%a %d %b %Y} 07:30–15:30")
    expect(shifts.first).not_to_contain_text(f"{first + timedelta(days=2):%a %d %b %Y}")
    check_at_every_width(page, "staff-person-pattern")
