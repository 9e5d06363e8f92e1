"""A clinician's day in a real browser: they open their week, open a day at two sites, print its sheet, see the grid."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from playwright.sync_api import expect

from planner import clock
from planner.db.models import Session, SessionStaff
from planner.domain.calendar import local, to_utc
from planner.extensions import db
from planner.services import accounts
from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.browser.conftest import PASSWORD
from tests.browser.test_journeys import sign_in

ZONE = "America/New_York"
# A page object of a PDF (not the /Pages tree that lists them); Chromium writes its objects uncompressed.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def placed(patient: int, site: int, room: int, stype: int, start: datetime, team) -> int:
    """A booked session as it is stored, with its team."""
    stamp = datetime(2026, 1, 1, tzinfo=timezone.utc)
    row = Session(patient_id=patient, site_id=site, session_type_id=stype, room_id=room, starts_at=start,
                  ends_at=start + timedelta(minutes=105), status="booked", created_at=stamp, updated_at=stamp)
    row.staff = [SessionStaff(staff_id=who, role=role, starts_at=row.starts_at, ends_at=row.ends_at) for who, role in team]
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_clinician_opens_their_week_then_a_day_at_two_sites_and_prints_one_page_per_site(app, page, artifacts):
    clinic = f.small_clinic()
    uptown = f.make_site(name="Uptown")
    uptown_chair = f.make_room(uptown, name="Chair U1")
    today = local(clock.now(), ZONE).date()
    day = today + timedelta(days=7 - today.weekday())  # next Monday
    f.make_shift(clinic.prescriber, clinic.site, day, "08:00", "12:00")
    f.make_shift(clinic.prescriber, uptown, day, "13:00", "18:00")
    team = ((clinic.prescriber, "supervising_prescriber"), (clinic.nurses[0], "monitoring_clinician"))
    morning = [placed(clinic.patients[n], clinic.site, clinic.chairs[n], clinic.iv, to_utc(day, time(9 + n), ZONE),
                      team) for n in range(2)]
    afternoon = placed(clinic.patients[2], uptown, uptown_chair, clinic.iv, to_utc(day, time(14), ZONE), team)
    accounts.create_user("ada@clinic.example", "Ada Kim", "clinician", PASSWORD, clinic.prescriber,
                         now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    page.goto("/login")
    sign_in(page, "ada@clinic.example", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My day").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day · ")
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("link", name="Next week →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"My week · from {day:%A %d %B %Y}")
    monday = page.get_by_test_id("week-day").first
    expect(monday.get_by_test_id("week-session")).to_have_count(3)
    expect(monday).to_contain_text("Uptown, Chair U1")
    check_at_every_width(page, "my-week")

    monday.get_by_role("link", name=f"{day:%A %d %b}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"My day · {day:%A %d %B %Y}")
    sheets = page.get_by_test_id("site-sheet")
    expect(sheets).to_have_count(2)
    expect(sheets.first.get_by_role("heading", level=2)).to_contain_text("Midtown")
    expect(sheets.first.get_by_test_id("my-session")).to_have_count(2)
    expect(sheets.last.get_by_test_id("my-session")).to_have_count(1)
    expect(page.get_by_role("link", name="Patient MRN-3")).to_have_attribute("href", f"/sessions/{afternoon}")
    check_at_every_width(page, "my-day")

    # The print stylesheet: a page per site, no top bar. Chromium lays the sheet out for paper here.
    pdf = page.pdf(format="A4")
    (artifacts / "my-day-sheet.pdf").write_bytes(pdf)
    assert len(PDF_PAGE.findall(pdf)) == 2
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print day sheet")).to_be_hidden()
    page.screenshot(path=str(artifacts / "my-day-print-1280.png"), full_page=True)
    page.emulate_media(media="screen")

    sheets.first.get_by_role("link", name="Site grid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Grid · Midtown · {day:%A %d %B %Y}")
    expect(page.get_by_test_id("grid-block")).to_have_count(2)
    expect(page.get_by_test_id("grid-block").first).to_have_attribute("href", f"/sessions/{morning[0]}")
    check_at_every_width(page, "site-grid")
