"""APScheduler job wrappers: push an app context, read the clock once, call a service.

APScheduler only drives the work; what must not be lost lives in the database,
so a missed or repeated run is harmless (each service is idempotent).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from planner import clock
from planner.services.credentials import warn_expiring_credentials

log = logging.getLogger("planner.jobs")


def run_job(app: Flask, name: str, service) -> None:
    """Run one service with now inside an app context, logging instead of dying on errors."""
    with app.app_context():
        try:
            result = service(clock.now())
            log.info("job %s done: %s", name, result)
        except Exception:  # a failed run must not stop the scheduler; the next run catches up
            log.exception("job %s failed", name)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The one scheduler process and its jobs."""
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(run_job, "interval", hours=6, args=(app, "credential-expiry", warn_expiring_credentials),
                      id="credential-expiry", next_run_time=clock.now(), coalesce=True, max_instances=1,
                      misfire_grace_time=None)
    return scheduler
