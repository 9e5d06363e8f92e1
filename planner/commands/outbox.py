"""`flask planner send-outbox`: a delivery worker, beside (or instead of) the scheduler's own sending."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

import click
from flask import current_app

from planner import clock
from planner.cli import planner_cli
from planner.services.couriers import courier_from
from planner.services.delivery import send_due


@planner_cli.command("send-outbox")
@click.option("--loop", is_flag=True, help="Keep sending: look for due messages every --every seconds.")
@click.option("--every", default=30.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds between looks, with --loop.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 1000), help="Messages per claim.")
@click.option("--worker", default=None, help="This sender's name in the delivery log (default host-pid).")
@click.option("--lease", default=300.0, show_default=True, type=click.FloatRange(1, 86400),
              help="Seconds a claim is held: if this sender dies, another retakes its messages after that. "
                   "Keep it well above the time one batch takes to send, or a slow sender's claims are retaken "
                   "while it still works on them.")
def send_outbox_command(loop: bool, every: float, batch: int, worker: str | None, lease: float):
    """Send every due message once (or keep at it with --loop). Several may run at once on PostgreSQL."""
    name = worker or f"{socket.gethostname()}-{os.getpid()}"
    while True:
        report = send_due(courier_from(current_app.config), clock.now, name, batch=batch,
                          lease=timedelta(seconds=lease))
        click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
        if not loop:
            return
        time.sleep(every)
