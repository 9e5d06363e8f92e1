"""A sender killed with kill -9 mid-batch, then restarted: nothing lost, nothing doubled that was not in doubt.

The sender is the real command (`flask planner send-outbox`) in its own process, sending to a
real SMTP server (aiosmtpd, in this process) on the test database. What these tests can and
cannot prove, plainly:

- Nothing is lost: every message due reaches the mailbox after a restart, because a dead
  sender's claims are retaken once their lease runs out (`--lease`).
- Exactly once at the SMTP level cannot be promised by any sender. Between the server keeping a
  message and the sender recording that in the database there is always a moment (the "250"
  on its way back, the commit of its `SentMarks` mark); a sender killed inside it has sent a message
  the database still shows as in flight, and its successor sends it again. The outbox narrows
  that moment to the one message in flight (each is marked in its own transaction as soon as
  the server took it), gives the repeat the same Message-ID (made from the row's unique key) so
  a mailbox can drop it, and says so in the message's history ("retaken ... it may have been
  delivered"). One kill here is placed inside that moment on purpose (the server keeps the
  message and withholds its reply while the sender is killed), so a repeat is certain and its
  handling is checked; the other kills land at random moments mid-batch, and the test prints how
  many repeats they caused (at most one each).
- A sender killed while it waits between rounds holds nothing, and nothing is sent twice.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from tests.concurrency.outbox_rig import Sender, due_by, due_clinic, history, message_ids, outbox, wait_until
from tests.smtp_server import SmtpServer

pytestmark = [pytest.mark.concurrency, pytest.mark.slow]

BATCH = 20
LEASE = 3  # seconds; each batch takes well under a second here
KILLS = 5
RETAKEN = re.compile(r"retaken by .*it may have been delivered")


@pytest.fixture
def mailbox():
    # 4 ms per message: a batch lasts long enough for a kill to land inside it.
    with SmtpServer(delay=0.004) as server:
        yield server


@pytest.fixture
def start_sender(database_url, mailbox):
    started: list[Sender] = []

    def start(worker: str, *options: str) -> Sender:
        sender = Sender(database_url, mailbox.port, worker, "--batch", str(BATCH), "--lease", str(LEASE), *options)
        started.append(sender)
        return sender

    yield start
    for sender in started:
        sender.stop()


def sent_twice_or_more(counts):
    return {mid: n for mid, n in counts.items() if n > 1}


def test_a_sender_killed_mid_batch_again_and_again_loses_nothing_and_repeats_only_what_was_in_flight(
        app, mailbox, start_sender):
    clinic = due_clinic(rooms=10, sessions=300)
    due = due_by(clinic.due_at)
    assert len(due) >= 600  # an invite and a 72 h reminder per session, and the 24 h ones within a day
    chance = random.Random()
    in_doubt = None
    for n in range(KILLS):
        sender = start_sender(f"crashing-{n}", "--loop", "--every", "0.2")
        # Kill it in the middle of its third batch (every claim here takes a full batch).
        target = len(mailbox.received()) + 2 * BATCH + BATCH // 2
        wait_until(lambda target=target: len(mailbox.received()) >= target, 60, f"sender {n} to reach {target}")
        if n == KILLS - 1:
            mailbox.hold()  # the next message is kept, its "250" withheld: the sender cannot know it went
            assert mailbox.held.wait(10), sender.log()
            in_doubt = message_ids(mailbox.received()[-1:])
            sender.kill()
            mailbox.release()
        else:
            time.sleep(chance.uniform(0, 0.03))
            sender.kill()
        holding = [m for m in outbox() if m.state == "sending" and m.claimed_by == sender.worker]
        assert holding, f"sender {n} died between batches, not in one:\n{sender.log()}"

    finisher = start_sender("after-the-crashes", "--loop", "--every", "0.2")
    wait_until(lambda: all(m.state == "sent" for m in due_by(clinic.due_at)), 90,
               "every due message to be sent", poll=0.2)
    finisher.kill()

    rows = outbox()
    assert not [m for m in rows if m.state in ("sending", "failed", "pending") and m.due_at <= clinic.due_at]
    sent = {m.provider_id: m for m in rows if m.state == "sent"}
    counts = message_ids(mailbox.received())
    # Nothing lost, nothing invented: the mailbox holds exactly the messages the outbox marked sent
    # (a repeat with a new Message-ID would show up here as one the outbox does not know).
    assert set(counts) == set(sent)
    assert {m.provider_id for m in due} <= set(counts)
    repeats = sent_twice_or_more(counts)
    assert set(in_doubt) <= set(repeats), "the message whose reply was withheld must have gone again"
    assert all(n == 2 for n in repeats.values()) and len(repeats) <= KILLS, repeats
    for message_id in repeats:
        events = history(sent[message_id].id)
        assert any(state == "sending" and RETAKEN.search(detail) for state, detail in events), events
    for row in sent.values():
        assert [state for state, _ in history(row.id)].count("sent") == 1
    print(f"\n{len(due)} due, {len(counts)} delivered, {sum(counts.values())} received; {KILLS} kills: "
          f"{len(repeats)} repeated (1 by construction, {len(repeats) - 1} from {KILLS - 1} kills at random moments)")


def test_a_sender_killed_while_it_waits_between_rounds_holds_nothing_and_nothing_goes_twice(app, mailbox, start_sender):
    first = due_clinic(rooms=5, sessions=60)
    sender = start_sender("idle", "--loop", "--every", "600")
    # It prints a line when a round ends, then sleeps.
    wait_until(lambda: re.search(r"^sent \d+, retrying", sender.log(), re.M), 60, "the first round", poll=0.05)
    assert all(m.state == "sent" for m in due_by(first.due_at))
    sender.kill()
    assert not [m for m in outbox() if m.state == "sending"]

    second = due_clinic(rooms=5, sessions=60, name="Quay")  # booked while no sender runs
    fresh = start_sender("after-idle")
    assert fresh.finish() == 0, fresh.log()

    rows = outbox()
    assert all(m.state == "sent" for m in due_by(second.due_at))
    counts = message_ids(mailbox.received())
    assert set(counts) == {m.provider_id for m in rows if m.state == "sent"}
    assert sent_twice_or_more(counts) == {}
    assert not [e for m in rows for e in history(m.id) if RETAKEN.search(e[1])]
