"""Four senders at once on one outbox: every message reaches the mailbox exactly once.

Four real `flask planner send-outbox` processes start together on 900 to 1,200 due messages and
claim small batches, so their claims interleave all through the run. On PostgreSQL a claim
skips rows another sender has locked (FOR UPDATE SKIP LOCKED); on SQLite claims take the one
write lock in turn (BEGIN IMMEDIATE). Either way no row may be claimed twice: each row's
history is queued, claimed by one sender, sent by that same sender, and the mailbox holds each
Message-ID once.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from planner.db.models import OutboxEvent
from planner.extensions import db
from tests.concurrency.outbox_rig import Sender, due_by, due_clinic, message_ids, outbox
from tests.smtp_server import SmtpServer

pytestmark = [pytest.mark.concurrency, pytest.mark.slow]

SENDERS = 4


def test_four_senders_at_once_deliver_every_message_exactly_once(app, database_url):
    clinic = due_clinic(rooms=10, sessions=300, staff_email=True)
    due = due_by(clinic.due_at)
    # 300 sessions: the patient's and the therapist's invites and the 72 h reminder are always due;
    # the 24 h reminders too for sessions within a day, so how many more depends on the hour of the run.
    assert len(due) >= 900
    with SmtpServer(delay=0.002) as mailbox:
        senders = [Sender(database_url, mailbox.port, f"sender-{n}", "--batch", "10") for n in range(SENDERS)]
        try:
            codes = [sender.finish(within=120) for sender in senders]
            logs = "\n".join(f"--- {s.worker}:\n{s.log()}" for s in senders)
        finally:
            for sender in senders:
                sender.stop()
        received = mailbox.received()
    assert codes == [0] * SENDERS, logs

    rows = outbox()
    assert all(m.state == "sent" for m in due_by(clinic.due_at))
    counts = message_ids(received)
    assert set(counts) == {m.provider_id for m in rows if m.state == "sent"}
    assert {mid: n for mid, n in counts.items() if n > 1} == {}

    events = db.session.execute(select(OutboxEvent.message_id, OutboxEvent.state, OutboxEvent.detail, OutboxEvent.at)
                                .order_by(OutboxEvent.id)).all()
    db.session.rollback()
    story: dict[int, list[tuple[str, str]]] = {}
    for message_id, state, detail, _ in events:
        story.setdefault(message_id, []).append((state, detail))
    for row in rows:
        if row.state != "sent":
            continue
        [(queued, _), (claimed, by), (sent, sent_by)] = story[row.id]
        worker = re.fullmatch(r"claimed by (sender-\d)", by).group(1)
        assert (queued, claimed, sent, sent_by) == ("pending", "sending", "sent", f"sent by {worker}")

    # The race was real: several senders did a share of the work, over times that overlap.
    spans = {}
    for _, state, detail, at in events:
        if state == "sent":
            worker = detail.removeprefix("sent by ")
            first, last = spans.get(worker, (at, at))
            spans[worker] = (min(first, at), max(last, at))
    shares = Counter(detail.removeprefix("sent by ") for _, state, detail, _ in events if state == "sent")
    busy = [w for w, n in shares.items() if n >= 20]
    assert len(busy) >= 3, shares
    assert max(spans[w][0] for w in busy) < min(spans[w][1] for w in busy), spans
    print(f"\n{len(due)} due, {len(counts)} delivered once each; shares {dict(shares)}")
