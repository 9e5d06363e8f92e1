"""A sender whose lease runs out while it works through a batch puts the rest back rather than send them late."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, update

from planner.adapters.mail import SmtpTransport
from planner.db.models import OutboxEvent, OutboxMessage, Patient, Staff
from planner.domain.calendar import to_utc
from planner.extensions import db
from planner.services import Actor
from planner.services.booking import SessionOrder, book_session
from planner.services.couriers import OutboxCourier
from planner.services.delivery import send_due
from planner.services.outbox_claims import claim_due
from planner.services.rendering import Postmark
from tests.factories import MONDAY
from tests.smtp_server import SmtpServer

BOOKED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
LEASE = timedelta(minutes=5)
POSTMARK = Postmark(("Midtown Clinic", "appointments@clinic.example"), "https://clinic.example", "clinic.example",
                    "link-secret")


class SlowCourier(OutboxCourier):
    """A courier to a server that takes 2 min 30 s a message (on the test's clock), noting when each began."""

    def __init__(self, server, clock):
        super().__init__(POSTMARK, SmtpTransport(server.host, server.port))
        self.clock, self.begun = clock, []

    def deliver(self, message, now):
        self.begun.append((message.id, now))
        self.clock.now += timedelta(minutes=2, seconds=30)
        return super().deliver(message, now)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def three_invites(clinic):
    db.session.execute(update(Patient).values(consented_channels=["email"]))
    for staff_id in (clinic.prescriber, clinic.nurses[0]):
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(email=f"staff{staff_id}@example.org"))
    db.session.commit()
    book_session(SessionOrder(clinic.patients[0], clinic.site, clinic.iv, to_utc(MONDAY, time(9), "America/New_York"),
                              clinic.chairs[0], ((clinic.prescriber, "supervising_prescriber"),
                                                 (clinic.nurses[0], "monitoring_clinician"))),
                 Actor("reception@example.org"), BOOKED_AT)
    return clinic


def test_no_message_is_begun_once_its_lease_is_nearly_out_and_the_rest_go_back_in_line_unsent(three_invites):
    clock = Clock(BOOKED_AT)
    with SmtpServer() as server:
        courier = SlowCourier(server, clock)
        report = send_due(courier, clock, "slow-sender", batch=3, lease=LEASE)
        received = server.received()
    # Claimed at 12:00 with a lease to 12:05: the first two begin at 12:00 and 12:02:30; at 12:05
    # the lease is out (another sender could retake it), so the third goes back and is claimed afresh.
    assert report.sent == 3 and report.released == 1 and report.batches == 2
    assert len(received) == 3 and len({m.data for m in received}) == 3
    leases = {}
    for message_id, begun in courier.begun:
        leases.setdefault(message_id, begun + LEASE)
    assert all(begun < leases[message_id] - timedelta(seconds=30) for message_id, begun in courier.begun)
    released = db.session.scalars(select(OutboxEvent.message_id).where(OutboxEvent.detail.like("released by%"))).all()
    [late] = released
    history = db.session.scalars(select(OutboxEvent.state).where(OutboxEvent.message_id == late)
                                 .order_by(OutboxEvent.id)).all()
    assert history == ["pending", "sending", "pending", "sending", "sent"]
    assert db.session.get(OutboxMessage, late).attempts == 1  # the released claim was not a try
    db.session.rollback()


def test_a_released_message_is_not_taken_for_one_that_may_have_been_delivered(three_invites):
    clock = Clock(BOOKED_AT)
    with SmtpServer() as server:
        send_due(SlowCourier(server, clock), clock, "slow-sender", batch=3, lease=LEASE, max_batches=1)
    # Another sender right after: the released message is simply due, not a retaken claim.
    again = claim_due(clock.now, "other-sender")
    assert len(again.messages) == 1
    details = db.session.scalars(select(OutboxEvent.detail).where(OutboxEvent.message_id == again.messages[0].id)
                                 .order_by(OutboxEvent.id)).all()
    db.session.rollback()
    assert details[-1] == "claimed by other-sender"
    assert not any("retaken" in d for d in details)


def test_a_dead_senders_claims_are_retaken_before_pending_ones_and_a_claim_stays_within_its_limit(three_invites):
    # Three invites are due at booking: one sender takes one and dies; later a claim of two
    # must take that one back first (it was due first), then the earliest pending one.
    first = claim_due(BOOKED_AT, "dead-sender", limit=1, lease=LEASE)
    [dead] = first.messages
    pending = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == "pending",
                                                               OutboxMessage.due_at <= BOOKED_AT)
                                 .order_by(OutboxMessage.due_at, OutboxMessage.id)).all()
    db.session.rollback()
    assert len(pending) == 2
    later = claim_due(BOOKED_AT + LEASE + timedelta(seconds=1), "next-sender", limit=2, lease=LEASE)
    assert [m.id for m in later.messages] == [dead.id, pending[0]]
    assert later.messages[0].attempts == 2 and later.messages[1].attempts == 1
    rows = {r.id: r for r in db.session.scalars(select(OutboxMessage))}
    db.session.rollback()
    assert rows[dead.id].claimed_by == "next-sender" and rows[pending[1]].state == "pending"
