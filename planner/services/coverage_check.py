"""The daily coverage check: booked sessions of the next 14 days that lost cover, credentials about to lapse.

Each problem is one alert, keyed by what it is about ("session:12", "credential:7:30d"): a second
run finds the open alert and only notes it was seen again; an open alert the run no longer finds
is resolved, and kept with when. The rows in the database are the truth, so a run missed or run
twice (by the scheduler or `flask planner check-coverage`) is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from planner.db import reads
from planner.db.models import CoverageAlert
from planner.db.uow import unit_of_work
from planner.domain.calendar import local
from planner.domain.coverage import uncovered_reasons
from planner.domain.intervals import Interval
from planner.domain.staffing import CREDENTIAL_NAMES, EXPIRY_WARNINGS
from planner.services import SYSTEM
from planner.services.audit import record

log = logging.getLogger("planner.coverage")
AHEAD = timedelta(days=14)  # issue 12, part 6: the booked sessions of the next 14 days


@dataclass(frozen=True)
class Finding:
    """One problem a run found, before it becomes (or refreshes) an alert."""

    key: str
    kind: str
    message: str
    site_id: int | None = None
    session_id: int | None = None
    staff_id: int | None = None
    credential_id: int | None = None
    starts_at: datetime | None = None


@dataclass(frozen=True)
class CheckReport:
    """What one run did: alerts opened, still open, resolved."""

    opened: int
    still_open: int
    resolved: int

    def __str__(self) -> str:
        return f"{self.opened} opened, {self.still_open} still open, {self.resolved} resolved"


def check_coverage(now: datetime) -> CheckReport:
    """Find what lost cover or is about to, open an alert for each new problem and resolve those gone."""
    # Read in a read-only transaction (the collector paused while thousands of small objects are
    # made), then write the alerts in a short one: a finding is re-found by the next run anyway.
    with reads.reading() as session:
        findings = {f.key: f for f in _uncovered(session, now) + _lapsing(session, now)}
    with unit_of_work() as session:
        open_alerts = {a.key: a for a in session.scalars(
            select(CoverageAlert).where(CoverageAlert.resolved_at.is_(None)).with_for_update())}
        opened = resolved = 0
        for key, found in findings.items():
            alert = open_alerts.get(key)
            if alert is not None:
                alert.seen_at, alert.message = now, found.message
                continue
            session.add(CoverageAlert(kind=found.kind, key=key, site_id=found.site_id, session_id=found.session_id,
                                      staff_id=found.staff_id, credential_id=found.credential_id,
                                      starts_at=found.starts_at, message=found.message, opened_at=now, seen_at=now))
            record(session, SYSTEM, "coverage.alert_opened", "coverage_alert", key, now, message=found.message)
            opened += 1
        for key, alert in open_alerts.items():
            if key not in findings:
                alert.resolved_at = now
                record(session, SYSTEM, "coverage.alert_resolved", "coverage_alert", key, now)
                resolved += 1
        session.commit()
    report = CheckReport(opened, len(findings) - opened, resolved)
    if opened:
        log.warning("coverage check: %s", report)
    return report


def _uncovered(session, now: datetime) -> list[Finding]:
    """Booked sessions still to come (or under way) within AHEAD that lost cover: one read per site."""
    found = []
    for site_id in reads.site_ids(session):
        cover = reads.site_cover(session, site_id, Interval(now, now + AHEAD))
        if cover is None:
            continue
        zone = cover.site.calendar.zone
        for booked in cover.sessions:
            if booked.window.end <= now or booked.window.start >= now + AHEAD:
                continue
            reasons = uncovered_reasons(booked.request, cover.state, booked.id)
            if not reasons:
                continue
            when = f"{local(booked.window.start, zone):%a %d %b %Y %H:%M %Z}"
            message = (f"Session {booked.id} ({booked.request.session_type.name}, {when} at {cover.site.name}) "
                       f"has lost cover: {' '.join(dict.fromkeys(r.message for r in reasons))}")
            found.append(Finding(f"session:{booked.id}", "session_uncovered", message[:2000], site_id=site_id,
                                 session_id=booked.id, starts_at=booked.window.start))
    return found


def _lapsing(session, now: datetime) -> list[Finding]:
    """Credentials of active staff lapsing within 60 days: one alert per threshold reached (60, then 30)."""
    today = now.date()
    found = []
    for credential in reads.lapsing_credentials(session, today, today + timedelta(days=max(EXPIRY_WARNINGS))):
        left = (credential.expires_on - today).days
        threshold = min(days for days in EXPIRY_WARNINGS if left <= days)
        # The 30-day alert replaces the 60-day one: a new key, so the 60-day alert resolves.
        message = (f"{credential.name}'s {CREDENTIAL_NAMES.get(credential.kind, credential.kind)} expires on "
                   f"{credential.expires_on:%d %b %Y} (within {threshold} days).")
        found.append(Finding(f"credential:{credential.id}:{threshold}d", "credential_expiring", message,
                             staff_id=credential.staff_id, credential_id=credential.id))
    return found
