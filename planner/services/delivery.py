"""Send what is due: claim, deliver outside any transaction, mark each message as it goes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from collections.abc import Callable

from planner.adapters.delivery import DeliveryFailed, RecipientOptedOut
from planner.services.outbox_claims import Claimed, SentMarks, claim_due, mark_failed, release
from planner.services.sms_replies import provider_reports_opt_out

log = logging.getLogger("planner.delivery")
# A message is begun only while this much of its claim's lease is left: enough for one slow send
# (SmtpTransport gives each step 10 s), so it ends before another sender may retake it.
LEASE_MARGIN = timedelta(seconds=30)


class Courier(Protocol):
    """Turns a claimed message into what the recipient gets and hands it over; returns a provider id."""

    def deliver(self, message: Claimed, now: datetime) -> str: ...

    def close(self) -> None: ...


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def send_due(courier: Courier, clock: Callable[[], datetime], worker: str, batch: int = 100,
             lease: timedelta = timedelta(minutes=5), max_batches: int | None = None) -> SendReport:
    """Send every message due now, batch after batch, until none is left (or max_batches)."""
    report = SendReport()
    marks = SentMarks()
    try:
        while max_batches is None or report.batches < max_batches:
            claimed_at = clock()
            claim = claim_due(claimed_at, worker, batch, lease)
            if not claim:
                break
            report.batches += 1
            # Once the lease runs out another sender may retake these messages, so none is begun
            # after it (less a margin for the one in hand): those left go back in line unsent.
            # The first is always begun, so a sender whose claims are slow still gets somewhere.
            last_start = claimed_at + lease - min(lease / 2, LEASE_MARGIN)
            for index, message in enumerate(claim.messages):
                if index and clock() >= last_start:
                    report.released += release([m.id for m in claim.messages[index:]], worker, clock(),
                                               "its lease was running out before it got to them")
                    break
                _send_one(courier, marks, message, clock, worker, report)
    finally:
        marks.close()
        courier.close()
    return report


def _send_one(courier: Courier, marks: SentMarks, message: Claimed, clock, worker: str, report: SendReport) -> None:
    try:
        provider_id = courier.deliver(message, clock())
    except Exception as error:  # noqa: BLE001 - a message that cannot be built must not stall the others
        failure = error if isinstance(error, DeliveryFailed) else DeliveryFailed(False, f"{type(error).__name__}: {error}")
        state = mark_failed(message.id, message.attempts, clock(), failure.detail, failure.permanent)
        if isinstance(failure, RecipientOptedOut) and message.patient_id is not None:
            provider_reports_opt_out(message.patient_id, clock())
        if state == "failed":
            report.failed += 1
        else:
            report.retrying += 1
        report.errors.append(f"message {message.id}: {failure.detail}")
        log.warning("message %s (%s) not delivered: %s -> %s", message.id, message.kind, failure.detail, state)
        return
    marks(message.id, worker, clock(), provider_id)
    report.sent += 1
