"""10,000 due reminders through the outbox, side by side with a plain smtplib loop, to one local SMTP server.

The clinic is the busy synthetic one (bench/synthetic.py: 15,000 IV sessions in 12 weeks, 3,000
patients), every patient consenting to email. So that 10,000 reminders are due at one moment,
the IV type's reminder policy is set to a single reminder 12 weeks (2,016 h) before the session;
`queue_notices` then queues them for the first 10,000 sessions exactly as a booking would (with
the preparation text the first reminder carries), and the invites it queues beside them are
marked sent beforehand: the reminders are what is measured.

The same messages go both ways to the same server (aiosmtpd in its own process, counting
Message-IDs as they arrive), in alternating legs of 1,000 so that whatever else the machine is
doing weighs on both alike:

- plain: the leg's messages rendered just before (untimed), one `smtplib.SMTP` connection,
  `send_message` in a loop;
- outbox: `send_due` with an `OutboxCourier` over `SmtpTransport`, as `flask planner send-outbox`
  runs it, for as many claims as the leg needs: claim 100, render each message, send it, mark it
  sent in its own transaction. It claims exactly the rows the plain leg just sent.

Counted at the server: every expected Message-ID exactly once on each path (0 lost, 0
duplicates), and the rows marked sent are exactly the Message-IDs the server got. The
per-message figures are the time from one message's start to the next one's, so the outbox's
include its share of claiming and marking; a rate is messages over the legs' summed wall time.
`--rounds N` puts the reminders back in line and goes again.

    python -m bench.bench_outbox                          # SQLite and PostgreSQL, 10,000 each way
    python -m bench.bench_outbox --dbs sqlite --messages 2000 --rounds 1
    python -m bench.bench_outbox --dbs sqlite --profile   # cProfile of one outbox round, top 25
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import smtplib
import time as timer
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from bench.common import DATABASES, databases, load, machine, summary
from bench.mailbox import Mailbox

ROUND_HOURS = 2016  # 12 weeks: one reminder per session, all due at one moment
BATCH = 100


def prepare(url: str, messages: int):
    """The synthetic clinic with `messages` reminders due at one moment; returns (app, that moment)."""
    from bench import synthetic
    from planner.db.models import OutboxMessage, Patient, Session, SessionType
    from planner.db.uow import unit_of_work
    from planner.extensions import db
    from planner.services.notices import queue_notices

    app, clinic, _ = synthetic.create(url, 1, check=False)
    with app.app_context():
        patients = db.session.scalars(select(Patient.id)).all()
        db.session.execute(update(Patient), [{"id": p, "email": f"patient{p}@bench.example",
                                              "consented_channels": ["email"]} for p in patients])
        db.session.execute(update(SessionType).where(SessionType.id == clinic.iv_type_id)
                           .values(reminder_hours=[ROUND_HOURS]))
        db.session.commit()
        ids = db.session.scalars(select(Session.id).where(Session.status == "booked")
                                 .order_by(Session.starts_at, Session.id).limit(messages)).all()
        first = db.session.scalar(select(func.min(Session.starts_at)).where(Session.id.in_(ids[:1])))
        queued_at = first - timedelta(hours=ROUND_HOURS, days=2)
        for at in range(0, len(ids), 500):
            with unit_of_work() as session:
                queue_notices(session, ids[at:at + 500], queued_at)
                session.commit()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "invite")
                           .values(state="sent", sent_at=queued_at, provider_id="(sent when booked)"))
        db.session.commit()
        due = db.session.scalar(select(func.max(OutboxMessage.due_at)).where(OutboxMessage.kind != "invite"))
        pending = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= due))
        db.session.rollback()
        synthetic.analyze(db.engine)
    if pending != messages:
        raise SystemExit(f"expected {messages} due reminders, found {pending}")
    return app, due + timedelta(seconds=1)


def rendered(postmark, moment, count: int):
    """The next `count` due reminders, in the order a claim takes them, as the courier renders them."""
    from planner.db.models import OutboxMessage, Session
    from planner.domain.messages import SessionFacts
    from planner.extensions import db
    from planner.services.rendering import render

    rows = db.session.execute(select(OutboxMessage, Session.version).join(Session, Session.id == OutboxMessage.session_id)
                              .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= moment)
                              .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(count)).all()
    db.session.rollback()
    return [render(postmark, recipient_kind=m.recipient_kind, name=m.recipient_name, channel=m.channel,
                   address=m.address, kind=m.kind, facts=SessionFacts.from_json(m.facts), message_key=m.dedupe_key,
                   version=version, now=moment).email for m, version in rows]


def reset() -> None:
    """Put the reminders back in line, as queued."""
    from planner.db.models import OutboxEvent, OutboxMessage
    from planner.extensions import db

    db.session.execute(update(OutboxMessage).where(OutboxMessage.kind != "invite").values(
        state="pending", attempts=0, sent_at=None, provider_id=None, lease_until=None, claimed_by=None, reason=""))
    db.session.execute(delete(OutboxEvent).where(OutboxEvent.state.in_(("sending", "sent"))))
    db.session.commit()


class Timed:
    """A courier that notes when each message starts."""

    def __init__(self, courier):
        self.courier, self.starts = courier, []

    def deliver(self, message, now):
        self.starts.append(timer.perf_counter())
        return self.courier.deliver(message, now)

    def close(self):
        self.courier.close()


def per_message(starts: list[float], ended: float) -> list[float]:
    return [b - a for a, b in zip(starts, [*starts[1:], ended])]


def plain_leg(mailbox: Mailbox, messages) -> tuple[float, list[float]]:
    """smtplib alone: one connection, send_message in a loop; the wall time and each message's time."""
    starts = []
    began = timer.perf_counter()
    with smtplib.SMTP(mailbox.host, mailbox.port) as smtp:
        for message in messages:
            starts.append(timer.perf_counter())
            smtp.send_message(message)
        ended = timer.perf_counter()
    return ended - began, per_message(starts, ended)


def outbox_leg(mailbox: Mailbox, postmark, moment, claims: int, profiler) -> tuple[float, list[float], int]:
    """send_due as the sender command runs it, for `claims` claims; the wall time, each message's time, how many sent."""
    from planner.adapters.mail import SmtpTransport
    from planner.services.couriers import OutboxCourier
    from planner.services.delivery import send_due

    courier = Timed(OutboxCourier(postmark, SmtpTransport(mailbox.host, mailbox.port)))
    began = timer.perf_counter()
    if profiler:
        profiler.enable()
    report = send_due(courier, lambda: moment, "bench-sender", batch=BATCH, max_batches=claims)
    if profiler:
        profiler.disable()
    ended = timer.perf_counter()
    return ended - began, per_message(courier.starts, ended), report.sent


def check(ids: list[str], expected: list[str]) -> str:
    """'0 lost, 0 duplicates' or what went wrong, counted at the server."""
    duplicates = len(ids) - len(set(ids))
    lost = len(set(expected) - set(ids))
    stray = len(set(ids) - set(expected))
    return f"{lost} lost, {duplicates} duplicates" + (f", {stray} unexpected" if stray else "")


def run(kind: str, url: str, messages: int, rounds: int, leg: int, profile: bool) -> None:
    from planner.db.models import OutboxMessage
    from planner.extensions import db
    from planner.services.rendering import Postmark

    began = timer.perf_counter()
    app, moment = prepare(url, messages)
    postmark = Postmark(("Bench Clinic", "appointments@bench.example"), "https://clinic.example", "bench.example",
                        "bench-link-secret")
    print(f"[{kind}] {messages:,} reminders due at {moment:%Y-%m-%d %H:%M} UTC; set up in "
          f"{timer.perf_counter() - began:.0f} s; legs of {leg:,} messages, plain then outbox", flush=True)
    profiler = cProfile.Profile() if profile else None
    walls = {"plain": 0.0, "outbox": 0.0}
    cpus = {"plain": 0.0, "outbox": 0.0}  # the sending process's own CPU (not the server's nor the database's)
    times: dict[str, list[float]] = {"plain": [], "outbox": []}
    ratios = []
    with app.app_context(), Mailbox() as mailbox:
        plain_leg(mailbox, rendered(postmark, moment, 300))  # warm up the server and the connection path
        for number in range(1, rounds + 1):
            reset()
            plain_ids, outbox_ids, expected = [], [], []
            while True:
                # The next leg's messages, rendered (untimed) just before the plain loop sends them,
                # fresh like every message the outbox renders; then the outbox claims the same rows.
                batch = rendered(postmark, moment, leg)
                if not batch:
                    break
                expected += [str(m["Message-ID"]) for m in batch]
                size = len(batch)
                since = mailbox.count()
                cpu = timer.process_time()
                plain_wall, each = plain_leg(mailbox, batch)
                cpus["plain"] += timer.process_time() - cpu
                times["plain"] += each
                plain_ids += mailbox.ids(since)
                del batch
                since = mailbox.count()
                cpu = timer.process_time()
                outbox_wall, each, sent = outbox_leg(mailbox, postmark, moment, -(-leg // BATCH), profiler)
                cpus["outbox"] += timer.process_time() - cpu
                times["outbox"] += each
                outbox_ids += mailbox.ids(since)
                walls["plain"] += plain_wall
                walls["outbox"] += outbox_wall
                if sent != size:
                    raise SystemExit(f"the outbox sent {sent} of a leg of {size}")
                ratios.append(plain_wall / outbox_wall)
            marked = set(db.session.scalars(select(OutboxMessage.provider_id).where(
                OutboxMessage.kind != "invite", OutboxMessage.state == "sent")))
            db.session.rollback()
            print(f"  round {number}: plain {check(plain_ids, expected)}; outbox {check(outbox_ids, expected)}, "
                  f"{len(marked):,} rows marked sent, "
                  f"{'exactly the Message-IDs the server got' if marked == set(outbox_ids) else 'NOT what the server got'}",
                  flush=True)
        db.engine.dispose()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    count = len(times["plain"])
    rates = {path: count / walls[path] for path in walls}
    for path in ("plain", "outbox"):
        figures = summary(times[path])
        print(f"  {path:6} {rates[path]:5.0f} msg/s; per message p50 {figures['p50']:.2f} ms, "
              f"p95 {figures['p95']:.2f} ms, p99 {figures['p99']:.2f} ms; sender CPU {cpus[path] / count * 1000:.2f} ms")
    ratios.sort()
    print(f"  outbox / plain rate: {rates['outbox'] / rates['plain']:.2f} overall, {ratios[len(ratios) // 2]:.2f} "
          f"the median leg (legs {ratios[0]:.2f} to {ratios[-1]:.2f}); target >= 0.5; {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default=",".join(DATABASES))
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--leg", type=int, default=1000, help="messages per leg; the paths alternate leg by leg")
    parser.add_argument("--profile", action="store_true", help="cProfile the outbox legs")
    args = parser.parse_args()
    print(f"Outbox delivery against a plain smtplib loop; {machine()}")
    with databases() as make:
        for kind in args.dbs.split(","):
            run(kind, make(kind, "bench_outbox"), args.messages, args.rounds, args.leg, args.profile)


if __name__ == "__main__":
    main()
