"""How many failed sign-ins an email or an address may have before further attempts wait."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as OrmSession

from planner.db.models import AuditEvent

# OWASP's advice: slow guessing per account without letting a stranger lock a clinician out for
# long. Five wrong passwords for one email, or twenty from one address (a whole clinic may share
# one), within a quarter of an hour; the wait ends as the oldest of them leaves the quarter.
WINDOW = timedelta(minutes=15)
PER_EMAIL = 5
PER_ADDRESS = 20


def wait_before_next_try(session: OrmSession, email: str, remote_addr: str | None, now: datetime) -> timedelta | None:
    """How long this email or address must wait before trying again, or None when it may try now."""
    # Failed sign-ins are in the audit log already (actor: the email typed); no second record.
    who = [AuditEvent.actor == email] if email else []
    if remote_addr:
        who.append(AuditEvent.remote_addr == remote_addr)
    if not who:
        return None
    failed = session.execute(select(AuditEvent.actor, AuditEvent.remote_addr, AuditEvent.at)
                             .where(AuditEvent.action == "login.failed", AuditEvent.at > now - WINDOW, or_(*who))
                             .order_by(AuditEvent.at.desc())).all()
    waits = []
    for times, limit in (([at for actor, _, at in failed if email and actor == email], PER_EMAIL),
                         ([at for _, addr, at in failed if remote_addr and addr == remote_addr], PER_ADDRESS)):
        if len(times) >= limit:
            # Once the limit-th most recent failure is a quarter of an hour old, fewer than limit remain.
            waits.append(times[limit - 1] + WINDOW - now)
    return max(waits) if waits else None
