"""Reception moves a session to an offered time, cancels another with a reason, and works a patient's request."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from planner.db.models import PatientRequest
from planner.extensions import db
from planner.services import SYSTEM
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.browser.a11y import check_at_every_width, shoot
from tests.web.conftest import seed_clinic_today


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def tomorrow_clinic():
    """seed_clinic_today plus the same team on shift tomorrow, and one IV type's id."""
    from sqlalchemy import select

    from planner.db.models import SessionType

    clinic = seed_clinic_today()
    tomorrow = clinic.today + timedelta(days=1)
    for person in (clinic.prescriber, clinic.nurse):
        f.make_shift(person, clinic.site, tomorrow, "08:00", "18:00", zone=clinic.zone)
    iv = db.session.scalar(select(SessionType.id))
    db.session.rollback()
    return clinic, tomorrow, iv


def book_at(clinic, iv: int, patient: int, day, hour: int) -> int:
    start = datetime.combine(day, time(hour), tzinfo=ZoneInfo(clinic.zone))
    return book_session(SessionOrder(patient, clinic.site, iv, start, clinic.chair,
                                     ((clinic.prescriber, "supervising_prescriber"),
                                      (clinic.nurse, "monitoring_clinician"))), SYSTEM, start - timedelta(days=2))


def test_reception_moves_a_booked_session_to_another_offered_time_and_sees_it_moved(page, staff_login, artifacts):
    clinic, tomorrow, iv = tomorrow_clinic()
    patient = f.make_patient("MRN-88", name="Mia Chen")
    book_at(clinic, iv, patient, tomorrow, 13)
    email, password = staff_login("reception", "Pat Front")

    page.goto(f"/patients/{patient}")
    sign_in(page, email, password)
    page.get_by_role("link", name="IV ketamine infusion").first.click()
    expect(page.get_by_test_id("session-when")).to_contain_text(f"{tomorrow:%a %d %b %Y}, 13:00–14:45")
    expect(page.get_by_test_id("session-when")).to_contain_text(clinic.zone)
    expect(page.get_by_role("heading", name="Move to another time")).to_be_visible()
    check_at_every_width(page, "session-page")
    page.get_by_role("button", name="Show offers").click()
    first = page.get_by_test_id("offer").first
    expect(first.locator(".offer-time")).to_have_text("08:00–09:45")
    check_at_every_width(page, "session-move-offers")

    first.get_by_role("button", name=f"Move to 08:00 on {tomorrow:%a %d %b} in Chair 1").click()
    expect(page.locator(".flash")).to_contain_text("Moved.")
    expect(page.get_by_test_id("session-when")).to_contain_text(f"{tomorrow:%a %d %b %Y}, 08:00–09:45")
    expect(page.locator("ol.session-history li").first).to_contain_text("rescheduled")
    expect(page.locator("ol.session-history li").first).to_contain_text("from ")
    check_at_every_width(page, "session-moved")


def test_reception_cancels_a_session_with_a_reason_and_it_waits_for_a_new_time(page, staff_login, artifacts):
    clinic, tomorrow, iv = tomorrow_clinic()
    patient = f.make_patient("MRN-90", name="Ravi Patel")
    session_id = book_at(clinic, iv, patient, tomorrow, 10)
    email, password = staff_login("reception", "Pat Front")

    page.goto(f"/sessions?site_id={clinic.site}&day={tomorrow}")
    sign_in(page, email, password)
    page.get_by_role("link", name="10:00–11:45").click()
    page.get_by_role("link", name="Cancel this session…").click()
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.locator("#reason-error")).to_have_text("Say why the session is cancelled.")
    page.get_by_label("Why is it cancelled?").fill("The chair is out of service")
    page.get_by_label("Ravi Patel needs a new time").check()
    check_at_every_width(page, "session-cancel")
    page.get_by_role("button", name="Cancel the session").click()

    expect(page.locator(".flash")).to_contain_text("It is on the requests list for a new time.")
    expect(page.get_by_test_id("session-status")).to_have_text("cancelled")
    expect(page.locator("ol.session-history li").first).to_contain_text("The chair is out of service")
    expect(page.locator("ul.session-asks")).to_contain_text("needs a new time")
    shoot(page, "session-cancelled")
    page.goto("/requests")
    row = page.locator("tr", has_text="Ravi Patel")
    expect(row).to_contain_text("needs a new time")
    row.get_by_role("link", name="Find a time").click()
    expect(page).to_have_url(f"{page.url.split('/sessions')[0]}/sessions/{session_id}?request="
                             f"{page.url.split('request=')[1].split('#')[0]}#move")
    expect(page.get_by_test_id("working")).to_contain_text("needs a new time")
    page.get_by_test_id("offer").first.get_by_role("button", name=f"Book 08:00 on {tomorrow:%a %d %b} in Chair 1").click()
    expect(page.locator(".flash")).to_contain_text("the request is marked done")
    expect(page.get_by_test_id("session-when")).to_contain_text(f"{tomorrow:%a %d %b %Y}, 08:00–09:45")
    page.goto("/requests")
    expect(page.locator("main")).to_contain_text("No open requests.")


def test_reception_works_a_patients_another_time_request_by_booking_an_offer(page, staff_login, artifacts):
    clinic, tomorrow, iv = tomorrow_clinic()
    patient = f.make_patient("MRN-91", name="Ana Souza")
    session_id = book_at(clinic, iv, patient, tomorrow, 13)
    db.session.add(PatientRequest(session_id=session_id, patient_id=patient, kind="another_time",
                                  note="Mornings are better for me", state="open",
                                  asked_at=datetime.now(ZoneInfo("UTC"))))
    db.session.commit()
    email, password = staff_login("reception", "Pat Front")

    page.goto("/requests")
    sign_in(page, email, password)
    row = page.locator("tr", has_text="Ana Souza")
    expect(row).to_contain_text("another time")
    expect(row).to_contain_text("Mornings are better for me")
    check_at_every_width(page, "requests-list")
    row.get_by_role("link", name="Find a time for Ana Souza").click()

    expect(page.get_by_test_id("working")).to_contain_text("Ana Souza asked for another time.")
    expect(page.get_by_test_id("working")).to_contain_text("Mornings are better for me")
    check_at_every_width(page, "request-find-a-time")
    page.get_by_test_id("offer").first.get_by_role("button", name=f"Move to 08:00 on {tomorrow:%a %d %b} in Chair 1").click()
    expect(page.locator(".flash")).to_contain_text("The request is marked done.")
    expect(page.get_by_test_id("session-when")).to_contain_text("08:00–09:45")

    page.goto("/requests")
    expect(page.locator("main")).to_contain_text("No open requests.")
    expect(page.locator("tr", has_text="Ana Souza")).to_have_count(0)
    shoot(page, "requests-worked")


def test_moving_a_course_dose_shows_what_changes_in_the_course_before_it_is_made(page, staff_login, course_clinic,
                                                                                  clinic_clock, artifacts):
    from sqlalchemy import select

    from planner.db.models import Session
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course = book_course(f.booking_order(proposal, patient), SYSTEM, clinic_clock)
    third = db.session.scalar(select(Session).where(Session.course_id == course, Session.dose_number == 3,
                                                    Session.purpose == "dose"))
    db.session.rollback()
    email, password = staff_login("reception", "Pat Front")

    page.goto(f"/courses/{course}")
    sign_in(page, email, password)
    page.get_by_role("link", name="Dose 3").first.click()
    expect(page.get_by_role("link", name=f"Course {course}")).to_be_visible()
    page.get_by_role("button", name="Show offers").click()
    offer = page.get_by_test_id("offer").first
    expect(offer).to_be_visible()
    check_at_every_width(page, "session-course-offers")
    when = offer.locator(".offer-time").inner_text().split("–")[0]
    offer.get_by_role("button", name=f"Move to {when}", exact=False).click()

    expect(page.get_by_role("heading", level=2)).to_have_text(f"What changes in course {course}")
    expect(page.get_by_test_id("move-to")).to_contain_text(when)
    expect(page.locator("main")).to_contain_text("Nothing else moves")
    expect(page.locator("ol.session-around li.moved")).to_contain_text("moved here")
    check_at_every_width(page, "session-course-confirm")
    assert db.session.get(Session, third.id).starts_at == third.starts_at  # nothing moved before the confirm
    db.session.rollback()
    page.get_by_role("button", name="Move it").click()
    expect(page.locator(".flash")).to_contain_text("Moved.")
    expect(page.get_by_test_id("session-when")).to_contain_text(when)


def test_a_request_is_resolved_by_a_move_made_from_the_session_page_not_only_from_the_list(page, staff_login,
                                                                                           artifacts):
    clinic, tomorrow, iv = tomorrow_clinic()
    patient = f.make_patient("MRN-92", name="Lina Haddad")
    session_id = book_at(clinic, iv, patient, tomorrow, 13)
    db.session.add(PatientRequest(session_id=session_id, patient_id=patient, kind="another_time",
                                  note="Could we do a morning?", state="open",
                                  asked_at=datetime.now(ZoneInfo("UTC"))))
    db.session.commit()
    email, password = staff_login("reception", "Pat Front")

    # Reception goes straight to the session (from the patient's page), not through the requests list.
    page.goto(f"/patients/{patient}")
    sign_in(page, email, password)
    page.get_by_role("link", name="IV ketamine infusion").first.click()
    page.get_by_role("button", name="Show offers").click()
    offers = page.get_by_test_id("offer")
    # Spread over the day: an hour or more apart, and "more times" shows the quarter hours between.
    expect(offers.nth(0).locator(".offer-time")).to_have_text("08:00–09:45")
    expect(offers.nth(1).locator(".offer-time")).to_have_text("09:00–10:45")
    page.get_by_role("link", name="More times: every free start in between").click()
    expect(page.get_by_test_id("offer").nth(1).locator(".offer-time")).to_have_text("08:15–10:00")
    shoot(page, "session-more-times")
    page.get_by_test_id("offer").first.get_by_role(
        "button", name=f"Move to 08:00 on {tomorrow:%a %d %b} in Chair 1").click()
    expect(page.locator(".flash")).to_contain_text("The request is marked done.")
    shoot(page, "request-resolved-by-move")

    page.goto("/requests")
    expect(page.locator("main")).to_contain_text("No open requests.")
    assert db.session.get(PatientRequest, 1).state == "done"
    db.session.rollback()


def test_a_course_waiting_to_be_replanned_leaves_the_list_when_its_replan_is_applied(page, staff_login, course_clinic,
                                                                                     clinic_clock, artifacts):
    from sqlalchemy import select

    from planner.db.models import Session
    from planner.services.course_booking import book_course
    from planner.services.course_inputs import PreferencesIn
    from planner.services.course_planning import propose_course

    patient = f.ready_patient()
    proposal = propose_course(patient, "iv-induction", PreferencesIn(time_of_day="morning"), clinic_clock)
    course = book_course(f.booking_order(proposal, patient), SYSTEM, clinic_clock)
    third = db.session.scalar(select(Session.id).where(Session.course_id == course, Session.dose_number == 3,
                                                       Session.purpose == "dose"))
    name = db.session.get(Session, third).patient.name
    db.session.rollback()
    email, password = staff_login("reception", "Pat Front")

    page.goto(f"/sessions/{third}/cancel")
    sign_in(page, email, password)
    page.get_by_label("Why is it cancelled?").fill("The prescriber is ill that day")
    page.get_by_label(f"Put course {course} on the requests list to re-plan").check()
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.locator(".flash")).to_contain_text("The course is on the requests list to re-plan.")

    page.goto("/requests")
    row = page.locator("tr", has_text=name)
    expect(row).to_contain_text("re-plan the course")
    expect(row).to_contain_text("The prescriber is ill that day")
    shoot(page, "requests-replan-waiting")
    row.get_by_role("link", name=f"Open the re-plan preview for {name}").click()
    page.get_by_role("button", name="Apply this re-plan").click()
    expect(page.locator(".flash")).to_contain_text("The re-plan request is marked done.")
    shoot(page, "request-resolved-by-replan")
    page.goto("/requests")
    expect(page.locator("main")).to_contain_text("No open requests.")
