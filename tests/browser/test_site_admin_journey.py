"""The admin sets up a site and accounts in a real browser, at 1280, 768 and 375 px, checked with axe."""

from __future__ import annotations

from datetime import time, timedelta

from playwright.sync_api import expect

from planner import clock
from planner.domain.calendar import local, to_utc
from planner.services import SYSTEM, accounts
from planner.services.booking import SessionOrder, book_session
from tests import factories as f
from tests.browser.a11y import ARTIFACTS, DESKTOP, PHONE, check_at_every_width
from tests.browser.test_journeys import sign_in

ZONE = "America/New_York"


def next_week(clinic):
    """Next Monday to Friday with everyone on shift, and a dose booked on the Monday at 09:00."""
    today = local(clock.now(), ZONE).date()
    monday = today + timedelta(days=7 - today.weekday())
    for day in f.week_of(monday):
        for person in (clinic.prescriber, *clinic.nurses):
            f.make_shift(person, clinic.site, day, "07:00", "19:00")
    booked = book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(monday, time(9), ZONE),
                                       clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                          (clinic.nurses[0], "monitoring_clinician"))),
                          SYSTEM, clock.now())
    return monday, booked


def test_a_closure_over_a_booked_dose_is_refused_naming_it_and_a_free_day_closed_shows_closed_when_booking(
        app, page, staff_login):
    clinic = f.small_clinic()
    monday, booked = next_week(clinic)
    tuesday = monday + timedelta(days=1)
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Sites and rooms").click()
    check_at_every_width(page, "site-admin-list")
    page.get_by_role("link", name="Set up Midtown").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Midtown")
    expect(page.get_by_text("Times are in the site's wall time: America/New_York")).to_be_visible()

    closures = page.locator("#closures")
    closures.get_by_label("First day closed").fill(monday.isoformat())
    closures.get_by_label("Reason").fill("Burst pipe")
    closures.get_by_role("button", name="Close on these days").click()
    refusal = closures.get_by_test_id("refusal")
    expect(refusal).to_contain_text("Nothing was changed: it would break 1 booked session.")
    link = refusal.get_by_role("link", name=f"Session {booked} (IV ketamine infusion, {monday:%a %d %b %Y} 09:00 "
                                            "at Midtown)")
    expect(link).to_contain_text(f"The site is closed on {monday:%A %d %b %Y}.")
    expect(closures.get_by_label("First day closed")).to_have_value(monday.isoformat())  # as typed
    check_at_every_width(page, "site-admin-closure-refused")

    closures.get_by_label("First day closed").fill(tuesday.isoformat())
    closures.get_by_role("button", name="Close on these days").click()
    expect(page.get_by_role("status")).to_have_text("Closed. Nothing will be offered or booked on those days.")
    ahead = page.get_by_test_id("closures-ahead")
    expect(ahead).to_contain_text(f"{tuesday:%a %d %b %Y}")
    expect(ahead.get_by_role("textbox", name=f"Reason for {tuesday:%a %d %b %Y}")).to_have_value("Burst pipe")
    check_at_every_width(page, "site-admin-setup")
    page.set_viewport_size(PHONE)
    for part in ("hours", "closures", "rooms"):  # close-ups of the phone layout, to look at
        page.locator(f"#{part}").screenshot(path=str(ARTIFACTS / f"site-admin-{part}-375.png"))
    page.set_viewport_size(DESKTOP)

    page.goto(f"/book?patient={clinic.patients[1]}&session_type_id={clinic.iv}&site_id={clinic.site}"
              f"&day={tuesday}&span=day")
    offers = page.locator("section[aria-labelledby=offers-heading]")
    expect(offers.get_by_role("heading", level=2)).to_have_text("No offers · Midtown")
    expect(offers).to_contain_text(f"Midtown is closed on {tuesday:%a %d %b} (a day marked closed).")
    page.goto(f"/book?patient={clinic.patients[1]}&session_type_id={clinic.iv}&site_id={clinic.site}"
              f"&day={monday}&span=day")
    expect(page.get_by_test_id("offer").first).to_be_visible()  # Monday stays open: it was refused


def test_the_admin_sets_a_types_reminders_from_the_messages_settings(app, page, staff_login):
    clinic = f.small_clinic()
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.goto("/settings/messages")
    page.get_by_role("link", name="Reminder policy").click()
    iv = page.locator(f"#type-{clinic.iv}")
    iv.get_by_label("Remind this many hours before").fill("500")
    iv.get_by_role("button", name="Save the reminders of IV ketamine infusion").click()
    iv = page.locator(f"#type-{clinic.iv}")
    expect(iv.locator(".field-error")).to_contain_text("336")
    check_at_every_width(page, "reminder-policy-refused")
    iv.get_by_label("Remind this many hours before").fill("48, 3")
    iv.get_by_role("button", name="Save the reminders of IV ketamine infusion").click()
    expect(page.locator(f"#type-{clinic.iv}")).to_contain_text("Now: 48, 3 hours before.")


def test_a_refused_room_change_names_the_session_and_the_page_reads_well_at_every_width(app, page, staff_login):
    clinic = f.small_clinic()
    monday, booked = next_week(clinic)
    email, password = staff_login("admin", "Alex Admin")
    page.goto("/login")
    sign_in(page, email, password)
    page.goto(f"/sites/{clinic.site}/setup#room-{clinic.chairs[0]}")
    chair = page.locator(f"#room-{clinic.chairs[0]}")
    chair.get_by_label("Infusion pump and monitor").uncheck()
    chair.get_by_role("button", name="Save Chair 1").click()
    chair = page.locator(f"#room-{clinic.chairs[0]}")
    expect(chair.get_by_test_id("refusal")).to_contain_text(f"Session {booked} (IV ketamine infusion")
    expect(chair.get_by_label("Infusion pump and monitor")).not_to_be_checked()  # as the admin left it
    check_at_every_width(page, "site-admin-room-refused")


def test_the_admin_adds_an_account_gives_it_a_token_shown_once_and_links_it_to_a_therapist(app, page, staff_login):
    email, password = staff_login("admin", "Alex Admin")
    nia = f.make_staff("Nia Ray", ["therapist"], f.credentials("licence"))
    tom = f.make_staff("Tom Reyes", ["therapist"], f.credentials("licence"))
    accounts.create_user("sam@clinic.example", "Sam Lee", "clinician", "a-temporary-pass-1", tom, now=clock.now())
    page.goto("/login")
    sign_in(page, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Accounts").click()
    page.get_by_label("Name").fill("Nia Ray")
    page.get_by_label("Email").fill("nia@clinic.example")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_label("Temporary password").fill("short")
    page.get_by_role("button", name="Add the account").click()
    expect(page.locator("#password-error")).to_contain_text("at least 12 characters")
    check_at_every_width(page, "accounts-refused")
    page.get_by_label("Temporary password").fill("a-temporary-pass-1")
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Ray")
    page.get_by_label("Label").fill("EHR sync")
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_test_id("new-token")).to_contain_text("Copy it now")
    check_at_every_width(page, "accounts-token-shown")
    page.get_by_role("button", name="Revoke EHR sync").click()
    expect(page.get_by_role("region", name="API tokens, newest first")).to_contain_text("revoked")

    # Unlinked, a clinician account reads every patient's record: the page says so, and why to link it.
    expect(page.get_by_test_id("link-hint")).to_contain_text("Link a therapist to their staff record")
    expect(page.get_by_test_id("staff-link")).to_contain_text("Reads every patient's clinical record.")
    page.get_by_label("Staff record", exact=True).select_option(label="Tom Reyes (therapist) · linked to Sam Lee")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#account-staff_id-error")).to_contain_text(
        "Tom Reyes's staff record is already linked to the account of Sam Lee (sam@clinic.example)")
    expect(page.get_by_label("Staff record", exact=True)).to_have_value(str(tom))  # as the admin left it
    check_at_every_width(page, "accounts-link-refused")
    page.get_by_label("Staff record", exact=True).select_option(label="Nia Ray (therapist)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_test_id("staff-link")).to_contain_text(
        "Staff record: Nia Ray (therapist). Reads only their own patients' clinical records.")
    expect(page.get_by_label("Staff record", exact=True)).to_have_value(str(nia))
    check_at_every_width(page, "accounts-linked")
    page.goto("/accounts")
    nia_row = page.get_by_role("row").filter(has_text="nia@clinic.example")
    expect(nia_row).to_contain_text("Nia Ray (therapist)")
    expect(nia_row).to_contain_text("only their own patients' clinical records")
    check_at_every_width(page, "accounts-list")
