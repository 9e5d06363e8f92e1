"""`flask planner scheduler`: the one process that runs timed jobs."""

from __future__ import annotations

import click
from flask import current_app

from planner.cli import planner_cli


@planner_cli.command("scheduler")
def scheduler_command():
    """Run the job scheduler in the foreground (exactly one per clinic deployment)."""
    from planner.jobs import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Scheduler running; jobs: " + ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
