"""APScheduler job wrappers: push an app context, read the clock once, call a service.

APScheduler only drives the work; what must not be lost lives in the database (the outbox), so a
missed or repeated run is harmless: each service is idempotent, and after downtime the next run
catches up on everything that fell due meanwhile.
"""

from __future__ import annotations

import logging
import os
import socket

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from planner import clock
from planner.services.consent_expiry import expire_consents
from planner.services.couriers import courier_from
from planner.services.coverage_check import check_coverage
from planner.services.credentials import warn_expiring_credentials
from planner.services.delivery import send_due
from planner.services.feeds import expire_idle_patient_feeds
from planner.services.no_shows import mark_no_shows

log = logging.getLogger("planner.jobs")


def run_job(app: Flask, name: str, service) -> None:
    """Run one service with now inside an app context, logging instead of dying on errors."""
    with app.app_context():
        try:
            result = service(clock.now())
            log.info("job %s done: %s", name, result)
        except Exception:  # a failed run must not stop the scheduler; the next run catches up
            log.exception("job %s failed", name)


def send_outbox(app: Flask) -> None:
    """Send every message due (the scheduler's 30-second job)."""
    worker = f"{socket.gethostname()}-{os.getpid()}"
    with app.app_context():
        try:
            report = send_due(courier_from(app.config), clock.now, worker)
            if report.batches:
                log.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
        except Exception:  # the rows stay due; the next run retries them
            log.exception("outbox run failed")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The one scheduler process and its jobs."""
    scheduler = BlockingScheduler(timezone="UTC")
    # coalesce and max_instances=1: a slow run is never doubled; misfire_grace_time=None: a run
    # missed while the machine slept still happens on waking.
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None, "next_run_time": clock.now()}
    scheduler.add_job(send_outbox, "interval", seconds=30, args=(app,), id="send-outbox", **common)
    scheduler.add_job(run_job, "interval", minutes=15, args=(app, "no-shows", mark_no_shows), id="no-shows",
                      **common)
    scheduler.add_job(run_job, "interval", hours=24, args=(app, "expire-feeds", expire_idle_patient_feeds),
                      id="expire-feeds", **common)
    scheduler.add_job(run_job, "interval", hours=6, args=(app, "credential-expiry", warn_expiring_credentials),
                      id="credential-expiry", **common)
    # Issue 12, part 6: sessions of the next 14 days that lost cover, credentials lapsing; alerts on the overview.
    scheduler.add_job(run_job, "interval", hours=24, args=(app, "coverage-check", check_coverage),
                      id="coverage-check", **common)
    # Issue 13, part 4: a consent whose expiry passed no longer holds; its doses still booked are named.
    scheduler.add_job(run_job, "interval", hours=24, args=(app, "consent-expiry", expire_consents),
                      id="consent-expiry", **common)
    return scheduler
