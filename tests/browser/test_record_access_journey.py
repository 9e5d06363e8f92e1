"""A therapist on a phone reads their own patient's screening answers and not another's; the admin reads who looked."""

from __future__ import annotations

from datetime import datetime, time, timezone

from playwright.sync_api import expect

from planner.domain.calendar import to_utc
from planner.services import SYSTEM
from planner.services.screening_inputs import ScreeningIn
from planner.services.screening_records import record_screening
from tests import factories as f
from tests.browser.a11y import PHONE, check_at_every_width, fits_the_width, shoot
from tests.browser.test_journeys import sign_in
from tests.web.test_my_day_pages import ZONE, place
from tests.web.test_screening_api import ALL_NO


def test_a_therapist_reads_only_their_own_patient_s_answers_and_the_admin_sees_who_read_them(
        page, clinic, clinic_clock, staff_login):
    tess = f.make_staff("Tess Vale", ["therapist"], f.credentials("licence"))
    said = datetime(2026, 11, 19, 15, tzinfo=timezone.utc)
    for patient in clinic.patients[:2]:
        given = ScreeningIn.model_validate({"answers": ALL_NO | {"pregnancy": True}, "outcome": "needs_review",
                                            "note": "pregnancy test booked"})
        record_screening(patient, given, SYSTEM, said)
    place(clinic, to_utc(f.MONDAY, time(15), ZONE), 50, patient=0, room=clinic.office, stype=clinic.integration,
          team=((tess, "therapist"),))
    email, password = staff_login("clinician", "Tess Vale", staff_id=tess)

    page.set_viewport_size(PHONE)
    page.goto("/login")
    sign_in(page, email, password)
    page.goto(f"/patients/{clinic.patients[0]}")
    card = page.get_by_test_id("screening-card")
    expect(card.get_by_test_id("screening-yes")).to_have_text("Yes to: Pregnancy")
    expect(card).to_contain_text("Note: pregnancy test booked")
    page.goto(f"/patients/{clinic.patients[1]}")
    card = page.get_by_test_id("screening-card")
    expect(card.get_by_test_id("record-closed")).to_have_text(
        "Clinical details are shown only to the patient's own clinicians.")
    expect(card).to_contain_text("needs review")  # the outcome is preparation status, not an answer
    expect(card).not_to_contain_text("Pregnancy")
    fits_the_width(page)
    shoot(page, "record-closed-to-a-therapist")
    page.get_by_role("button", name="Sign out").click()

    admin, password = staff_login("admin", "Carla Jensen")
    sign_in(page, admin, password)
    page.goto(f"/patients/{clinic.patients[0]}")
    views = page.get_by_test_id("record-views")
    expect(views.locator("tbody tr")).to_have_count(2)  # the admin's own read, this one, and the therapist's
    expect(views.locator("tbody tr").first).to_contain_text(admin)
    expect(views.locator("tbody tr").nth(1)).to_contain_text(email)
    expect(views.locator("tbody tr").nth(1)).to_contain_text("screening answers patient page")
    page.locator("#record-views").scroll_into_view_if_needed()
    check_at_every_width(page, "record-views")
