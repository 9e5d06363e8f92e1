"""A staff member's changed email reaches the invites still waiting for them, in the change's own transaction."""

from __future__ import annotations

from datetime import timedelta

from planner.services.change_inputs import StaffChange
from planner.services.staff_members import change_staff
from tests.integration.test_outbox_sender import BOOKED_AT, DESK, book, rows

CHANGED_AT = BOOKED_AT + timedelta(minutes=5)


def staff_invites(staff_id: int):
    return [m for m in rows(recipient_kind="staff", kind="invite") if m.recipient_id == staff_id]


def test_a_staff_members_new_email_takes_the_invites_still_waiting_and_leaves_the_others_alone(reachable):
    book(reachable)
    waiting = {m.recipient_id for m in rows(recipient_kind="staff", kind="invite", state="pending")}
    assert len(waiting) >= 2
    moved, other = sorted(waiting)[:2]
    others_before = [(m.id, m.address) for m in staff_invites(other)]
    change_staff(moved, StaffChange(email="new.address@example.net"), DESK, CHANGED_AT)
    invites = staff_invites(moved)
    assert invites and {(m.state, m.address) for m in invites} == {("pending", "new.address@example.net")}
    assert [(m.id, m.address) for m in staff_invites(other)] == others_before


def test_a_staff_change_that_leaves_the_email_as_it_was_touches_no_invite(reachable):
    book(reachable)
    staff_id = min(m.recipient_id for m in rows(recipient_kind="staff", kind="invite"))
    before = [(m.id, m.address, m.state) for m in staff_invites(staff_id)]
    change_staff(staff_id, StaffChange(name="A New Name"), DESK, CHANGED_AT)
    assert [(m.id, m.address, m.state) for m in staff_invites(staff_id)] == before
