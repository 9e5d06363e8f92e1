"""A call-out in a real browser on the demo clinic: the admin marks a nurse away, reads the proposal, applies it."""

from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect
from sqlalchemy import select

from planner import clock
from planner.db.models import OutboxMessage, SessionStaff, Staff
from planner.extensions import db
from tests.browser.a11y import check_at_every_width
from tests.browser.test_journeys import sign_in

WEDNESDAY = datetime(2027, 3, 10, 15, tzinfo=timezone.utc)  # 10:00 in Brooklyn Heights


def staff_id(name: str) -> int:
    found = db.session.scalar(select(Staff.id).where(Staff.name == name))
    db.session.rollback()
    return found


def test_an_admin_handles_a_call_out_end_to_end_on_the_demo_clinic(app, page, monkeypatch, artifacts):
    monkeypatch.setattr(clock, "now", lambda: WEDNESDAY)
    seeded = app.test_cli_runner().invoke(args=["planner", "seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    grace, priya = staff_id("Grace O'Neill"), staff_id("Priya Shah")
    page.goto("/login")
    sign_in(page, "admin@demo.clinic", "demo-password-1")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Call-outs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call-outs")
    expect(page.get_by_text("No call-out yet.")).to_be_visible()
    page.get_by_role("link", name="Someone is away: repair their sessions").click()

    # Grace leaves at 10:00 with a migraine: away from now (the form's default) to midnight.
    page.get_by_label("Who is away").select_option(label="Grace O'Neill (RN)")
    expect(page.get_by_label("Away from")).to_have_value("2027-03-10T10:00")
    page.get_by_role("button", name="Show the sessions it touches").click()
    repairs = page.get_by_test_id("repairs")
    expect(page.get_by_test_id("preview")).to_contain_text("2 sessions lose cover: 1 reassigned, 0 moved, 1 left as a gap.")
    expect(repairs).to_contain_text("Priya Shah (RN) takes over as monitoring clinician.")
    expect(repairs).to_contain_text("It has begun: change its team at the desk.")
    check_at_every_width(page, "callout-preview")

    page.get_by_label("Reason").fill("Migraine")
    page.get_by_role("button", name="Apply the call-out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Call-out applied")
    told = page.get_by_test_id("told")
    expect(told).to_contain_text("Grace O'Neill: taken off session")
    expect(told).to_contain_text("Priya Shah: put on session")
    expect(page.get_by_test_id("changed")).to_contain_text("It is on the coverage alerts until someone covers it.")
    check_at_every_width(page, "callout-summary")

    # The outbox: Grace's pending invite to the session she left is taken back (it never went, so no
    # CANCEL is needed; a sent one would get a CANCEL), and Priya is invited.
    to_priya = db.session.scalars(select(SessionStaff.session_id).where(
        SessionStaff.staff_id == priya, SessionStaff.role == "monitoring_clinician")).all()
    rows = set(db.session.execute(select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.state).where(
        OutboxMessage.session_id.in_(to_priya), OutboxMessage.recipient_kind == "staff")).all())
    db.session.rollback()
    assert {state for who, kind, state in rows if who == grace} <= {"superseded", "pending", "sent"}
    assert not {(who, kind, state) for who, kind, state in rows if who == grace and kind == "invite"
                and state == "pending"}
    assert (priya, "invite", "pending") in rows

    page.goto("/")
    expect(page.get_by_test_id("coverage-alerts")).to_contain_text("Grace O'Neill called out.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Set-up").click()
    page.get_by_role("main").get_by_role("link", name="Call-outs").click()
    expect(page.get_by_test_id("callouts")).to_contain_text("Grace O'Neill")
    expect(page.get_by_test_id("callouts")).to_contain_text("1 reassigned, 0 moved, 1 gap")
    check_at_every_width(page, "callout-list")
