"""`flask planner check-coverage`: the daily coverage check, on demand."""

from __future__ import annotations

import click

from planner import clock
from planner.cli import planner_cli
from planner.services.coverage_check import check_coverage


@planner_cli.command("check-coverage")
def check_coverage_command():
    """Find booked sessions of the next 14 days that lost cover and credentials lapsing; open or resolve alerts."""
    report = check_coverage(clock.now())
    click.echo(f"Coverage check: {report}.")
