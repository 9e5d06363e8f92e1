"""Watching credentials: warn before a licence, ACLS, BLS or REMS training lapses."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from planner.db.models import AuditEvent, Credential, Staff
from planner.db.uow import unit_of_work
from planner.domain.staffing import CREDENTIAL_NAMES, Credential as Cred, expiry_warning
from planner.services import SYSTEM
from planner.services.audit import record

log = logging.getLogger("planner.credentials")


def warn_expiring_credentials(now: datetime) -> int:
    """Record one warning per credential and threshold reached (60, then 30 days); returns how many are new."""
    today = now.date()
    with unit_of_work() as session:
        rows = session.execute(select(Credential, Staff.name).join(Staff, Staff.id == Credential.staff_id)
                               .where(Staff.active.is_(True), Credential.expires_on.is_not(None),
                                      Credential.revoked_on.is_(None),
                                      Credential.expires_on >= today)).all()
        already = set(session.execute(select(AuditEvent.entity_id, AuditEvent.action)
                                      .where(AuditEvent.entity == "credential",
                                             AuditEvent.action.like("credential.expiring_%"))).all())
        new = 0
        for credential, name in rows:
            days = expiry_warning(Cred(credential.kind, credential.issued_on, credential.expires_on), today)
            action = f"credential.expiring_{days}d"
            if days is None or (str(credential.id), action) in already:
                continue
            record(session, SYSTEM, action, "credential", credential.id, now, staff_id=credential.staff_id,
                   kind=credential.kind, expires_on=credential.expires_on.isoformat())
            log.warning("%s's %s expires on %s (within %d days)", name, CREDENTIAL_NAMES.get(credential.kind),
                        credential.expires_on, days)
            new += 1
        session.commit()
        return new
