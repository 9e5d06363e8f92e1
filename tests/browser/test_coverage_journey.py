"""Coverage in a real browser: the admin sees an alert on the overview, opens the day's coverage, reads the gap."""

from __future__ import annotations

from datetime import time, timedelta

from playwright.sync_api import expect
from sqlalchemy import insert, update

from planner import clock
from planner.db.models import Credential, TimeOff
from planner.domain.calendar import local, to_utc
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from planner.services.coverage_check import check_coverage
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in

ZONE = "America/New_York"


def busy_morning(clinic, day):
    """Three doses at 09:00 (the first nurse monitors two), one at 13:00; the second nurse then off sick."""
    for person in (clinic.prescriber, *clinic.nurses):
        f.make_shift(person, clinic.site, day, "07:00", "19:00")
    booked = []
    for patient, nurse, hour in ((0, 0, 9), (1, 0, 9), (2, 1, 9), (3, 0, 13)):
        start = to_utc(day, time(hour), ZONE)
        booked.append(book_session(SessionOrder(
            clinic.patients[patient], clinic.site, clinic.iv, start, clinic.chairs[patient % 3],
            ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[nurse], "monitoring_clinician"))),
            SYSTEM, clock.now()))
    db.session.execute(insert(TimeOff).values(staff_id=clinic.nurses[1], starts_at=to_utc(day, time(8), ZONE),
                                              ends_at=to_utc(day, time(12), ZONE), reason="sick"))
    db.session.execute(update(Credential).where(Credential.staff_id == clinic.prescriber, Credential.kind == "acls")
                       .values(expires_on=day + timedelta(days=10)))
    db.session.commit()
    return booked


def test_the_admin_follows_an_alert_to_the_days_coverage_and_reads_the_gap_at_every_width(
        app, page, staff_login, artifacts):
    clinic = f.small_clinic()
    today = local(clock.now(), ZONE).date()
    day = today + timedelta(days=7 - today.weekday())  # next Monday: within the check's 14 days
    booked = busy_morning(clinic, day)
    assert check_coverage(clock.now()).opened == 2  # the session that lost its nurse, the lapsing ACLS
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)

    alerts = page.get_by_test_id("coverage-alerts")
    expect(alerts).to_contain_text(f"Session {booked[2]} (IV ketamine infusion")
    expect(alerts).to_contain_text("Sam Lee (RN) is on leave during the session.")
    check_at_every_width(page, "coverage-overview")
    alerts.get_by_role("link", name=f"Session {booked[2]}").click()
    expect(page).to_have_url(f"{page.url.split('/sessions')[0]}/sessions/{booked[2]}")

    page.goto(f"/sites/{clinic.site}/coverage?day={day}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Coverage · Midtown · {day:%A %d %B %Y}")
    expect(page.get_by_test_id("coverage-summary")).to_contain_text("1 gap and 0 stretches at the limit.")
    expect(page.get_by_test_id("coverage-marks")).to_contain_text(
        "09:00–10:45: 3 dosing for monitoring capacity 2")
    expect(page.get_by_role("img", name=f"Dosing load per quarter hour against capacity, {day}")).to_be_visible()
    expect(page.locator("rect.bar-gap")).to_have_count(7)
    expect(page.locator("rect.bar-ok")).to_have_count(7)
    page.get_by_text("The chart as a table, quarter hour by quarter hour").click()
    row = page.get_by_role("region", name="Coverage by quarter hour").get_by_role("row", name="09:00 EST")
    expect(row.get_by_role("cell").first).to_have_text("3")
    expect(row.get_by_role("cell").last).to_have_text("Gap")
    expect(page.get_by_role("region", name="Credentials expiring", exact=True)).to_contain_text(
        f"Session {booked[0]}")
    check_at_every_width(page, "coverage-day")
    page.set_viewport_size({"width": 375, "height": 740})
    page.locator("section[aria-labelledby=load-title]").screenshot(path=str(artifacts / "coverage-chart-375.png"))
