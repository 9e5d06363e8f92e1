"""The front desk's pages (today board, patients, booking from offers, the course wizard and a course's page),
with real data and in their error states, at desktop, tablet and phone width: no serious or critical axe-core
violation, nothing wider than the window, every focus ring visible, and a screenshot of each."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from planner.db.models import Session
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import cancel_session
from tests import factories as f
from tests.browser.a11y import PHONE, check_at_every_width, shoot
from tests.browser.test_book_from_offers import only_session_type
from tests.browser.test_journeys import sign_in
from tests.web.board_clinic import seed_board_clinic
from tests.web.conftest import seed_clinic_today


def signed_in(page, staff_login, path: str, role: str = "reception") -> None:
    """Open `path` as a new account of this role (the sign-in form first)."""
    email, password = staff_login(role, "Pat Front")
    page.goto(path)
    sign_in(page, email, password)
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_the_today_board_its_refusal_and_a_closed_day_are_accessible(page, staff_login):
    clinic = seed_board_clinic()
    signed_in(page, staff_login, "/board")
    expect(page.get_by_role("link", name="Harbour Clinic")).to_be_visible()
    check_at_every_width(page, "fd-a11y-board-sites")

    page.get_by_role("link", name="Harbour Clinic").click()
    expect(page.locator("li.visit .visit-patient")).to_have_count(3)
    check_at_every_width(page, "fd-a11y-board")

    # Checking a dose in without the escort confirmed is refused, with the reason in an alert.
    page.locator("li.visit", has_text="Jordan Avery").get_by_role("button", name="Check in: Jordan Avery").click()
    expect(page.get_by_role("alert")).to_contain_text("confirm the escort")
    check_at_every_width(page, "fd-a11y-board-refused")

    page.goto(f"/sites/{clinic.site}/board?day={clinic.holiday.isoformat()}")
    expect(page.get_by_role("heading", name="The site is closed")).to_be_visible()
    check_at_every_width(page, "fd-a11y-board-closed")


def test_the_patient_search_its_empty_and_no_match_states_are_accessible(page, clinic, staff_login):
    f.make_patient("MRN-500", name="Maya Okafor-Núñez", phone="+12125550177")
    signed_in(page, staff_login, "/patients")
    expect(page.locator("#patient-results")).to_contain_text("Type to find a patient")
    check_at_every_width(page, "fd-a11y-patients-search")

    page.goto("/patients?q=patient")
    expect(page.locator("#patient-results").get_by_role("link").first).to_be_visible()
    check_at_every_width(page, "fd-a11y-patients-found")

    page.goto("/patients?q=nobody-by-this-name")
    expect(page.get_by_test_id("no-match")).to_be_visible()
    check_at_every_width(page, "fd-a11y-patients-no-match")


def test_registering_a_patient_with_field_errors_and_editing_one_are_accessible(page, clinic, staff_login):
    signed_in(page, staff_login, "/patients/new")
    check_at_every_width(page, "fd-a11y-patients-new")
    page.get_by_label("MRN").fill("NEW-42")
    page.get_by_label("Date of birth").fill("2099-01-01")
    page.get_by_label("Phone", exact=True).fill("not a phone")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#name-error")).to_be_visible()
    check_at_every_width(page, "fd-a11y-patients-new-errors")

    page.goto(f"/patients/{clinic.patients[0]}/edit")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
    check_at_every_width(page, "fd-a11y-patients-edit")


def test_a_patients_page_with_sessions_messages_and_history_is_accessible(app, page, clinic, clinic_clock,
                                                                          staff_login):
    from planner.services.couriers import OutboxCourier, postmark_from
    from planner.services.delivery import send_due
    from tests.web.clinic_messages import at, book_iv, make_reachable

    make_reachable(clinic)
    book_iv(clinic, clinic_clock, start=at(9))
    book_iv(clinic, clinic_clock, start=at(11, day_offset=2))
    send_due(OutboxCourier(postmark_from(app.config)), lambda: clinic_clock, "test-sender")
    signed_in(page, staff_login, f"/patients/{clinic.patients[0]}")
    expect(page.locator("table.patient-messages tbody tr").first).to_be_visible()
    check_at_every_width(page, "fd-a11y-patient-page")

    # A patient not yet ready for a dose: the page says why at the top.
    waiting = f.make_patient("MRN-501", name="Sam Waiting", screening_status="pending", consent_status="pending")
    page.goto(f"/patients/{waiting}")
    expect(page.get_by_test_id("not-ready")).to_be_visible()
    check_at_every_width(page, "fd-a11y-patient-page-not-ready")


def test_booking_from_offers_with_its_errors_a_stale_offer_and_the_booked_page_is_accessible(page, staff_login):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from planner.services.booking import SessionOrder, book_session

    clinic = seed_clinic_today()
    tomorrow = clinic.today + timedelta(days=1)
    for person in (clinic.prescriber, clinic.nurse):
        f.make_shift(person, clinic.site, tomorrow, "08:00", "18:00", zone=clinic.zone)
    patient = f.make_patient("MRN-88", name="Mia Chen")
    other = f.make_patient("MRN-89", name="Noor Ali")
    iv = only_session_type()
    signed_in(page, staff_login, "/book")
    check_at_every_width(page, "fd-a11y-book-find")
    page.goto("/book?q=nobody-by-this-name")
    expect(page.locator("main")).to_contain_text("No patient's name or MRN contains")
    check_at_every_width(page, "fd-a11y-book-find-empty")

    page.goto(f"/book?patient={patient}&session_type_id=&site_id={clinic.site}&day=someday&span=day")
    expect(page.locator("#day-error")).to_be_visible()
    check_at_every_width(page, "fd-a11y-book-errors")

    page.goto(f"/book?patient={patient}&session_type_id={iv}&site_id={clinic.site}&day={tomorrow}&span=week")
    expect(page.get_by_test_id("offer").first).to_be_visible()
    check_at_every_width(page, "fd-a11y-book-offers")

    page.goto(f"/book?patient={patient}&session_type_id={iv}&site_id={clinic.site}&day={clinic.today + timedelta(days=3)}")
    expect(page.locator("ul.book-reasons li").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Every offer passed")  # no word of offers when there are none
    check_at_every_width(page, "fd-a11y-book-no-offers")

    # The first offer is taken at another desk meanwhile: nothing is booked, the reasons and fresh offers show.
    page.goto(f"/book?patient={patient}&session_type_id={iv}&site_id={clinic.site}&day={tomorrow}&span=day")
    eight = datetime.combine(tomorrow, time(8), tzinfo=ZoneInfo(clinic.zone))
    book_session(SessionOrder(other, clinic.site, iv, eight, clinic.chair,
                              ((clinic.prescriber, "supervising_prescriber"), (clinic.nurse, "monitoring_clinician"))),
                 SYSTEM, eight - timedelta(days=1))
    page.get_by_test_id("offer").first.get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was booked")
    check_at_every_width(page, "fd-a11y-book-stale")

    page.get_by_test_id("offer").first.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session booked")
    check_at_every_width(page, "fd-a11y-book-booked")


def test_the_course_wizard_its_errors_and_a_refusal_are_accessible(page, staff_login, course_clinic, clinic_clock):
    patient = f.make_patient("MRN-900", name="Casey Morgan")
    waiting = f.make_patient("MRN-904", name="Sam Waiting", screening_status="pending")
    signed_in(page, staff_login, "/courses/new?q=casey")
    expect(page.locator(".patients-found")).to_contain_text("MRN-900")
    check_at_every_width(page, "fd-a11y-course-find")
    page.goto("/courses/new?q=nobody-by-this-name")
    expect(page.locator("main")).to_contain_text("No patient's name or MRN contains")
    check_at_every_width(page, "fd-a11y-course-find-empty")

    page.goto(f"/courses/new?patient={patient}")
    check_at_every_width(page, "fd-a11y-course-new")
    page.get_by_label("Protocol").select_option(label="IV ketamine, depression induction")
    page.get_by_label(re.compile("^Dates they can't come")).fill("not a date")
    page.get_by_role("button", name="Plan the course").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator(".field-error").first).to_be_visible()
    check_at_every_width(page, "fd-a11y-course-new-errors")

    page.goto(f"/courses/new?patient={waiting}")
    page.get_by_label("Protocol").select_option(label="IV ketamine, depression induction")
    page.get_by_role("button", name="Plan the course").click()
    expect(page.get_by_role("alert").first).to_contain_text("No course can be planned")
    check_at_every_width(page, "fd-a11y-course-new-refused")


def test_the_course_plans_a_stale_plan_the_course_page_its_replan_and_stop_are_accessible(
        page, staff_login, course_clinic, clinic_clock):
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course
    from tests.factories import booking_order

    patient = f.make_patient("MRN-901", name="Robin Hale")
    rival = f.make_patient("MRN-902", name="Ari Stone")
    signed_in(page, staff_login, f"/courses/new?patient={patient}")
    page.get_by_label("Protocol").select_option(label="IV ketamine, depression induction")
    page.get_by_role("button", name="Plan the course").click()
    expect(page.get_by_test_id("plan").nth(1)).to_be_visible()
    page.get_by_test_id("plan").first.get_by_text(re.compile("^All \\d+ sessions")).click()
    check_at_every_width(page, "fd-a11y-course-plans")

    order = booking_order(propose_course(patient, "iv-induction", PreferencesIn(), clinic_clock), patient)
    book_course(order.__class__(rival, order.protocol, order.site_id, order.sessions), SYSTEM, clinic_clock)
    page.get_by_role("button", name="Book this recommended plan").click()
    expect(page.get_by_test_id("stale-note")).to_be_visible()
    check_at_every_width(page, "fd-a11y-course-stale")

    page.get_by_role("button", name="Book this recommended plan").click()
    expect(page).to_have_url(re.compile(r"/courses/\d+$"))
    course_id = int(page.url.rsplit("/", 1)[-1])
    check_at_every_width(page, "fd-a11y-course-page")

    db.session.rollback()
    third = db.session.scalar(select(Session.id).where(Session.course_id == course_id, Session.purpose == "dose",
                                                       Session.dose_number == 3))
    db.session.rollback()
    cancel_session(third, SYSTEM, clinic_clock, "patient unwell")
    page.reload()
    expect(page.locator("table.course-sessions .badge.status-cancelled")).to_have_count(1)
    check_at_every_width(page, "fd-a11y-course-page-cancelled")
    page.get_by_role("link", name="Re-plan the rest").click()
    expect(page.locator("ul.replan-changes li").first).to_be_visible()
    check_at_every_width(page, "fd-a11y-course-replan")

    page.goto(f"/courses/{course_id}/stop")
    page.get_by_role("button", name="Stop the course").click()
    expect(page.locator("#reason-error")).to_be_visible()
    check_at_every_width(page, "fd-a11y-course-stop-errors")


def test_on_a_phone_the_top_bar_stays_short_and_its_links_scroll_into_view_by_keyboard(page, clinic, staff_login):
    signed_in(page, staff_login, "/settings/messages", role="admin")
    page.set_viewport_size(PHONE)  # a desktop window made narrow: the current page's link comes into view
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(11)
    # Two short rows (the brand and who is signed in, then the links), not five rows of links.
    assert page.locator("header.topbar").bounding_box()["height"] < 120
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_text("Set-up")  # the messages settings are part of the set-up
    expect(current).to_be_in_viewport(ratio=1)  # the last link, scrolled into view for its own page
    expect(nav.get_by_role("link", name="Overview")).not_to_be_in_viewport()
    check_at_every_width(page, "fd-a11y-nav", widths=(PHONE,))
    page.goto("/settings/messages")  # and as a phone opens the page
    expect(current).to_be_in_viewport(ratio=1)
    # Tabbing along the row brings each link into view in turn.
    page.locator(".brand").focus()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Overview")).to_be_focused()
    expect(nav.get_by_role("link", name="Overview")).to_be_in_viewport()
    for _ in range(10):
        page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Set-up")).to_be_focused()
    expect(nav.get_by_role("link", name="Set-up")).to_be_in_viewport(ratio=1)
    shoot(page, "fd-a11y-nav-focused", widths=(PHONE,))
