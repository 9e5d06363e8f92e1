"""Reception books one session from offers in a real browser, at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.a11y import check_at_every_width
from tests.web.conftest import seed_clinic_today


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def only_session_type() -> int:
    """The id of seed_clinic_today's one session type (IV), read back."""
    from sqlalchemy import select

    from planner.db.models import SessionType
    from planner.extensions import db

    found = db.session.scalar(select(SessionType.id))
    db.session.rollback()
    return found


def test_reception_books_the_first_offer_for_a_patient_and_sees_it_booked(page, staff_login):
    clinic = seed_clinic_today()
    tomorrow = clinic.today + timedelta(days=1)
    for person in (clinic.prescriber, clinic.nurse):
        f.make_shift(person, clinic.site, tomorrow, "08:00", "18:00", zone=clinic.zone)
    f.make_patient("MRN-88", name="Mia Chen")
    email, password = staff_login("reception", "Pat Front")

    page.goto("/book")
    sign_in(page, email, password)
    page.get_by_label("Patient's name or MRN").fill("mia")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Mia Chen").click()
    expect(page.get_by_test_id("patient-name")).to_have_text("Mia Chen")

    page.get_by_label("Session type").select_option(label="IV ketamine infusion")
    page.get_by_label("Site").select_option(label="Harbour Clinic")
    page.get_by_label("Day", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("that day", exact=True).check()
    page.get_by_role("button", name="Show offers").click()

    offers = page.get_by_test_id("offer")
    expect(offers.first).to_be_visible()
    first = offers.first
    expect(first.locator(".offer-time")).to_have_text("08:00–09:45")
    expect(first.locator(".offer-day")).to_have_text(f"{tomorrow:%a %d %b}")
    expect(first).to_contain_text("Chair 1")
    expect(first).to_contain_text("Dr Ada Kim · supervising prescriber")
    expect(first).to_contain_text("Rosa Diaz · monitoring clinician")
    expect(first).to_contain_text(f"Why first: Earliest free time on {tomorrow:%a %d %b}")
    expect(page.locator("#offers-heading")).to_contain_text("Harbour Clinic")
    expect(page.locator("main")).to_contain_text(clinic.zone)
    check_at_every_width(page, "book-offers")  # screenshots, axe, nothing wider than 1280, 768 or 375 px, focus

    first.get_by_role("button", name=f"Book 08:00 on {tomorrow:%a %d %b} in Chair 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session booked")
    expect(page.get_by_test_id("booked-when")).to_contain_text(f"{tomorrow:%A %d %B %Y}, 08:00–09:45")
    expect(page.get_by_test_id("booked-when")).to_contain_text(clinic.zone)
    expect(page.locator("section.booked")).to_contain_text("Harbour Clinic · Chair 1")
    expect(page.locator("section.booked")).to_contain_text("Mia Chen")
    expect(page.locator("section.booked .badge")).to_have_text("booked")
    check_at_every_width(page, "book-booked")


def test_an_offer_taken_meanwhile_says_so_kindly_and_shows_fresh_offers(page, staff_login):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from planner.services import SYSTEM
    from planner.services.booking import SessionOrder, book_session

    clinic = seed_clinic_today()
    tomorrow = clinic.today + timedelta(days=1)
    for person in (clinic.prescriber, clinic.nurse):
        f.make_shift(person, clinic.site, tomorrow, "08:00", "18:00", zone=clinic.zone)
    patient = f.make_patient("MRN-88", name="Mia Chen")
    other = f.make_patient("MRN-89", name="Noor Ali")
    iv = only_session_type()
    email, password = staff_login("reception", "Pat Front")
    page.goto(f"/book?patient={patient}&session_type_id={iv}&site_id={clinic.site}&day={tomorrow}&span=day")
    sign_in(page, email, password)
    expect(page.get_by_test_id("offer").first).to_contain_text("08:00–09:45")

    # Someone at another desk books that chair, prescriber and nurse at 08:00 first.
    eight = datetime.combine(tomorrow, time(8), tzinfo=ZoneInfo(clinic.zone))
    book_session(SessionOrder(other, clinic.site, iv, eight, clinic.chair,
                              ((clinic.prescriber, "supervising_prescriber"), (clinic.nurse, "monitoring_clinician"))),
                 SYSTEM, eight - timedelta(days=1))
    page.get_by_test_id("offer").first.get_by_role("button", name=f"Book 08:00 on {tomorrow:%a %d %b} in Chair 1").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was booked: that time is no longer free.")
    expect(alert).to_contain_text(f"Chair 1 is taken {tomorrow:%a %d %b} 08:00–09:45 by another session.")
    expect(page.get_by_test_id("offer").first.locator(".offer-time")).to_have_text("09:45–11:30")
    check_at_every_width(page, "book-stale")
